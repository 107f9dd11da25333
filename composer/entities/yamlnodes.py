"""Entity files read as YAML nodes, so that every error points at the file, line and column that caused it.

libyaml's safe loader when available; the implicit tags of plain scalars are resolved only for the
values read. Aliases are counted (`check_aliases`, linear) before any value is read, so a "billion
laughs" document is refused instead of expanded. The typo check of unknown keys lives here too: it
runs while a mapping's keys are read.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

from ..diagnostics import ComposeError, Diagnostic, Location, Source, article

# An unknown key this close to a known one (insertions, deletions, substitutions, swaps of two
# neighbours) is taken for a typo of it; anything farther is another generator's key.
TYPO_DISTANCE = 2

# Nodes that aliases may add to a file by repeating what an anchor names. A shared field or two
# adds dozens; a "billion laughs" document (aliases of aliases of aliases…) adds billions, which
# reading the value would build in memory.
MAX_ALIAS_NODES = 100_000


# Every anchor (`&name`) matches, and words such as `R&D` too: a quick test that a file has none.
ANCHOR = re.compile(r"&[^\s\[\]{},]")

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
MERGE = "tag:yaml.org,2002:merge"
PLAIN = "tag:prisma-compose,2024:plain"  # an unquoted scalar, its implicit tag resolved when read
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
# YAML 1.1 booleans, as PyYAML's resolver reads them.
_BOOLS = {
    v: b
    for b, words in ((True, "yes true on"), (False, "no false off"))
    for w in words.split()
    for v in (w, w.capitalize(), w.upper())
}
_IMPLICIT = yaml.resolver.Resolver()
_CONSTRUCT = yaml.constructor.SafeConstructor()


def deferring_loader(base: type) -> type:
    """`base` (a safe loader) resolving the implicit tags of plain scalars only for values we read.

    Resolving every scalar is a third of the composing time, and an entity file is mostly keys and
    strings whose tag nobody asks for.
    """

    class Loader(base):  # type: ignore[valid-type,misc]
        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    return MERGE if value == "<<" else PLAIN
                return _STR
            return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

        # No path resolver is ever registered: skip the bookkeeping the composer asks for per node.
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    return Loader


YAML_LOADER = deferring_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when installed


def fail(message: str, source: Source, node: yaml.Node | None, code: str, **kw: Any) -> ComposeError:
    where = node_location(source, node) if node is not None else Location(source, 0, 0)
    return ComposeError(Diagnostic(message, where, code=code, **kw))


def node_location(source: Source, node: yaml.Node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(
        source,
        source.offset_of(start.line + 1, start.column + 1),
        source.offset_of(end.line + 1, end.column + 1),
    )


def mark_location(source: Source, mark: Any) -> Location:
    if getattr(mark, "line", None) is None:
        return Location(source, 0, 0)
    offset = source.offset_of(mark.line + 1, mark.column + 1)
    return Location(source, offset, offset)


def compose_yaml(source: Source) -> yaml.Node | None:
    try:
        return yaml.compose(source.text, Loader=YAML_LOADER)  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(source, exc) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(source, exc) from None
    except yaml.YAMLError as exc:
        raise ComposeError(Diagnostic(f"invalid YAML: {exc}", Location(source, 0, 0), code="E400")) from None
    except RecursionError:
        message = "invalid YAML: the document is nested too deeply"
        raise ComposeError(Diagnostic(message, Location(source, 0, 0), code="E400")) from None


def _marked_error(source: Source, exc: yaml.MarkedYAMLError) -> ComposeError:
    notes = []
    if exc.context and exc.context_mark is not None and exc.problem:
        notes.append((exc.context, mark_location(source, exc.context_mark)))
    message = f"invalid YAML: {exc.problem or exc.context}"
    where = mark_location(source, exc.problem_mark or exc.context_mark)
    return ComposeError(Diagnostic(message, where, code="E400", notes=notes))


def _reader_error(source: Source, exc: yaml.reader.ReaderError) -> ComposeError:
    """A character YAML forbids: no mark, but the character."""
    char = chr(exc.character) if isinstance(exc.character, int) else ""
    at = max(source.text.find(char), 0) if char else 0
    message = f"invalid YAML: {exc.reason} ({char!r})"
    return ComposeError(Diagnostic(message, Location(source, at, at + 1), code="E400"))


def check_aliases(source: Source, root: yaml.Node) -> None:
    """Refuse a document whose aliases repeat more than `MAX_ALIAS_NODES` nodes, or contain themselves.

    The composed nodes share what an alias repeats, so they stay as small as the text; counting
    the nodes each alias adds, with the size of every node memoised, is linear too. Reading a
    value (`_plain`, a `<<` merge) is what would expand it, so this runs before anything is read.
    """
    size: dict[int, int] = {}  # id -> nodes of the value once every alias is expanded
    open_: set[int] = set()  # started, not finished: meeting one again is an alias inside itself
    added = 0
    stack: list[tuple[yaml.Node, yaml.Node | None, bool]] = [(root, None, False)]
    while stack:
        node, parent, finished = stack.pop()
        key = id(node)
        children = _children(node)
        if finished:
            size[key] = 1 + sum(size[id(child)] for child in children)
            open_.discard(key)
            continue
        if key in open_:
            raise fail(
                "an alias inside the value its anchor names makes an endless value", source, parent or node,
                "E415", hint="a YAML alias (`*name`) may only repeat a value that does not contain it",
            )
        if key in size:  # an alias: its whole value again
            added += size[key]
            if added > MAX_ALIAS_NODES:
                raise fail(
                    f"the aliases of this file repeat more than {MAX_ALIAS_NODES:,} YAML nodes (aliases of "
                    "aliases, as in a \"billion laughs\" document): the file is refused",
                    source, parent or node, "E415",
                    hint="write the repeated values out, or repeat fewer of them",
                )
            continue
        open_.add(key)
        stack.append((node, parent, True))
        stack.extend((child, node, False) for child in reversed(children))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value  # type: ignore[no-any-return]
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def read_mapping(
    source: Source,
    node: yaml.Node,
    what: str,
    known: frozenset[str],
    warnings: list[Diagnostic] | None = None,
) -> dict[str, yaml.Node]:
    """The values of a mapping's known keys; one given twice is an error (YAML would keep the last).

    A key given explicitly may override one merged in with `<<: *anchor`, as YAML wants. With
    `warnings`, an unknown key that looks like a typo of a known one is reported there.
    """
    if not isinstance(node, yaml.MappingNode):
        raise fail(f"{what} must be a mapping, not {article(kind_of(node))}", source, node, "E401")
    explicit = _merge(source, node, what)
    out: dict[str, yaml.Node] = {}
    keys: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = key.value
        if not isinstance(name, str) or name not in known:
            if warnings is not None and isinstance(name, str):
                check_typo(source, key, what, known, warnings)
            continue  # another generator's key (complex keys included)
        _check_twice(source, key, keys.get(name), explicit, what)
        out[name] = value
        keys[name] = key
    return out


def _check_twice(
    source: Source, key: yaml.Node, first: yaml.Node | None, explicit: set[int] | None, what: str
) -> None:
    """A key given twice is an error, unless one of the two comes from a `<<` merge."""
    if first is not None and (explicit is None or (id(first) in explicit and id(key) in explicit)):
        raise fail(
            f"`{key.value}` is given twice in {what}", source, key, "E401",
            notes=[("first given here", node_location(source, first))],
        )


def _merge(source: Source, node: yaml.MappingNode, what: str) -> set[int] | None:
    """Apply the mapping's `<<` merge keys; the ids of the keys written in it, None without a merge."""
    if not any(key.tag == MERGE for key, _ in node.value):
        return None
    explicit = {id(k) for k, _ in node.value}
    flatten(source, node, what)
    return explicit


