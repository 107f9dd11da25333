"""The nothing-changed fast path of `compose build`.

A build that succeeds records a stamp: digests of the manifest, of every input file it read (in
order), of the outputs as they are on disk after the build, and of the tool itself. The next
`compose build` with the same arguments checks the stamp before anything else: when every input
and every output is still byte-for-byte what it was, there is nothing to do, and it says so
without importing the CLI framework, parsing or composing (like make, but by content: a stat
signature would miss an edit within the file system's timestamp granularity).

Anything the check does not understand, or any doubt at all, falls back to the full build, which
is always right. Stamps live in the user's cache folder, never in the project:
`$XDG_CACHE_HOME/prisma-compose/` (default `~/.cache/prisma-compose/`). `COMPOSE_NO_CACHE=1`
turns the fast path off.

This module imports only the standard library and the project's standard-library-only modules
(folders, inputfiles, seal): it runs before everything else.
"""

from __future__ import annotations

import _thread
import contextlib
import json
import os
import sys
import time
from pathlib import Path

from .folders import atomic_write
from .inputfiles import (
    STATE_FILE,
    NeverInputs,
    Refused,
    decode,
    decode_manifest,
    expand_glob,
    manifest_path,
    read_regular,
    temp_owner,
)
from .seal import CHECKSUM_LINE, sha256

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    Stamp = dict[str, Any]

FORMAT = 5  # bump when the stamp's meaning changes


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "prisma-compose"


def tool_fingerprint() -> str:
    """Changes whenever the code that composes changes (an upgrade, or an edit in a checkout)."""
    pkg = os.path.dirname(os.path.abspath(__file__))
    h = sha256(sys.version.encode())
    # The site-packages folder compose is installed in changes whenever a package is installed,
    # upgraded or removed there: PyYAML, which reads the entity files, lives there too. (Not a
    # source checkout's folder, whose time changes with any file made beside the package.)
    site = os.path.dirname(pkg)
    if os.path.basename(site) in ("site-packages", "dist-packages"):
        with contextlib.suppress(OSError):
            h.update(str(os.stat(site).st_mtime_ns).encode())
    for folder in (pkg, *(os.path.join(pkg, sub) for sub in ("psl", "commands", "schemas"))):
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".json")):
                st = entry.stat()
                h.update(f"{entry.path}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def stamp_path(manifest: Path, targets: list[str]) -> Path:
    key = sha256(f"{manifest}\0{chr(0).join(targets)}".encode()).hexdigest()[:32]
    return cache_dir() / f"build-{key}.json"


def sha(data: bytes) -> str:
    return sha256(data).hexdigest()


def text_sha(text: str) -> str:
    """`sha` of the text's UTF-8, encoded a MiB at a time (an output of 10,000 fragments is tens
    of MiB: encoded at once, it would be the build's peak memory)."""
    h = sha256()
    for at in range(0, len(text), 1 << 20):
        h.update(text[at : at + (1 << 20)].encode("utf-8"))
    return h.hexdigest()


# A sealed output (`seal.py`): its head, the banner and the checksum line of everything below it.
_HEAD_LIMIT = 1 << 16  # the banner's two lines: the manifest's name and a target name


def output_digest(text: str) -> str:
    """What the stamp keeps of an output written with `text`: for a sealed one, the digest of its
    head and the checksum its own checksum line gives of the rest (`seal` has just hashed the
    body: it is not hashed again), else `text_sha`. `_output_matches` checks a file against it."""
    head = _sealed_head(text)
    if head is None:
        return text_sha(text)
    return f"sealed:{text_sha(text[:head])}:{text[head - 65 : head - 1]}"


def _sealed_head(text: str) -> int | None:
    """Where the body below the checksum line of a sealed text starts (as `seal.verify` finds
    that line: the third), or None."""
    at = 0
    for _ in range(2):
        at = text.find("\n", at, _HEAD_LIMIT) + 1
        if not at:
            return None
    end = at + len(CHECKSUM_LINE) + 65
    if not text.startswith(CHECKSUM_LINE, at) or text[end - 1 : end] != "\n":
        return None
    digits = text[end - 65 : end - 1]
    return end if len(digits) == 64 and all(c in "0123456789abcdef" for c in digits) else None


def _output_matches(data: bytes, expected: str) -> bool:
    """Is `data` (an output's bytes) what `output_digest` said of the text written? Read as
    bytes: newlines are single bytes in UTF-8, so the head ends where it ends in the text."""
    if not expected.startswith("sealed:"):
        return sha(data) == expected
    _, head_sha, rest_sha = expected.split(":")
    at = 0
    for _ in range(2):
        at = data.find(b"\n", at, _HEAD_LIMIT) + 1
        if not at:
            return False
    end = at + len(CHECKSUM_LINE) + 65
    return (
        data.startswith(f"{CHECKSUM_LINE}{rest_sha}\n".encode(), at)
        and sha(memoryview(data)[:end]) == head_sha
        and sha(memoryview(data)[end:]) == rest_sha  # no copy of the body
    )


def read_or_none(path: str | os.PathLike[str]) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def folder_listing(folder: str | os.PathLike[str]) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(folder) if e.name.endswith(".prisma"))
    except OSError:
        return []


