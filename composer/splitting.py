"""Splitting a schema into fragments plus a manifest (`compose split`, `compose init`): reading the
input, planning the fragments (grouped by `composer/clustering.py`), checking the plan by composing
it, and writing the files all or nothing.

The promise (tested over the real-world corpus): `compose build` in DIR gives back a schema whose
Prisma datamodel equals the original's. Declarations are copied verbatim, with the comments above
them, so fields, attributes and `///` docs are untouched; what changes is where each declaration
lives and, in the built schema, the order of declarations (the composer orders fragments by their
dependencies) — Prisma's datamodel does not depend on declaration order.

Grouping (`--by`):

- `related` (default for a file): models linked by relations go together: the connected
  components of the relation graph, large components cut into communities (Louvain modularity),
  each fragment named after its most connected model;
- `model`: one fragment per model or view;
- `prefix`: by the first word of the model name (`IntegrationAccount` → `integration`);
- `file` (default for a folder, Prisma's `prismaSchemaFolder`): each file becomes a fragment,
  unchanged;
- `map`: a TOML or YAML file maps models to fragments (`--map FILE`).

Datasource and generators go to `base.prisma` (except with `--by file`); enums and composite
types go with the models that use them (the fragment using them most; `--by model`: a shared
`enums` fragment when several fragments use them); declarations nobody uses stay next to their
neighbour in the original file.

Error codes: E501 no input, E502 a bad `--map` file, E503 an input Prisma would reject anyway
(a name declared twice), E504 files in the way in `--out`, E599 the self-check failed (a bug).

Slightly over 500 lines: reading, planning, the self-check and the all-or-nothing write of one
split, each a small function; the clustering itself is `clustering.py`.
"""


from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .clustering import (
    BASE,
    CONFIG_KEYWORDS,
    MODEL_KEYWORDS,
    NAME_OK,
    Item,
    group_models,
    kebab,
    place_others,
    unique,
)
from .diagnostics import ComposeError, Diagnostic, Source, error
from .psl import Declaration, SchemaFile, parse
from .split_map import load_map

BY_CHOICES = ("related", "model", "prefix", "file", "map")
TARGET = "schema"
DEFAULT_FRAGMENTS_DIR = "prisma/fragments"
DEFAULT_OUTPUT = "prisma/schema.prisma"
DEFAULT_FOLDER_OUTPUT = "prisma/schema/"


@dataclass
class PlannedFragment:
    name: str
    path: str  # relative to the output folder, POSIX
    items: list[Item] = field(default_factory=list)
    text_override: str | None = None  # `--by file`: the input file, unchanged
    explicit_name: bool = False  # the name differs from the file stem: the manifest names it

    @property
    def text(self) -> str:
        if self.text_override is not None:
            return self.text_override
        parts = []
        for item in self.items:
            chunk = item.text if item.text.endswith("\n") else item.text + "\n"
            parts.append(chunk)
        return "\n".join(parts)

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for item in self.items:
            counts[item.keyword] = counts.get(item.keyword, 0) + 1
        return ", ".join(f"{n} {kw}{'s' if n > 1 else ''}" for kw, n in counts.items())


@dataclass
class SplitResult:
    fragments: list[PlannedFragment]
    manifest: str
    target: str
    output: str  # target output, relative to the output folder
    files: dict[str, str]  # every file to write (fragments and manifest), relative POSIX path → text
    schemas: list[SchemaFile] = field(default_factory=list)  # the parsed input


# -- input -------------------------------------------------------------------------------------


def read_input(path: Path, display: str | None = None) -> list[Source]:
    """The schema file, or every `*.prisma` file below a folder (Prisma's multi-file schema)."""
    from .sources import read_text

    shown = display if display is not None else path.as_posix()
    if path.is_dir():
        files = sorted(
            (p for p in path.rglob("*.prisma") if p.is_file()), key=lambda p: p.relative_to(path).as_posix()
        )
        if not files:
            raise error(f"`{shown}` holds no `.prisma` file", None, code="E501")
        return [
            Source(
                f"{shown.rstrip('/')}/{p.relative_to(path).as_posix()}", read_text(p, str(p), None), str(p)
            )
            for p in files
        ]
    if not path.exists():
        raise error(f"`{shown}` does not exist", None, code="E501")
    return [Source(shown, read_text(path, shown, None), str(path))]


