"""The manifest `prisma.compose.toml`: find it, read it, validate it (README "The manifest").

Every problem is reported as a `ComposeError` whose diagnostics name the key path
(`targets.engine.output`), say what is wrong and what is expected, and point at `file:line:col`
in the manifest. tomllib gives no positions, so `_Scanner` recovers them from the text after
tomllib has accepted it.

Values of `[targets.NAME.generators.G]` and `[targets.NAME.datasource]` are turned into PSL
expression text here (`to_psl`), so later stages only paste text. `false` in place of a whole
generator table (`generators.client = false`) or of a datasource property (`url = false`) means
"remove it from the output"; those entries map to `None`.

Error codes: E010 unreadable manifest, E011 TOML syntax, E012 unknown key, E013 wrong type or
invalid value, E014 missing entry, E015 duplicate name or colliding output.
"""

from __future__ import annotations

import contextlib
import math
import os
import posixpath
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from .adapt_policy import CHOICES, AdaptPolicy
from .backups import is_backup_name
from .diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean, error
from .psl.render import number_literal, string_literal
from .stamp import LOCK_FILE, MANIFEST_NAME, STATE_FILE, find_manifest  # noqa: F401 (find_manifest: re-exported)

E_READ = "E010"
E_SYNTAX = "E011"
E_UNKNOWN_KEY = "E012"
E_INVALID = "E013"
E_MISSING = "E014"
E_DUPLICATE = "E015"

# Known keys, shared with composer/schemas/manifest.schema.json (tests check that they agree).
TOP_KEYS = ("compose", "fragments", "targets", "watch")
COMPOSE_KEYS = ("header", "allow_outside_inputs")
FRAGMENT_KINDS = ("path", "glob", "yaml")
FRAGMENT_KEYS = (*FRAGMENT_KINDS, "name")
TARGET_KEYS = ("output", "include", "exclude", "generators", "datasource", "header", "adapt")
ADAPT_KEYS = ("lists", "enums", "json", "defaults")
_FIELD_KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*")
WATCH_KEYS = ("run",)
# Datasource properties are free-form PSL, but a key this close to a known one is a typo.
DATASOURCE_PROPERTIES = (
    "provider",
    "url",
    "directUrl",
    "shadowDatabaseUrl",
    "relationMode",
    "extensions",
    "schemas",
)

_NAME_RE = re.compile(r"[A-Za-z0-9_-]+")
_ENTRY_NAMES = {
    "glob": "a `glob` names each file by the parts of its path its wildcards matched "
    "(`modules/*/schema.prisma`: the module's folder)",
    "yaml": "a `yaml` entry names each fragment after its file's stem",
}
_IDENT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_PSL_INT_RE = re.compile(r"-?[0-9]+")
_PSL_NUMBER_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_TOML_POSITION_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_AT_END_RE = re.compile(r"\s*\(at end of document\)\s*$")

_NO_TARGETS_HINT = 'add a target, e.g.\n\n    [targets.schema]\n    output = "prisma/schema.prisma"'
_NO_FRAGMENTS_HINT = 'add a fragment, e.g.\n\n    [[fragments]]\n    path = "prisma/fragments/base.prisma"'

KeyPath = tuple[str | int, ...]


# -- public data --------------------------------------------------------------------------------


class FragmentSpec:
    """One `[[fragments]]` entry. Its `location` is found in the manifest text when first asked
    for (scanning the TOML text for positions costs more than parsing it, and only errors need it)."""

    __slots__ = ("_at", "_location", "index", "kind", "name", "pattern")

    def __init__(
        self,
        kind: str,
        pattern: str,
        name: str | None,
        index: int,
        locate: Callable[[], Location],
    ) -> None:
        self.kind = kind  # "path" | "glob" | "yaml"
        self.pattern = pattern  # as written, relative to the manifest's folder, POSIX separators
        self.name = name  # explicit `name` (kind "path" only); otherwise derived from file stems later
        self.index = index  # position among the [[fragments]] entries
        self._location: Location | None = None
        self._at = locate

    @property
    def location(self) -> Location:
        """The entry's path/glob/yaml value."""
        if self._location is None:
            self._location = self._at()
        return self._location

    def fragment_name(self, display: str) -> str:
        """The name of the fragment read from `display` (its POSIX path from the manifest's folder).

        A `path` entry: its `name`, else the file stem. A file matched by a glob (README, "The
        manifest"): the parts of its path that the pattern's wildcards matched, joined by `/`, the
        file's without its extension (`modules/*/schema/*.prisma` names
        `modules/billing/schema/invoice.prisma` `billing/invoice`, `modules/*/schema.prisma` names
        `modules/billing/schema.prisma` `billing`); with `**`, its whole path from the first
        wildcard (`prisma/**/*.prisma`: `billing/invoice` for `prisma/billing/invoice.prisma`).
        The name depends on the path and the pattern only, never on which other files exist:
        adding a file renames none. Two files of one glob always get two names, unless their
        paths differ only in the extension.
        """
        if self.kind == "path":
            return self.name or PurePosixPath(display).stem
        return glob_fragment_name(self.pattern, display)

    def __repr__(self) -> str:
        return f"FragmentSpec({self.kind!r}, {self.pattern!r}, {self.name!r}, {self.index})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FragmentSpec):
            return NotImplemented
        return (self.kind, self.pattern, self.name, self.index) == (
            other.kind, other.pattern, other.name, other.index
        )

    __hash__ = None  # type: ignore[assignment]