def leftover_temp(folder: str, names: set[str]) -> bool:
    """Does `folder` hold a temporary file of one of `names` (a writer at work, or a dead one's)?"""
    try:
        entries = os.listdir(folder)
    except OSError:
        return False
    for entry in entries:
        owner = temp_owner(entry)
        if owner is not None and owner[0] in names:
            return True
    return False


def inputs_digest(files: list[tuple[str, str]]) -> str:
    """Digest of (absolute path, text as the build read it) pairs, in the order they were read."""
    h = sha256()
    for path, text in files:  # one update per file: the same digest as four
        raw = text.encode("utf-8", "surrogateescape")
        h.update(b"%b\0%b\0" % (path.encode("utf-8", "surrogateescape"), raw))
    return h.hexdigest()


def manifest_digest(text: str) -> str:
    return sha(text.encode("utf-8", "surrogateescape"))


class Hashing:
    """The digests a stamp keeps of a build's manifest, inputs and outputs, taken by a thread
    while the build writes its outputs: the writes and their fsync wait on the disk meanwhile
    (and OpenSSL hashes a fragment's text without holding the GIL). Made only when the build is
    to be stamped (`COMPOSE_NO_CACHE` unset); `done()` waits for the thread. A plain `_thread`:
    importing `threading` would cost about what the overlap saves.

    Everything is what the build used, not what is on disk now (a file saved during the build
    must not be stamped as built): `manifest_text` as the build read it; `inputs`, every file
    read, as (absolute path, text); `outputs`, (absolute path, text written or kept, None when
    deleted)."""

    def __init__(
        self, manifest_text: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str | None]]
    ) -> None:
        self.files = [p for p, _ in inputs]
        self._digests: tuple[str, str, list[list[str | None]]] | None = None
        self._running = _thread.allocate_lock()
        self._running.acquire()
        _thread.start_new_thread(self._run, (manifest_text, inputs, outputs))

    def _run(
        self, manifest_text: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str | None]]
    ) -> None:
        try:
            outs = [[p, None if t is None else output_digest(t)] for p, t in outputs]
            self._digests = manifest_digest(manifest_text), inputs_digest(inputs), outs
        except Exception:  # a text that cannot be encoded: no stamp (the build stands)
            pass
        finally:
            self._running.release()

    def done(self) -> tuple[str, str, list[list[str | None]]] | None:
        """(manifest, inputs, outputs digests) once the thread has taken them; None if it failed."""
        with self._running:
            return self._digests


def hashing(
    manifest_text: str, inputs: list[tuple[str, str]], outputs: list[tuple[str, str | None]]
) -> Hashing | None:
    """The stamp's digests of a build, started (`Hashing`); None when `COMPOSE_NO_CACHE` is set."""
    return None if os.environ.get("COMPOSE_NO_CACHE") else Hashing(manifest_text, inputs, outputs)


def record(
    manifest: Path,
    tool: str,
    targets: list[str],
    entries: list[tuple[str, str]],
    hashing: Hashing,
    folders: list[str],
    counts: tuple[int, int],
    never: tuple[list[str], list[str]] = ([], []),
) -> None:
    """Save the stamp of a successful build; never fails the build.

    `tool`, the fingerprint taken when the build started; `entries`, the manifest's fragment
    entries as (kind, pattern) in order; `hashing`, the digests of what the build read and wrote;
    `folders`, absolute paths of folder outputs; `counts`, (targets, files) for the summary line;
    `never`, the output files and folders of every target (absolute paths), which globs skip
    (`inputfiles.NeverInputs`).
    """
    digests = hashing.done()
    if digests is None:
        return
    try:
        root = manifest.parent
        stamp = {
            "format": FORMAT,
            "tool": tool,
            "manifest": digests[0],
            "entries": entries,
            "files": hashing.files,
            "inputs": digests[1],
            "outputs": digests[2],
            "folders": [[f, folder_listing(f)] for f in folders],
            "state": sha(read_or_none(root / STATE_FILE) or b""),
            "counts": list(counts),
            "never": [list(never[0]), list(never[1])],
        }
        atomic_write(stamp_path(manifest, targets), json.dumps(stamp), durable=False)
    except (OSError, ValueError):
        pass