# Lines compose itself writes into an output: splitting a composed schema drops them, or the next
# build would carry two banners and stale section headers.
_COMPOSE_LINES = re.compile(
    r"^// (?:DO NOT EDIT: generated by compose\b.*|Edit the fragments instead, then run `compose build.*"
    r"|checksum: sha256:[0-9a-f]{64}|---- fragment .* ----)\n",
    re.MULTILINE,
)


def collect_items(schemas: list[SchemaFile]) -> list[Item]:
    items: list[Item] = []
    for index, schema in enumerate(schemas):
        text = schema.source.text
        decls = schema.declarations
        for i, decl in enumerate(decls):
            head = text[decl.start : decl.keyword_start]
            if "// " in head:
                head = _COMPOSE_LINES.sub("", head).lstrip("\n")
            chunk = head + text[decl.keyword_start : decl.end]
            if i == len(decls) - 1 and text[schema.trailing :].strip():
                # Comments after the last declaration travel with it, a blank line apart so a
                # trailing `///` cannot become the doc comment of what follows in the fragment.
                chunk = chunk.rstrip("\n") + "\n\n" + text[schema.trailing :].strip("\n") + "\n"
            items.append(Item(decl, index, chunk))
    return items



# -- planning ----------------------------------------------------------------------------------


def plan_split(
    sources: list[Source],
    by: str | None = None,
    mapping: dict[str, str] | None = None,
    fragments_dir: str = DEFAULT_FRAGMENTS_DIR,
    output: str | None = None,
    target: str = TARGET,
    input_label: str | None = None,
    folder_input: bool | None = None,
    schemas: list[SchemaFile] | None = None,
) -> SplitResult:
    """The fragments and manifest for `sources` (parsed here; raises ComposeError)."""
    by, output = _defaults(sources, by, output, folder_input)
    schemas = parse_all(sources) if schemas is None else schemas
    fragments = _plan_fragments(sources, schemas, by, mapping, fragments_dir.strip("/") or ".")
    label = input_label or (sources[0].display if len(sources) == 1 else "a multi-file schema")
    manifest = manifest_text(fragments, target, output, label, by)
    files = {f.path: f.text for f in fragments}
    files["prisma.compose.toml"] = manifest
    return SplitResult(fragments, manifest, target, output, files, schemas)


def _defaults(
    sources: list[Source], by: str | None, output: str | None, folder_input: bool | None
) -> tuple[str, str]:
    """The grouping and the target's output, defaulted for a file or a folder (several files)."""
    folder_input = len(sources) > 1 if folder_input is None else folder_input
    by = by or ("file" if folder_input else "related")
    if by not in BY_CHOICES:
        raise ValueError(f"unknown grouping {by!r}")
    return by, output or (DEFAULT_FOLDER_OUTPUT if folder_input else DEFAULT_OUTPUT)


def _plan_fragments(
    sources: list[Source], schemas: list[SchemaFile], by: str, mapping: dict[str, str] | None, folder: str
) -> list[PlannedFragment]:
    if by == "file":
        return plan_by_file(sources, schemas, folder)
    items = collect_items(schemas)
    check_duplicates(items)
    return plan_by_group(items, by, mapping, folder)


def parse_all(sources: list[Source]) -> list[SchemaFile]:
    schemas: list[SchemaFile] = []
    problems: list[Diagnostic] = []
    for source in sources:
        try:
            schemas.append(parse(source))
        except ComposeError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise ComposeError(problems)
    return schemas


