"""Dependencies between declarations and fragments, and the order they are written in.

A model that owns a foreign key (`@relation(fields: [...])`) depends on the model it references;
a field typed by an enum, a composite type or a type alias depends on that declaration.
Back-relation lists and the non-owning side of a 1:1 add nothing (README "How fragments are composed", 2).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from itertools import compress

from .psl import Declaration, Member, relation_names_fields, relation_with_fields

NAMED_KINDS = frozenset(("model", "enum", "type", "view", "alias"))
_ALWAYS = frozenset(("enum", "type", "alias"))  # a field of these types always depends on them


def field_relations(
    decl: Declaration, members: Iterable[Member] | None = None
) -> list[tuple[str, bool]]:
    """(type name, does the field own a foreign key) for each field of `decl`, or of `members`
    (a declaration with its `/// @extend` additions). A field owns one when it is not a list and
    its `@relation` names `fields:`. Read from the declaration's summary while its members are
    not built, so that they never need to be."""
    if members is None and decl.lazy:
        return [
            (t, mark != "[]" and "@relation" in attributes and relation_with_fields(attributes))
            for t, mark, attributes in decl.field_summary()
        ]
    out = []
    for m in decl.members if members is None else members:
        if m.kind == "field":
            relation = None if m.is_list else m.attribute("relation")
            out.append((m.type_name, relation is not None and relation_names_fields(relation)))
    return out


def dependencies(name: str, relations: list[tuple[str, bool]], keywords: dict[str, str]) -> list[str]:
    """Names a declaration called `name` with these field relations depends on, in field order,
    without repeats or itself: the types that own a foreign key, and every enum, composite type
    or alias (`keywords`: the keyword of each declared name)."""
    deps: list[str] = []
    for type_name, owns_key in relations:
        if type_name == name or type_name in deps:
            continue
        keyword = keywords.get(type_name)
        if keyword is not None and (owns_key or keyword in _ALWAYS):
            deps.append(type_name)
    return deps


def file_dependencies(types: Iterable[str], owners: Iterable[str], keywords: dict[str, str]) -> list[str]:
    """`dependencies` of a whole file's fields at once (`psl.fields.FileFields`): every enum,
    composite type or alias among `types`, and every declared type among `owners` (those a field
    holds a foreign key to). The file's own declarations are among them: an edge to itself,
    which `stable_order` ignores."""
    if not isinstance(types, (list, tuple)):
        types = list(types)  # read twice
    deps = list(compress(types, map(_ALWAYS.__contains__, map(keywords.get, types))))  # C loops
    deps.extend(filter(keywords.__contains__, owners))
    return deps


def declaration_dependencies(
    decl: Declaration, index: dict[str, Declaration], members: Iterable[Member] | None = None
) -> list[str]:
    """Names of the declarations `decl` depends on, in field order, without repeats or itself.

    `members` overrides the declaration's own (a declaration extended by `/// @extend` blocks).
    """
    relations = field_relations(decl, members)
    keywords = {t: index[t].keyword for t, _ in relations if t in index}
    return dependencies(decl.name, relations, keywords)


def stable_order(count: int, edges: Iterable[tuple[int, int]]) -> list[int]:
    """Order nodes 0..count-1 so that each comes after the nodes it depends on.

    `edges` are (node, dependency) pairs. Ties keep the original order (a stable topological
    sort); the nodes of a cycle are kept together, in their original order, placed where their
    earliest member would go.
    """
    deps: list[set[int]] = [set() for _ in range(count)]
    for node, dep in edges:
        if node != dep:
            deps[node].add(dep)
    acyclic = _acyclic_order(count, deps)
    if acyclic is not None:
        return acyclic
    comp = strongly_connected(count, deps)
    ncomp = max(comp, default=-1) + 1
    members: list[list[int]] = [[] for _ in range(ncomp)]
    for node in range(count):
        members[comp[node]].append(node)
    comp_deps: list[set[int]] = [set() for _ in range(ncomp)]
    dependents: list[list[int]] = [[] for _ in range(ncomp)]
    for node in range(count):
        for dep in deps[node]:
            a, b = comp[node], comp[dep]
            if a != b and b not in comp_deps[a]:
                comp_deps[a].add(b)
                dependents[b].append(a)
    waiting = [len(d) for d in comp_deps]
    ready = [(members[c][0], c) for c in range(ncomp) if waiting[c] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, c = heapq.heappop(ready)
        order.extend(members[c])
        for d in dependents[c]:
            waiting[d] -= 1
            if waiting[d] == 0:
                heapq.heappush(ready, (members[d][0], d))
    return order


def _acyclic_order(count: int, deps: list[set[int]]) -> list[int] | None:
    """`stable_order` of a graph without cycles (the usual case), without finding its components:
    each node is placed as soon as its dependencies are, the lowest first. None when some nodes
    are never placed: they are on a cycle, which needs the components."""
    waiting = [len(d) for d in deps]
    dependents: list[list[int]] = [[] for _ in range(count)]
    for node in range(count):
        for dep in deps[node]:
            dependents[dep].append(node)
    ready = [node for node in range(count) if not waiting[node]]  # ascending: already a heap
    order: list[int] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for d in dependents[node]:
            waiting[d] -= 1
            if not waiting[d]:
                heapq.heappush(ready, d)
    return order if len(order) == count else None


def strongly_connected(count: int, deps: Sequence[Iterable[int]]) -> list[int]:
    """Component number of each node (iterative Tarjan, so deep chains don't hit the recursion limit)."""
    index = [-1] * count
    low = [0] * count
    on_stack = [False] * count
    comp = [-1] * count
    stack: list[int] = []
    counter = 0
    ncomp = 0
    for root in range(count):
        if index[root] != -1:
            continue
        work: list[tuple[int, list[int], int]] = [(root, sorted(deps[root]), 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            node, succ, i = work[-1]
            if i < len(succ):
                work[-1] = (node, succ, i + 1)
                nxt = succ[i]
                if index[nxt] == -1:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack[nxt] = True
                    work.append((nxt, sorted(deps[nxt]), 0))
                elif on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack[member] = False
                    comp[member] = ncomp
                    if member == node:
                        break
                ncomp += 1
    return comp


def cycles(count: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The groups of nodes that depend on each other (components with more than one node)."""
    deps: list[set[int]] = [set() for _ in range(count)]
    for node, dep in edges:
        if node != dep:
            deps[node].add(dep)
    comp = strongly_connected(count, deps)
    groups: dict[int, list[int]] = {}
    for node, c in enumerate(comp):
        groups.setdefault(c, []).append(node)
    return [g for g in groups.values() if len(g) > 1]