def check_typo(
    source: Source, key: yaml.Node, what: str, known: frozenset[str], warnings: list[Diagnostic]
) -> None:
    name = key.value
    distance, meant = closest_key(name, known)
    if distance > TYPO_DISTANCE:
        return
    where = node_location(source, key)
    if any(w.location == where for w in warnings):  # a key merged into several mappings
        return
    warnings.append(Diagnostic(
        f"`{name}` is not a key of the entity format, and is ignored: a typo of `{meant}`?",
        where, severity="warning", code="W402",
        hint=f"did you mean `{meant}`? Other generators' keys are ignored silently; `{name}` is "
        f"{distance} letter{'s' if distance > 1 else ''} off the key `{meant}` of {what}",
    ))


@functools.lru_cache(maxsize=1024)
def closest_key(name: str, known: frozenset[str]) -> tuple[int, str]:
    # Cached: the same few keys of other generators come back in every field of every file.
    return min((edit_distance(name, k), k) for k in known)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, a swap of two neighbouring letters counting once (`tpye` → `type`)."""
    if abs(len(a) - len(b)) > TYPO_DISTANCE:
        return TYPO_DISTANCE + 1  # keys are short, and most are far: skip the table
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row = row, [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], before[j - 2] + 1)
        before = prev
    return row[-1]


def flatten(source: Source, node: yaml.MappingNode, what: str) -> None:
    """Apply `<<: *anchor` merge keys in place, as YAML loaders do."""
    try:
        _CONSTRUCT.flatten_mapping(node)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", exc)
        raise fail(f"invalid `<<` merge in {what}: {problem}", source, node, "E400") from None


def kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "mapping" if isinstance(node, yaml.MappingNode) else "value"


def is_null(node: yaml.Node) -> bool:
    return node.tag == _NULL or (node.tag == PLAIN and node.value in _NULLS)


def scalar_value(source: Source, node: yaml.Node, what: str) -> Any:
    """The Python value of a scalar; timestamps stay text (they are only ever written back)."""
    if not isinstance(node, yaml.ScalarNode):
        raise fail(f"{what} must be a single value, not {article(kind_of(node))}", source, node, "E401")
    tag = node.tag
    if tag == PLAIN:
        tag = _IMPLICIT.resolve(yaml.ScalarNode, node.value, (True, False))
    try:
        if tag in (_STR, _TIMESTAMP):
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return _CONSTRUCT.construct_yaml_bool(node)
        if tag == _INT:
            return _CONSTRUCT.construct_yaml_int(node)
        if tag == _FLOAT:
            return _CONSTRUCT.construct_yaml_float(node)
    except (ValueError, KeyError, yaml.YAMLError):
        kind = tag.rsplit(":", 1)[-1]
        raise fail(f"{what}: `{node.value}` is not a valid {kind}", source, node, "E401") from None
    raise fail(f"{what}: unsupported YAML tag `{tag}`", source, node, "E401")


def scalar_text(source: Source, node: yaml.Node | None, what: str) -> str | None:
    """A scalar's text as written (`name: 123` names `123`); None for null or absent."""
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise fail(f"{what} must be a single value, not {article(kind_of(node))}", source, node, "E401")
    return None if is_null(node) else str(node.value)


def flag(source: Source, node: yaml.Node | None, what: str) -> bool:
    if node is None:
        return False
    if isinstance(node, yaml.ScalarNode):
        if node.tag == PLAIN and node.value in _BOOLS:
            return _BOOLS[node.value]
        if is_null(node):
            return False
        if node.tag == _BOOL:
            return bool(scalar_value(source, node, what))
    shown = node.value if isinstance(node, yaml.ScalarNode) else article(kind_of(node))
    raise fail(f"`{what}` must be true or false, not `{shown}`", source, node, "E401")


def doc_lines(source: Source, node: yaml.Node | None, what: str) -> list[str]:
    text = scalar_text(source, node, what)
    if text is None:
        return []
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [f"/// {line}" if line else "///" for line in lines]


def line_of(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1



