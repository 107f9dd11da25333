"""`compose split SCHEMA --out DIR`: cut an existing schema into fragments plus a manifest.

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
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean, error
from ..psl import Declaration, SchemaFile, parse

BY_CHOICES = ("related", "model", "prefix", "file", "map")
CONFIG_KEYWORDS = frozenset(("datasource", "generator"))
MODEL_KEYWORDS = frozenset(("model", "view"))
# A connected group of more models than this is cut into communities.
MAX_GROUP = 12
BASE = "base"
TARGET = "schema"
DEFAULT_FRAGMENTS_DIR = "prisma/fragments"
DEFAULT_OUTPUT = "prisma/schema.prisma"
DEFAULT_FOLDER_OUTPUT = "prisma/schema/"


@dataclass
class Item:
    """One top-level declaration of the input, with the text that travels with it."""

    decl: Declaration
    file: int  # index of the input file
    text: str  # declaration text (attached comments included), plus trailing comments of its file

    @property
    def name(self) -> str:
        return self.decl.name

    @property
    def keyword(self) -> str:
        return self.decl.keyword


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
    from ..sources import read_text

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


# -- naming ------------------------------------------------------------------------------------

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+[A-Z]*(?![a-z])|[0-9]+")
_NAME_OK = re.compile(r"[A-Za-z0-9_-]+")


def words(name: str) -> list[str]:
    """`IntegrationAccount` → [integration, account]; `website_event` → [website, event];
    `OAuthClient` → [oauth, client]; `Model3DFile` → [model3d, file]."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", ascii_name):
        tokens = _WORDS.findall(part)
        merged: list[str] = []
        for i, token in enumerate(tokens):
            if merged and (token[0].isdigit() or (len(tokens[i - 1]) == 1 and tokens[i - 1].isupper())):
                merged[-1] += token  # `3D` belongs to `Model`, `O` + `Auth` is one word
            else:
                merged.append(token)
        out.extend(w.lower() for w in merged)
    return out


def kebab(name: str) -> str:
    return "-".join(words(name)) or "fragment"


def prefix(name: str) -> str:
    w = words(name)
    return w[0] if w else "fragment"


def unique(name: str, taken: set[str]) -> str:
    """`name`, or `name-2`, `name-3`… (compared case-insensitively: file names on macOS/Windows)."""
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate = f"{name}-{n}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


# -- the relation graph ------------------------------------------------------------------------


def relation_weights(models: list[Item]) -> dict[tuple[int, int], float]:
    """Undirected edge weights between models: one per relation field pointing at another model."""
    index = {item.name: i for i, item in enumerate(models)}
    weights: dict[tuple[int, int], float] = {}
    for i, item in enumerate(models):
        for member in item.decl.members:
            if member.kind != "field":
                continue
            j = index.get(member.type_name)
            if j is None or j == i:
                continue
            key = (min(i, j), max(i, j))
            weights[key] = weights.get(key, 0.0) + 1.0
    return weights


