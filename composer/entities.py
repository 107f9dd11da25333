"""YAML entity fragments (README, docs/entities.md): one YAML file becomes one generated Prisma model.

The entity format is shared with other generators (Python models, search indexes, …), so only the
keys listed below are read and every other key is ignored as theirs. Inside `prisma:` every key is
ours, and an unknown one is an error.

Mapping decisions (docs/entities.md shows them on a complete example):

* Types: string→String, integer→Int, float→Float, boolean→Boolean, datetime→DateTime, json→Json,
  `list[x]`→`X[]`. `nullable: true` adds `?`, except on lists (Prisma has no optional lists).
* `primary_key: true` → `@id`; several primary keys make one composite `@@id([a, b])`. A primary key
  cannot be nullable or a list. A model needs an id: a primary key, an `@id` in a field's
  `prisma.attributes`, or an `@@id` in `schema.prisma.attributes`.
* `unique: true` → `@unique` (not on a single primary key, which is unique already);
  `index: true` → `@@index([field])`, except on a unique or primary-key field.
* `default`: `cuid()`, `uuid()` (string), `now()` (datetime), `autoincrement()` (integer) →
  `@default(cuid())` …; a literal must fit the field's type: a YAML string for string (PSL
  escaping), a number for integer and float, true/false for boolean, an RFC 3339 date-time for
  datetime, any YAML value (or a string holding JSON text) for json, a YAML list for `list[x]`.
  Another function call is written as it is, for Prisma to judge, with a warning. `null`, `none`,
  and the Python factories `dict` / `list` of a json or list field mean no default.
* Unknown keys outside `prisma:` are other generators'; one within two edits of a known key is
  a typo, reported as a warning. The known keys are read from the shipped JSON Schema.
* `prisma.name` renames the field and adds `@map("<yaml name>")`, so the column keeps the name the
  other generators use. `prisma.type` is used verbatim. `prisma.attributes` replaces every
  computed field attribute (`@id`, `@unique`, `@default`, `@map`). `prisma.skip` drops the field,
  and nothing else of it is checked.
* `schema.description` and field descriptions become `///` doc comments; `schema.prisma.attributes`
  adds block attributes (`@@map("venues")`, `@@unique([a, b])`, …) to the model.
* `extends: Other` puts the fields of the entity named `Other` (recursively) first; in the
  fragment's line map, inherited lines point at the `extends:` line.
* The model is laid out the way `prisma format` lays it out (aligned columns, attributes and block
  attributes in Prisma's order, canonical spacing inside attributes), so formatting the composed
  schema changes nothing.

YAML is read with libyaml's safe loader when available, composed into nodes so that every error
points at the file, line and column that caused it. Aliases are counted before any value is read,
so a "billion laughs" document is refused instead of expanded.
"""

from __future__ import annotations

import datetime
import functools
import gc
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from .diagnostics import ComposeError, Diagnostic, Location, Source, article, did_you_mean
from .psl import parse as parse_psl
from .psl.render import (
    attribute_name,
    attribute_rank,
    lay_out,
    number_literal,
    render_call,
    render_expr,
    string_literal,
    text_width,
)

__all__ = ["GeneratedFragment", "check_provider", "entity_json_schema", "load_entities"]

SCALAR_TYPES: dict[str, str] = {
    "string": "String",
    "integer": "Int",
    "float": "Float",
    "boolean": "Boolean",
    "datetime": "DateTime",
    "json": "Json",
}
ENTITY_TYPES: tuple[str, ...] = (*SCALAR_TYPES, *(f"list[{t}]" for t in SCALAR_TYPES))


def entity_json_schema() -> str:
    """The JSON Schema of the entity format, for editors (completion and validation)."""
    return resources.files("composer").joinpath("schemas/entity.schema.json").read_text(encoding="utf-8")


# The keys read, as the shipped JSON Schema declares them (one declaration for editors and loader);
# any other key outside `prisma:` belongs to another generator.
_SCHEMA = json.loads(entity_json_schema())
TOP_KEYS = frozenset(_SCHEMA["properties"])
SCHEMA_KEYS = frozenset(_SCHEMA["properties"]["schema"]["properties"])
SCHEMA_PRISMA_KEYS = frozenset(_SCHEMA["properties"]["schema"]["properties"]["prisma"]["properties"])
FIELD_KEYS = frozenset(_SCHEMA["definitions"]["field"]["properties"])
PRISMA_KEYS = frozenset(_SCHEMA["definitions"]["prisma"]["properties"])
del _SCHEMA
# An unknown key this close to a known one (insertions, deletions, substitutions, swaps of two
# neighbours) is taken for a typo of it; anything farther is another generator's key.
TYPO_DISTANCE = 2
DEFAULT_FUNCTIONS: dict[str, str] = {
    "cuid()": "string",
    "uuid()": "string",
    "now()": "datetime",
    "autoincrement()": "integer",
}
# Unquoted defaults that the format's other generators read as "no default": Python's `None`, and
# the default factories of a json or list field (`dict`, `list`: an empty value, which Prisma
# needs no `@default` for).
NO_DEFAULT = frozenset(("none", "None", "NONE"))
FACTORY_DEFAULTS: dict[str, tuple[str, ...]] = {"dict": ("json",), "list": ("json", "list")}
# Datasources with scalar lists (Prisma docs, "Scalar lists"); CockroachDB has no `Json[]`.
SCALAR_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "cockroachdb", "mongodb"))
JSON_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "mongodb"))
PSL_SCALARS = ("String", "Int", "Float", "Boolean", "DateTime", "Json", "Bytes", "Decimal", "BigInt")
# Names Prisma refuses for models: its scalar types and the client's reserved words
# (prisma-engines, reserved_model_names.rs).
RESERVED_MODEL_NAMES = frozenset((
    *PSL_SCALARS, "PrismaClient", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
    "if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package",
    "private", "protected", "public", "return", "super", "switch", "this", "throw", "true", "try",
    "typeof", "var", "void", "while", "with", "yield",
))
IDENTIFIER_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
# Nodes that aliases may add to a file by repeating what an anchor names. A shared field or two
# adds dozens; a "billion laughs" document (aliases of aliases of aliases…) adds billions, which
# reading the value would build in memory.
MAX_ALIAS_NODES = 100_000

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
# RFC 3339, what Prisma accepts as a DateTime default.
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))\Z"
)
_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+\Z")
# Every anchor (`&name`) matches, and words such as `R&D` too: a quick test that a file has none.
_ANCHOR = re.compile(r"&[^\s\[\]{},]")
_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\(.*\)\Z", re.S)
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN = "tag:prisma-compose,2024:plain"  # an unquoted scalar, its implicit tag resolved when read
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