def unchanged(manifest: Path, targets: list[str]) -> tuple[int, int] | None:
    """(targets, files) when the last build with these arguments is still exactly up to date."""
    stamp = _load(manifest, targets)
    if stamp is None:
        return None
    root = str(manifest.parent)
    # Cheapest first: a build after the outputs were removed (a clean checkout, CI) stops at one
    # stat per output, before the globs are expanded or any input is read.
    checks = (_same_manifest, _outputs_present, _no_temporary_files, _same_files, _same_inputs, _same_outputs)
    # The tool's fingerprint last: it lists the package's folders, the slowest check of a small project.
    if all(check(stamp, manifest, root) for check in checks) and stamp["tool"] == tool_fingerprint():
        return stamp["counts"][0], stamp["counts"][1]
    return None




def _load(manifest: Path, targets: list[str]) -> Stamp | None:
    try:
        stamp = json.loads(stamp_path(manifest, targets).read_bytes())
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("format") == FORMAT else None


def _same_manifest(stamp: Stamp, manifest: Path, root: str) -> bool:
    data = read_or_none(manifest)
    try:
        return data is not None and manifest_digest(decode_manifest(data)) == stamp["manifest"]
    except UnicodeDecodeError:
        return False


def _same_files(stamp: Stamp, manifest: Path, root: str) -> bool:
    """The same manifest lists the same entries; does a glob match other files now?"""
    never = NeverInputs(*stamp["never"])
    listed: set[str] = set()
    for kind, pattern in stamp["entries"]:
        if kind == "path":
            listed.add(os.path.abspath(os.path.join(root, pattern)))
        else:
            listed.update(os.path.abspath(p) for p in expand_glob(root, pattern, never))
    return listed == set(stamp["files"])


def _same_inputs(stamp: Stamp, manifest: Path, root: str) -> bool:
    inputs = []
    for f in stamp["files"]:
        try:
            inputs.append((f, decode(read_regular(f))))  # never blocks: a fragment may be a FIFO now
        except (OSError, Refused, UnicodeDecodeError):
            return False
    return inputs_digest(inputs) == stamp["inputs"]


def _outputs_present(stamp: Stamp, manifest: Path, root: str) -> bool:
    """Every output the build left is there, and none it removed (`_same_outputs` then reads them)."""
    return all(os.path.isfile(path) == (expected is not None) for path, expected in stamp["outputs"])


def _same_outputs(stamp: Stamp, manifest: Path, root: str) -> bool:
    """The outputs, the folder outputs' listings and the state file are as the build left them."""
    for path, expected in stamp["outputs"]:
        data = read_or_none(path)
        if data is None or expected is None:
            if data is not expected:  # removed, and still gone
                return False
        elif not _output_matches(data, expected):
            return False
    if any(folder_listing(folder) != listing for folder, listing in stamp["folders"]):
        return False
    return sha(read_or_none(os.path.join(root, STATE_FILE)) or b"") == stamp["state"]


def _no_temporary_files(stamp: Stamp, manifest: Path, root: str) -> bool:
    """A temporary file beside an output: a build that died mid-way (its files are swept only by a
    full build) or one still at work: either way, not a case for "nothing to do"."""
    names: dict[str, set[str]] = {root: {STATE_FILE}}
    for path, _ in stamp["outputs"]:
        names.setdefault(os.path.dirname(path), set()).add(os.path.basename(path))
    return not any(leftover_temp(folder, owned) for folder, owned in names.items())


def build_arguments(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(--manifest, targets) of a plain `compose build|check [TARGET…] [-m PATH]`; None otherwise."""
    manifest: str | None = None
    targets: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-m", "--manifest") and i + 1 < len(argv):
            manifest = argv[i + 1]
            i += 2
            continue
        if arg.startswith("--manifest="):
            manifest = arg.split("=", 1)[1]
        elif arg.startswith("-") or not arg:
            return None  # --force, --validate, --format, --help…: the full command handles them
        else:
            targets.append(arg)
        i += 1
    return manifest, targets


def fast_build(argv: list[str]) -> int | None:
    """Exit code of `compose build` when nothing changed since the last build; None otherwise."""
    if os.environ.get("COMPOSE_NO_CACHE"):
        return None
    started = time.perf_counter()
    try:
        parsed = build_arguments(argv)
        if parsed is None:
            return None
        manifest = manifest_path(parsed[0])
        if manifest is None:
            return None
        counts = unchanged(manifest, parsed[1])
    except Exception:  # any doubt: the full build decides
        return None
    if counts is None:
        return None
    ms = (time.perf_counter() - started) * 1000
    print(
        f"compose: {counts[0]} target(s), 0 file(s) written, {counts[1]} unchanged ({ms:.0f} ms)",
        file=sys.stderr,
    )
    return 0