def components(n: int, weights: Iterable[tuple[int, int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in weights:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def louvain(n: int, weights: dict[tuple[int, int], float], resolution: float = 1.0) -> list[list[int]]:
    """Communities of a weighted undirected graph (Louvain modularity), deterministic.

    Nodes are visited in index order (declaration order) and ties keep a node where it is, so
    the same schema always gives the same split.
    """
    members: list[list[int]] = [[i] for i in range(n)]
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    for (a, b), w in weights.items():
        adj[a][b] = adj[a].get(b, 0.0) + w
        if a != b:
            adj[b][a] = adj[b].get(a, 0.0) + w
    while True:
        labels = _one_level(adj, resolution)
        count = max(labels, default=-1) + 1
        if count == len(adj):
            break
        new_members: list[list[int]] = [[] for _ in range(count)]
        new_adj: list[dict[int, float]] = [{} for _ in range(count)]
        for node, label in enumerate(labels):
            new_members[label].extend(members[node])
            for other, w in adj[node].items():
                target = labels[other]
                if node == other:
                    new_adj[label][label] = new_adj[label].get(label, 0.0) + w
                elif label == target:
                    # each internal edge is seen from both ends: half each, as one self loop
                    new_adj[label][label] = new_adj[label].get(label, 0.0) + w / 2
                else:
                    new_adj[label][target] = new_adj[label].get(target, 0.0) + w
        members, adj = new_members, new_adj
    return [sorted(m) for m in members]


def _one_level(adj: list[dict[int, float]], resolution: float) -> list[int]:
    n = len(adj)
    degree = [sum(a.values()) + a.get(i, 0.0) for i, a in enumerate(adj)]  # a self loop counts twice
    total = sum(degree)
    comm = list(range(n))
    if total == 0:
        return comm
    tot = degree[:]
    for _ in range(100):
        moved = False
        for i in range(n):
            ci = comm[i]
            links: dict[int, float] = {}
            for j, w in adj[i].items():
                if j != i:
                    links[comm[j]] = links.get(comm[j], 0.0) + w
            tot[ci] -= degree[i]
            best = ci
            best_gain = links.get(ci, 0.0) - resolution * tot[ci] * degree[i] / total
            for c, w in links.items():
                gain = w - resolution * tot[c] * degree[i] / total
                if gain > best_gain + 1e-9:
                    best, best_gain = c, gain
            tot[best] += degree[i]
            if best != ci:
                comm[i] = best
                moved = True
        if not moved:
            break
    # Labels numbered in order of each community's first node.
    renumber: dict[int, int] = {}
    return [renumber.setdefault(c, len(renumber)) for c in comm]


def related_groups(models: list[Item], max_group: int = MAX_GROUP) -> list[list[int]]:
    """Groups of model indexes: connected components, large ones cut into communities."""
    weights = relation_weights(models)
    groups: list[list[int]] = []
    for comp in components(len(models), weights):
        parts = _cut(comp, weights, max_group, 1.0)
        groups.extend(_absorb_singles(parts, weights, max_group) if len(parts) > 1 else parts)
    return groups


def _cut(
    nodes: list[int], weights: dict[tuple[int, int], float], max_group: int, resolution: float
) -> list[list[int]]:
    if len(nodes) <= max_group or resolution > 8:
        return [nodes]
    local = {node: i for i, node in enumerate(nodes)}
    sub = {(local[a], local[b]): w for (a, b), w in weights.items() if a in local and b in local}
    parts = louvain(len(nodes), sub, resolution)
    if len(parts) == 1:
        # No community structure at this scale: look at a finer one.
        return _cut(nodes, weights, max_group, resolution * 1.5)
    out: list[list[int]] = []
    for part in parts:
        out.extend(_cut([nodes[i] for i in part], weights, max_group, 1.0))
    return out


def _absorb_singles(
    parts: list[list[int]], weights: dict[tuple[int, int], float], max_group: int
) -> list[list[int]]:
    """A one-model community of a cut component joins the community it is most linked to
    (an `Account` that only points at `User` belongs with `User`), unless that one is full."""
    home = {node: i for i, part in enumerate(parts) for node in part}
    groups = [list(p) for p in parts]
    for i, part in enumerate(parts):
        if len(part) != 1:
            continue
        node = part[0]
        links: dict[int, float] = {}
        for (a, b), w in weights.items():
            if node in (a, b) and a != b:
                other = home[b if a == node else a]
                if other != i:
                    links[other] = links.get(other, 0.0) + w
        best = max(sorted(links), key=lambda g: links[g], default=None)
        if best is None or len(groups[best]) >= max_group + max_group // 2:
            continue
        groups[best].append(node)
        groups[i] = []
        for n in part:
            home[n] = best
    return [sorted(g) for g in groups if g]


def central(group: list[int], models: list[Item], weights: dict[tuple[int, int], float]) -> Item:
    """The most connected model of a group (ties: the first declared)."""
    inside = set(group)
    degree = dict.fromkeys(group, 0.0)
    for (a, b), w in weights.items():
        if a in inside and b in inside:
            degree[a] += w
            degree[b] += w
    best = max(group, key=lambda i: (degree[i], -i))
    return models[best]


# -- grouping ----------------------------------------------------------------------------------


def group_models(models: list[Item], by: str, mapping: dict[str, str] | None) -> dict[str, str]:
    """Fragment name of each model and view."""
    if by == "model":
        return {item.name: kebab(item.name) for item in models}
    if by == "prefix":
        return {item.name: prefix(item.name) for item in models}
    if by == "file":
        raise AssertionError("file grouping is handled by the caller")
    if by == "map":
        assert mapping is not None
        return {item.name: mapping[item.name] for item in models}
    weights = relation_weights(models)
    assignment: dict[str, str] = {}
    taken: set[str] = {BASE}
    groups = related_groups(models)
    groups.sort(key=lambda g: g[0])
    linked = {node for pair in weights for node in pair}
    loners = [g[0] for g in groups if len(g) == 1 and g[0] not in linked]
    homes: dict[int, str] = {}
    for group in groups:
        if len(group) == 1 and group[0] in loners:
            continue
        name = unique(kebab(central(group, models, weights).name), taken)
        for i in group:
            assignment[models[i].name] = name
            homes[i] = name
    # Models with no relation at all join the group whose models share their first word
    # (`ModelHash` → the group of `Model`, `ModelFile`…); the rest share one fragment rather
    # than making many one-model files.
    by_prefix: dict[str, dict[str, int]] = {}
    for i, name in homes.items():
        counts = by_prefix.setdefault(prefix(models[i].name), {})
        counts[name] = counts.get(name, 0) + 1
    rest = []
    for i in loners:
        counts = by_prefix.get(prefix(models[i].name))
        if counts:
            assignment[models[i].name] = max(counts, key=lambda g: (counts[g], g))
        else:
            rest.append(i)
    if len(rest) == 1:
        assignment[models[rest[0]].name] = unique(kebab(models[rest[0]].name), taken)
    elif rest:
        name = unique("standalone", taken)
        for i in rest:
            assignment[models[i].name] = name
    return assignment


def place_others(
    items: list[Item], assignment: dict[str, str], by: str, mapping: dict[str, str] | None
) -> None:
    """Put enums, composite types and type aliases where they are used (in place)."""
    others = [item for item in items if item.keyword not in MODEL_KEYWORDS | CONFIG_KEYWORDS]
    if by == "map" and mapping:
        for item in others:
            if item.name in mapping:
                assignment[item.name] = mapping[item.name]
    groups = set(assignment.values())
    if by == "prefix":
        for item in others:
            if item.name not in assignment and prefix(item.name) in groups:
                assignment[item.name] = prefix(item.name)
    users: dict[str, list[str]] = {item.name: [] for item in others}
    for item in items:
        for member in item.decl.members:
            if member.kind == "field" and member.type_name in users and member.type_name != item.name:
                users[member.type_name].append(item.name)
    shared = "enums" if all(i.keyword == "enum" for i in others) else "shared"
    # Composite types can use enums and other types: place until nothing changes.
    changed = True
    while changed:
        changed = False
        for item in others:
            if item.name in assignment:
                continue
            homes = [assignment[u] for u in users[item.name] if u in assignment]
            if not homes or len(homes) < len(users[item.name]):
                continue
            distinct = list(dict.fromkeys(homes))
            if by == "model" and len(distinct) > 1:
                assignment[item.name] = shared
            else:
                assignment[item.name] = max(distinct, key=lambda g: (homes.count(g), -homes.index(g)))
            changed = True
    # Unused (or used only by each other): next to their neighbour in the original file.
    for pos, item in enumerate(items):
        if item.name in assignment or item.keyword in CONFIG_KEYWORDS:
            continue
        neighbour = None
        for other in [*reversed(items[:pos]), *items[pos + 1 :]]:
            if other.keyword not in CONFIG_KEYWORDS and other.name in assignment and other.file == item.file:
                neighbour = assignment[other.name]
                break
        assignment[item.name] = neighbour or shared


# -- the map file ------------------------------------------------------------------------------


def load_map(path: Path, items: list[Item]) -> dict[str, str]:
    """`Model = "fragment"` entries, or `fragment = ["Model", …]` lists (TOML or YAML)."""
    from ..sources import read_text

    display = path.as_posix()
    text = read_text(path, display, None)
    source = Source(display, text, str(path))
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # tomllib.TOMLDecodeError, yaml.YAMLError
        raise error(f"cannot read the map `{display}`: {exc}", Location(source, 0, 0), code="E502") from None
    if not isinstance(data, dict):
        raise error(
            f"the map `{display}` must map model names to fragment names",
            Location(source, 0, 0),
            code="E502",
            hint='e.g. `User = "user"`, or `user = ["User", "Account"]`',
        )

    def where(name: str) -> Location:
        at = max(text.find(name), 0)
        return Location(source, at, at + len(name))

    mapping: dict[str, str] = {}
    problems: list[Diagnostic] = []
    declared = {item.name: item for item in items if item.keyword not in CONFIG_KEYWORDS}
    pairs: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, list):
            pairs.extend((str(model), key) for model in value)
        else:
            pairs.append((str(key), value))
    for model, fragment in pairs:
        if not isinstance(fragment, str) or not _NAME_OK.fullmatch(fragment):
            problems.append(
                Diagnostic(
                    f"`{model}` maps to {json.dumps(fragment)}: expected a fragment name "
                    "(letters, digits, `_` and `-`)",
                    where(model),
                    code="E502",
                )
            )
            continue
        if model not in declared:
            problems.append(
                Diagnostic(
                    f"`{model}` is no model, view, enum or type of the schema",
                    where(model),
                    code="E502",
                    hint=did_you_mean(model, set(declared)),
                )
            )
            continue
        if mapping.get(model, fragment) != fragment:
            problems.append(
                Diagnostic(
                    f"`{model}` is mapped to two fragments: `{mapping[model]}` and `{fragment}`",
                    where(model),
                    code="E502",
                )
            )
        mapping[model] = fragment
    missing = [i.name for i in items if i.keyword in MODEL_KEYWORDS and i.name not in mapping]
    if missing:
        problems.append(
            Diagnostic(
                f"the map `{display}` leaves out {len(missing)} model(s): {', '.join(missing)}",
                Location(source, 0, 0),
                code="E502",
                hint="map every model and view (enums and types follow the models that use them)",
            )
        )
    if problems:
        raise ComposeError(problems)
    return mapping


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
    folder_input = len(sources) > 1 if folder_input is None else folder_input
    by = by or ("file" if folder_input else "related")
    if by not in BY_CHOICES:
        raise ValueError(f"unknown grouping {by!r}")
    output = output or (DEFAULT_FOLDER_OUTPUT if folder_input else DEFAULT_OUTPUT)
    schemas = parse_all(sources) if schemas is None else schemas
    fragments_dir = fragments_dir.strip("/") or "."
    if by == "file":
        fragments = plan_by_file(sources, schemas, fragments_dir)
    else:
        items = collect_items(schemas)
        check_duplicates(items)
        fragments = plan_by_group(items, by, mapping, fragments_dir)
    label = input_label or (sources[0].display if len(sources) == 1 else "a multi-file schema")
    manifest = manifest_text(fragments, target, output, label, by)
    files = {f.path: f.text for f in fragments}
    files["prisma.compose.toml"] = manifest
    return SplitResult(fragments, manifest, target, output, files, schemas)


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
        fragments[BASE] = PlannedFragment(BASE, _join(fragments_dir, f"{BASE}.prisma"), config)
    for item in items:
        if item.keyword in CONFIG_KEYWORDS:
            continue
        name = assignment[item.name]
        frag = fragments.get(name)
        if frag is None:
            frag = fragments[name] = PlannedFragment(name, _join(fragments_dir, f"{name}.prisma"))
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
        stem = rel.stem if _NAME_OK.fullmatch(rel.stem) else kebab(rel.stem)
        name = unique(stem, taken)
        text = source.text if source.text.endswith("\n") or not source.text else source.text + "\n"
        items = [Item(d, 0, d.text) for d in schema.declarations]
        fragments.append(
            PlannedFragment(
                name, _join(fragments_dir, rel.as_posix()), items, text, explicit_name=name != rel.stem
            )
        )
    return fragments


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


def _join(folder: str, name: str) -> str:
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
    from ..compose import compose_target
    from ..manifest import parse_manifest
    from ..sources import Fragment

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
    original = sorted(_normal(d) for schema in schemas for d in schema.declarations)
    built_schemas = parse_all([Source(path, body) for path, body in composed])
    built = sorted(_normal(d) for schema in built_schemas for d in schema.declarations)
    if original == built:
        return []
    missing = [t.split("\n")[0][:60] for t in set(original) - set(built)]
    extra = [t.split("\n")[0][:60] for t in set(built) - set(original)]
    return [f"lost: {m}" for m in missing] + [f"changed or added: {e}" for e in extra]


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
    from ..backups import free_backup_path
    from ..staging import Change, write_all

    changes: list[Change] = []
    existing: list[str] = []
    backups: list[tuple[str, str]] = []
    taken: set[str] = set()
    for rel, text in files.items():
        path = out / rel
        display = _join(out.as_posix(), rel)
        try:
            old = path.read_bytes() if path.is_file() else None
        except OSError as exc:
            raise error(f"cannot read `{display}`: {exc.strerror or exc}", None, code="E504") from None
        if old is None and (path.exists() or path.is_symlink()):
            raise error(
                f"`{display}` is in the way: it is not a file", None, code="E504",
                hint="choose another --out folder, or move it away",
            )
        if old is not None:
            existing.append(rel)
            if old == text.encode("utf-8"):
                continue
            if backup:
                spare = free_backup_path(path, taken)
                taken.add(spare.name)
                shown = _join(out.as_posix(), str(PurePosixPath(rel).with_name(spare.name)))
                changes.append(Change(spare, old, shown, None))
                backups.append((display, shown))
        changes.append(Change(path, text, display, old))
    if existing and not force:
        raise error(
            f"`{out.as_posix()}` already holds {', '.join(f'`{e}`' for e in existing[:5])}"
            + (" and more" if len(existing) > 5 else ""),
            None,
            code="E504",
            hint="choose another --out folder, or pass --force to replace these files (keeping a .bak copy "
            "of each)",
        )
    done = write_all(changes, code="E504")
    spares = {shown for _, shown in backups}
    return WriteReport([c.display for c in done.written if c.display not in spares], backups, done)


def run(
    schema: str,
    out: str | None,
    by: str | None = None,
    map_file: str | None = None,
    fragments_dir: str = DEFAULT_FRAGMENTS_DIR,
    output: str | None = None,
    force: bool = False,
    dry_run: bool = False,
) -> int:
    from .errors import error_handler

    if not out:
        print("compose: error: `--out DIR` is required: the folder for the manifest and the fragments",
              file=sys.stderr)
        return 2
    if map_file and by not in (None, "map"):
        print("compose: error: --map goes with --by map", file=sys.stderr)
        return 2
    if by == "map" and not map_file:
        print(
            "compose: error: --by map needs --map FILE (a TOML or YAML map of model → fragment)",
            file=sys.stderr,
        )
        return 2
    if map_file:
        by = "map"
    for option, value in (("--output", output), ("--fragments-dir", fragments_dir)):
        if value is not None and (PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts):
            print(f"compose: error: {option} must be a relative path inside --out", file=sys.stderr)
            return 2
    with error_handler("split") as handled:
        result = split_path(
            Path(schema), Path(out), by, Path(map_file) if map_file else None, fragments_dir, output
        )
        written = None if dry_run else write_files(Path(out), result.files, force)
    if handled.code is not None:
        return handled.code
    verb = "would write" if dry_run else "wrote"
    for frag in result.fragments:
        print(f"{verb} {_join(out, frag.path)}  ({frag.summary() or 'comments only'})", file=sys.stderr)
        if dry_run and frag.items:
            print(f"    {', '.join(item.name for item in frag.items)}", file=sys.stderr)
    print(
        f"{verb} {_join(out, 'prisma.compose.toml')}  (target `{result.target}` → {result.output})",
        file=sys.stderr,
    )
    for replaced, spare in written.backups if written else []:
        print(f"kept the old {replaced} as {spare}", file=sys.stderr)
    if not dry_run:
        build = "compose build --force" if _not_composed(Path(out), result) else "compose build"
        print(f"compose: {len(result.fragments)} fragment(s); next: `{build}` in {out}", file=sys.stderr)
        if build.endswith("--force"):
            print(
                f"compose: `{result.output}` exists and was not written by compose: `--force` replaces it, "
                "keeping a .bak copy",
                file=sys.stderr,
            )
    return 0


def _not_composed(out: Path, result: SplitResult) -> bool:
    """Does the target's output already exist, not written by compose (so `build` would refuse)?"""
    from ..output import verify

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
