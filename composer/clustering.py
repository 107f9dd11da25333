"""The split's clustering: which fragment each declaration of a schema goes to (`compose split`,
`compose init`; the groupings are described in `composer/splitting.py`).

`group_models` names the fragment of each model and view (`--by related`: the relation graph's
connected components, large ones cut into communities by Louvain modularity, each named after its
most connected model; `model`, `prefix`, `map`); `place_others` puts enums, composite types and
type aliases with the models that use them (`--by map` reads its file with
`composer/split_map.py`). Deterministic: the same schema always gives the same split.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .psl import Declaration

CONFIG_KEYWORDS = frozenset(("datasource", "generator"))
MODEL_KEYWORDS = frozenset(("model", "view"))
# A connected group of more models than this is cut into communities.
MAX_GROUP = 12
BASE = "base"


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




# -- naming ------------------------------------------------------------------------------------

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+[A-Z]*(?![a-z])|[0-9]+")
NAME_OK = re.compile(r"[A-Za-z0-9_-]+")


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
        members, adj = _collapse(members, adj, labels, count)
    return [sorted(m) for m in members]


def _collapse(
    members: list[list[int]], adj: list[dict[int, float]], labels: list[int], count: int
) -> tuple[list[list[int]], list[dict[int, float]]]:
    """The graph of the communities `labels` found: one node each, its edges summed."""
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
    return new_members, new_adj


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
            tot[ci] -= degree[i]
            best = _best_community(i, adj[i], comm, tot, degree[i], total, resolution)
            tot[best] += degree[i]
            if best != ci:
                comm[i] = best
                moved = True
        if not moved:
            break
    # Labels numbered in order of each community's first node.
    renumber: dict[int, int] = {}
    return [renumber.setdefault(c, len(renumber)) for c in comm]


def _best_community(
    i: int,
    edges: dict[int, float],
    comm: list[int],
    tot: list[float],
    degree: float,
    total: float,
    resolution: float,
) -> int:
    """The community node `i` (of `degree`, taken out of its own community `comm[i]`) gains most
    by joining; ties keep it where it was."""
    links: dict[int, float] = {}
    for j, w in edges.items():
        if j != i:
            links[comm[j]] = links.get(comm[j], 0.0) + w
    best = comm[i]
    best_gain = links.get(best, 0.0) - resolution * tot[best] * degree / total
    for c, w in links.items():
        gain = w - resolution * tot[c] * degree / total
        if gain > best_gain + 1e-9:
            best, best_gain = c, gain
    return best


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
        best = _most_linked(_links(node, i, weights, home), groups, max_group + max_group // 2)
        if best is None:
            continue
        groups[best].append(node)
        groups[i] = []
        for n in part:
            home[n] = best
    return [sorted(g) for g in groups if g]


def _most_linked(links: dict[int, float], groups: list[list[int]], limit: int) -> int | None:
    """The group most linked to (ties: the first), unless it holds `limit` models already."""
    best = max(sorted(links), key=lambda g: links[g], default=None)
    return None if best is None or len(groups[best]) >= limit else best


def _links(
    node: int, group: int, weights: dict[tuple[int, int], float], home: dict[int, int]
) -> dict[int, float]:
    """The weight of `node`'s relations to each other group than its own (`group`)."""
    links: dict[int, float] = {}
    for (a, b), w in weights.items():
        if node in (a, b) and a != b:
            other = home[b if a == node else a]
            if other != group:
                links[other] = links.get(other, 0.0) + w
    return links


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
    return _group_related(models)


def _group_related(models: list[Item]) -> dict[str, str]:
    """`--by related`: each group of related models named after its most connected model."""
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
    _place_loners(models, loners, homes, assignment, taken)
    return assignment


def _place_loners(
    models: list[Item], loners: list[int], homes: dict[int, str], assignment: dict[str, str], taken: set[str]
) -> None:
    """Models with no relation at all join the group whose models share their first word
    (`ModelHash` → the group of `Model`, `ModelFile`…); the rest share one fragment rather than
    making many one-model files."""
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


def place_others(
    items: list[Item], assignment: dict[str, str], by: str, mapping: dict[str, str] | None
) -> None:
    """Put enums, composite types and type aliases where they are used (in place)."""
    others = [item for item in items if item.keyword not in MODEL_KEYWORDS | CONFIG_KEYWORDS]
    if by == "map" and mapping:
        _place_mapped(others, assignment, mapping)
    if by == "prefix":
        _place_by_prefix(others, assignment)
    shared = "enums" if all(i.keyword == "enum" for i in others) else "shared"
    _place_used(others, _users(items, others), assignment, by, shared)
    _place_unused(items, assignment, shared)


def _place_unused(items: list[Item], assignment: dict[str, str], shared: str) -> None:
    """Unused (or used only by each other): next to their neighbour in the original file."""
    for pos, item in enumerate(items):
        if item.name not in assignment and item.keyword not in CONFIG_KEYWORDS:
            assignment[item.name] = _neighbour(items, pos, assignment) or shared


def _place_mapped(others: list[Item], assignment: dict[str, str], mapping: dict[str, str]) -> None:
    for item in others:
        if item.name in mapping:
            assignment[item.name] = mapping[item.name]


def _place_by_prefix(others: list[Item], assignment: dict[str, str]) -> None:
    """`--by prefix`: a declaration whose first word names a fragment goes there."""
    groups = set(assignment.values())
    for item in others:
        if item.name not in assignment and prefix(item.name) in groups:
            assignment[item.name] = prefix(item.name)


def _place_used(
    others: list[Item], users: dict[str, list[str]], assignment: dict[str, str], by: str, shared: str
) -> None:
    """Each declaration goes where its users are; composite types can use enums and other types,
    so this repeats until nothing changes."""
    changed = True
    while changed:
        changed = False
        for item in others:
            home = None if item.name in assignment else _home(users[item.name], assignment, by, shared)
            if home is not None:
                assignment[item.name] = home
                changed = True


def _users(items: list[Item], others: list[Item]) -> dict[str, list[str]]:
    """The declarations whose fields use each of `others` (a name once per field)."""
    users: dict[str, list[str]] = {item.name: [] for item in others}
    for item in items:
        for member in item.decl.members:
            if member.kind == "field" and member.type_name in users and member.type_name != item.name:
                users[member.type_name].append(item.name)
    return users


def _home(users: list[str], assignment: dict[str, str], by: str, shared: str) -> str | None:
    """The fragment of a declaration used by `users`, once every one of them is placed (else None):
    where most of them are (ties: the first), or `shared` for `--by model` when they are apart."""
    homes = [assignment[u] for u in users if u in assignment]
    if not homes or len(homes) < len(users):
        return None
    distinct = list(dict.fromkeys(homes))
    if by == "model" and len(distinct) > 1:
        return shared
    return max(distinct, key=lambda g: (homes.count(g), -homes.index(g)))


def _neighbour(items: list[Item], pos: int, assignment: dict[str, str]) -> str | None:
    """The fragment of the nearest placed declaration of the same file, before `pos` first."""
    item = items[pos]
    for other in [*reversed(items[:pos]), *items[pos + 1 :]]:
        if other.keyword not in CONFIG_KEYWORDS and other.name in assignment and other.file == item.file:
            return assignment[other.name]
    return None
