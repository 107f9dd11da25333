"""`compose graph [TARGET]`: the dependency graph of the fragments, or of the models.

`--level fragment` (default): one node per fragment; `A --> B` when a declaration of A depends on
one of B (the rule the composer orders fragments by, README "How fragments are composed", 2),
`A -.->|extends| B` when A only adds to a declaration of B with `/// @extend`.

`--level model`: one node per model, view, enum and composite type, grouped by fragment;
`Post -->|author| User` for a relation, drawn from the model that holds the foreign key
(`@relation(fields: …)`) to the one it references; an implicit many-to-many relation as one
`<-->` edge; `Post -.-> Status` for a field typed by an enum or composite type.

Cycles — fragments that depend on each other, models that hold foreign keys to each other —
are marked: thick red edges, red nodes and a `%% cycle:` comment (Mermaid); red edges (DOT).

`--into FILE` replaces what is between `<!-- compose:graph -->` and `<!-- /compose:graph -->` in a
Markdown file with a fenced diagram, and records the options used in the opening marker
(`<!-- compose:graph level=model -->`), so that `stale_markdown()` (a check of the diagrams for a
script or a test; `compose check` does not look at them) can regenerate every diagram of the file
on its own. Markers inside fenced code blocks are text.

A missing FILE (in an existing folder) is created with one diagram between markers. The file is
replaced like a fragment by `compose format` (composer/staging.py): through a symlink, never over
a change saved meanwhile, a BOM and CRLF line endings kept.

Error codes: E650 a broken marker, E651 no markers or no such file, E652 a marker naming an
unknown target, E653 the file cannot be written (read-only, changed meanwhile, hard links).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import ComposeError, Diagnostic, Location, Source, error

if TYPE_CHECKING:
    from ..compose import Merged
    from ..manifest import Manifest
    from ..psl import Declaration, Member
    from ..sources import Fragment, Loader

Renderer = Callable[[dict[str, str]], str]

FORMATS = ("mermaid", "dot")
LEVELS = ("fragment", "model")
DEFAULTS = {"level": "fragment", "format": "mermaid", "target": ""}
OPEN_MARKER = "<!-- compose:graph -->"
CLOSE_MARKER = "<!-- /compose:graph -->"
_OPEN = re.compile(r"^[ \t]*<!--[ \t]*compose:graph\b(?P<opts>[^>]*?)[ \t]*-->[ \t]*$")
_CLOSE = re.compile(r"^[ \t]*<!--[ \t]*/compose:graph[ \t]*-->[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_SAFE_ID = re.compile(r"[^A-Za-z0-9_]")


# -- the graph ---------------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    name: str
    kind: str  # "fragment" | "model" | "view" | "enum" | "type" | "alias"
    label: str
    group: str | None = None  # model level: the fragment's node id
    cycle: bool = False


@dataclass
class Edge:
    source: str
    target: str
    kind: str  # "depends" | "extends" (fragment level); "relation" | "many" | "uses" (model level)
    labels: list[str] = field(default_factory=list)
    cycle: bool = False


@dataclass
class Graph:
    level: str
    title: str
    nodes: list[Node]
    edges: list[Edge]
    groups: list[Node] = field(default_factory=list)  # model level: fragments as subgraphs
    cycles: list[list[str]] = field(default_factory=list)  # node names of each cycle


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def fragment_summary(frag: Fragment) -> str:
    counts: dict[str, int] = {}
    for decl in frag.schema.declarations:
        kind = "extension" if decl.is_extend else decl.keyword
        counts[kind] = counts.get(kind, 0) + 1
    words = {"datasource": "datasource", "generator": "generator", "alias": "type alias"}
    return ", ".join(plural(n, words.get(k, k)) for k, n in counts.items())


class _Ids:
    """Identifiers safe in Mermaid (`end`, `graph`… are keywords there) and DOT."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, prefix: str, name: str) -> str:
        base = prefix + _SAFE_ID.sub("_", name)
        candidate, n = base, 2
        while candidate in self.taken:
            candidate = f"{base}_{n}"
            n += 1
        self.taken.add(candidate)
        return candidate


def build_graph(manifest: Manifest, fragments: list[Fragment], target_name: str | None, level: str) -> Graph:
    from ..compose import collect, fragment_order, select_fragments

    if target_name:
        selected = select_fragments(fragments, manifest.targets[target_name])
        title = f"target {target_name}"
    else:
        selected = list(fragments)
        title = "all fragments"
    try:
        _, _, named = collect(selected, fragments)
    except ComposeError as exc:
        if not target_name and manifest.targets:
            # Fragments meant for different targets may declare the same name.
            for d in exc.diagnostics:
                d.hint = (d.hint + "; " if d.hint else "") + "or draw one target: `compose graph TARGET`"
        raise
    order = fragment_order(selected, named)
    ids = _Ids()
    frag_ids = {id(f): ids.make("f_", f.name) for f in order}
    if level == "fragment":
        return _fragment_graph(order, named, frag_ids, title)
    return _model_graph(order, named, frag_ids, ids, title)


