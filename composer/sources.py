"""Sources: from the manifest's `[[fragments]]` entries to parsed fragments.

Files are read and parsed once per content: `Loader` keeps a cache keyed by path and text, so
`watch` re-parses only what changed.

Slightly over 500 lines because the loader is one pipeline (locate, read, check names, parse,
generate from YAML) whose steps share the cache and the located errors; each step is a small
function.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

from .diagnostics import ComposeError, Diagnostic, Location, Source, error
from .inputfiles import (
    FileSignature,
    NeverInputs,
    Refused,
    control_character,
    decode,
    expand_glob,
    file_signature,
    normalise_newlines,
    read_regular,
    shown,
    signature_of,
)
from .psl import SchemaFile, parse
from .records import Record

__all__ = [
    "FileSignature",
    "Fragment",
    "LoadResult",
    "Loader",
    "expand_glob",
    "file_signature",
    "read_text",
    "rel_display",
]

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .entities import GeneratedFragment
    from .manifest import FragmentSpec, Manifest


class Fragment(Record):
    __slots__ = ("display", "generated", "index", "name", "schema", "spec")
    _attrs = ("name", "index", "display", "schema", "spec", "generated")

    def __init__(
        self,
        name: str,
        index: int,  # position in the manifest's order (glob matches follow each other)
        display: str,  # path of the file it came from, relative to the project, POSIX separators
        schema: SchemaFile,
        spec: FragmentSpec,
        generated: GeneratedFragment | None = None,  # set for fragments made from a YAML entity
    ) -> None:
        self.name = name
        self.index = index
        self.display = display
        self.schema = schema
        self.spec = spec
        self.generated = generated

    @property
    def source(self) -> Source:
        return self.schema.source

    def with_schema(self, schema: SchemaFile) -> Fragment:
        """The same fragment with another parse tree (adapted to a target's provider); cheaper
        than `dataclasses.replace`, which adapting does for every fragment."""
        return Fragment(self.name, self.index, self.display, schema, self.spec, self.generated)


class LoadResult(Record):
    _attrs = ("fragments", "warnings", "files")

    def __init__(
        self,
        fragments: list[Fragment],
        warnings: list[Diagnostic] | None = None,
        files: list[str] | None = None,
    ) -> None:
        self.fragments = fragments
        self.warnings: list[Diagnostic] = [] if warnings is None else warnings
        self.files: list[str] = [] if files is None else files  # every input file read (its path), for watch


def read_text(
    path: str | os.PathLike[str],
    display: str,
    entry: Location | FragmentSpec | None,
    private: bool = False,
    st: os.stat_result | None = None,
) -> str:
    """Read a text input: UTF-8 (a BOM is dropped), newlines normalised to `\\n`. Errors point at
    `entry`: a place in the manifest, or a `[[fragments]]` entry, whose place is looked up then.
    Only regular files are read (`inputfiles.read_regular`; `st`: the file's stat, just taken).
    `private`: the file is outside the project, so an error in it shows no code frame (see
    `Source.private`)."""
    try:
        data = read_regular(path, st)
    except Refused as exc:
        if exc.what == "a directory":
            raise error(f"`{display}` is a directory, not a file", _place(entry), code="E101") from None
        raise error(
            f"`{display}` is {exc.what}; expected a regular file",
            _place(entry),
            code="E104",
            hint="compose reads only regular files (a symlink to one is fine), none in /proc, /sys, /dev",
        ) from None
    except FileNotFoundError:
        raise error(f"fragment file `{display}` does not exist", _place(entry), code="E101") from None
    except OSError as exc:
        raise error(f"cannot read `{display}`: {exc.strerror or exc}", _place(entry), code="E101") from None
    try:
        return decode(data)
    except UnicodeDecodeError as exc:
        raise _not_utf8(data, exc, os.fspath(path), display, entry, private) from None


def _not_utf8(
    data: bytes, exc: UnicodeDecodeError, path: str, display: str, entry: Location | FragmentSpec | None,
    private: bool,
) -> ComposeError:
    """Pointed at the bad byte in the file itself: decoded with replacement characters, every
    other character keeps its line and column, so the code frame shows the right place."""
    replaced = data.decode("utf-8-sig", errors="replace")
    shown_source = Source(display, normalise_newlines(replaced), path, private=private)
    at = len(normalise_newlines(data[: exc.start].decode("utf-8-sig", errors="replace")))
    where = _place(entry)
    return error(
        f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); expected UTF-8 text",
        Location(shown_source, at, at + 1),
        code="E102",
        notes=[("listed in the manifest here", where)] if where is not None else [],
    )


def _place(entry: Location | FragmentSpec | None) -> Location | None:
    return entry if entry is None or isinstance(entry, Location) else entry.location


class Loader:
    """Reads and parses a manifest's fragments, caching what it read and parsed between loads.

    Two caches make a reload of an unchanged project cheap, so that `watch` redoes only the work
    of the files that changed: a read cache (absolute path → text, trusted while the file's stat
    signature is the same, dropped by `invalidate`) and the parse cache (path and text → parse
    tree). Both keep only what the last successful load used, so a long watch session does not
    accumulate every version of every file it saw.

    Paths are plain strings throughout: pathlib costs more per file than the stat.

    `keep_parses=False` (a one-shot build, which loads once): no parse cache, whose key costs a
    hash of every fragment's whole text.
    """

    def __init__(self, keep_parses: bool = True) -> None:
        self._keep_parses = keep_parses
        self._cache: dict[tuple[str, str, bool], SchemaFile] = {}
        # absolute path -> (stat signature, text, whether the file is outside the project)
        self._texts: dict[str, tuple[FileSignature, str, bool]] = {}
        self._entity_cache: dict[tuple[tuple[str, str], ...], list[tuple[GeneratedFragment, SchemaFile]]] = {}
        # During one load: the stat of each file taken for its signature (read with it), the
        # files that are symlinks, and folders' real paths.
        self._stats: dict[str, os.stat_result] = {}
        self._links: set[str] = set()
        self._inside_dirs: dict[str, bool] = {}  # folder -> whether its real path is in the project
        self._real_root = ""
        self._allow_outside = False
        self.reads = 0  # files read from disk; reads served by the read cache do not count
        self.parses = 0  # fragment files parsed; parse cache hits do not count

    def parse_cached(self, display: str, text: str, path: str, private: bool = False) -> SchemaFile:
        key = (path, text, private)
        schema = self._cache.get(key) if self._keep_parses else None
        if schema is None:
            try:
                schema = parse(Source(display, text, path, private=private))
            except ComposeError as exc:
                raise ComposeError([redacted(d) for d in exc.diagnostics]) from None
            self.parses += 1
            if self._keep_parses:
                self._cache[key] = schema
        return schema

    def on_read(self, text: str) -> None:
        """Called with each `.prisma` fragment's text as it is read, before it is parsed, so that a
        subclass can act on it early (the validator starts the engine the schema needs)."""

    def invalidate(self, paths: Iterable[str]) -> None:
        """Forget what was read from `paths`: the next load reads them again.

        The stat signature alone would miss a rewrite within the file system's timestamp
        granularity that keeps the size; `watch` passes the paths of every file event here.
        """
        for path in paths:
            self._texts.pop(os.path.abspath(path), None)

    def modified_since_read(self, paths: Iterable[str], unread: bool = True) -> list[str]:
        """Those of `paths` whose stat signature differs from when they were last read (or gone);
        `unread=False` leaves out those not read (or not kept) since the last `invalidate`."""
        moved = []
        for path in paths:
            key = os.path.abspath(path)
            entry = self._texts.get(key)
            if entry is None:
                if unread:
                    moved.append(path)
            elif file_signature(key) != entry[0]:
                moved.append(path)
        return moved

    def signature(self, key: str) -> FileSignature | None:
        """`file_signature` of the file at absolute path `key`, from one lstat when it is no
        symlink; the stat is kept for the read that follows (`_read`), and whether it is a link
        for `_outside`."""
        try:
            st = os.lstat(key)
            if stat.S_ISLNK(st.st_mode):
                self._links.add(key)
                st = os.stat(key)
        except (OSError, ValueError):
            return None
        self._stats[key] = st
        return signature_of(st)

    def read(
        self, path: str | os.PathLike[str], display: str, where: Location | FragmentSpec | None
    ) -> tuple[str, FileSignature | None, bool]:
        """`read_text`, served from the read cache while the file's stat signature is unchanged:
        (text, signature, whether the file is outside the project)."""
        key = os.path.abspath(path)
        return self._read(path, key, display, where, self.signature(key))

    def _read(
        self,
        path: str | os.PathLike[str],
        key: str,
        display: str,
        where: Location | FragmentSpec | None,
        sig: FileSignature | None,
    ) -> tuple[str, FileSignature | None, bool]:
        # `sig` is taken before reading: a change between the two leaves a signature older than
        # the text, which only costs one more read next time.
        st = self._stats.pop(key, None)
        entry = self._texts.get(key)
        if sig is not None and entry is not None and entry[0] == sig:
            return entry[1], sig, entry[2] and not self._allow_outside
        outside = self._outside(key, st is not None)
        text = read_text(path, display, where, outside and not self._allow_outside, st)
        self.reads += 1
        if sig is not None:
            self._texts[key] = (sig, text, outside)
        return text, sig, outside and not self._allow_outside

    def _outside(self, key: str, stated: bool = False) -> bool:
        """Is the file at absolute path `key` outside the project?

        Its real path decides, so a symlink committed in the project that points outside counts
        as outside. The lstat of `signature` tells a link (`stated`: it was taken); folders are
        resolved once per load.
        """
        if not self._real_root:
            return False
        if key in self._links or (not stated and _is_link(key)):
            return not self._inside(os.path.realpath(key))
        # No link: the file is where its folder really is.
        folder = key[: key.rfind(os.sep)] or os.sep
        inside = self._inside_dirs.get(folder)
        if inside is None:
            inside = self._inside_dirs[folder] = self._inside(os.path.realpath(folder))
        return not inside

    def _inside(self, real: str) -> bool:
        root = self._real_root
        return real.startswith(root) and real[len(root) : len(root) + 1] in ("", os.sep)

    def texts(self, paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, str]] | None:
        """(absolute path, text as read) of files the last load read; None if one was not cached."""
        found = []
        texts = self._texts
        for path in paths:
            key = path if isinstance(path, str) and path in texts else os.path.abspath(path)
            entry = texts.get(key)
            if entry is None:
                return None
            found.append((key, entry[1]))
        return found

    def load(self, manifest: Manifest) -> LoadResult:
        self._stats, self._links, self._inside_dirs = {}, set(), {}
        self._real_root = os.path.realpath(manifest.root)
        self._allow_outside = manifest.allow_outside
        run = _Load(self, manifest)
        try:
            run.entries()
            if run.yaml_items:  # read even after a fragment's error: a build reports every input's errors
                run.entities()
        finally:
            self._stats, self._links = {}, set()
        if run.errors:
            raise ComposeError(run.errors)
        self._forget(run.used, run.read)
        return run.finish()

    def _forget(self, used: set[tuple[str, str, bool]], read: set[str]) -> None:
        """After a successful load: forget the texts and parse trees of files or versions no
        longer used."""
        for key in self._cache.keys() - used:
            del self._cache[key]
        for path in self._texts.keys() - read:
            del self._texts[path]

    def load_entities(
        self,
        items: list[tuple[FragmentSpec, str]],
        root: str,
        result: LoadResult,
        names: dict[str, Fragment],
    ) -> None:
        from .entities import load_entities

        sources = []
        specs = []
        for spec, path in items:
            display = rel_display(path, root)
            text, _, private = self.read(path, display, spec)
            sources.append(Source(display, text, os.fspath(path), private=private))
            specs.append(spec)
        key = tuple((s.path, s.text) for s in sources)
        generated = self._entity_cache.get(key)
        if generated is None:
            generated = self._generate(sources, load_entities)
            self._entity_cache = {key: generated}
        for spec, (gen, schema) in zip(specs, generated, strict=True):
            result.warnings.extend(gen.warnings)
            frag = Fragment(gen.name, len(result.fragments), gen.yaml_source.display, schema, spec, gen)
            check_name(frag, names)
            result.fragments.append(frag)

    def _generate(
        self, sources: list[Source], load_entities: Callable[[list[Source]], list[GeneratedFragment]]
    ) -> list[tuple[GeneratedFragment, SchemaFile]]:
        # An entity that came out exactly as before keeps its parse tree (and its identity, by
        # which `watch` tells what changed): an edit of one YAML file re-parses one fragment.
        before = {
            (g.yaml_source.path, g.yaml_source.text, g.text, tuple(g.line_map)): schema
            for previous in self._entity_cache.values()
            for g, schema in previous
        }
        try:
            entities = load_entities(sources)
        except ComposeError as exc:
            raise ComposeError([redacted(d) for d in exc.diagnostics]) from None
        generated = []
        for gen in entities:
            src = gen.yaml_source
            schema = before.get((src.path, src.text, gen.text, tuple(gen.line_map)))
            if schema is None:
                origin = src.path + "#prisma"
                schema = parse(Source(src.display, gen.text, origin, origin=src, line_map=gen.line_map))
                self.parses += 1
            generated.append((gen, schema))
        return generated


def _is_link(path: str) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False  # the read reports it


class _Load:
    """One `Loader.load`: the manifest's entries in order, every error collected."""

    def __init__(self, loader: Loader, manifest: Manifest) -> None:
        self.loader = loader
        self.manifest = manifest
        self.root = os.fspath(manifest.root)
        self.prefix = self.root if self.root.endswith(os.sep) else self.root + os.sep
        self.result = LoadResult([])
        self.seen: set[object] = set()  # each file once, by identity
        self.names: dict[str, Fragment] = {}
        self.yaml_items: list[tuple[FragmentSpec, str]] = []
        self.errors: list[Diagnostic] = []
        self.used: set[tuple[str, str, bool]] = set()  # parse cache keys
        self.read: set[str] = set()  # read cache keys

    def entries(self) -> None:
        never = never_inputs(self.manifest)
        for spec in self.manifest.fragments:
            if spec.kind == "path":
                self.path_entry(spec)
                continue
            matches = expand_glob(self.root, spec.pattern, never)
            if not matches:
                self.result.warnings.append(
                    Diagnostic(
                        f"`{spec.pattern}` matches no file", spec.location, severity="warning", code="W101"
                    )
                )
            elif spec.kind == "glob":
                self.glob_entry(spec, matches)
            else:
                safe = [p for p in matches if self.named_safely(spec, rel_display(p, self.root))]
                self.yaml_items.extend((spec, p) for p in safe)
                self.result.files.extend(safe)

    def path_entry(self, spec: FragmentSpec) -> None:
        display = clean_posix(spec.pattern)
        path = self.prefix + display if display != "." else self.root
        # A clean path below the (absolute, clean) root is its own absolute path; `..` is folded.
        key = path if ".." not in display and os.sep == "/" else os.path.abspath(path)
        sig = self.loader.signature(key)
        if sig is None and not os.path.exists(path):
            raise error(
                f"fragment file `{spec.pattern}` does not exist", spec.location, code="E101",
                hint="check the `path` in the manifest, relative to the manifest's folder",
            )
        self.add(spec, path, key, display, sig)

    def glob_entry(self, spec: FragmentSpec, matches: list[str]) -> None:
        for path in matches:
            display = rel_display(path, self.root)
            if self.named_safely(spec, display):
                key = os.path.abspath(path)
                self.add(spec, path, key, display, self.loader.signature(key))

    def add(self, spec: FragmentSpec, path: str, key: str, display: str, sig: FileSignature | None) -> None:
        text, sig, private = self.loader._read(path, key, display, spec, sig)
        # The same file listed explicitly and matched by a glob keeps its first place. The
        # device and inode identify it however it is reached (symlinks, `..`) at no extra cost.
        identity: object = (sig[3], sig[2]) if sig is not None else os.path.realpath(path)
        if identity in self.seen:
            return
        self.seen.add(identity)
        self.read.add(key)
        self.result.files.append(path)
        self.loader.on_read(text)
        try:
            schema = self.loader.parse_cached(display, text, path, private)
        except ComposeError as exc:
            self.errors.extend(exc.diagnostics)
            return
        if self.loader._keep_parses:
            self.used.add((path, text, private))
        frag = Fragment(spec.fragment_name(display), len(self.seen) - 1, display, schema, spec)
        check_name(frag, self.names)
        self.result.fragments.append(frag)

    def named_safely(self, spec: FragmentSpec, display: str) -> bool:
        # A name reaches the outputs (section headers, folder outputs' file names): a line
        # break in it would turn the rest of the name into schema code.
        char = control_character(display)
        if char is None:
            return True
        self.errors.append(
            Diagnostic(
                f"`{spec.pattern}` matches `{shown(display)}`, whose name holds a control character "
                f"({char}); expected file names without control characters",
                spec.location,
                code="E105",
                hint="rename the file",
            )
        )
        return False

    def entities(self) -> None:
        try:
            self.loader.load_entities(self.yaml_items, self.root, self.result, self.names)
        except ComposeError as exc:
            self.errors.extend(exc.diagnostics)
        self.read.update(os.path.abspath(p) for _, p in self.yaml_items)

    def finish(self) -> LoadResult:
        """Manifest order: YAML fragments take the position of their `[[fragments]]` entry."""
        fragments = self.result.fragments
        fragments.sort(key=lambda f: (f.spec.index, f.index))
        for i, frag in enumerate(fragments):
            frag.index = i
        return self.result


def output_paths(manifest: Manifest) -> tuple[list[str], list[str]]:
    """Absolute paths of every target's output: (files, folders)."""
    files: list[str] = []
    folders: list[str] = []
    for target in manifest.targets.values():
        path = os.path.abspath(os.path.join(manifest.root, target.output))
        (folders if target.folder else files).append(path)
    return files, folders


def never_inputs(manifest: Manifest) -> NeverInputs:
    """What no glob of this manifest lists: the outputs of every target (a glob over `prisma/**`
    would otherwise read the schema it wrote last time as one more fragment)."""
    return NeverInputs(*output_paths(manifest))


_QUOTED = re.compile(r"`[^`\n]*`")


def redacted(diag: Diagnostic) -> Diagnostic:
    """`diag` without the text it quotes, when it is located in a file outside the project.

    Parser and YAML messages quote the offending text (``Unexpected `…` ``): for a file that is
    no schema (a key file, an environment file reached by a symlink) that text is not ours to
    print. The position is enough to find it.
    """
    if diag.location is None or not diag.location.source.resolve(diag.location.start)[0].private:
        return diag
    return Diagnostic(
        _QUOTED.sub("`…`", diag.message),
        diag.location,
        diag.severity,
        diag.code,
        [(_QUOTED.sub("`…`", text), loc) for text, loc in diag.notes],
        _QUOTED.sub("`…`", diag.hint) if diag.hint else None,
    )


def check_name(frag: Fragment, names: dict[str, Fragment]) -> None:
    other = names.get(frag.name)
    if other is not None:
        raise ComposeError(
            Diagnostic(
                f"two fragments are named `{frag.name}`: `{other.display}` and `{frag.display}`",
                frag.spec.location,
                code="E103",
                notes=[("the other one comes from this entry", other.spec.location)],
                hint=_rename_hint(frag, other),
            )
        )
    names[frag.name] = frag


def _rename_hint(frag: Fragment, other: Fragment) -> str:
    if "path" in (frag.spec.kind, other.spec.kind):
        return "give one of them an explicit `name` in its [[fragments]] entry"
    # `name` is not allowed on a glob; an explicit entry before the glob takes the file from it.
    return (
        "rename one of the files, or list one of them in its own [[fragments]] entry, with `path` "
        "and `name`, before this one"
    )


def clean_posix(rel: str) -> str:
    """A POSIX path as pathlib writes it: no empty or `.` components (`..` kept), `.` for none."""
    if "//" not in rel and "/." not in rel and not rel.startswith("./") and not rel.endswith("/"):
        return rel or "."
    return "/".join(p for p in rel.split("/") if p not in ("", ".")) or "."


def rel_display(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str:
    """`path` relative to `root`, POSIX separators, as `PurePath.relative_to` finds it (by name,
    `..` kept), else the whole path; without pathlib, which costs more per file than the read."""
    path, root = os.fspath(path), os.fspath(root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    if path.startswith(prefix) and not path.startswith(os.sep * 2) and os.sep == "/":
        return clean_posix(path[len(prefix) :])
    try:  # anything unusual (`//` roots, Windows): as pathlib says
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
