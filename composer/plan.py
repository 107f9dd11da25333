"""The output plan: every file a build would write or remove, with what is on disk now (README
"Outputs"), nothing written. `output.apply` writes it.

Every diagnostic about an output is located at the target's `output` key; the location is looked
up only when a diagnostic is made (finding positions in the manifest costs more than reading it).
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path

from .backups import free_backup_path
from .diagnostics import ComposeError, Diagnostic, Location
from .inputfiles import Refused, read_regular
from .records import Record
from .seal import BANNER_PREFIX, digest, seal, sealed, sealed_bytes, sha256, verify
from .statefile import State, read_state

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .compose import ComposedFile, ComposedTarget
    from .manifest import TargetSpec

# Where a diagnostic about an output points: a place, or how to find it when one is needed.
Where = Location | Callable[[], Location | None] | None


def located(where: Where) -> Location | None:
    return where() if callable(where) else where


class PlannedFile(Record):
    _attrs = (
        "path", "display", "new_text", "on_disk_text", "target", "recorded", "at", "on_disk", "backup",
        "encoded", "wrote", "status", "looked",
    )

    def __init__(
        self,
        path: Path,  # absolute
        display: str,  # relative to the project
        # The new text (None: a stale file of a folder output, to delete; `UNDECODED`: `encoded`
        # says it, decoded when `text` is first asked): see `text`, `removal`, `headerless`.
        new_text: str | object | None,
        # What is on disk now (None: missing): read as `current`, decoded when first asked; `plan`
        # gives an unchanged output its text itself.
        on_disk_text: str | bytes | None,
        target: str,
        # Header-less outputs: the checksums compose recorded when writing (two while a build that
        # was interrupted was replacing it: the old and the new one); None when nothing is recorded.
        recorded: tuple[str, ...] | None = None,
        at: Where = None,  # the target's `output` in the manifest, for diagnostics: see `where`
        # The bytes on disk when planned (None: missing), or their digest: the file is checked
        # against them again right before it is replaced, so a save made during the build is never
        # lost. Bytes are compared as they are (a memcmp; a digest costs a pass of sha256 over it).
        on_disk: str | bytes | None = None,
        backup: str | None = None,  # where `--force` kept the file it replaced (relative to the project)
        # `text` as UTF-8, when `plan` encoded it to compare it with the file on disk: staged as it is.
        encoded: bytes | None = None,
        # The bytes this process last wrote to this output (watch keeps them: `plan(wrote=)`).
        wrote: bytes | None = None,
        # The output's status (lstat) taken before `plan` read it, and this process's clock
        # (`time.monotonic_ns`) just before: `output.apply` tells by them whether the file can
        # have changed since (`output._unmoved`). None: a symlink or anything unusual, read again.
        status: os.stat_result | None = None,
        looked: int = 0,
    ) -> None:
        self.path = path
        self.display = display
        self.new_text = new_text
        self.on_disk_text = on_disk_text
        self.target = target
        self.recorded = recorded
        self.at = at
        self.on_disk = on_disk
        self.backup = backup
        self.encoded = encoded
        self.wrote = wrote
        self.status = status
        self.looked = looked

    @property
    def text(self) -> str | None:
        """The new text (None: a stale file to delete)."""
        if self.new_text is UNDECODED:
            assert self.encoded is not None
            self.new_text = self.encoded.decode("utf-8")
        return self.new_text  # type: ignore[return-value]

    @property
    def removal(self) -> bool:
        """A stale file to delete, not a text to write."""
        return self.new_text is None

    @property
    def headerless(self) -> bool:
        """A text to write without a banner (its checksum goes into the state file)."""
        if self.new_text is UNDECODED:
            return not self.encoded.startswith(_BANNER)  # type: ignore[union-attr]
        return self.new_text is not None and not self.new_text.startswith(BANNER_PREFIX)  # type: ignore[union-attr]

    @property
    def current(self) -> str | None:
        """What is on disk now (None: missing)."""
        if isinstance(self.on_disk_text, bytes):
            self.on_disk_text = self.on_disk_text.decode("utf-8", errors="replace")
        return self.on_disk_text

    @property
    def unchanged_bytes(self) -> bytes | None:
        """The bytes on disk, when they are exactly those compose makes now (else None)."""
        if self.on_disk_text is self.new_text and isinstance(self.on_disk, bytes):
            return self.on_disk
        return None

    @cached_property
    def as_wrote(self) -> bool:
        """Does the output on disk hold the very bytes this process last wrote to it?"""
        return self.wrote is not None and self.wrote == self.on_disk

    @property
    def seen(self) -> str | None:
        if isinstance(self.on_disk, bytes):
            self.on_disk = sha256(self.on_disk).hexdigest()
        return self.on_disk

    def as_planned(self, data: bytes | None) -> bool:
        """Are `data` (the output's bytes now; None: missing) what `plan` read?"""
        if self.on_disk is None or isinstance(self.on_disk, bytes):
            return data == self.on_disk
        return data is not None and sha256(data).hexdigest() == self.on_disk

    @cached_property  # the state file records it twice a build (`statefile.next_state`)
    def text_digest(self) -> str | None:
        """The checksum of `text` (None: a file to remove)."""
        if self.text is None:
            return None
        return sha256(self.encoded).hexdigest() if self.encoded is not None else digest(self.text)

    @property
    def where(self) -> Location | None:
        return located(self.at)

    @property
    def changed(self) -> bool:
        if self.on_disk_text is None:
            return not self.removal
        if isinstance(self.on_disk_text, bytes) and self.as_wrote:
            # Not the text's bytes (`plan` would have given it the text), and valid UTF-8 (this
            # process encoded them): not the text once decoded either, so no need to decode them.
            return True
        return self.text != self.current

    @cached_property  # `apply` asks twice; each answer hashes the whole file on disk
    def ours(self) -> bool:
        """Is what is on disk exactly what compose wrote?"""
        if self.on_disk_text is None:
            return True
        if self.wrote is not None and self.as_wrote and self.wrote.startswith(_BANNER):
            # Byte for byte a sealed file this process wrote: `verify` would hash the whole
            # output to say what these bytes already say (their checksum line is compose's).
            return True
        if self.recorded and digest(self.current) in self.recorded:
            return True
        return verify(self.current) is True

    @property
    def hand_edited(self) -> bool:
        """On disk, differs from what we'd write, and compose did not write it as it is."""
        return self.on_disk_text is not None and self.changed and not self.ours


def plan(
    root: Path, composed: ComposedTarget, state: State | None = None, wrote: Mapping[str, bytes] | None = None
) -> list[PlannedFile]:
    """The files of one composed target, and the stale files of its output folder. `wrote`: the
    bytes this process last wrote to outputs, by absolute path (`apply(wrote=)` keeps them)."""
    target = composed.target
    state = state if state is not None else read_state(root)

    def where() -> Location | None:
        return target.key_location("output")

    outputs = _Outputs(root, where)
    files = [_planned(outputs, composed, f, state) for f in composed.files]
    if wrote:
        for f in files:
            f.wrote = wrote.get(str(f.path))
    if target.folder:
        wanted = {os.path.normcase(str(f.path)) for f in files}
        files.extend(_stale(root, target, wanted, state, where))
    return files


def _planned(outputs: _Outputs, composed: ComposedTarget, f: ComposedFile, state: State) -> PlannedFile:
    path, data, status, looked = outputs.read(f.path)
    # A file on disk is compared with the text's bytes: made with the text (no second encoding).
    # None on disk (a first build): the text alone, and `stage` encodes it a MiB at a time.
    encoded: bytes | None = None
    kept = f.encoded()
    text: str | object
    if kept is not None:  # watch's bytes: only the sections an edit changed were encoded again
        encoded = sealed_bytes(composed.banner, *kept)
        text = UNDECODED if data != encoded else encoded.decode("utf-8")
    elif data is None:
        text = seal(composed.banner, f.pieces())
    else:
        text, encoded = sealed(composed.banner, f.pieces())
    current: str | bytes | None = data  # decoded if asked (`PlannedFile.current`)
    if encoded is not None and data == encoded:
        # Unchanged (the common case of a rebuild): the text is what is on disk, no decoding.
        current = text
        encoded = None
    target = composed.target.name
    where = outputs.where
    return PlannedFile(
        path, f.path, text, current, target, state.get(f.path), where, data, encoded=encoded, status=status,
        looked=looked,
    )


_MISSING = object()
UNDECODED = object()  # `PlannedFile.new_text` of a text `plan` has as bytes only
_BANNER = BANNER_PREFIX.encode("utf-8")


class _Outputs:
    """The output files of one target, confined and read. A folder output has a file per
    fragment: its folder's real path is resolved once, and a file that is no symlink is where its
    folder really is (one lstat per file, no pathlib, instead of `confine`'s resolution of every
    component of every file's path). Anything else takes the full checks."""

    def __init__(self, root: Path, where: Where) -> None:
        self.root = root
        self.where = where
        self.real_root = os.path.realpath(root)
        self.inside: dict[str, bool] = {}  # folder (POSIX, from root) -> is its real path in the project

    def read(self, rel: str) -> tuple[Path, bytes | None, os.stat_result | None, int]:
        """The output's absolute path, its bytes on disk (None: missing), the status taken just
        before they were read (None: not a plain file) and this process's clock before that
        (`PlannedFile.status`, `.looked`); or the ComposeError of `confine`, of a directory in
        its place or of `read_output`."""
        path = self.root / rel
        looked = time.monotonic_ns()
        st = self._plain_stat(rel, path)
        if st is _MISSING:
            return path, None, None, looked
        if st is None:
            path = confine(self.root, rel, self.where)
            if path.is_dir():
                raise _is_directory(rel, self.where)
            return path, read_output(path, rel, self.where), None, looked
        assert isinstance(st, os.stat_result)
        if stat.S_ISDIR(st.st_mode):
            raise _is_directory(rel, self.where)
        return path, read_output(path, rel, self.where, st), st, looked

    def _plain_stat(self, rel: str, path: Path) -> os.stat_result | object | None:
        """The lstat of an output that is no symlink, in a folder inside the project (`_MISSING`:
        there is none); None for anything else, which the full checks decide."""
        folder, _, name = rel.rpartition("/")
        if name in ("", ".", ".."):
            return None
        inside = self.inside.get(folder)
        if inside is None:
            try:
                real = os.path.realpath(os.path.join(self.root, folder))
                inside = os.path.commonpath([self.real_root, real]) == self.real_root
            except (OSError, ValueError):
                inside = False
            self.inside[folder] = inside
        if not inside:
            return None
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return _MISSING
        except (OSError, ValueError):
            return None
        return None if stat.S_ISLNK(st.st_mode) else st


def _is_directory(rel: str, where: Where) -> ComposeError:
    return ComposeError(
        Diagnostic(
            f"output `{rel}` is a directory",
            located(where),
            code="E302",
            hint="end `output` with `/` for a folder output",
        )
    )


def _stale(root: Path, target: TargetSpec, wanted: set[str], state: State, where: Where) -> list[PlannedFile]:
    """The files of a folder output that compose wrote and this build does not: to remove.
    Anything else in the folder is left alone."""
    folder = confine(root, target.output, where)
    if not folder.is_dir():
        return []
    try:
        listing = sorted(folder.glob("*.prisma"))
    except OSError as exc:
        message = f"cannot list output folder `{target.output}`: {exc.strerror or exc}"
        raise ComposeError(Diagnostic(message, located(where), code="E304")) from None
    found = []
    for stale in listing:
        if os.path.normcase(str(stale)) in wanted:
            continue
        rel = target.output + stale.name
        data = read_output(stale, rel, where)
        current = _text(data)
        if current is not None and (current.startswith(BANNER_PREFIX) or rel in state):
            found.append(PlannedFile(stale, rel, None, current, target.name, state.get(rel), where, data))
    return found


def _text(data: bytes | None) -> str | None:
    return None if data is None else data.decode("utf-8", errors="replace")


def confine(root: Path, rel: str, where: Where) -> Path:
    """The absolute path of an output, refusing anything that escapes the project (symlinks too).

    A first check, for early and clear errors (`check` too); writes do not rely on it: they go
    through `folders.open_folder`, which resolves the folder again, one component at a time.
    """
    path = root / rel
    real_root = os.path.realpath(root)
    for attempt in range(5):
        try:
            real = os.path.realpath(path)
            break
        except OSError as exc:  # a symlink on the way removed while it was being read: again
            if attempt == 4:
                raise ComposeError(
                    Diagnostic(
                        f"cannot resolve output `{rel}`: {exc.strerror or exc} (a folder on its path "
                        "keeps changing)",
                        located(where),
                        code="E304",
                    )
                ) from None
    if os.path.commonpath([real_root, real]) != real_root:
        raise outside_error(rel, real, real_root, where)
    return path


def outside_error(rel: str, real: str, real_root: str, where: Where) -> ComposeError:
    return ComposeError(
        Diagnostic(
            f"output `{rel}` resolves to `{real}`, outside the project folder `{real_root}`",
            located(where),
            code="E301",
            hint="outputs must stay inside the manifest's folder (check for symlinks on the way)",
        )
    )


def file_on_path_error(display: str, where: Where) -> ComposeError:
    return ComposeError(
        Diagnostic(
            f"cannot write output `{display}`: a folder on its path is a file",
            located(where),
            code="E302",
            hint="move that file away, or choose another `output`",
        )
    )


def read_current(path: Path, display: str | None = None, where: Where = None) -> str | None:
    """The output on disk now (None: there is none), or a ComposeError naming it."""
    return _text(read_output(path, display, where))


def read_output(
    path: Path, display: str | None, where: Where, st: os.stat_result | None = None
) -> bytes | None:
    """The output's bytes on disk now (None: there is none), or a ComposeError naming it (`st`:
    its stat, just taken)."""
    shown = display or str(path)
    try:
        # Only a regular file: a FIFO or a link to `/dev/zero` where an output goes would block
        # the build or fill the memory.
        return read_regular(path, st)
    except Refused as exc:
        raise ComposeError(
            Diagnostic(
                f"output `{shown}` is {exc.what}, not a regular file; compose writes only regular files",
                located(where),
                code="E302",
                hint="remove it, or choose another `output`",
            )
        ) from None
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        message = f"output `{shown}` is a directory"
        raise ComposeError(Diagnostic(message, located(where), code="E302")) from None
    except NotADirectoryError:
        raise file_on_path_error(shown, where) from None
    except OSError as exc:
        raise ComposeError(
            Diagnostic(f"cannot read output `{shown}`: {exc.strerror or exc}", located(where), code="E304")
        ) from None


def display_beside(f: PlannedFile, name: str) -> str:
    """The display path of file `name` in `f`'s folder."""
    parent = f.display.rpartition("/")[0]
    return f"{parent}/{name}" if parent else name


def backup_display(f: PlannedFile) -> str:
    """Where `--force` would keep the file on disk now (the first free `NAME.bak[.N]`)."""
    return display_beside(f, free_backup_path(f.path).name)


def edited_diagnostic(f: PlannedFile, command: str = "compose build --force") -> Diagnostic:
    """The refusal to replace a hand-edited or foreign output, saying how to take it over."""
    backup = backup_display(f)
    if f.current is not None and (verify(f.current) is False or f.recorded is not None):
        message = f"`{f.display}` was edited by hand since compose wrote it"
        hint = f"move the change into a fragment, or run `{command}` to overwrite it"
    else:
        message = f"`{f.display}` exists and was not written by compose"
        hint = (
            f"if it is yours, choose another `output`; if a script of yours wrote it (a combine "
            f"script compose replaces), `{command}` takes it over"
        )
    return Diagnostic(
        message, f.where, code="E303", hint=f"{hint} (the current file is kept as `{backup}`)"
    )