def check_duplicates(items: list[Item]) -> None:
    """Two declarations with one name: the composer would refuse them (and so does Prisma)."""
    seen: dict[tuple[str, str], Item] = {}
    for item in items:
        key = ("config" if item.keyword in CONFIG_KEYWORDS else "named", item.name)
        if item.keyword == "datasource":
            key = ("datasource", "")
        first = seen.get(key)
        if first is not None:
            what = (
                "more than one datasource"
                if item.keyword == "datasource"
                else f"`{item.name}` is declared twice"
            )
            raise ComposeError(
                Diagnostic(
                    f"the schema is invalid: {what}",
                    item.decl.location,
                    code="E503",
                    notes=[("first declared here", first.decl.location)],
                    hint="fix the schema (`prisma validate`) before splitting it",
                )
            )
        seen[key] = item


def plan_by_group(
    items: list[Item], by: str, mapping: dict[str, str] | None, fragments_dir: str
) -> list[PlannedFragment]:
    models = [item for item in items if item.keyword in MODEL_KEYWORDS]
    assignment = group_models(models, by, mapping)
    place_others(items, assignment, by, mapping)
    fragments: dict[str, PlannedFragment] = {}
    config = [item for item in items if item.keyword in CONFIG_KEYWORDS]
    if config:
        fragments[BASE] = PlannedFragment(BASE, join(fragments_dir, f"{BASE}.prisma"), config)
    for item in items:
        if item.keyword in CONFIG_KEYWORDS:
            continue
        name = assignment[item.name]
        frag = fragments.get(name)
        if frag is None:
            frag = fragments[name] = PlannedFragment(name, join(fragments_dir, f"{name}.prisma"))
        frag.items.append(item)
    check_file_names(list(fragments.values()))
    return list(fragments.values())


def plan_by_file(
    sources: list[Source], schemas: list[SchemaFile], fragments_dir: str
) -> list[PlannedFragment]:
    """Each input file becomes a fragment, byte for byte (Prisma's multi-file schema)."""
    common = _common_parent([PurePosixPath(s.display) for s in sources])
    taken: set[str] = set()
    rels = [PurePosixPath(s.display) for s in sources]
    rels = [rel.relative_to(common) for rel in rels] if common else rels
    paths = {rel.as_posix().casefold() for rel in rels}
    fragments = []
    for source, schema, rel in zip(sources, schemas, rels, strict=True):
        if "\\" in rel.as_posix():
            # The manifest reads `\` as a folder separator (Windows paths): the fragment's file
            # gets a name it can carry; its text is copied unchanged.
            rel = _free_path(PurePosixPath(rel.as_posix().replace("\\", "-")), paths)
        paths.add(rel.as_posix().casefold())
        fragments.append(_file_fragment(source, schema, rel, fragments_dir, taken))
    return fragments


def _file_fragment(
    source: Source, schema: SchemaFile, rel: PurePosixPath, fragments_dir: str, taken: set[str]
) -> PlannedFragment:
    """The fragment of one input file (`rel`), its text unchanged; its name unique in `taken`."""
    stem = rel.stem if NAME_OK.fullmatch(rel.stem) else kebab(rel.stem)
    name = unique(stem, taken)
    text = source.text if source.text.endswith("\n") or not source.text else source.text + "\n"
    items = [Item(d, 0, d.text) for d in schema.declarations]
    path = join(fragments_dir, rel.as_posix())
    return PlannedFragment(name, path, items, text, explicit_name=name != rel.stem)


def _free_path(rel: PurePosixPath, taken: set[str]) -> PurePosixPath:
    candidate, n = rel, 2
    while candidate.as_posix().casefold() in taken:
        candidate = rel.with_name(f"{rel.stem}-{n}{rel.suffix}")
        n += 1
    return candidate