def _dependencies(named: dict[str, Merged]) -> Iterator[tuple[Merged, str]]:
    from ..graph import declaration_dependencies

    index = {name: m.decl for name, m in named.items()}
    for merged in named.values():
        for dep in declaration_dependencies(merged.decl, index, merged.members()):
            yield merged, dep


def _fragment_graph(
    order: list[Fragment], named: dict[str, Merged], frag_ids: dict[int, str], title: str
) -> Graph:
    nodes = [Node(frag_ids[id(f)], f.name, "fragment", f.name, None) for f in order]
    summaries = {frag_ids[id(f)]: fragment_summary(f) for f in order}
    for node in nodes:
        if summaries[node.id]:
            node.label = f"{node.name}<br/>{summaries[node.id]}"
    edges: dict[tuple[str, str], Edge] = {}
    for merged, dep in _dependencies(named):
        a, b = frag_ids[id(merged.fragment)], frag_ids[id(named[dep].fragment)]
        if a != b:
            edges.setdefault((a, b), Edge(a, b, "depends"))
    for merged in named.values():
        for frag, _, _ in [*merged.fields, *merged.attributes]:
            a, b = frag_ids[id(frag)], frag_ids[id(merged.fragment)]
            if a != b:
                edges.setdefault((a, b), Edge(a, b, "extends", ["extends"]))
    ordered = sorted(edges.values(), key=_edge_order(nodes))
    graph = Graph("fragment", title, nodes, ordered)
    _mark_cycles(graph, [e for e in ordered if e.kind == "depends"])
    return graph


def _model_graph(
    order: list[Fragment], named: dict[str, Merged], frag_ids: dict[int, str], ids: _Ids, title: str
) -> Graph:
    from ..graph import NAMED_KINDS

    groups = [Node(frag_ids[id(f)], f.name, "fragment", f.name) for f in order]
    nodes: list[Node] = []
    node_of: dict[str, str] = {}
    for frag in order:
        for decl in frag.schema.declarations:
            merged = named.get(decl.name)
            if merged is None or merged.decl is not decl or decl.keyword not in NAMED_KINDS:
                continue
            prefix = {"model": "m_", "view": "v_", "enum": "e_", "type": "t_", "alias": "t_"}[decl.keyword]
            node = Node(ids.make(prefix, decl.name), decl.name, decl.keyword, decl.name, frag_ids[id(frag)])
            if decl.keyword not in ("model", "view"):
                node.label = f"{'type' if decl.keyword == 'alias' else decl.keyword} {decl.name}"
            nodes.append(node)
            node_of[decl.name] = node.id
    edges: dict[tuple[str, str, str], Edge] = {}
    many_seen: set[tuple[str, str, str]] = set()
    for merged in named.values():
        decl = merged.decl
        if decl.keyword not in ("model", "view", "type"):
            continue
        for member in merged.members():
            if member.kind != "field" or member.type_name not in named:
                continue
            other = named[member.type_name].decl
            a, b = node_of[decl.name], node_of[other.name]
            if other.keyword in ("enum", "type", "alias"):
                edges.setdefault((a, b, "uses"), Edge(a, b, "uses"))
                continue
            relation = member.attribute("relation")
            fields = relation.arg("fields") if relation is not None else None
            if fields is not None and fields.names():
                edge = edges.setdefault((a, b, "relation"), Edge(a, b, "relation"))
                edge.labels.append(member.name)
            elif member.is_list and _is_implicit_many(other, member, decl.name):
                key = (min(decl.name, other.name), max(decl.name, other.name), _relation_name(member) or "")
                if key not in many_seen:
                    many_seen.add(key)
                    edge = edges.setdefault((a, b, "many"), Edge(a, b, "many"))
                    edge.labels.append(member.name)
    ordered = sorted(edges.values(), key=_edge_order(nodes))
    graph = Graph("model", title, nodes, ordered, groups)
    _mark_cycles(graph, [e for e in ordered if e.kind == "relation"])
    return graph


def _relation_name(member: Member) -> str | None:
    relation = member.attribute("relation")
    if relation is None:
        return None
    name = relation.arg("name", 0)
    return name.value if name is not None and name.kind == "string" else None


