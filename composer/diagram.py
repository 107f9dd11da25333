"""The diagram `compose graph` draws: the graph of the fragments or of the models (`build_graph`),
rendered as Mermaid or Graphviz DOT (`render`). The levels, edges and cycle marks are described in
`composer/commands/graph.py`. Also used by the Markdown markers (`composer/graph_markers.py`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .diagnostics import ComposeError

if TYPE_CHECKING:
    from .compose import Merged
    from .manifest import Manifest
    from .psl import Declaration, Member
    from .sources import Fragment, Loader

FORMATS = ("mermaid", "dot")
LEVELS = ("fragment", "model")
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
    from .compose import collect, fragment_order, select_fragments

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
    from .graph import declaration_dependencies

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
    edges = _fragment_edges(named, frag_ids)
    ordered = sorted(edges.values(), key=_edge_order(nodes))
    graph = Graph("fragment", title, nodes, ordered)
    _mark_cycles(graph, [e for e in ordered if e.kind == "depends"])
    return graph


def _fragment_edges(named: dict[str, Merged], frag_ids: dict[int, str]) -> dict[tuple[str, str], Edge]:
    """A depends on B when a declaration of A depends on one of B; else A extends B when it adds
    to a declaration of B."""
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
    return edges


def _model_graph(
    order: list[Fragment], named: dict[str, Merged], frag_ids: dict[int, str], ids: _Ids, title: str
) -> Graph:
    groups = [Node(frag_ids[id(f)], f.name, "fragment", f.name) for f in order]
    nodes = _model_nodes(order, named, frag_ids, ids)
    node_of = {node.name: node.id for node in nodes}
    edges: dict[tuple[str, str, str], Edge] = {}
    many_seen: set[tuple[str, str, str]] = set()
    for merged in named.values():
        if merged.decl.keyword not in ("model", "view", "type"):
            continue
        for member in merged.members():
            if member.kind == "field" and member.type_name in named:
                _field_edge(merged.decl, member, named[member.type_name].decl, node_of, edges, many_seen)
    ordered = sorted(edges.values(), key=_edge_order(nodes))
    graph = Graph("model", title, nodes, ordered, groups)
    _mark_cycles(graph, [e for e in ordered if e.kind == "relation"])
    return graph


_NODE_PREFIXES = {"model": "m_", "view": "v_", "enum": "e_", "type": "t_", "alias": "t_"}


def _model_nodes(
    order: list[Fragment], named: dict[str, Merged], frag_ids: dict[int, str], ids: _Ids
) -> list[Node]:
    """One node per model, view, enum, composite type and alias, in fragment order (the
    declaration itself, not its `@extend` additions)."""
    from .graph import NAMED_KINDS

    nodes: list[Node] = []
    for frag in order:
        for decl in frag.schema.declarations:
            merged = named.get(decl.name)
            if merged is None or merged.decl is not decl or decl.keyword not in NAMED_KINDS:
                continue
            node = Node(
                ids.make(_NODE_PREFIXES[decl.keyword], decl.name), decl.name, decl.keyword, decl.name,
                frag_ids[id(frag)],
            )
            if decl.keyword not in ("model", "view"):
                node.label = f"{'type' if decl.keyword == 'alias' else decl.keyword} {decl.name}"
            nodes.append(node)
    return nodes


def _field_edge(
    decl: Declaration,
    member: Member,
    other: Declaration,
    node_of: dict[str, str],
    edges: dict[tuple[str, str, str], Edge],
    many_seen: set[tuple[str, str, str]],
) -> None:
    """The edge a field of `decl` typed `other` draws, if any: uses, a relation holding the
    foreign key, or one side of an implicit many-to-many relation (drawn once)."""
    a, b = node_of[decl.name], node_of[other.name]
    if other.keyword in ("enum", "type", "alias"):
        edges.setdefault((a, b, "uses"), Edge(a, b, "uses"))
        return
    relation = member.attribute("relation")
    fields = relation.arg("fields") if relation is not None else None
    if fields is not None and fields.names():
        edges.setdefault((a, b, "relation"), Edge(a, b, "relation")).labels.append(member.name)
    elif member.is_list and _is_implicit_many(other, member, decl.name):
        key = (min(decl.name, other.name), max(decl.name, other.name), _relation_name(member) or "")
        if key not in many_seen:
            many_seen.add(key)
            edges.setdefault((a, b, "many"), Edge(a, b, "many")).labels.append(member.name)


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
    from .graph import cycles

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


def _grouped(graph: Graph) -> list[tuple[Node, list[Node]]]:
    """Each fragment group of a model graph with its nodes (groups without any left out)."""
    pairs = [(group, [n for n in graph.nodes if n.group == group.id]) for group in graph.groups]
    return [(group, members) for group, members in pairs if members]


def render_mermaid(graph: Graph) -> str:
    lines = ["flowchart LR", f"  %% compose graph: {graph.level} level, {graph.title}"]
    if graph.groups:
        for group, members in _grouped(graph):
            lines.append(f"  subgraph {group.id} [{_mermaid_label(group.label)}]")
            lines.extend(f"    {_mermaid_node(n)}" for n in members)
            lines.append("  end")
    else:
        lines.extend(f"  {_mermaid_node(n)}" for n in graph.nodes)
    for e in graph.edges:
        label = ", ".join(e.labels)
        text = f"|{_mermaid_label(label)}|" if label else ""
        lines.append(f"  {e.source} {_mermaid_arrow(e)}{text} {e.target}")
    lines.extend(_mermaid_cycles(graph))
    return "\n".join(lines) + "\n"


def _mermaid_arrow(e: Edge) -> str:
    if e.kind in ("uses", "extends"):
        return "-.->"
    if e.kind == "many":
        return "<-->"
    return "==>" if e.cycle else "-->"


def _mermaid_cycles(graph: Graph) -> list[str]:
    """The cycle comments, and the styles that draw cyclic nodes and links red."""
    lines = [f"  %% cycle: {' ⇄ '.join(cycle)}" for cycle in graph.cycles]
    cyclic = [n.id for n in graph.nodes if n.cycle]
    if cyclic:
        lines.append("  classDef cycle stroke:#d33,stroke-width:3px")
        lines.append(f"  class {','.join(cyclic)} cycle")
    cycle_links = [i for i, e in enumerate(graph.edges) if e.cycle]
    if cycle_links:
        lines.append(f"  linkStyle {','.join(map(str, cycle_links))} stroke:#d33,stroke-width:3px")
    return lines


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DOT_SHAPES = {"enum": "ellipse", "type": "component", "alias": "component", "view": "box"}


def _dot_node(n: Node, indent: str) -> str:
    attrs = ["label=" + _dot_id(n.label).replace("<br/>", "\\n")]
    if n.kind in _DOT_SHAPES:
        attrs.append(f"shape={_DOT_SHAPES[n.kind]}")
    if n.kind == "view":
        attrs.append("style=dashed")
    if n.cycle:
        attrs.append('color="#dd3333", penwidth=2')
    return f"{indent}{_dot_id(n.id)} [{', '.join(attrs)}];"


def _dot_edge(e: Edge) -> str:
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
    return f"  {_dot_id(e.source)} -> {_dot_id(e.target)}{suffix};"


def render_dot(graph: Graph) -> str:
    lines = [
        "digraph compose {",
        f"  // compose graph: {graph.level} level, {graph.title}",
        "  rankdir=LR;",
        '  node [shape=box, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    if graph.groups:
        for group, members in _grouped(graph):
            lines.append(f"  subgraph {_dot_id('cluster_' + group.id)} {{")
            lines.append(f"    label={_dot_id(group.label)};")
            lines.extend(_dot_node(n, "    ") for n in members)
            lines.append("  }")
    else:
        lines.extend(_dot_node(n, "  ") for n in graph.nodes)
    lines.extend(_dot_edge(e) for e in graph.edges)
    lines.extend(f"  // cycle: {' <-> '.join(cycle)}" for cycle in graph.cycles)
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
    from .sources import Loader

    loaded = (loader or Loader()).load(manifest)
    return render(build_graph(manifest, loaded.fragments, target or None, level), fmt)
