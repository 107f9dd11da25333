"""The manifest's TOML checked against its shape (`shape.py`, from the JSON Schema), every error
collected before they are raised together, each naming its key path, saying what is expected
(with a did-you-mean for a near key) and pointing at `file:line:col`.

Over 500 lines because it is one class with one method per table of the manifest: each message
stays beside the check that makes it."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path, PureWindowsPath

from ..adapt_policy import AdaptPolicy
from ..backups import is_backup_name
from ..diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean
from ..inputfiles import LOCK_FILE, STATE_FILE, control_character, leaves_folder, posix_stem, shown
from .model import FragmentSpec, Manifest, TargetSpec
from .positions import _Locator
from .shape import (
    ADAPT_CHOICES,
    ADAPT_KEYS,
    COMPOSE_KEYS,
    DATASOURCE_PROPERTIES,
    E_DUPLICATE,
    E_INVALID,
    E_MISSING,
    E_UNKNOWN_KEY,
    FIELD_KEY_RE,
    FRAGMENT_KEYS,
    FRAGMENT_KINDS,
    IDENT_RE,
    NAME_RE,
    TARGET_KEYS,
    TOP_KEYS,
    WATCH_KEYS,
    KeyPath,
    kind_of,
    one_of,
    path_text,
)
from .values import psl_value

_ENTRY_NAMES = {
    "glob": "a `glob` names each file by the parts of its path its wildcards matched "
    "(`modules/*/schema.prisma`: the module's folder)",
    "yaml": "a `yaml` entry names each fragment after its file's stem",
}
_NO_TARGETS_HINT = 'add a target, e.g.\n\n    [targets.schema]\n    output = "prisma/schema.prisma"'
_NO_FRAGMENTS_HINT = 'add a fragment, e.g.\n\n    [[fragments]]\n    path = "prisma/fragments/base.prisma"'


def _is_absolute(posix: str) -> bool:
    # A drive (`C:`) is a letter and a colon; the rest of Windows' forms start with a separator.
    return posix.startswith("/") or (posix[1:2] == ":" and bool(PureWindowsPath(posix).drive))


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _normal(posix: str) -> str:
    """`posixpath.normpath(posix)`, answered at once for a path that is normal already."""
    if (
        posix
        and ".." not in posix
        and "//" not in posix
        and "/./" not in posix
        and not posix.startswith("./")
        and not posix.endswith(("/", "/."))
        and posix != "."
    ):
        return posix
    return posixpath.normpath(posix)


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
    return _normal(posix).casefold()


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
            Diagnostic(f"{path_text(path)}: {message}", location, code=code, notes=notes or [], hint=hint)
        )

    def wrong_type(self, path: KeyPath, expected: str, value: object) -> None:
        self.fail(path, f"expected {expected}, found {kind_of(value)}")

    def check_keys(self, path: KeyPath, table: dict[str, object], known: tuple[str, ...]) -> None:
        for key in table:
            if key not in known:
                self.fail(
                    (*path, key),
                    f"unknown key; expected one of {one_of(known)}",
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
        if type(entry) is dict and len(entry) == 1:
            # The usual entry, a `path` alone, plain and relative: what the checks below make of
            # it, in fewer steps (a manifest lists thousands).
            value = entry.get("path")
            if (
                type(value) is str
                and value.isprintable()  # so no control character (`control_character`)
                and value.strip()
                and "\\" not in value
                and value[0] != "/"  # not absolute (no drive either: `_is_absolute`)
                and value[1:2] != ":"
            ):
                loc, where = self.loc, ("fragments", index, "path")
                return FragmentSpec("path", value, None, index, lambda: loc.value(where))
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
        elif not NAME_RE.fullmatch(name):
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
            first = listed.setdefault(_normal(spec.pattern), spec)
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
            name = spec.name or posix_stem(spec.pattern)
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
        valid_name = bool(NAME_RE.fullmatch(name))
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
        keys = "`lists`, `enums`, `json`, `referential_actions` and `defaults`"
        table = self.table(path, value, f"`false`, or a table with {keys}")
        if table is None:
            return AdaptPolicy()
        self.check_keys(path, table, ADAPT_KEYS)
        chosen: dict[str, object] = {}
        for key, item in table.items():
            if key == "defaults":
                chosen["defaults"] = self.adapt_defaults((*path, key), item)
                continue
            allowed = ADAPT_CHOICES.get(key)
            if allowed is None:
                continue
            if item not in allowed:
                self.fail((*path, key), f"expected one of {one_of(allowed)}")
                continue
            chosen[key] = str(item)
        return AdaptPolicy(**chosen)  # type: ignore[arg-type]

    def adapt_defaults(self, path: KeyPath, value: object) -> tuple[tuple[str, str], ...]:
        table = self.table(path, value, 'a table of `"Model.field" = "uuid()"` defaults')
        pairs: list[tuple[str, str]] = []
        for key, item in (table or {}).items():
            if not FIELD_KEY_RE.fullmatch(key):
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
            if not IDENT_RE.fullmatch(name):
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
                        f"unknown datasource property; expected one of {one_of(DATASOURCE_PROPERTIES)}",
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
        if not IDENT_RE.fullmatch(key):
            self.fail(path, "invalid property name; expected a PSL identifier", at_key=True)
            return None
        try:
            return psl_value(value, path_text(path), path, self.loc.value)
        except ComposeError as exc:
            self.errors.extend(exc.diagnostics)
            return None

    def check_outputs(self, targets: list[TargetSpec], fragments: list[FragmentSpec]) -> None:
        manifest_name = self.path.name.casefold()
        inputs = [(spec, _folded(spec.pattern)) for spec in fragments if spec.kind == "path"]
        for i, target in enumerate(targets):
            path: KeyPath = ("targets", target.name, "output")
            mine = _folded(target.output)
            if not target.folder and mine == manifest_name:
                self.fail(path, "would overwrite the manifest; expected a schema file path")
                continue
            clash = self.fragment_clash(target, mine, inputs)
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
    def fragment_clash(
        target: TargetSpec, mine: str, inputs: list[tuple[FragmentSpec, str]]
    ) -> FragmentSpec | None:
        """The first `path` fragment (with its folded path) that the output would overwrite."""
        inside = mine + "/"
        for spec, theirs in inputs:
            if theirs == mine or (target.folder and theirs.startswith(inside)):
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