def _is_implicit_many(other: Declaration, member: Member, me: str) -> bool:
    """`other` has a list field back to `me` (not `member` itself: a self-relation), without
    `fields:` and with the same relation name: an implicit many-to-many relation."""
    name = _relation_name(member)
    for m in other.members:
        if m is member or m.kind != "field" or m.type_name != me or not m.is_list:
            continue
        relation = m.attribute("relation")
        fields = relation.arg("fields") if relation is not None else None
        if (fields is None or not fields.names()) and _relation_name(m) == name:
            return True
    return False


def _edge_order(nodes: list[Node]) -> Callable[[Edge], tuple[int, int, int]]:
    position = {n.id: i for i, n in enumerate(nodes)}
    kinds = {"depends": 0, "relation": 0, "many": 1, "extends": 2, "uses": 3}
    return lambda e: (position[e.source], kinds[e.kind], position[e.target])


def _mark_cycles(graph: Graph, edges: list[Edge]) -> None:
    from ..graph import cycles

    position = {n.id: i for i, n in enumerate(graph.nodes)}
    groups = cycles(len(graph.nodes), [(position[e.source], position[e.target]) for e in edges])
    member_of: dict[int, int] = {}
    for g, group in enumerate(groups):
        for i in group:
            member_of[i] = g
            graph.nodes[i].cycle = True
        graph.cycles.append([graph.nodes[i].name for i in sorted(group)])
    for e in edges:
        a, b = position[e.source], position[e.target]
        if a != b and a in member_of and member_of.get(b) == member_of[a]:
            e.cycle = True


# -- rendering ---------------------------------------------------------------------------------