def glob_fragment_name(pattern: str, display: str) -> str:
    """See `FragmentSpec.fragment_name`."""
    from .inputfiles import is_magic, pattern_parts

    parts = pattern_parts(pattern)
    path = pattern_parts(display)
    if "**" in parts:
        first = next(i for i, p in enumerate(parts) if is_magic(p))
        kept = list(path[first:])
    elif len(path) == len(parts):
        # Each component matched one of the pattern's: its literal ones are the same for every
        # match, so the wildcards' parts alone tell two matches apart.
        kept = [name for name, part in zip(path, parts, strict=True) if is_magic(part)]
        if kept and not is_magic(parts[-1]):
            return "/".join(kept)
    else:  # not a match of this pattern (cannot happen): the stem is a fair name
        kept = []
    if not kept:
        return PurePosixPath(display).stem
    return "/".join((*kept[:-1], PurePosixPath(kept[-1]).stem))


@dataclass
class TargetSpec:
    """One `[targets.NAME]` table.

    `generators[G] is None` (TOML `G = false`) drops generator G from the output;
    `datasource[key] is None` (TOML `key = false`) removes that datasource property.
    Other values are PSL expression text, ready to paste.
    """

    name: str
    output: str  # as written, relative, POSIX separators
    folder: bool  # output ends with "/": Prisma's multi-file layout
    include: list[str] | None
    exclude: list[str]
    generators: dict[str, dict[str, str] | None]
    datasource: dict[str, str | None]
    header: bool
    # How to adapt the fragments to this target's provider (composer/adapt.py); None: `adapt = false`.
    adapt: AdaptPolicy | None = field(default_factory=lambda: AdaptPolicy())
    _locator: _Locator | None = field(default=None, repr=False, compare=False)

    @property
    def location(self) -> Location:
        """The [targets.NAME] table header."""
        return self.key_location()

    def key_location(self, *keys: str) -> Location:
        """Where `targets.NAME.<keys>` is written, e.g. ("generators", "client", "provider").
        Positions are found in the manifest text only when asked for (errors, source maps)."""
        assert self._locator is not None
        return self._locator.key(("targets", self.name, *keys))


@dataclass
class Manifest:
    path: Path  # absolute
    root: Path  # the manifest's folder: every relative path in it starts here
    source: Source
    header: bool
    fragments: list[FragmentSpec]
    targets: dict[str, TargetSpec]  # manifest order
    watch_run: str | None
    _locator: _Locator | None = field(default=None, repr=False, compare=False)
    # `[compose] allow_outside_inputs`: inputs outside the manifest's folder show their text in
    # error frames, and globs may reach outside it.
    allow_outside: bool = False

    def location_of(self, *keys: str | int) -> Location:
        """Best-effort location of a key path such as ("targets", "web", "output") or ("fragments", 2)."""
        if self._locator is None:
            return Location(self.source, 0)
        return self._locator.key(keys)


# -- finding and loading ------------------------------------------------------------------------


def load_manifest(path: Path, display: str | None = None) -> Manifest:
    """Read and validate the manifest at `path`; raises ComposeError."""
    path = Path(os.path.abspath(path))
    shown = display if display is not None else _display_name(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read manifest `{shown}`: {exc.strerror or exc}", None, code=E_READ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        source = Source(shown, data.decode("utf-8", errors="replace"), str(path))
        offset = len(data[: exc.start].decode("utf-8", errors="replace"))
        raise error(
            "the manifest is not valid UTF-8; expected a UTF-8 encoded TOML file",
            Location(source, offset, offset + 1),
            code=E_READ,
        ) from None
    return parse_manifest(text, path, shown)


def parse_manifest(text: str, path: Path, display: str | None = None) -> Manifest:
    """Validate manifest `text` as if read from `path` (tests, watch); raises ComposeError."""
    path = Path(os.path.abspath(path))
    if text.startswith("\ufeff"):  # editors on Windows add a BOM, which TOML does not allow
        text = text[1:]
    source = Source(display if display is not None else _display_name(path), text, str(path))
    data = _parse_toml(source)
    return _Validator(source, _Locator(source), path).manifest(data)


def _display_name(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return path.name


# Arrays and inline tables nested deeper than this are refused before tomllib sees them: it
# recurses once per level (a RecursionError near 1,000), and so do the checks after it.
MAX_TOML_NESTING = 64


def _parse_toml(source: Source) -> dict[str, object]:
    text = source.text
    if text.count("[") + text.count("{") > MAX_TOML_NESTING:  # else it cannot be too deep
        problem = _toml_limits(text, digits=False)
        if problem is not None:
            raise _limit_error(source, *problem)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, source) from None
    except Exception as exc:  # e.g. ValueError: an integer beyond Python's digit limit
        problem = _toml_limits(text, digits=True)
        if problem is not None:
            raise _limit_error(source, *problem) from None
        raise error(f"invalid TOML: {type(exc).__name__}", Location(source, 0), code=E_SYNTAX) from None


def _limit_error(source: Source, start: int, end: int, message: str) -> ComposeError:
    return error(f"invalid TOML: {message}", Location(source, start, end), code=E_SYNTAX)


# What the limit scan looks at: comments and strings (skipped whole), brackets, digit runs.
_LIMIT_TOKEN_RE = re.compile(
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]|[0-9][0-9_]*',
    re.DOTALL,
)