def _deferring_loader(base: type) -> type:
    """`base` (a safe loader) resolving the implicit tags of plain scalars only for values we read.

    Resolving every scalar is a third of the composing time, and an entity file is mostly keys and
    strings whose tag nobody asks for.
    """

    class Loader(base):  # type: ignore[valid-type,misc]
        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
            if kind is yaml.ScalarNode:
                if implicit[0]:
                    return _MERGE if value == "<<" else _PLAIN
                return _STR
            return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"

        # No path resolver is ever registered: skip the bookkeeping the composer asks for per node.
        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    return Loader


_Loader = _deferring_loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml when installed


@dataclass
class GeneratedFragment:
    name: str  # file stem
    yaml_source: Source  # the YAML file
    model_name: str
    text: str  # PSL: `///` lines, then `model X { … }`; ends with "\n"
    line_map: list[int]  # line_map[i] = 1-based YAML line that produced PSL line i + 1
    scalar_lists: list[tuple[str, Location]]  # (field, location of its type) for the provider check
    json_lists: list[str] = field(default_factory=list)  # the fields of scalar_lists that are `Json[]`
    warnings: list[Diagnostic] = field(default_factory=list)  # about this file, reported on every build


@dataclass(eq=False)
class _Field:
    name: str  # in Prisma
    yaml_name: str
    source: Source
    name_node: yaml.Node
    line: int
    skip: bool = False
    psl_type: str = ""
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    default: str | None = None  # PSL expression
    attributes: list[str] | None = None  # prisma.attributes, canonical; None: computed ones
    description: list[str] = field(default_factory=list)  # `///` lines
    description_line: int = 0
    scalar_list: yaml.Node | None = None  # the type node that made it a scalar list

    def location(self) -> Location:
        return _location(self.source, self.name_node)


@dataclass(eq=False)
class _Entity:
    source: Source
    name: str
    name_node: yaml.Node
    description: list[str]  # `///` lines
    description_line: int
    extends: str | None
    extends_node: yaml.Node | None
    block_attributes: list[tuple[str, int]]  # (canonical attribute, YAML line)
    fields: list[_Field] = field(default_factory=list)
    broken: bool = False  # the file has an error, reported already: nothing to generate
    warnings: list[Diagnostic] = field(default_factory=list)


# -- public API ---------------------------------------------------------------------------------


def load_entities(sources: list[Source]) -> list[GeneratedFragment]:
    """One fragment per YAML file, in input order. Every error found is raised, together."""
    # YAML nodes are hundreds of thousands of small objects and none of them is freed before the
    # end: the cyclic collector would walk them again and again (40% of the time) for nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_entities(sources)
    finally:
        if collecting:
            gc.enable()


def _load_entities(sources: list[Source]) -> list[GeneratedFragment]:
    errors: list[Diagnostic] = []
    entities: list[_Entity] = []
    unnamed = False  # a file failed before its name was read: an unknown `extends` may be that file
    for source in sources:
        try:
            entities.append(_parse_entity(source, errors))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
            unnamed = True
    by_name = _index_by_name(entities, errors)
    done: dict[int, list[_Field] | None] = {}
    fragments: list[GeneratedFragment] = []
    for entity in entities:
        try:
            fields = _resolve_fields(entity, by_name, done, [], unnamed)
            if fields is not None and by_name[entity.name] is entity:
                fragments.append(_generate(entity, fields))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise ComposeError(errors)
    return fragments


def check_provider(fragment: GeneratedFragment, provider: str | None) -> None:
    """Refuse scalar lists on a datasource without them (provider None: no datasource, allowed)."""
    if provider is None:
        return
    diagnostics = []
    for name, where in fragment.scalar_lists:
        if provider not in SCALAR_LIST_PROVIDERS:
            what, hint = "scalar lists", "use PostgreSQL or CockroachDB"
        elif name in fragment.json_lists and provider not in JSON_LIST_PROVIDERS:
            what, hint = "`Json[]` lists", "use PostgreSQL"
        else:
            continue
        diagnostics.append(Diagnostic(
            f"field `{name}` of model `{fragment.model_name}` is a list, and the `{provider}` datasource "
            f"has no {what}",
            where,
            code="E410",
            hint=f"{hint}, or give the field a `prisma.type` (e.g. `Json`) or `prisma.skip: true`",
        ))
    if diagnostics:
        raise ComposeError(diagnostics)