def _mermaid_label(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def _mermaid_node(node: Node) -> str:
    label = _mermaid_label(node.label)
    shapes = {"enum": "([{}])", "type": "[[{}]]", "alias": "[[{}]]", "view": "[/{}/]"}
    return node.id + shapes.get(node.kind, "[{}]").format(label)


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR", f"  %% compose graph: {graph.level} level, {graph.title}"]
    if graph.groups:
        for group in graph.groups:
            members = [n for n in graph.nodes if n.group == group.id]
            if not members:
                continue
            lines.append(f"  subgraph {group.id} [{_mermaid_label(group.label)}]")
            lines.extend(f"    {_mermaid_node(n)}" for n in members)
            lines.append("  end")
    else:
        lines.extend(f"  {_mermaid_node(n)}" for n in graph.nodes)
    cycle_links: list[int] = []
    for i, e in enumerate(graph.edges):
        label = ", ".join(e.labels)
        if e.kind in ("uses", "extends"):
            arrow = "-.->"
        elif e.kind == "many":
            arrow = "<-->"
        else:
            arrow = "==>" if e.cycle else "-->"
        text = f"|{_mermaid_label(label)}|" if label else ""
        lines.append(f"  {e.source} {arrow}{text} {e.target}")
        if e.cycle:
            cycle_links.append(i)
    for cycle in graph.cycles:
        lines.append(f"  %% cycle: {' ⇄ '.join(cycle)}")
    cyclic = [n.id for n in graph.nodes if n.cycle]
    if cyclic:
        lines.append("  classDef cycle stroke:#d33,stroke-width:3px")
        lines.append(f"  class {','.join(cyclic)} cycle")
    if cycle_links:
        lines.append(f"  linkStyle {','.join(map(str, cycle_links))} stroke:#d33,stroke-width:3px")
    return "\n".join(lines) + "\n"


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: Graph) -> str:
    lines = [
        "digraph compose {",
        f"  // compose graph: {graph.level} level, {graph.title}",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    shapes = {"enum": "ellipse", "type": "component", "alias": "component", "view": "box"}

    def node_line(n: Node, indent: str) -> str:
        attrs = ["label=" + _dot_id(n.label).replace("<br/>", "\\n")]
        if n.kind in shapes:
            attrs.append(f"shape={shapes[n.kind]}")
        if n.kind == "view":
            attrs.append("style=dashed")
        if n.cycle:
            attrs.append('color="#dd3333", penwidth=2')
        return f"{indent}{_dot_id(n.id)} [{', '.join(attrs)}];"

    if graph.groups:
        for group in graph.groups:
            members = [n for n in graph.nodes if n.group == group.id]
            if not members:
                continue
            lines.append(f"  subgraph {_dot_id('cluster_' + group.id)} {{")
            lines.append(f"    label={_dot_id(group.label)};")
            lines.extend(node_line(n, "    ") for n in members)
            lines.append("  }")
    else:
        lines.extend(node_line(n, "  ") for n in graph.nodes)
    for e in graph.edges:
        attrs = []
        if e.labels:
            attrs.append(f"label={_dot_id(', '.join(e.labels))}")
        if e.kind in ("uses", "extends"):
            attrs.append("style=dashed")
        if e.kind == "many":
            attrs.append("dir=both")
        if e.cycle:
            attrs.append('color="#dd3333", penwidth=2')
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_dot_id(e.source)} -> {_dot_id(e.target)}{suffix};")
    for cycle in graph.cycles:
        lines.append(f"  // cycle: {' <-> '.join(cycle)}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph: Graph, fmt: str) -> str:
    return render_dot(graph) if fmt == "dot" else render_mermaid(graph)


def graph_text(
    manifest: Manifest,
    level: str = "fragment",
    fmt: str = "mermaid",
    target: str | None = None,
    loader: Loader | None = None,
) -> str:
    """The rendered graph of a manifest (raises ComposeError on bad input, KeyError-free)."""
    from ..sources import Loader

    loaded = (loader or Loader()).load(manifest)
    return render(build_graph(manifest, loaded.fragments, target or None, level), fmt)


# -- Markdown markers --------------------------------------------------------------------------


@dataclass
class Region:
    open_line: int  # 0-based index of the opening marker line
    close_line: int
    options: dict[str, str]
    indent: str


def find_regions(source: Source) -> list[Region]:
    """The `<!-- compose:graph … -->` … `<!-- /compose:graph -->` regions of a Markdown text."""
    lines = source.text.replace("\r\n", "\n").split("\n")
    regions: list[Region] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if fence is not None:
            if (
                m
                and m.group(1)[0] == fence[0]
                and len(m.group(1)) >= len(fence)
                and not line.strip()[len(m.group(1)) :]
            ):
                fence = None
            i += 1
            continue
        if m:
            fence = m.group(1)
            i += 1
            continue
        if _CLOSE.match(line):
            raise _marker_error(source, i, "a closing `<!-- /compose:graph -->` without an opening marker")
        om = _OPEN.match(line)
        if om is None:
            i += 1
            continue
        options = _parse_options(source, i, om.group("opts"))
        j = i + 1
        while j < len(lines) and not _CLOSE.match(lines[j]):
            if _OPEN.match(lines[j]):
                raise _marker_error(source, j, "a second opening marker before the closing one")
            j += 1
        if j == len(lines):
            raise _marker_error(
                source,
                i,
                "this `compose:graph` marker is never closed",
                hint=f"add `{CLOSE_MARKER}` on its own line where the diagram should end",
            )
        regions.append(Region(i, j, options, line[: len(line) - len(line.lstrip())]))
        i = j + 1
    return regions


def _parse_options(source: Source, line: int, text: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        allowed = {"level": LEVELS, "format": FORMATS}
        if not sep or key not in (*allowed, "target"):
            raise _marker_error(
                source,
                line,
                f"unknown marker option `{token}`",
                hint="options are level=fragment|model, format=mermaid|dot and target=NAME",
            )
        if key in allowed and value not in allowed[key]:
            raise _marker_error(
                source, line, f"`{key}` is `{value}`; expected one of {', '.join(allowed[key])}"
            )
        options[key] = value
    return options


def _marker_error(source: Source, line: int, message: str, hint: str | None = None) -> ComposeError:
    start = source.offset_of(line + 1)
    end = source.offset_of(line + 2) - 1 if line + 1 < len(source.line_starts()) else len(source.text)
    return ComposeError(Diagnostic(message, Location(source, start, max(start, end)), code="E650", hint=hint))


def marker_line(indent: str, options: dict[str, str]) -> str:
    opts = " ".join(
        f"{k}={options[k]}"
        for k in ("level", "format", "target")
        if options.get(k, DEFAULTS[k]) != DEFAULTS[k]
    )
    return f"{indent}<!-- compose:graph{' ' + opts if opts else ''} -->"


def fill_markdown(
    source: Source,
    render_for: Renderer,
    overrides: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The Markdown text with every graph region regenerated; returns (text, number of regions).

    `render_for(options)` renders one diagram; `overrides` (explicit command-line options) win
    over a marker's own options and are then recorded in it.
    """
    regions = find_regions(source)
    if not regions:
        raise error(
            f"`{source.display}` has no `{OPEN_MARKER}` … `{CLOSE_MARKER}` markers",
            None,
            code="E651",
            hint=f"put the two markers, each on its own line, where the diagram should go:\n\n"
            f"    {OPEN_MARKER}\n    {CLOSE_MARKER}",
        )
    newline = "\r\n" if "\r\n" in source.text else "\n"
    lines = source.text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    cursor = 0
    for region in regions:
        options = {**region.options, **(overrides or {})}
        diagram = render_for({k: options.get(k, DEFAULTS[k]) for k in DEFAULTS})
        fence = "dot" if options.get("format") == "dot" else "mermaid"
        out.extend(lines[cursor : region.open_line])
        out.append(marker_line(region.indent, options))
        out.append(f"```{fence}")
        out.extend(diagram.rstrip("\n").split("\n"))
        out.append("```")
        out.append(lines[region.close_line])
        cursor = region.close_line + 1
    out.extend(lines[cursor:])
    return newline.join(out), len(regions)


def _read(path: Path) -> Source:
    return _read_raw(path)[0]


def _read_raw(path: Path) -> tuple[Source, bytes]:
    """The Markdown file as text (a BOM dropped) and as the bytes read."""
    from ..sources import read_text

    display = path.as_posix()
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"`{display}` does not exist", None, code="E651") from None
    except (OSError, UnicodeDecodeError):
        read_text(path, display, None)  # raises the usual diagnostics
        raise
    return Source(display, text, str(path)), data


def _into(manifest: Manifest, path: Path, overrides: dict[str, str]) -> int:
    """`--into FILE`: refresh the diagrams of FILE, or create it with one diagram."""
    from ..staging import Change, write_all

    display = path.as_posix()
    expected: bytes | None
    if path.exists() or path.is_symlink():
        source, expected = _read_raw(path)
    elif path.parent.is_dir():
        source, expected = Source(display, f"{OPEN_MARKER}\n{CLOSE_MARKER}\n", str(path)), None
    else:
        raise error(
            f"`{display}` does not exist, nor does its folder `{path.parent.as_posix()}`",
            None,
            code="E651",
            hint="give a Markdown file in an existing folder (it is created with the diagram)",
        )
    text, count = fill_markdown(source, renderer(manifest, None, source), overrides)
    if expected is not None and text == source.text:
        print(f"{display} is up to date ({plural(count, 'graph')})", file=sys.stderr)
        return 0
    bom = "\ufeff" if expected is not None and expected.startswith(b"\xef\xbb\xbf") else ""
    write_all([Change(path, bom + text, display, expected)], code="E653")
    verb = "created" if expected is None else "updated"
    print(f"{verb} {display} ({plural(count, 'graph')})", file=sys.stderr)
    return 0


def stale_markdown(manifest: Manifest, path: Path, loader: Loader | None = None) -> tuple[str, str] | None:
    """A check of the diagrams (`compose check` does not call it): `(current, expected)` text of
    Markdown file `path` when a diagram between its `compose:graph` markers is out of date, None
    when all are current.

    Each diagram is regenerated with the options recorded in its marker. Raises ComposeError
    (missing file, no or broken markers, an unknown target, bad fragments)."""
    source = _read(path)
    expected, _ = fill_markdown(source, renderer(manifest, loader, source))
    return None if expected == source.text else (source.text, expected)


def renderer(manifest: Manifest, loader: Loader | None, source: Source) -> Renderer:
    """The `render_for` of `fill_markdown`: the project's diagrams, each rendered once."""
    from ..sources import Loader as LoaderClass

    loaded = (loader or LoaderClass()).load(manifest)
    cache: dict[tuple[str, str, str], str] = {}

    def render_for(options: dict[str, str]) -> str:
        target = options["target"] or None
        if target is not None and target not in manifest.targets:
            raise error(
                f"`{source.display}`: a graph marker names target `{target}`, which the manifest lacks",
                None,
                code="E652",
                hint="targets: " + ", ".join(manifest.targets),
            )
        key = (options["level"], options["format"], options["target"])
        if key not in cache:
            graph = build_graph(manifest, loaded.fragments, target, options["level"])
            cache[key] = render(graph, options["format"])
        return cache[key]

    return render_for


# -- the command -------------------------------------------------------------------------------


def run(
    target: str | None,
    manifest_option: str | None,
    fmt: str | None = None,
    level: str | None = None,
    into: str | None = None,
) -> int:
    from .. import pipeline
    from ..manifest import load_manifest
    from .errors import error_handler

    with error_handler("graph") as handled:
        manifest = load_manifest(pipeline.locate_manifest(manifest_option))
        if target:
            pipeline.pick_targets(manifest, [target])
        if into is None:
            graph_out = graph_text(manifest, level or "fragment", fmt or "mermaid", target)
            sys.stdout.write(graph_out)
            return 0
        overrides = {k: v for k, v in (("level", level), ("format", fmt), ("target", target)) if v}
        return _into(manifest, Path(into), overrides)
    return handled.code or 0