def _toml_limits(text: str, digits: bool) -> tuple[int, int, str] | None:
    """(start, end, message) of the first array or inline table nested too deep or, with
    `digits`, of the first integer too long for Python's `int`; None when there is none.

    A scan that skips strings and comments, nothing more: tomllib checks the rest.
    """
    max_digits = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    depth = 0
    for match in _LIMIT_TOKEN_RE.finditer(text):
        token = match.group()
        char = token[0]
        if char in "[{":
            depth += 1
            if depth > MAX_TOML_NESTING:
                return match.start(), match.end(), (
                    f"arrays or inline tables nested more than {MAX_TOML_NESTING} deep; expected a "
                    "flatter value"
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        elif digits and max_digits and char.isdigit():
            count = len(token) - token.count("_")
            if count > max_digits:
                return match.start(), match.end(), (
                    f"an integer of {count:,} digits; expected at most {max_digits:,} digits"
                )
    return None


def _syntax_error(exc: ValueError, source: Source) -> ComposeError:
    """tomllib's error with its position turned into a Location (3.11 only has it in the text)."""
    text = str(exc)
    message: str | None = getattr(exc, "msg", None)  # tomli >= 2.1 and Python >= 3.14
    offset: int | None = getattr(exc, "pos", None)
    if match := _TOML_POSITION_RE.search(text):
        message = message or text[: match.start()]
        if offset is None:
            offset = source.offset_of(int(match[1]), int(match[2]))
    elif match := _TOML_AT_END_RE.search(text):
        message = message or text[: match.start()]
        if offset is None:
            offset = len(source.text.rstrip("\r\n"))
    offset = max(0, min(offset or 0, len(source.text)))
    return error(
        f"invalid TOML: {message or text}",
        Location(source, offset),
        code=E_SYNTAX,
        hint="the manifest must be valid TOML (https://toml.io)",
    )


# -- TOML values to PSL -------------------------------------------------------------------------


def to_psl(value: object, keypath: str, location: Location) -> str:
    """A TOML value as PSL expression text.

    string -> string literal; `{ env = "NAME" }` -> `env("NAME")`; array -> `[a, b]`;
    booleans -> `true`/`false`; numbers as written; `{ raw = '...' }` -> the text verbatim.
    (`false` meaning "remove" is decided by the caller: here it is just `false`.)
    Raises ComposeError at `location` naming `keypath` for anything else.
    """
    return _psl(value, keypath, (), lambda _path: location)


def _psl(value: object, keypath: str, path: KeyPath, locate: Callable[[KeyPath], Location]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, int | float):
        return _psl_number(value, keypath, locate(path))
    if isinstance(value, list):
        items = (_psl(item, f"{keypath}[{i}]", (*path, i), locate) for i, item in enumerate(value))
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return _psl_function(value, keypath, path, locate)
    raise error(
        f'{keypath}: expected a string, number, boolean, array, {{ env = "NAME" }} or '
        f"{{ raw = '...' }}, found {_kind(value)}",
        locate(path),
        code=E_INVALID,
    )


def _psl_number(value: int | float, keypath: str, location: Location) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        raise error(f"{keypath}: expected a finite number, found {value}", location, code=E_INVALID)
    # "As written" when the literal is already PSL syntax (keeps `1.50`); TOML-only spellings
    # such as `1_000`, `0x1f` or `1e3` are normalised to plain decimals.
    written = location.source.text[location.start : location.end] if location.end is not None else ""
    pattern = _PSL_INT_RE if isinstance(value, int) else _PSL_NUMBER_RE
    if pattern.fullmatch(written) and (int(written) if isinstance(value, int) else float(written)) == value:
        return written
    return number_literal(value)


def _psl_function(
    value: dict[str, object], keypath: str, path: KeyPath, locate: Callable[[KeyPath], Location]
) -> str:
    expected = "`{ env = \"NAME\" }` or `{ raw = '...' }`"
    for key in value:
        if key not in ("env", "raw"):
            raise error(
                f"{keypath}.{_key_text(key)}: unknown key; expected {expected}",
                locate((*path, key)),
                code=E_UNKNOWN_KEY,
                hint=did_you_mean(key, ["env", "raw"]),
            )
    if len(value) != 1:
        found = "both `env` and `raw`" if value else "an empty table"
        raise error(f"{keypath}: expected {expected}, found {found}", locate(path), code=E_INVALID)
    ((key, inner),) = value.items()
    if not isinstance(inner, str) or not inner.strip():
        what = "the name of an environment variable" if key == "env" else "a PSL expression"
        raise error(
            f"{keypath}.{key}: expected {what} (a non-empty string), found {_kind(inner)}",
            locate((*path, key)),
            code=E_INVALID,
        )
    return f"env({string_literal(inner)})" if key == "env" else inner


# -- validation ---------------------------------------------------------------------------------


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    name = type(value).__name__
    return {"datetime": "a date-time", "date": "a date", "time": "a time"}.get(name, f"a {name}")


def _key_text(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    return key if _NAME_RE.fullmatch(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _keypath(path: KeyPath) -> str:
    out = ""
    for key in path:
        text = _key_text(key)
        out += text if isinstance(key, int) or not out else "." + text
    return out or "(manifest)"


def _one_of(keys: tuple[str, ...]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def _is_absolute(posix: str) -> bool:
    return posix.startswith("/") or bool(PureWindowsPath(posix).drive)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _own_file(normal: str, folder: bool) -> str | None:
    """What compose keeps at `normal` itself, if anything (it would destroy it by writing there)."""
    if folder:
        return None
    name = posixpath.basename(normal).casefold()
    if normal.casefold() in (STATE_FILE.casefold(), LOCK_FILE.casefold()):
        return f"compose's own `{posixpath.basename(normal)}`"
    if is_backup_name(name):
        return "named like a backup compose keeps (`NAME.bak`, `NAME.bak.N`)"
    return None


def _folded(posix: str) -> str:
    # Case-folded so that two outputs that clash on macOS/Windows are caught on Linux CI too.
    return posixpath.normpath(posix).casefold()


class _Validator:
    """Checks the parsed TOML, collecting every error before raising them together."""

    def __init__(self, source: Source, locator: _Locator, path: Path) -> None:
        self.source = source
        self.loc = locator
        self.path = path
        self.errors: list[Diagnostic] = []
        self.allow_outside = False

    def fail(
        self,
        path: KeyPath,
        message: str,
        *,
        code: str = E_INVALID,
        at_key: bool = False,
        where: KeyPath | None = None,
        hint: str | None = None,
        notes: list[tuple[str, Location | None]] | None = None,
    ) -> None:
        """Records an error about `path`, shown at its key or its value (or at `where`)."""
        place = path if where is None else where
        location = self.loc.name(place) if at_key else self.loc.value(place)
        self.errors.append(
            Diagnostic(f"{_keypath(path)}: {message}", location, code=code, notes=notes or [], hint=hint)
        )

    def wrong_type(self, path: KeyPath, expected: str, value: object) -> None:
        self.fail(path, f"expected {expected}, found {_kind(value)}")

    def check_keys(self, path: KeyPath, table: dict[str, object], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.fail(
                    (*path, key),
                    f"unknown key; expected one of {_one_of(known)}",
                    code=E_UNKNOWN_KEY,
                    at_key=True,
                    hint=did_you_mean(key, list(known)),
                )

    def table(self, path: KeyPath, value: object, expected: str) -> dict[str, object] | None:
        if isinstance(value, dict):
            return value
        self.wrong_type(path, expected, value)
        return None

    def boolean(self, path: KeyPath, value: object, default: bool) -> bool:
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        self.wrong_type(path, "`true` or `false`", value)
        return default

    def manifest(self, data: dict[str, object]) -> Manifest:
        self.check_keys((), data, TOP_KEYS)
        header = self.compose(data.get("compose"))
        self.allow_outside = self.allowance(data.get("compose"))
        fragments = self.fragments(data.get("fragments"))
        targets = self.targets(data.get("targets"), header, fragments)
        watch_run = self.watch(data.get("watch"))
        if self.errors:
            raise ComposeError(sorted(self.errors, key=lambda d: d.location.start if d.location else -1))
        return Manifest(
            self.path,
            self.path.parent,
            self.source,
            header,
            fragments,
            targets,
            watch_run,
            self.loc,
            allow_outside=self.allow_outside,
        )

    def compose(self, value: object) -> bool:
        if value is None:
            return True
        table = self.table(("compose",), value, "a table ([compose])")
        if table is None:
            return True
        self.check_keys(("compose",), table, COMPOSE_KEYS)
        return self.boolean(("compose", "header"), table.get("header"), True)

    def allowance(self, value: object) -> bool:
        if not isinstance(value, dict):
            return False
        return self.boolean(("compose", "allow_outside_inputs"), value.get("allow_outside_inputs"), False)

    def watch(self, value: object) -> str | None:
        if value is None:
            return None
        table = self.table(("watch",), value, "a table ([watch])")
        if table is None:
            return None
        self.check_keys(("watch",), table, WATCH_KEYS)
        run = table.get("run")
        if run is None or (isinstance(run, str) and not run.strip()):
            return None
        if not isinstance(run, str):
            self.wrong_type(("watch", "run"), "a shell command (a string)", run)
            return None
        return run

    # -- [[fragments]]

    def fragments(self, value: object) -> list[FragmentSpec]:
        if value is None or value == []:
            self.fail(
                ("fragments",),
                "missing; expected at least one [[fragments]] entry with a `path`, `glob` or `yaml`",
                code=E_MISSING,
                hint=_NO_FRAGMENTS_HINT,
            )
            return []
        if not isinstance(value, list):
            self.wrong_type(("fragments",), "an array of tables ([[fragments]] entries)", value)
            return []
        specs = [spec for i, entry in enumerate(value) if (spec := self.fragment(i, entry)) is not None]
        self.check_fragment_names(specs)
        return specs

    def fragment(self, index: int, entry: object) -> FragmentSpec | None:
        path: KeyPath = ("fragments", index)
        table = self.table(path, entry, "a table with one of `path`, `glob` or `yaml`")
        if table is None:
            return None
        self.check_keys(path, table, FRAGMENT_KEYS)
        kinds = [k for k in FRAGMENT_KINDS if k in table]
        if not kinds:
            self.fail(
                path,
                "expected one of `path`, `glob` or `yaml`, found none",
                code=E_MISSING,
                at_key=True,
                hint='e.g. path = "prisma/fragments/base.prisma"',
            )
            return None
        if len(kinds) > 1:
            self.fail(
                path,
                f"expected exactly one of `path`, `glob` or `yaml` per entry, found `{kinds[0]}` and "
                f"`{kinds[1]}`",
                at_key=True,
                hint="use one [[fragments]] entry for each",
                where=(*path, kinds[1]),
            )
            return None
        kind = kinds[0]
        expected = "a file path" if kind == "path" else "a glob pattern"
        pattern = self.relative_path((*path, kind), table[kind], expected)
        name = self.fragment_name(path, kind, table)
        if pattern is None or not self.safe_input((*path, kind), kind, pattern):
            return None
        loc, where = self.loc, (*path, kind)
        return FragmentSpec(kind, pattern, name, index, lambda: loc.value(where))

    def fragment_name(self, path: KeyPath, kind: str, table: dict[str, object]) -> str | None:
        if "name" not in table:
            return None
        name = table["name"]
        if kind != "path":
            self.fail(
                (*path, "name"),
                f"`name` is only allowed with `path`; {_ENTRY_NAMES[kind]}",
                at_key=True,
            )
        elif not isinstance(name, str):
            self.wrong_type((*path, "name"), "a fragment name (a string)", name)
        elif not _NAME_RE.fullmatch(name):
            self.fail(
                (*path, "name"),
                f"invalid fragment name {name!r}; expected letters, digits, `_` and `-` only",
            )
        else:
            return name
        return None

    def relative_path(self, path: KeyPath, value: object, expected: str) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.wrong_type(path, f"{expected} (a non-empty string)", value)
            return None
        posix = value.replace("\\", "/")
        if _is_absolute(posix):
            self.fail(path, f"`{value}` is absolute; expected a path relative to the manifest's folder")
            return None
        return posix

    def safe_input(self, path: KeyPath, kind: str, pattern: str) -> bool:
        """No control character (the name reaches the outputs), and a glob stays in the project."""
        from .inputfiles import control_character, leaves_folder, shown

        char = control_character(pattern)
        if char is not None:
            self.fail(
                path,
                f"`{shown(pattern)}` holds a control character ({char}); expected a path without "
                "control characters",
            )
            return False
        if kind != "path" and not self.allow_outside and leaves_folder(pattern):
            # A pattern such as `../../**/*.prisma` walks a whole disk: outside the project is
            # for files named one by one, or for a manifest that says so.
            self.fail(
                path,
                f"`{pattern}` reaches outside the manifest's folder; expected a pattern inside it",
                hint="list the outside files with `path`, or set `allow_outside_inputs = true` in [compose]",
            )
            return False
        return True

    def check_fragment_names(self, specs: list[FragmentSpec]) -> None:
        # Names of `path` entries are known now (explicit or the file stem); glob and YAML names
        # only once their files are listed, which the sources stage checks.
        seen: dict[str, FragmentSpec] = {}
        listed: dict[str, FragmentSpec] = {}
        for spec in specs:
            if spec.kind != "path":
                continue
            first = listed.setdefault(posixpath.normpath(spec.pattern), spec)
            if first is not spec:
                self.fail(
                    ("fragments", spec.index, "path"),
                    f"`{spec.pattern}` is listed twice (fragments[{first.index}] and "
                    f"fragments[{spec.index}]); expected each file once",
                    code=E_DUPLICATE,
                    notes=[("first listed here", first.location)],
                    hint="remove one of the two entries",
                )
                continue
            name = spec.name or PurePosixPath(spec.pattern).stem
            first = seen.setdefault(name, spec)
            if first is spec:
                continue
            explicit = spec.name is not None
            self.fail(
                ("fragments", spec.index, "name" if explicit else "path"),
                f"duplicate fragment name `{name}` (fragments[{first.index}] has it too); "
                "expected unique names",
                code=E_DUPLICATE,
                notes=[(f"`{name}` first used here", first.location)],
                hint="give one of them a different `name = ...`" if not explicit else None,
            )

    # -- [targets.NAME]

    def targets(self, value: object, header: bool, fragments: list[FragmentSpec]) -> dict[str, TargetSpec]:
        if value is None or value == {}:
            self.fail(
                ("targets",),
                "no targets; expected at least one [targets.NAME] table with an `output`",
                code=E_MISSING,
                hint=_NO_TARGETS_HINT,
            )
            return {}
        table = self.table(("targets",), value, "a table of targets ([targets.NAME])")
        if table is None:
            return {}
        targets: dict[str, TargetSpec] = {}
        for name, body in table.items():
            target = self.target(name, body, header)
            if target is not None:
                targets[name] = target
        self.check_outputs(list(targets.values()), fragments)
        return targets

    def target(self, name: str, body: object, default_header: bool) -> TargetSpec | None:
        path: KeyPath = ("targets", name)
        valid_name = bool(_NAME_RE.fullmatch(name))
        if not valid_name:
            self.fail(path, "invalid target name; expected letters, digits, `_` and `-` only", at_key=True)
        table = self.table(path, body, 'a table with `output = "..."`')
        if table is None:
            return None
        self.check_keys(path, table, TARGET_KEYS)
        output = self.output((*path, "output"), table.get("output"))
        include = self.name_list((*path, "include"), table.get("include"))
        exclude = self.name_list((*path, "exclude"), table.get("exclude"))
        if "include" in table and "exclude" in table:
            self.fail(
                path,
                "`include` and `exclude` cannot both be set; expected one of them",
                at_key=True,
                where=(*path, "exclude"),
            )
        generators = self.generators((*path, "generators"), table.get("generators"))
        datasource = self.datasource((*path, "datasource"), table.get("datasource"))
        header = self.boolean((*path, "header"), table.get("header"), default_header)
        adapt = self.adapt((*path, "adapt"), table.get("adapt", True))
        if output is None or not valid_name:
            return None
        return TargetSpec(
            name=name,
            output=output,
            folder=output.endswith("/"),
            include=include,
            exclude=exclude or [],
            generators=generators,
            datasource=datasource,
            header=header,
            adapt=adapt,
            _locator=self.loc,
        )

    def adapt(self, path: KeyPath, value: object) -> AdaptPolicy | None:
        if isinstance(value, bool):
            return AdaptPolicy() if value else None
        table = self.table(path, value, "`false`, or a table with `lists`, `enums` and `json`")
        if table is None:
            return AdaptPolicy()
        self.check_keys(path, table, ADAPT_KEYS)
        chosen: dict[str, object] = {}
        for key, item in table.items():
            if key == "defaults":
                chosen["defaults"] = self.adapt_defaults((*path, key), item)
                continue
            allowed = CHOICES.get(key)
            if allowed is None:
                continue
            if item not in allowed:
                self.fail((*path, key), f"expected one of {_one_of(allowed)}")
                continue
            chosen[key] = str(item)
        return AdaptPolicy(**chosen)  # type: ignore[arg-type]

    def adapt_defaults(self, path: KeyPath, value: object) -> tuple[tuple[str, str], ...]:
        table = self.table(path, value, 'a table of `"Model.field" = "uuid()"` defaults')
        pairs: list[tuple[str, str]] = []
        for key, item in (table or {}).items():
            if not _FIELD_KEY_RE.fullmatch(key):
                self.fail((*path, key), 'expected a field as `"Model.field"`', at_key=True)
            elif not isinstance(item, str) or not item.strip():
                self.wrong_type((*path, key), 'the PSL expression of the default, e.g. "uuid()"', item)
            else:
                pairs.append((key, item.strip()))
        return tuple(pairs)

    def output(self, path: KeyPath, value: object) -> str | None:
        if value is None:
            self.fail(
                path,
                'missing; expected the schema file to write (e.g. `output = "prisma/schema.prisma"`, '
                "or a folder ending with `/`)",
                code=E_MISSING,
            )
            return None
        posix = self.relative_path(path, value, "a file or folder path")
        if posix is None:
            return None
        bad = _CONTROL.search(posix)
        if bad is not None:
            # A NUL would reach the operating system as `ValueError: embedded null byte`; a newline
            # or an escape makes every later message about this output misleading.
            self.fail(path, f"contains the control character U+{ord(bad.group()):04X}; expected a plain path")
            return None
        normal = posixpath.normpath(posix)
        if normal in (".", "..") or normal.startswith("../"):
            self.fail(path, f"`{value}` is outside the manifest's folder; expected a path inside it")
            return None
        own = _own_file(normal, posix.endswith("/"))
        if own is not None:
            self.fail(path, f"`{value}` is {own}; expected a schema file or folder of your own")
            return None
        return posix

    def name_list(self, path: KeyPath, value: object) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.wrong_type(path, "an array of fragment names", value)
            return None
        names: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, str) and item.strip():
                names.append(item)
            else:
                self.wrong_type((*path, i), "a fragment name (a non-empty string)", item)
        return names

    def generators(self, path: KeyPath, value: object) -> dict[str, dict[str, str] | None]:
        if value is None:
            return {}
        table = self.table(path, value, "a table of generators ([...generators.NAME] tables)")
        if table is None:
            return {}
        out: dict[str, dict[str, str] | None] = {}
        for name, body in table.items():
            gen_path = (*path, name)
            if not _IDENT_RE.fullmatch(name):
                self.fail(gen_path, "invalid generator name; expected a PSL identifier", at_key=True)
                continue
            if body is False:
                out[name] = None
                continue
            if not isinstance(body, dict):
                self.wrong_type(gen_path, "a table of generator properties, or `false` to drop it", body)
                continue
            properties: dict[str, str] = {}
            for key, item in body.items():
                text = self.property((*gen_path, key), key, item)
                if text is not None:
                    properties[key] = text
            out[name] = properties
        return out

    def datasource(self, path: KeyPath, value: object) -> dict[str, str | None]:
        if value is None:
            return {}
        table = self.table(path, value, "a table of datasource properties")
        if table is None:
            return {}
        out: dict[str, str | None] = {}
        for key, item in table.items():
            if key not in DATASOURCE_PROPERTIES:
                close = did_you_mean(key, list(DATASOURCE_PROPERTIES))
                if close is not None:
                    self.fail(
                        (*path, key),
                        f"unknown datasource property; expected one of {_one_of(DATASOURCE_PROPERTIES)}",
                        code=E_UNKNOWN_KEY,
                        at_key=True,
                        hint=close,
                    )
                    continue
            if item is False:
                out[key] = None
                continue
            text = self.property((*path, key), key, item)
            if text is not None:
                out[key] = text
        return out

    def property(self, path: KeyPath, key: str, value: object) -> str | None:
        if not _IDENT_RE.fullmatch(key):
            self.fail(path, "invalid property name; expected a PSL identifier", at_key=True)
            return None
        try:
            return _psl(value, _keypath(path), path, self.loc.value)
        except ComposeError as exc:
            self.errors.extend(exc.diagnostics)
            return None

    def check_outputs(self, targets: list[TargetSpec], fragments: list[FragmentSpec]) -> None:
        manifest_name = self.path.name.casefold()
        for i, target in enumerate(targets):
            path: KeyPath = ("targets", target.name, "output")
            mine = _folded(target.output)
            if not target.folder and mine == manifest_name:
                self.fail(path, "would overwrite the manifest; expected a schema file path")
                continue
            clash = self.fragment_clash(target, mine, fragments)
            if clash is not None:
                problem = "is a folder that contains" if target.folder else "would overwrite"
                self.fail(
                    path,
                    f"`{target.output}` {problem} fragment `{clash.pattern}`; expected a path that is "
                    "no input",
                    code=E_DUPLICATE,
                    notes=[("the fragment is listed here", clash.location)],
                )
                continue
            for other in targets[:i]:
                problem = _output_clash(mine, target.folder, _folded(other.output), other.folder)
                if problem is not None:
                    self.fail(
                        path,
                        f"`{target.output}` {problem} of target `{other.name}` (`{other.output}`); "
                        "expected each target to write its own file or folder",
                        code=E_DUPLICATE,
                        notes=[(f"target `{other.name}` writes here", self.output_location(other))],
                    )
                    break

    def output_location(self, target: TargetSpec) -> Location:
        return self.loc.value(("targets", target.name, "output"))

    @staticmethod
    def fragment_clash(target: TargetSpec, mine: str, fragments: list[FragmentSpec]) -> FragmentSpec | None:
        for spec in fragments:
            if spec.kind != "path":
                continue
            theirs = _folded(spec.pattern)
            if theirs == mine or (target.folder and theirs.startswith(mine + "/")):
                return spec
        return None


def _output_clash(mine: str, mine_folder: bool, theirs: str, theirs_folder: bool) -> str | None:
    if mine == theirs:
        return "is also the output"
    # A file output on the path of another output clashes too: one of the two cannot be written.
    if theirs.startswith(mine + "/"):
        return "is a folder that contains the output" if mine_folder else (
            "is a file on the path of the output"
        )
    if mine.startswith(theirs + "/"):
        return "is inside the output folder" if theirs_folder else "is inside the output file"
    return None


# -- locations ----------------------------------------------------------------------------------


class _Span:
    """Where a key (or table header) and its value are written. A plain class: a dataclass would
    cost import time on every CLI start."""

    __slots__ = ("key_end", "key_start", "value_end", "value_start")

    def __init__(self, key_start: int, key_end: int, value_start: int, value_end: int) -> None:
        self.key_start = key_start
        self.key_end = key_end
        self.value_start = value_start
        self.value_end = value_end


class _Locator:
    """Maps key paths to places in the manifest text; scans on first use."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._spans: dict[KeyPath, _Span] | None = None

    def spans(self) -> dict[KeyPath, _Span]:
        if self._spans is None:
            self._spans = _Scanner(self.source.text).scan()
        return self._spans

    def key(self, path: KeyPath) -> Location:
        """The whole `key = value` (or table header) at `path`, else its nearest written ancestor."""
        spans = self.spans()
        span = spans.get(tuple(path))
        if span is not None:
            return Location(self.source, span.key_start, span.value_end)
        return self._ancestor(path)

    def name(self, path: KeyPath) -> Location:
        """Just the key (or table header) at `path`, for unknown or misplaced keys."""
        span = self.spans().get(tuple(path))
        if span is not None:
            return Location(self.source, span.key_start, span.key_end)
        return self._ancestor(path)

    def value(self, path: KeyPath) -> Location:
        """Just the value at `path` (for type errors), else its nearest written ancestor."""
        span = self.spans().get(tuple(path))
        if span is not None:
            return Location(self.source, span.value_start, span.value_end)
        return self._ancestor(path)

    def _ancestor(self, path: KeyPath) -> Location:
        spans = self.spans()
        for size in range(len(path) - 1, 0, -1):
            span = spans.get(tuple(path[:size]))
            if span is not None:
                return Location(self.source, span.key_start, span.key_end)
        first_line = self.source.text.split("\n", 1)[0].rstrip("\r")
        return Location(self.source, 0, len(first_line) or None)


_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_RE = re.compile(r"'[^'\n]*'")
_ML_BASIC_RE = re.compile(r'"""(?:[^"\\]|\\.|"{1,2}(?!"))*"""(?:"{1,2})?', re.DOTALL)
_ML_LITERAL_RE = re.compile(r"'''(?:[^']|'{1,2}(?!'))*'''(?:'{1,2})?")
# Numbers, booleans and dates; a local date-time may have a space before its time.
_SCALAR_RE = re.compile(r"[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?")
_KEY_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}


def _unescape_key(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match[1] or match[2] or match[3]
        if code:
            return chr(int(code, 16))
        return _SIMPLE_ESCAPES.get(match[4], match[4])

    return _KEY_ESCAPE_RE.sub(replace, body)


class _Scanner:
    """Finds where tables and keys are written in TOML text that tomllib accepted.

    Not a TOML parser: it trusts the syntax and only tracks the current table, `[[array]]`
    indexes, dotted keys, inline tables and arrays, skipping strings so that their content is
    never mistaken for structure. Explicit definitions win over implied parents (`[a.b]` implies
    `a`); anything it cannot follow ends the scan with what was found so far.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.explicit: dict[KeyPath, _Span] = {}
        self.implied: dict[KeyPath, _Span] = {}
        self.arrays: dict[KeyPath, int] = {}

    def scan(self) -> dict[KeyPath, _Span]:
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self.document()
        return {**self.implied, **self.explicit}

    def document(self) -> None:
        text = self.text
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            start = self.pos
            if start >= len(text):
                return
            if text.startswith("[[", start):
                self.pos += 2
                keys = self.key()
                self.expect("]]")
                array = (*self.resolve(keys[:-1]), keys[-1][0])
                index = self.arrays.get(array, 0)
                self.arrays[array] = index + 1
                table = (*array, index)
                self.define(table, _Span(start, self.pos, start, self.pos))
            elif text[start] == "[":
                self.pos += 1
                keys = self.key()
                self.expect("]")
                table = self.resolve(keys)
                self.define(table, _Span(start, self.pos, start, self.pos))
            else:
                self.keyval(table)

    def define(self, path: KeyPath, span: _Span) -> None:
        for size in range(1, len(path)):
            self.implied.setdefault(path[:size], span)
        self.explicit[path] = span

    def resolve(self, keys: list[tuple[str, int, int]]) -> KeyPath:
        """A header's key path, with the current index of every array of tables on the way."""
        path: list[str | int] = []
        for name, _, _ in keys:
            path.append(name)
            count = self.arrays.get(tuple(path))
            if count:
                path.append(count - 1)
        return tuple(path)

    def keyval(self, table: KeyPath) -> None:
        key_start = self.pos
        keys = self.key()
        self.expect("=")
        self.skip()
        value_start = self.pos
        path = (*table, *(name for name, _, _ in keys))
        self.value(path)
        for size, (_, _, end) in enumerate(keys[:-1], start=1):
            self.implied.setdefault(path[: len(table) + size], _Span(key_start, end, key_start, end))
        self.explicit[path] = _Span(key_start, keys[-1][2], value_start, self.pos)

    def key(self) -> list[tuple[str, int, int]]:
        """A dotted key as (name, start, end) segments."""
        text = self.text
        segments: list[tuple[str, int, int]] = []
        while True:
            self.skip()
            start = self.pos
            if text.startswith('"', start):
                match = _BASIC_RE.match(text, start)
                name = _unescape_key(match.group()[1:-1]) if match else ""
            elif text.startswith("'", start):
                match = _LITERAL_RE.match(text, start)
                name = match.group()[1:-1] if match else ""
            else:
                match = _BARE_KEY_RE.match(text, start)
                name = match.group() if match else ""
            if match is None:
                raise ValueError("no key")
            self.pos = match.end()
            segments.append((name, start, self.pos))
            self.skip()
            if not text.startswith(".", self.pos):
                return segments
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        text = self.text
        start = self.pos
        char = text[start]
        if char in "\"'":
            if text.startswith('"""', start):
                pattern = _ML_BASIC_RE
            elif text.startswith("'''", start):
                pattern = _ML_LITERAL_RE
            else:
                pattern = _BASIC_RE if char == '"' else _LITERAL_RE
            match = pattern.match(text, start)
        elif char == "[":
            self.pos += 1
            self.array(path)
            return
        elif char == "{":
            self.pos += 1
            self.inline_table(path)
            return
        else:
            match = _SCALAR_RE.match(text, start)
        if match is None:
            raise ValueError("no value")
        self.pos = match.end()

    def array(self, path: KeyPath) -> None:
        index = 0
        while True:
            self.skip(newlines=True)
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            start = self.pos
            self.value((*path, index))
            self.explicit[(*path, index)] = _Span(start, self.pos, start, self.pos)
            index += 1
            self.skip(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        while True:
            self.skip(newlines=True)  # TOML 1.1 allows newlines in inline tables
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            self.keyval(path)
            self.skip(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def expect(self, token: str) -> None:
        self.skip()
        if not self.text.startswith(token, self.pos):
            raise ValueError(f"expected {token}")
        self.pos += len(token)

    def skip(self, newlines: bool = False) -> None:
        """Skips blanks and comments (and line breaks when asked)."""
        text = self.text
        pos = self.pos
        while pos < len(text):
            char = text[pos]
            if char in " \t" or (newlines and char in "\r\n"):
                pos += 1
            elif char == "#":
                end = text.find("\n", pos)
                pos = len(text) if end == -1 else end
            else:
                break
        self.pos = pos