def _common_parent(paths: list[PurePosixPath]) -> PurePosixPath | None:
    if not paths:
        return None
    parts = list(paths[0].parent.parts)
    for p in paths[1:]:
        other = p.parent.parts
        n = 0
        while n < min(len(parts), len(other)) and parts[n] == other[n]:
            n += 1
        parts = parts[:n]
    return PurePosixPath(*parts) if parts else None


def check_file_names(fragments: list[PlannedFragment]) -> None:
    seen: dict[str, str] = {}
    for frag in fragments:
        folded = frag.name.casefold()
        if folded in seen and seen[folded] != frag.name:
            raise error(
                f"fragments `{seen[folded]}` and `{frag.name}` differ only in case; their files would "
                "collide on macOS and Windows",
                None,
                code="E502",
            )
        seen[folded] = frag.name


def join(folder: str, name: str) -> str:
    return name if folder in ("", ".") else f"{folder}/{name}"


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are valid TOML escapes)."""
    return json.dumps(text, ensure_ascii=False)


def manifest_text(fragments: list[PlannedFragment], target: str, output: str, label: str, by: str) -> str:
    lines = [
        f"# prisma-compose manifest, written by `compose split` from {label} (grouped by {by}).",
        "# The fragments are now the source of truth: edit them, then run `compose build`.",
        "# `compose schema manifest` prints this file's JSON Schema (editor completion and checks).",
        "",
        "[compose]",
        "header = true",
    ]
    for frag in fragments:
        lines += ["", "[[fragments]]", f"path = {toml_string(frag.path)}"]
        if frag.explicit_name:
            lines.append(f"name = {toml_string(frag.name)}")
    lines += ["", f"[targets.{target}]", f"output = {toml_string(output)}", ""]
    return "\n".join(lines)


# -- checking the plan -------------------------------------------------------------------------


def compose_plan(result: SplitResult, root: Path) -> list[tuple[str, str]]:
    """Compose the planned files in memory, as `compose build` would in `root`: (path, body) pairs."""
    from .compose import compose_target
    from .manifest import parse_manifest
    from .sources import Fragment

    manifest = parse_manifest(result.manifest, root / "prisma.compose.toml")
    by_path = {f.path: f for f in result.fragments}
    fragments = []
    for spec in manifest.fragments:
        planned = by_path[spec.pattern]
        schema = parse(Source(planned.path, planned.text, str(root / planned.path)))
        fragments.append(
            Fragment(
                spec.name or PurePosixPath(spec.pattern).stem, len(fragments), planned.path, schema, spec
            )
        )
    composed = compose_target(manifest, fragments, manifest.targets[result.target])
    return [(f.path, f.body) for f in composed.files]


def _normal(decl: Declaration) -> str:
    body = decl.source.text[decl.keyword_start : decl.end]
    lines = [*("///" + d for d in decl.doc), *(line.rstrip() for line in body.split("\n") if line.strip())]
    return "\n".join(lines)


def self_check(schemas: list[SchemaFile], composed: list[tuple[str, str]]) -> list[str]:
    """Every declaration of the input is in the composed output, the same apart from blank lines,
    trailing white space and the plain comments above it (section headers move around in a
    split; `///` docs, which Prisma reads, must not), and nothing else is. Returns the problems."""
    original = _normals(schemas)
    built = _normals(parse_all([Source(path, body) for path, body in composed]))
    if original == built:
        return []
    missing = [t.split("\n")[0][:60] for t in set(original) - set(built)]
    extra = [t.split("\n")[0][:60] for t in set(built) - set(original)]
    return [f"lost: {m}" for m in missing] + [f"changed or added: {e}" for e in extra]


def _normals(schemas: list[SchemaFile]) -> list[str]:
    return sorted(_normal(d) for schema in schemas for d in schema.declarations)


# -- writing -----------------------------------------------------------------------------------


@dataclass
class WriteReport:
    written: list[str]  # display paths of the files written
    backups: list[tuple[str, str]]  # (file replaced, where its old content went)
    done: Any = None  # the staging.Written record (its `undo()` puts everything back)


def write_files(out: Path, files: dict[str, str], force: bool, backup: bool = True) -> WriteReport:
    """Write `files` (relative POSIX path → text) below `out`, all or nothing (composer/staging.py).

    A file that exists stops everything (E504), unless `force`: then it is replaced, its old
    content kept beside it as a numbered backup (`backup`; composer/backups.py), or left untouched
    when it already holds its new text."""
    from .backups import free_backup_path
    from .staging import Change, write_all

    changes: list[Change] = []
    existing: list[str] = []
    backups: list[tuple[str, str]] = []
    taken: set[str] = set()
    for rel, text in files.items():
        path = out / rel
        display = join(out.as_posix(), rel)
        old = _existing(path, display)
        if old is not None:
            existing.append(rel)
            if old == text.encode("utf-8"):
                continue
            if backup:
                spare = free_backup_path(path, taken)
                taken.add(spare.name)
                shown = join(out.as_posix(), str(PurePosixPath(rel).with_name(spare.name)))
                changes.append(Change(spare, old, shown, None))
                backups.append((display, shown))
        changes.append(Change(path, text, display, old))
    if existing and not force:
        raise _in_the_way(out, existing)
    done = write_all(changes, code="E504")
    spares = {shown for _, shown in backups}
    return WriteReport([c.display for c in done.written if c.display not in spares], backups, done)


def _in_the_way(out: Path, existing: list[str]) -> ComposeError:
    return error(
        f"`{out.as_posix()}` already holds {', '.join(f'`{e}`' for e in existing[:5])}"
        + (" and more" if len(existing) > 5 else ""),
        None,
        code="E504",
        hint="choose another --out folder, or pass --force to replace these files (keeping a .bak copy "
        "of each)",
    )


def _existing(path: Path, display: str) -> bytes | None:
    """The bytes of the file at `path`, None when there is none; anything else there is in the way."""
    try:
        old = path.read_bytes() if path.is_file() else None
    except OSError as exc:
        raise error(f"cannot read `{display}`: {exc.strerror or exc}", None, code="E504") from None
    if old is None and (path.exists() or path.is_symlink()):
        raise error(
            f"`{display}` is in the way: it is not a file", None, code="E504",
            hint="choose another --out folder, or move it away",
        )
    return old


def not_composed(out: Path, result: SplitResult) -> bool:
    """Does the target's output already exist, not written by compose (so `build` would refuse)?"""
    from .output import verify

    target = out / result.output
    files = sorted(target.glob("*.prisma")) if result.output.endswith("/") else [target]
    for path in files:
        if path.is_file() and verify(path.read_text(encoding="utf-8", errors="replace")) is None:
            return True
    return False