# -- reading YAML -------------------------------------------------------------------------------


def _fail(message: str, source: Source, node: yaml.Node | None, code: str, **kw: Any) -> ComposeError:
    where = _location(source, node) if node is not None else Location(source, 0, 0)
    return ComposeError(Diagnostic(message, where, code=code, **kw))


def _location(source: Source, node: yaml.Node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(
        source,
        source.offset_of(start.line + 1, start.column + 1),
        source.offset_of(end.line + 1, end.column + 1),
    )


def _mark_location(source: Source, mark: Any) -> Location:
    if getattr(mark, "line", None) is None:
        return Location(source, 0, 0)
    offset = source.offset_of(mark.line + 1, mark.column + 1)
    return Location(source, offset, offset)


def _compose(source: Source) -> yaml.Node | None:
    try:
        return yaml.compose(source.text, Loader=_Loader)  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as exc:
        notes = []
        if exc.context and exc.context_mark is not None and exc.problem:
            notes.append((exc.context, _mark_location(source, exc.context_mark)))
        message = f"invalid YAML: {exc.problem or exc.context}"
        where = _mark_location(source, exc.problem_mark or exc.context_mark)
        raise ComposeError(Diagnostic(message, where, code="E400", notes=notes)) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; no mark, but the character
        char = chr(exc.character) if isinstance(exc.character, int) else ""
        at = max(source.text.find(char), 0) if char else 0
        message = f"invalid YAML: {exc.reason} ({char!r})"
        raise ComposeError(Diagnostic(message, Location(source, at, at + 1), code="E400")) from None
    except yaml.YAMLError as exc:
        raise ComposeError(Diagnostic(f"invalid YAML: {exc}", Location(source, 0, 0), code="E400")) from None
    except RecursionError:
        message = "invalid YAML: the document is nested too deeply"
        raise ComposeError(Diagnostic(message, Location(source, 0, 0), code="E400")) from None


def _check_aliases(source: Source, root: yaml.Node) -> None:
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
            raise _fail(
                "an alias inside the value its anchor names makes an endless value", source, parent or node,
                "E415", hint="a YAML alias (`*name`) may only repeat a value that does not contain it",
            )
        if key in size:  # an alias: its whole value again
            added += size[key]
            if added > MAX_ALIAS_NODES:
                raise _fail(
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


def _mapping(
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
        raise _fail(f"{what} must be a mapping, not {article(_kind(node))}", source, node, "E401")
    explicit: set[int] | None = None
    for key, _ in node.value:
        if key.tag == _MERGE:
            explicit = {id(k) for k, _ in node.value}
            _flatten(source, node, what)
            break
    out: dict[str, yaml.Node] = {}
    keys: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = key.value
        if not isinstance(name, str) or name not in known:
            if warnings is not None and isinstance(name, str):
                _check_typo(source, key, what, known, warnings)
            continue  # another generator's key (complex keys included)
        first = keys.get(name)
        if first is not None and (explicit is None or (id(first) in explicit and id(key) in explicit)):
            raise _fail(
                f"`{name}` is given twice in {what}", source, key, "E401",
                notes=[("first given here", _location(source, first))],
            )
        out[name] = value
        keys[name] = key
    return out


def _check_typo(
    source: Source, key: yaml.Node, what: str, known: frozenset[str], warnings: list[Diagnostic]
) -> None:
    name = key.value
    distance, meant = _closest_key(name, known)
    if distance > TYPO_DISTANCE:
        return
    where = _location(source, key)
    if any(w.location == where for w in warnings):  # a key merged into several mappings
        return
    warnings.append(Diagnostic(
        f"`{name}` is not a key of the entity format, and is ignored: a typo of `{meant}`?",
        where, severity="warning", code="W402",
        hint=f"did you mean `{meant}`? Other generators' keys are ignored silently; `{name}` is "
        f"{distance} letter{'s' if distance > 1 else ''} off the key `{meant}` of {what}",
    ))


@functools.lru_cache(maxsize=1024)
def _closest_key(name: str, known: frozenset[str]) -> tuple[int, str]:
    # Cached: the same few keys of other generators come back in every field of every file.
    return min((_edit_distance(name, k), k) for k in known)


def _edit_distance(a: str, b: str) -> int:
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


def _flatten(source: Source, node: yaml.MappingNode, what: str) -> None:
    """Apply `<<: *anchor` merge keys in place, as YAML loaders do."""
    try:
        _CONSTRUCT.flatten_mapping(node)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", exc)
        raise _fail(f"invalid `<<` merge in {what}: {problem}", source, node, "E400") from None


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "list"
    return "mapping" if isinstance(node, yaml.MappingNode) else "value"


def _is_null(node: yaml.Node) -> bool:
    return node.tag == _NULL or (node.tag == _PLAIN and node.value in _NULLS)


def _value(source: Source, node: yaml.Node, what: str) -> Any:
    """The Python value of a scalar; timestamps stay text (they are only ever written back)."""
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(f"{what} must be a single value, not {article(_kind(node))}", source, node, "E401")
    tag = node.tag
    if tag == _PLAIN:
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
        raise _fail(f"{what}: `{node.value}` is not a valid {kind}", source, node, "E401") from None
    raise _fail(f"{what}: unsupported YAML tag `{tag}`", source, node, "E401")


def _text(source: Source, node: yaml.Node | None, what: str) -> str | None:
    """A scalar's text as written (`name: 123` names `123`); None for null or absent."""
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(f"{what} must be a single value, not {article(_kind(node))}", source, node, "E401")
    return None if _is_null(node) else str(node.value)


def _flag(source: Source, node: yaml.Node | None, what: str) -> bool:
    if node is None:
        return False
    if isinstance(node, yaml.ScalarNode):
        if node.tag == _PLAIN and node.value in _BOOLS:
            return _BOOLS[node.value]
        if _is_null(node):
            return False
        if node.tag == _BOOL:
            return bool(_value(source, node, what))
    shown = node.value if isinstance(node, yaml.ScalarNode) else article(_kind(node))
    raise _fail(f"`{what}` must be true or false, not `{shown}`", source, node, "E401")


def _doc_lines(source: Source, node: yaml.Node | None, what: str) -> list[str]:
    text = _text(source, node, what)
    if text is None:
        return []
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [f"/// {line}" if line else "///" for line in lines]


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _check_identifier(source: Source, node: yaml.Node, name: str, what: str, hint: str | None = None) -> None:
    if not _IDENTIFIER.match(name):
        raise _fail(
            f"{what} `{name}` is not a valid Prisma name: letters, digits and `_`, starting with a letter",
            source, node, "E402", hint=hint,
        )


# -- entities -----------------------------------------------------------------------------------


def _parse_entity(source: Source, errors: list[Diagnostic]) -> _Entity:
    """Read one file. Its errors go to `errors`, so that one run reports them all (raised when the
    file has no usable model name); warnings go to the entity."""
    root = _compose(source)
    if root is None:
        raise _fail("the entity file is empty: it needs a `schema:` with a `name`", source, None, "E403")
    if "*" in source.text and _ANCHOR.search(source.text):  # no anchor, no alias: nothing repeated
        _check_aliases(source, root)
    warnings: list[Diagnostic] = []
    top = _mapping(source, root, "an entity file", TOP_KEYS, warnings)
    if "schema" not in top:
        raise _fail("the entity file has no `schema:` section naming the model", source, root, "E403")
    schema = _mapping(source, top["schema"], "`schema`", SCHEMA_KEYS, warnings)
    problems: list[Diagnostic] = []  # this file's errors, in the file's order
    name = _attempt(problems, None, _model_name, source, schema, top["schema"])
    description = schema.get("description")
    extends = schema.get("extends")
    entity = _Entity(
        source,
        name or "",
        schema.get("name") or top["schema"],
        _attempt(problems, [], _model_doc, source, description),
        _line(description) if description is not None else 0,
        _attempt(problems, None, _text, source, extends, "`schema.extends`") or None,
        extends,
        _attempt(problems, [], _block_attributes, source, schema["prisma"]) if "prisma" in schema else [],
        warnings=warnings,
    )
    fields = top.get("fields")
    if fields is not None and not _is_null(fields):
        if not isinstance(fields, yaml.SequenceNode):
            message = f"`fields` must be a list of fields, not {article(_kind(fields))}"
            problems.append(Diagnostic(message, _location(source, fields), code="E401"))
        else:
            for item in fields.value:
                field_ = _attempt(problems, None, _parse_field, source, item, warnings)
                if field_ is not None:
                    entity.fields.append(field_)
    if problems:
        if name is None:  # nothing can extend it or clash with it: the caller counts it unnamed
            raise ComposeError(problems)
        errors.extend(problems)
        entity.broken = True
    return entity


def _attempt(problems: list[Diagnostic], failed: Any, read: Any, *args: Any) -> Any:
    """`read(*args)`, or `failed` with its errors added to `problems`: one error does not hide the next."""
    try:
        return read(*args)
    except ComposeError as exc:
        problems.extend(exc.diagnostics)
        return failed


def _model_name(source: Source, schema: dict[str, yaml.Node], schema_node: yaml.Node) -> str:
    name_node = schema.get("name")
    name = _text(source, name_node, "`schema.name`")
    if name_node is None or not name:
        where = name_node or schema_node
        raise _fail("`schema.name` is missing: the model needs a name", source, where, "E403")
    _check_identifier(source, name_node, name, "model name")
    if name in RESERVED_MODEL_NAMES:
        raise _fail(f"`{name}` is reserved in Prisma and cannot name a model", source, name_node, "E402")
    return name


def _model_doc(source: Source, description: yaml.Node | None) -> list[str]:
    doc = _doc_lines(source, description, "`schema.description`")
    if "/// @extend" in doc:
        # In a fragment, that doc comment line marks a model as an extension (README, `@extend`).
        raise _fail("a `schema.description` line cannot be `@extend`", source, description, "E403")
    return doc


def _prisma_section(
    source: Source, node: yaml.Node, what: str, known: frozenset[str]
) -> dict[str, yaml.Node]:
    """`prisma:` belongs to this generator alone, so a key it does not know is a mistake."""
    if _is_null(node):
        return {}
    section = _mapping(source, node, what, known)
    for key, _ in node.value:
        if not isinstance(key.value, str) or key.value not in known:
            options = ", ".join(f"`{k}`" for k in sorted(known))
            raise _fail(
                f"unknown key `{key.value}` in {what}", source, key, "E404",
                hint=did_you_mean(str(key.value), set(known)) or f"known keys: {options}",
            )
    return section


def _block_attributes(source: Source, node: yaml.Node) -> list[tuple[str, int]]:
    prisma = _prisma_section(source, node, "`schema.prisma`", SCHEMA_PRISMA_KEYS)
    items = _attribute_items(source, prisma.get("attributes"), "`schema.prisma.attributes`")
    return [(_block_attribute(source, item), _line(item)) for item in items]


def _attribute_items(source: Source, node: yaml.Node | None, what: str) -> list[yaml.Node]:
    if node is None or _is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(f"{what} must be a list of attributes, e.g. [\"@unique\"]", source, node, "E401")
    return list(node.value)


def _parse_field(source: Source, node: yaml.Node, warnings: list[Diagnostic]) -> _Field:
    spec = _mapping(source, node, "a field", FIELD_KEYS, warnings)
    name_node = spec.get("name")
    yaml_name = _text(source, name_node, "the field `name`")
    if name_node is None or not yaml_name:
        raise _fail("this field has no `name`", source, name_node or node, "E405")
    prisma = _prisma_section(source, spec["prisma"], "`prisma`", PRISMA_KEYS) if "prisma" in spec else {}
    f = _Field(yaml_name, yaml_name, source, name_node, _line(name_node))
    if _flag(source, prisma.get("skip"), "prisma.skip"):
        f.skip = True  # left out of Prisma: the rest of it, type included, is other generators' business
        return f
    type_node = spec.get("type")
    if type_node is None:
        raise _fail(f"field `{yaml_name}` has no `type`", source, name_node, "E406",
                    hint="one of " + ", ".join(ENTITY_TYPES))
    base, is_list = _entity_type(source, type_node)
    f.primary_key = _flag(source, spec.get("primary_key"), "primary_key")
    f.unique = _flag(source, spec.get("unique"), "unique")
    f.index = _flag(source, spec.get("index"), "index")
    description = spec.get("description")
    f.description = _doc_lines(source, description, "the field `description`")
    f.description_line = _line(description) if description is not None else f.line
    _field_name(source, f, prisma.get("name"))
    type_node = _field_type(source, f, prisma.get("type", type_node), "type" in prisma, base, is_list,
                            _flag(source, spec.get("nullable"), "nullable"))
    if f.primary_key and f.psl_type.endswith(("?", "[]")):
        # Prisma: "Fields that are marked as id must be required", and a list never is.
        what = "nullable" if f.psl_type.endswith("?") else "a list"
        where = spec["nullable"] if what == "nullable" and "type" not in prisma else type_node
        raise _fail(f"field `{yaml_name}` is a primary key and cannot be {what}", source, where, "E407")
    if "default" in spec:
        f.default = _default(source, spec["default"], base, is_list, warnings)
    if "attributes" in prisma:
        items = _attribute_items(source, prisma["attributes"], "`prisma.attributes`")
        f.attributes = [attr for item in items for attr in _field_attributes(source, item)]
    return f


def _field_name(source: Source, f: _Field, node: yaml.Node | None) -> None:
    """`prisma.name` (`node`) renames the field in Prisma; either name must be an identifier."""
    if node is not None:
        f.name = _text(source, node, "`prisma.name`") or f.yaml_name
        _check_identifier(source, node, f.name, "field name")
    else:
        _check_identifier(source, f.name_node, f.yaml_name, "field name",
                          hint="give it a `prisma.name`; the column keeps this name through @map")


def _field_type(
    source: Source, f: _Field, node: yaml.Node, verbatim: bool, base: str, is_list: bool, nullable: bool
) -> yaml.Node:
    """Sets the field's Prisma type: `prisma.type` as written (`verbatim`), else the entity
    type's; returns the node the type comes from."""
    if verbatim:
        f.psl_type = _prisma_type(source, node)
        if f.psl_type.endswith("[]") and f.psl_type[:-2] in PSL_SCALARS:
            f.scalar_list = node
    else:
        f.psl_type = SCALAR_TYPES[base] + ("[]" if is_list else "?" if nullable else "")
        f.scalar_list = node if is_list else None
    return node


def _entity_type(source: Source, node: yaml.Node) -> tuple[str, bool]:
    """(scalar type, is a list) of a field's `type`."""
    value = _text(source, node, "the field `type`") or ""
    if value in SCALAR_TYPES:
        return value, False
    if value.startswith("list[") and value.endswith("]") and value[5:-1] in SCALAR_TYPES:
        return value[5:-1], True
    raise _fail(
        f"unknown type `{value}`", source, node, "E406",
        hint=_type_hint(value) or "one of " + ", ".join(ENTITY_TYPES),
    )


def _type_hint(value: str) -> str | None:
    """"did you mean" for a type written the way Prisma or another language writes it (`String[]`)."""
    inner, shape = value, "{}"
    if value.endswith("?"):
        inner, shape = value[:-1], "{}` with `nullable: true"
    elif value.endswith("[]"):
        inner, shape = value[:-2], "list[{}]"
    elif value[:5].lower() == "list[" and value.endswith("]"):
        inner, shape = value[5:-1], "list[{}]"
    import difflib

    inner = inner.strip()
    by_prisma_name = {psl.lower(): name for name, psl in SCALAR_TYPES.items()}  # int -> integer
    close = difflib.get_close_matches(inner.lower(), list(SCALAR_TYPES), n=1)
    base = by_prisma_name.get(inner.lower()) or (close[0] if close else None)
    return f"did you mean `{shape.format(base)}`?" if base else None


# -- defaults -----------------------------------------------------------------------------------


def _default(
    source: Source, node: yaml.Node, base: str, is_list: bool, warnings: list[Diagnostic]
) -> str | None:
    """The PSL expression of a `default`; None for no default (`null`, `none`, `dict`, `list`)."""
    type_name = f"list[{base}]" if is_list else base
    if isinstance(node, yaml.ScalarNode):
        plain = node.tag == _PLAIN
        if _is_null(node) or (plain and node.value in NO_DEFAULT):
            return None
        factory = FACTORY_DEFAULTS.get(node.value) if plain else None
        if factory is not None:
            if ("list" if is_list else base) in factory:
                return None
            fits = " or ".join(f"{kind} fields" for kind in factory)
            raise _fail(
                f"`{node.value}` is the default of {fits}, not of {type_name} fields", source, node, "E408",
                hint="`dict` and `list` are Python's factories of an empty mapping and an empty list",
            )
        call = node.value.strip()
        if _CALL.match(call):
            wanted = DEFAULT_FUNCTIONS.get(call)
            if wanted is None:
                # Prisma knows more functions than these (`nanoid()`, `dbgenerated("…")`, `uuid(7)`,
                # and new ones come): it judges the call, which `compose validate` shows at this line.
                expr = _default_call(source, node, call)
                warnings.append(Diagnostic(
                    f"compose does not know the default function `{call}`: it is written as "
                    f"`@default({expr})`, for Prisma to check",
                    _location(source, node), severity="warning", code="W401",
                    hint="`compose validate` runs Prisma's check; to say it is meant, write the attribute "
                    "in the field's `prisma.attributes` instead",
                ))
                return expr
            if is_list or wanted != base:
                message = f"`{call}` is a default for {wanted} fields, not for {type_name} fields"
                raise _fail(message, source, node, "E408")
            return call
    if is_list:
        if not isinstance(node, yaml.SequenceNode):
            raise _fail(f"the default of {article(type_name)} field must be a list", source, node, "E408")
        return "[" + ", ".join(_literal(source, item, base) for item in node.value) + "]"
    return _literal(source, node, base)


def _default_call(source: Source, node: yaml.Node, call: str) -> str:
    """A function call as one `@default` argument, spaced as `prisma format` spaces it."""
    probe = f"model M {{\n  f Int @default({call})\n}}\n"
    start = probe.index(call)
    try:
        attrs = _psl_probe(probe).members[0].attributes if "\n" not in call else []
    except ComposeError:
        attrs = []
    args = attrs[0].args if len(attrs) == 1 else None
    expr = args[0].value if args and len(args) == 1 and args[0].name is None else None
    # The whole text, and nothing but one call: `f() @unique @default(g())` would smuggle attributes in.
    if expr is None or expr.kind != "call" or (expr.start, expr.end) != (start, start + len(call)):
        raise _fail(f"the default `{call}` is not one function call Prisma can read", source, node, "E408",
                    hint="write the attribute in `prisma.attributes`")
    try:
        return render_expr(probe, expr)
    except ValueError as exc:
        raise _fail(f"the default `{call}`: {exc}", source, node, "E408") from None


def _literal(source: Source, node: yaml.Node, base: str) -> str:
    """The PSL literal of a YAML value for a field of type `base`; a value that does not fit is an error."""
    if base == "json":
        return _json_literal(source, node)
    value = _value(source, node, "`default`")
    if base == "float" and isinstance(value, str) and node.tag == _PLAIN and _EXPONENT.match(value):
        value = float(value)  # `1e-7`: YAML 1.1 wants a dot to make it a number; YAML 1.2 and people do not
    if isinstance(value, bool):
        if base == "boolean":
            return "true" if value else "false"
    elif base == "string" and isinstance(value, str):
        return string_literal(value)
    elif base == "integer" and isinstance(value, int):
        return str(value)
    elif base == "float" and isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise _fail("a float default must be a finite number", source, node, "E408")
        return number_literal(value)
    elif base == "datetime" and isinstance(value, str) and _is_rfc3339(value):
        return string_literal(value)
    hint = {
        "string": "quote it to make it a string",
        "datetime": "write an RFC 3339 date-time such as 2024-01-31T12:00:00Z, or now()",
    }.get(base)
    message = f"the default `{node.value}` does not fit {article(base)} field"
    raise _fail(message, source, node, "E408", hint=hint)


def _is_rfc3339(text: str) -> bool:
    m = _DATETIME.match(text)
    if m is None:
        return False
    year, month, day, hour, minute, second, off_hour, off_minute = (int(g or 0) for g in m.groups())
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))  # :60 is a leap second
    except ValueError:
        return False
    return second <= 60 and off_hour <= 23 and off_minute <= 59


def _json_literal(source: Source, node: yaml.Node) -> str:
    """A YAML value, or a YAML string holding JSON text, as the PSL string Prisma wants for Json."""
    try:
        value = _plain(source, node)
        if isinstance(value, str):
            json.loads(value)
            return string_literal(value)
        return string_literal(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
    except (ValueError, RecursionError):
        raise _fail(
            "the default of a json field must be a YAML value or a string holding JSON text",
            source,
            node,
            "E408",
            hint="write the value (`default: {}`), or quote JSON text (`default: '\"text\"'`)",
        ) from None


def _plain(source: Source, node: yaml.Node) -> Any:
    """A whole YAML value as plain Python data."""
    if isinstance(node, yaml.SequenceNode):
        return [_plain(source, item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        if any(key.tag == _MERGE for key, _ in node.value):
            _flatten(source, node, "a mapping")
        return {str(_plain(source, k)): _plain(source, v) for k, v in node.value}
    return _value(source, node, "`default`")


# -- text given for Prisma ----------------------------------------------------------------------


def _psl_probe(text: str) -> Any:
    """The model declaration of `text`, parsed by the project's PSL parser."""
    return parse_psl(Source("<prisma>", text)).declarations[0]


def _prisma_type(source: Source, node: yaml.Node) -> str:
    text = (_text(source, node, "`prisma.type`") or "").strip()
    bad = _fail(
        f"`prisma.type` must be one Prisma type, such as `String`, `Int?`, `String[]` or "
        f"`Unsupported(\"…\")`, not `{text}`", source, node, "E409",
        hint="attributes go in `prisma.attributes`",
    )
    if not text or "\n" in text:
        raise bad
    try:
        member = _psl_probe(f"model M {{\n  f {text}\n}}\n").members[0]
    except ComposeError:
        raise bad from None
    if member.attributes or member.type_end - member.type_start != len(text):
        raise bad
    return text


def _field_attributes(source: Source, node: yaml.Node) -> list[str]:
    """The field attributes in one `prisma.attributes` item (it may hold several), canonically spaced."""
    text = _attribute_text(source, node, "a field attribute (`@…`)", block=False)
    probe = f"model M {{\n  f Int {text}\n}}\n"
    attrs = _probe_attributes(source, node, text, probe).members[0].attributes
    if not attrs or attrs[-1].end != probe.index(text) + len(text):
        raise _fail(f"invalid attribute `{text}`", source, node, "E409")
    return ["@" + _render_attribute(source, node, probe, a) for a in attrs]


def _block_attribute(source: Source, node: yaml.Node) -> str:
    text = _attribute_text(source, node, "a block attribute (`@@…`)", block=True)
    probe = f"model M {{\n  f Int\n  {text}\n}}\n"
    members = _probe_attributes(source, node, text, probe).members
    if len(members) != 2:
        raise _fail(f"invalid attribute `{text}`", source, node, "E409")
    return "@@" + _render_attribute(source, node, probe, members[1].attributes[0])


def _attribute_text(source: Source, node: yaml.Node, what: str, block: bool) -> str:
    text = (_text(source, node, "an attribute") or "").strip()
    if not text.startswith("@") or text.startswith("@@") != block or "\n" in text:
        raise _fail(f"`{text}` is not {what}", source, node, "E409")
    return text


def _probe_attributes(source: Source, node: yaml.Node, text: str, probe: str) -> Any:
    try:
        return _psl_probe(probe)
    except ComposeError as exc:
        message = exc.diagnostics[0].message
        raise _fail(f"invalid attribute `{text}`: {message}", source, node, "E409") from None


def _render_attribute(source: Source, node: yaml.Node, probe: str, attr: Any) -> str:
    try:
        return render_call(probe, attr.name, attr.args)
    except ValueError as exc:
        raise _fail(f"invalid attribute `@{attr.name}`: {exc}", source, node, "E409") from None


def _attribute_rank(attr: str) -> int:
    return attribute_rank(attribute_name(attr))


# -- extends and duplicates ---------------------------------------------------------------------


def _index_by_name(entities: list[_Entity], errors: list[Diagnostic]) -> dict[str, _Entity]:
    by_name: dict[str, _Entity] = {}
    for entity in entities:
        first = by_name.setdefault(entity.name, entity)
        if first is not entity:
            errors.append(Diagnostic(
                f"two entity files define `{entity.name}`",
                _location(entity.source, entity.name_node),
                code="E411",
                notes=[("first defined here", _location(first.source, first.name_node))],
            ))
    return by_name


def _resolve_fields(
    entity: _Entity,
    by_name: dict[str, _Entity],
    done: dict[int, list[_Field] | None],
    chain: list[_Entity],
    unnamed: bool,
) -> list[_Field] | None:
    """The entity's fields, its ancestors' first; None when it or an ancestor has its own errors."""
    if id(entity) in done:
        return done[id(entity)]
    if entity in chain:
        cycle = chain[chain.index(entity):]
        closing = cycle[-1]
        raise ComposeError(Diagnostic(
            f"`extends` makes a cycle: {' -> '.join(e.name for e in [*cycle, entity])}",
            _location(closing.source, closing.extends_node),
            code="E412",
            notes=[
                (f"`{e.name}` extends `{e.extends}`", _location(e.source, e.extends_node)) for e in cycle[:-1]
            ],
        ))
    resolved: list[_Field] | None = None
    try:  # memoised even when it raises: an error is reported once, not once per descendant
        inherited: list[_Field] = []
        if entity.extends is not None:
            parent = by_name.get(entity.extends)
            if parent is None:
                if unnamed:
                    return None
                raise ComposeError(Diagnostic(
                    f"`extends: {entity.extends}` names no entity",
                    _location(entity.source, entity.extends_node),
                    code="E412",
                    hint=did_you_mean(entity.extends, set(by_name))
                    or "`extends` takes the `schema.name` of another entity file",
                ))
            parent_fields = _resolve_fields(parent, by_name, done, [*chain, entity], unnamed)
            if parent_fields is None:
                return None
            inherited = parent_fields
        if not entity.broken:
            _check_duplicates([*inherited, *entity.fields], len(inherited))
            resolved = [*inherited, *entity.fields]
        return resolved
    finally:
        done[id(entity)] = resolved


def _check_duplicates(fields: list[_Field], inherited: int) -> None:
    """Two fields with one YAML name, or one Prisma name, is an error naming both places.

    The first `inherited` fields come from `extends`; a clash among them is reported on the parent.
    """
    seen_yaml: dict[str, int] = {}
    seen_prisma: dict[str, int] = {}
    for i, f in enumerate(fields):
        for seen, key in ((seen_yaml, f.yaml_name), (seen_prisma, None if f.skip else f.name)):
            if key is None:
                continue
            first = seen.setdefault(key, i)
            if first == i or i < inherited:
                continue
            origin = "inherited through `extends`, " if first < inherited else ""
            raise ComposeError(Diagnostic(
                f"duplicate field `{key}`", f.location(), code="E413",
                notes=[(f"{origin}first defined here", fields[first].location())],
            ))


# -- generation ---------------------------------------------------------------------------------


def _generate(entity: _Entity, fields: list[_Field]) -> GeneratedFragment:
    model_line = _line(entity.name_node)
    first_own = len(fields) - len(entity.fields)
    kept = [(i >= first_own, f) for i, f in enumerate(fields) if not f.skip]
    keys = [f for _, f in kept if f.primary_key and f.attributes is None]
    composite = len(keys) > 1
    block: list[tuple[str, int]] = []
    if composite:
        block.append((f"@@id([{', '.join(f.name for f in keys)}])", keys[0].line))
    inherited_line = _line(entity.extends_node) if entity.extends_node is not None else model_line
    rows, indexes, field_id = _field_rows(kept, composite, inherited_line)
    block.extend(indexes)
    if not (composite or field_id or any(attribute_name(a) == "id" for a, _ in entity.block_attributes)):
        raise ComposeError(Diagnostic(
            f"model `{entity.name}` has no primary key",
            _location(entity.source, entity.name_node),
            code="E414",
            hint="Prisma needs an id: mark a field `primary_key: true`, or put `@id` in a field's "
            "`prisma.attributes` or `@@id([…])` in `schema.prisma.attributes`",
        ))
    block.extend(entity.block_attributes)
    block.sort(key=lambda item: _attribute_rank(item[0]))
    lines, line_map = _model_lines(entity, model_line, rows, block)
    lists = [f for _, f in kept if f.scalar_list is not None]
    return GeneratedFragment(
        os.path.splitext(os.path.basename(entity.source.path))[0],
        entity.source,
        entity.name,
        "\n".join(lines) + "\n",
        line_map,
        [(f.name, _location(f.source, f.scalar_list)) for f in lists],  # type: ignore[arg-type]
        [f.name for f in lists if f.psl_type == "Json[]"],
        entity.warnings,
    )


def _field_rows(
    kept: list[tuple[bool, _Field]], composite: bool, inherited_line: int
) -> tuple[list[tuple[list[str], int]], list[tuple[str, int]], bool]:
    """The model's field rows (columns, or one doc comment line; YAML line), the `@@index`es the
    fields ask for, and whether a field is the id. `kept`: (own field?, field); an inherited one
    maps to the `extends:` line."""
    rows: list[tuple[list[str], int]] = []
    indexes: list[tuple[str, int]] = []
    has_id = False
    for own, f in kept:
        line, doc_line = (f.line, f.description_line) if own else (inherited_line, inherited_line)
        rows.extend(([text], doc_line) for text in f.description)
        attrs, is_id, unique = _field_attributes_of(f, composite)
        has_id = has_id or is_id
        rows.append(([f.name, f.psl_type, " ".join(attrs)], line))
        if f.index and not unique:
            indexes.append((f"@@index([{f.name}])", line))
    return rows, indexes, has_id


def _field_attributes_of(f: _Field, composite: bool) -> tuple[list[str], bool, bool]:
    """A field's attributes in Prisma's order, and whether they make it the id, and unique."""
    if f.attributes is None:
        is_id = f.primary_key and not composite
        return _computed_attributes(f, is_id), is_id, f.primary_key or f.unique
    attrs = sorted(f.attributes, key=_attribute_rank)
    names = {attribute_name(a) for a in attrs}
    return attrs, "id" in names, "id" in names or "unique" in names


def _model_lines(
    entity: _Entity, model_line: int, rows: list[tuple[list[str], int]], block: list[tuple[str, int]]
) -> tuple[list[str], list[int]]:
    """The model's lines, laid out as `prisma format` lays them out, and the YAML line of each."""
    lines = [*entity.description, f"model {entity.name} {{"]
    line_map = [entity.description_line] * len(entity.description) + [model_line]
    for text, line in _table(rows):
        lines.append(text)
        line_map.append(line)
    if block:
        lines.append("")
        line_map.append(model_line)
        for text, line in block:
            lines.append("  " + text)
            line_map.append(line)
    lines.append("}")
    line_map.append(model_line)
    return lines, line_map


def _computed_attributes(f: _Field, is_id: bool) -> list[str]:
    """The attributes the entity keys imply, in Prisma's order."""
    attrs = ["@id"] if is_id else []
    if f.unique and not is_id:
        attrs.append("@unique")
    if f.default is not None:
        attrs.append(f"@default({f.default})")
    if f.name != f.yaml_name:
        attrs.append(f"@map({string_literal(f.yaml_name)})")
    return attrs


def _table(rows: list[tuple[list[str], int]]) -> list[tuple[str, int]]:
    """Field rows aligned in columns as `prisma format` aligns them; comment rows are not aligned."""
    fields = [cols for cols, _ in rows if len(cols) > 1]
    name_width = max((text_width(c[0]) for c in fields), default=0)
    type_width = max((text_width(c[1]) for c in fields), default=0)
    out: list[tuple[str, int]] = []
    for cols, line in rows:
        if len(cols) == 1:
            out.append(("  " + cols[0], line))
            continue
        name, type_, attrs = cols
        out.append((lay_out("field", name, type_, attrs, True, name_width, type_width)[0], line))
    return out