def split_path(
    schema: Path,
    out: Path,
    by: str | None,
    map_path: Path | None,
    fragments_dir: str = DEFAULT_FRAGMENTS_DIR,
    output: str | None = None,
) -> SplitResult:
    """Read, plan and self-check a split (nothing written)."""
    sources = read_input(schema)
    schemas = parse_all(sources)
    mapping = None
    if map_path is not None:
        mapping = load_map(map_path, collect_items(schemas))
        by = "map"
    result = plan_split(
        sources,
        by,
        mapping,
        fragments_dir,
        output,
        input_label=f"`{_label(schema, out)}`",
        folder_input=schema.is_dir(),
        schemas=schemas,
    )
    problems = self_check(schemas, compose_plan(result, out.resolve()))
    if problems:
        raise error(
            "internal error: the split would not give the schema back: " + "; ".join(problems[:5]),
            None,
            code="E599",
            hint="please report this with the schema; nothing was written",
        )
    return result


def _label(schema: Path, out: Path) -> str:
    """How the manifest names its origin: relative to the project, never an absolute path."""
    import os

    rel = Path(os.path.relpath(schema.resolve(), out.resolve())).as_posix()
    if not rel.startswith("../"):
        return rel
    return schema.as_posix() if not schema.is_absolute() else schema.name
