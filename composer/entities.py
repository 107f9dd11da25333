"""YAML entity fragments (PRODUCT.md §4): one YAML file becomes one generated Prisma model.

The entity format is shared with other generators (Python models, search indexes, …), so only the
keys listed below are read; every other key is theirs and is ignored. Inside `prisma:` every key
is ours, and an unknown one is an error.

Mapping decisions (docs/entities.md explains them with a complete example):

* Types: string→String, integer→Int, float→Float, boolean→Boolean, datetime→DateTime, json→Json,
  `list[x]`→`X[]`. `nullable: true` adds `?`, except on lists (Prisma has no optional lists).
* `primary_key: true` → `@id`; several primary keys make one composite `@@id([a, b])`. A nullable
  primary key is an error. A model needs an id: a primary key, an `@id` in a field's
  `prisma.attributes`, or an `@@id` in `schema.prisma.attributes`.
* `unique: true` → `@unique` (dropped on a single primary key, which is unique already);
  `index: true` → `@@index([field])`, except on a unique or primary-key field.
* `default`: `cuid()`, `uuid()` (string), `now()` (datetime), `autoincrement()` (integer) →
  `@default(cuid())` …; a literal must fit the field's type: a YAML string for string (PSL
  escaping), a number for integer/float, true/false for boolean, an RFC 3339 date-time for
  datetime, any YAML value (or a string holding JSON text) for json, a YAML list for `list[x]`.
  `default: null` means no default.
* `prisma.name` renames the field and adds `@map("<yaml name>")`, so the column keeps the name the
  other generators use. `prisma.type` is used verbatim. `prisma.attributes` replaces every
  computed field attribute (`@id`, `@unique`, `@default`, `@map`). `prisma.skip` drops the field.
* `schema.description` and field descriptions become `///` doc comments; `schema.prisma.attributes`
  adds block attributes (`@@map("venues")`, `@@unique([a, b])`, …) to the model.
* `extends: Other` puts the fields of the entity named `Other` (recursively) first.
* The model is laid out the way `prisma format` lays it out (aligned columns, attributes and block
  attributes in Prisma's order), so formatting the composed schema changes nothing.

YAML is read with libyaml's safe loader when available, composed into nodes so that every error
can point at the file, line and column that caused it.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

import yaml

from .diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean

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
PRISMA_KEYS: tuple[str, ...] = ("name", "type", "attributes", "skip")
SCHEMA_PRISMA_KEYS: tuple[str, ...] = ("attributes",)
DEFAULT_FUNCTIONS: dict[str, str] = {
    "cuid()": "string",
    "uuid()": "string",
    "now()": "datetime",
    "autoincrement()": "integer",
}
# Datasources with scalar lists (Prisma docs, "Scalar lists"); CockroachDB has no `Json[]`.
SCALAR_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "cockroachdb", "mongodb"))
JSON_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "mongodb"))
_PSL_SCALARS = ("String", "Int", "Float", "Boolean", "DateTime", "Json", "Bytes", "Decimal", "BigInt")
# Names Prisma refuses for models: its scalar types and the client's reserved words
# (prisma-engines, reserved_model_names.rs).
RESERVED_MODEL_NAMES = frozenset((
    *_PSL_SCALARS, "PrismaClient", "break", "case", "catch", "class", "const", "continue", "debugger",
    "default", "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
    "if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null", "package",
    "private", "protected", "public", "return", "super", "switch", "this", "throw", "true", "try",
    "typeof", "var", "void", "while", "with", "yield",
))
IDENTIFIER_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
# RFC 3339, what Prisma accepts as a DateTime default.
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})\Z")
_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+\Z")
_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\(.*\)\Z", re.S)
# Prisma's own order for field and block attributes (schema-ast reformat.rs); others keep their
# place after these, as the formatter's stable sort leaves them.
_ATTRIBUTE_ORDER = {n: i for i, n in enumerate(
    ("id", "unique", "default", "updatedAt", "index", "fulltext", "map", "relation", "ignore")
)}

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN = "tag:prisma-compose,2024:plain"  # an unquoted scalar whose tag is resolved only when read
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
# YAML 1.1 booleans, as PyYAML's resolver reads them.
_BOOLS = {v: b for b, words in ((True, "yes true on"), (False, "no false off")) for w in words.split()
          for v in (w, w.capitalize(), w.upper())}
_IMPLICIT = yaml.resolver.Resolver()
_CONSTRUCT = yaml.constructor.SafeConstructor()


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, with tag resolution of plain scalars deferred to the few values we read.

    Resolving every scalar's implicit tag is a third of the composing time, and entity files are
    mostly keys and strings nobody asks the type of.
    """

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                return _MERGE if value == "<<" else _PLAIN
            return _STR
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


@dataclass
class GeneratedFragment:
    name: str  # file stem
    yaml_source: Source  # the YAML file
    model_name: str
    text: str  # PSL: `///` lines, then `model X { … }`; ends with "\n"
    line_map: list[int]  # line_map[i] = 1-based YAML line that produced PSL line i + 1
    scalar_lists: list[tuple[str, Location]]  # (field, location of its type) for the provider check
    json_lists: list[str] = field(default_factory=list)  # those of scalar_lists that are `Json[]`


@dataclass(eq=False)
class _Field:
    name: str  # in Prisma
    yaml_name: str
    source: Source
    name_node: yaml.Node
    line: int
    psl_type: str
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    default: str | None = None  # PSL expression
    attributes: list[str] | None = None  # prisma.attributes, canonical; None: computed
    description: list[str] = field(default_factory=list)
    description_line: int = 0
    scalar_list: yaml.Node | None = None  # the node whose value made it a scalar list
    skip: bool = False

    def location(self) -> Location:
        return _location(self.source, self.name_node)


@dataclass(eq=False)
class _Entity:
    source: Source
    name: str
    name_node: yaml.Node
    description: list[str]
    description_line: int
    extends: str | None
    extends_node: yaml.Node | None
    fields: list[_Field]
    block_attributes: list[tuple[str, int]]  # (canonical attribute, YAML line)
    broken: bool = False  # a field had an error: reported already, nothing to generate


# -- public API ---------------------------------------------------------------------------------


def load_entities(sources: list[Source]) -> list[GeneratedFragment]:
    """Generate one fragment per YAML file, in input order; all errors found are raised together."""
    errors: list[Diagnostic] = []
    entities: list[_Entity] = []
    unnamed = False  # a file failed before its name was read: an `extends` may name it
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
    """Refuse scalar lists on a datasource that has none (None: no datasource, nothing to check)."""
    if provider is None or not fragment.scalar_lists:
        return
    bad = [
        (name, where, "lists" if provider not in SCALAR_LIST_PROVIDERS else "`Json[]` lists")
        for name, where in fragment.scalar_lists
        if provider not in SCALAR_LIST_PROVIDERS or (name in fragment.json_lists and provider not in JSON_LIST_PROVIDERS)
    ]
    if bad:
        raise ComposeError([
            Diagnostic(
                f"field `{name}` of model `{fragment.model_name}` is a list, and the `{provider}` datasource "
                f"has no scalar {what}",
                where,
                code="E410",
                hint="use PostgreSQL, or give the field `prisma.type` (e.g. `Json`) or `prisma.skip: true`",
            )
            for name, where, what in bad
        ])


def entity_json_schema() -> str:
    return resources.files("composer").joinpath("schemas/entity.schema.json").read_text(encoding="utf-8")


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
    if mark is None or getattr(mark, "line", None) is None:
        return Location(source, 0, 0)
    offset = source.offset_of(mark.line + 1, mark.column + 1)
    return Location(source, offset, offset)


def _compose(source: Source) -> yaml.Node | None:
    try:
        return yaml.compose(source.text, Loader=_Loader)  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as exc:
        notes = []
        if exc.context and exc.context_mark is not None:
            notes.append((exc.context, _mark_location(source, exc.context_mark)))
        raise ComposeError(Diagnostic(
            f"invalid YAML: {exc.problem or exc.context}",
            _mark_location(source, exc.problem_mark or exc.context_mark),
            code="E400",
            notes=notes,
        )) from None
    except yaml.YAMLError as exc:  # reader errors (bad characters) carry no mark
        raise ComposeError(Diagnostic(f"invalid YAML: {exc}", Location(source, 0, 0), code="E400")) from None
    except RecursionError:
        raise ComposeError(
            Diagnostic("invalid YAML: the document is nested too deeply", Location(source, 0, 0), code="E400")
        ) from None


def _mapping(
    source: Source, node: yaml.Node, what: str, known: tuple[str, ...] | frozenset[str]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """The known keys of a mapping node; a known key given twice is an error (YAML would keep the last)."""
    if not isinstance(node, yaml.MappingNode):
        raise _fail(f"{what} must be a mapping", source, node, "E401")
    if any(k.tag == _MERGE for k, _ in node.value):
        try:
            _CONSTRUCT.flatten_mapping(node)
        except yaml.YAMLError as exc:
            raise _fail(f"invalid `<<` merge in {what}: {getattr(exc, 'problem', exc)}", source, node, "E400") from None
    out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue  # not a key of ours: other generators may use complex keys
        name = key.value
        if name in known:
            if name in out:
                raise _fail(
                    f"`{name}` is given twice in {what}", source, key, "E401",
                    notes=[("first given here", _location(source, out[name][0]))],
                )
            out[name] = (key, value)
    return out


def _tag(node: yaml.ScalarNode) -> str:
    tag: str = node.tag
    if tag == _PLAIN:
        tag = _IMPLICIT.resolve(yaml.ScalarNode, node.value, (True, False))
    return tag


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node; timestamps stay text (they are only ever re-emitted)."""
    tag = _tag(node)  # type: ignore[arg-type]
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
    raise ValueError(f"unsupported YAML tag `{tag}`")


def _value(source: Source, node: yaml.Node, what: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(f"{what} must be a single value, not a {_kind(node)}", source, node, "E401")
    try:
        return _scalar(node)
    except (ValueError, yaml.YAMLError) as exc:
        raise _fail(f"{what}: {exc}", source, node, "E401") from None


def _plain(source: Source, node: yaml.Node) -> Any:
    """A whole YAML value as plain Python data (for JSON defaults)."""
    if isinstance(node, yaml.SequenceNode):
        return [_plain(source, item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        _mapping(source, node, "a mapping", frozenset())  # flattens `<<` merges
        return {str(_plain(source, k)): _plain(source, v) for k, v in node.value}
    return _value(source, node, "a value")


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "mapping" if isinstance(node, yaml.MappingNode) else "value"


def _is_null(node: yaml.Node) -> bool:
    return node.tag == _NULL or (node.tag == _PLAIN and node.value in _NULLS)


def _text(source: Source, node: yaml.Node | None, what: str) -> str | None:
    """A scalar's text as written (`name: 123` names `123`), None for null or absent."""
    if node is None:
        return None
    if not isinstance(node, yaml.ScalarNode):
        raise _fail(f"{what} must be a single value, not a {_kind(node)}", source, node, "E401")
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
    shown = node.value if isinstance(node, yaml.ScalarNode) else f"a {_kind(node)}"
    raise _fail(f"`{what}` must be true or false, not `{shown}`", source, node, "E401")


def _doc_lines(source: Source, node: yaml.Node | None, what: str) -> list[str]:
    text = _text(source, node, what)
    if text is None:
        return []
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return [f"/// {line}" if line else "///" for line in lines]


def _identifier(source: Source, node: yaml.Node, name: str, what: str, hint: str | None = None) -> None:
    if not _IDENTIFIER.match(name):
        raise _fail(
            f"{what} `{name}` is not a valid Prisma name: use letters, digits and `_`, starting with a letter",
            source, node, "E402", hint=hint,
        )


# -- entities -----------------------------------------------------------------------------------

_TOP_KEYS = ("schema", "fields")
_SCHEMA_KEYS = ("name", "description", "extends", "prisma")
_FIELD_KEYS = ("name", "type", "nullable", "primary_key", "unique", "index", "default", "description", "prisma")


def _parse_entity(source: Source, errors: list[Diagnostic]) -> _Entity:
    """Read one file; field errors are collected so that one run reports them all."""
    root = _compose(source)
    if root is None:
        raise _fail("the entity file is empty: it needs a `schema:` with a `name`", source, None, "E403")
    top = _mapping(source, root, "an entity file", _TOP_KEYS)
    if "schema" not in top:
        raise _fail("the entity file has no `schema:` section (with the model's `name`)", source, root, "E403")
    schema_key, schema_node = top["schema"]
    schema = _mapping(source, schema_node, "`schema`", _SCHEMA_KEYS)
    if "name" not in schema:
        raise _fail("`schema` has no `name`: the model needs one", source, schema_key, "E403")
    name_node = schema["name"][1]
    name = _text(source, name_node, "`schema.name`")
    if not name:
        raise _fail("`schema.name` is empty: the model needs a name", source, name_node, "E403")
    _identifier(source, name_node, name, "model name")
    if name in RESERVED_MODEL_NAMES:
        raise _fail(f"`{name}` is a reserved name in Prisma and cannot name a model", source, name_node, "E402")
    extends_node = schema["extends"][1] if "extends" in schema else None
    description_node = schema["description"][1] if "description" in schema else None
    entity = _Entity(
        source,
        name,
        name_node,
        _doc_lines(source, description_node, "`schema.description`"),
        description_node.start_mark.line + 1 if description_node is not None else 0,
        _text(source, extends_node, "`schema.extends`") or None,
        extends_node,
        [],
        _block_attributes(source, schema["prisma"][1]) if "prisma" in schema else [],
    )
    fields_node = top["fields"][1] if "fields" in top else None
    if fields_node is None or (isinstance(fields_node, yaml.ScalarNode) and _tag(fields_node) == _NULL):
        return entity
    if not isinstance(fields_node, yaml.SequenceNode):
        raise _fail("`fields` must be a list of fields", source, fields_node, "E401")
    for item in fields_node.value:
        try:
            entity.fields.append(_parse_field(source, item))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
            entity.broken = True
    return entity


def _block_attributes(source: Source, node: yaml.Node) -> list[tuple[str, int]]:
    prisma = _prisma_section(source, node, "`schema.prisma`", SCHEMA_PRISMA_KEYS)
    if "attributes" not in prisma:
        return []
    return [
        (attr, line)
        for item, line in _attribute_items(source, prisma["attributes"][1], "`schema.prisma.attributes`")
        for attr in _canonical_attributes(source, item, block=True)
    ]


def _prisma_section(
    source: Source, node: yaml.Node, what: str, known: tuple[str, ...]
) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """`prisma:` belongs to this generator alone, so a key it does not know is a mistake."""
    if isinstance(node, yaml.ScalarNode) and _tag(node) == _NULL:
        return {}
    section = _mapping(source, node, what, known)
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value not in known:
            options = ", ".join(f"`{k}`" for k in known)
            raise _fail(
                f"unknown key `{key.value}` in {what}", source, key, "E404",
                hint=did_you_mean(str(key.value), set(known)) or f"known keys: {options}",
            )
    return section


def _attribute_items(source: Source, node: yaml.Node, what: str) -> list[tuple[yaml.Node, int]]:
    if isinstance(node, yaml.ScalarNode) and _tag(node) == _NULL:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise _fail(f"{what} must be a list of attributes, e.g. [\"@id\"]", source, node, "E401")
    return [(item, item.start_mark.line + 1) for item in node.value]


def _parse_field(source: Source, node: yaml.Node) -> _Field:
    spec = _mapping(source, node, "a field", _FIELD_KEYS)
    if "name" not in spec:
        raise _fail("this field has no `name`", source, node, "E405")
    name_node = spec["name"][1]
    yaml_name = _text(source, name_node, "the field `name`")
    if not yaml_name:
        raise _fail("the field `name` is empty", source, name_node, "E405")
    prisma = _prisma_section(source, spec["prisma"][1], "`prisma`", PRISMA_KEYS) if "prisma" in spec else {}
    line = name_node.start_mark.line + 1
    if _flag(source, prisma.get("skip", (None, None))[1], "prisma.skip"):
        # Left out of Prisma: the rest of the field, its type included, is the other generators' business.
        return _Field(yaml_name, yaml_name, source, name_node, line, "", skip=True)
    if "type" not in spec:
        raise _fail(f"field `{yaml_name}` has no `type`", source, name_node, "E406",
                    hint="one of " + ", ".join(ENTITY_TYPES))
    type_node = spec["type"][1]
    base, is_list = _entity_type(source, type_node, _text(source, type_node, "the field `type`") or "")
    description_node = spec["description"][1] if "description" in spec else None
    f = _Field(
        yaml_name, yaml_name, source, name_node, line, "",
        primary_key=_flag(source, spec.get("primary_key", (None, None))[1], "primary_key"),
        unique=_flag(source, spec.get("unique", (None, None))[1], "unique"),
        index=_flag(source, spec.get("index", (None, None))[1], "index"),
        description=_doc_lines(source, description_node, "the field `description`"),
        description_line=description_node.start_mark.line + 1 if description_node is not None else line,
    )
    if "name" in prisma:
        prisma_name_node = prisma["name"][1]
        f.name = _text(source, prisma_name_node, "`prisma.name`") or yaml_name
        _identifier(source, prisma_name_node, f.name, "field name")
    else:
        _identifier(source, name_node, yaml_name, "field name",
                    hint="set `prisma.name` to a valid name; the column keeps this one through @map")
    nullable = _flag(source, spec.get("nullable", (None, None))[1], "nullable")
    if "type" in prisma:
        type_node = prisma["type"][1]
        f.psl_type = _prisma_type(source, type_node)
        if f.psl_type.endswith("[]") and f.psl_type[:-2] in _PSL_SCALARS:
            f.scalar_list = type_node
    else:
        f.psl_type = SCALAR_TYPES[base] + ("[]" if is_list else "?" if nullable else "")
        f.scalar_list = type_node if is_list else None
    if f.primary_key and f.psl_type.endswith(("?", "[]")):
        # Prisma: "Fields that are marked as id must be required", and a list never is.
        what = "nullable" if f.psl_type.endswith("?") else "a list"
        where = spec["nullable"][1] if what == "nullable" and "type" not in prisma else type_node
        raise _fail(f"field `{yaml_name}` is a primary key and cannot be {what}", source, where, "E407")
    if "default" in spec:
        f.default = _default(source, spec["default"][1], base, is_list)
    if "attributes" in prisma:
        f.attributes = [
            attr
            for item, _ in _attribute_items(source, prisma["attributes"][1], "`prisma.attributes`")
            for attr in _canonical_attributes(source, item, block=False)
        ]
    return f


def _entity_type(source: Source, node: yaml.Node, value: str) -> tuple[str, bool]:
    if value in SCALAR_TYPES:
        return value, False
    if value.startswith("list[") and value.endswith("]") and value[5:-1] in SCALAR_TYPES:
        return value[5:-1], True
    raise _fail(
        f"unknown type `{value}`", source, node, "E406",
        hint=did_you_mean(value, set(ENTITY_TYPES)) or "one of " + ", ".join(ENTITY_TYPES),
    )


# -- defaults -----------------------------------------------------------------------------------


def _default(source: Source, node: yaml.Node, base: str, is_list: bool) -> str | None:
    type_name = f"list[{base}]" if is_list else base
    if isinstance(node, yaml.ScalarNode):
        value = _value(source, node, "`default`")
        if value is None:
            return None
        if isinstance(value, str) and _CALL.match(value.strip()):
            call = value.strip()
            wanted = DEFAULT_FUNCTIONS.get(call)
            if wanted is None:
                raise _fail(
                    f"unknown default function `{call}`", source, node, "E408",
                    hint="use cuid(), uuid(), now() or autoincrement(), or write the attribute in "
                    "`prisma.attributes`",
                )
            if is_list or wanted != base:
                raise _fail(f"`{call}` is a default for a {wanted} field, not for a {type_name} field",
                            source, node, "E408")
            return call
    if is_list:
        if not isinstance(node, yaml.SequenceNode):
            raise _fail(f"the default of a {type_name} field must be a list", source, node, "E408")
        return "[" + ", ".join(_literal(source, item, base) for item in node.value) + "]"
    return _literal(source, node, base)


def _literal(source: Source, node: yaml.Node, base: str) -> str:
    """A PSL literal for a YAML value of a field of type `base`; a value of another type is an error."""
    if base == "json":
        value = _plain(source, node)
        if isinstance(value, str):
            try:
                json.loads(value)
            except ValueError:
                raise _fail(
                    "the default of a json field must be JSON text or a YAML value", source, node, "E408",
                    hint="write the value itself (`default: {}`) or quote JSON text (`default: '\"text\"'`)",
                ) from None
            return _psl_string(value)
        try:
            return _psl_string(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
        except ValueError as exc:
            raise _fail(f"the default cannot be written as JSON: {exc}", source, node, "E408") from None
    value = _value(source, node, "`default`")
    if base == "string" and isinstance(value, str):
        return _psl_string(value)
    if base == "boolean" and isinstance(value, bool):
        return "true" if value else "false"
    if base == "integer" and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if base == "float" and isinstance(value, str) and node.tag == _PLAIN:
        value = _yaml12_number(value)
    if base == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise _fail("a float default must be a finite number", source, node, "E408")
        return _psl_number(value)
    if base == "datetime" and isinstance(value, str) and _DATETIME.match(value):
        return _psl_string(value)
    hint = {
        "string": "quote it to make it a string",
        "datetime": "write an RFC 3339 date-time such as 2024-01-31T12:00:00Z, or now()",
    }.get(base)
    shown = node.value if isinstance(node, yaml.ScalarNode) else _kind(node)
    raise _fail(f"the default `{shown}` does not fit a {base} field", source, node, "E408", hint=hint)


def _yaml12_number(text: str) -> float | str:
    """`1e-7` is a string to YAML 1.1 (PyYAML), which wants a dot; YAML 1.2 and users read a number."""
    try:
        return float(text) if _EXPONENT.match(text) else text
    except ValueError:
        return text


def _psl_string(value: str) -> str:
    # PSL string literals follow JSON's grammar and escapes (schema-ast datamodel.pest).
    return json.dumps(value, ensure_ascii=False)


def _psl_number(value: float) -> str:
    text = repr(value)
    if "e" in text or "E" in text:  # PSL numbers have no exponent
        text = format(Decimal(text), "f")
    return text


# -- Prisma-side overrides ----------------------------------------------------------------------


def _psl_probe(text: str) -> Any:
    """Parse a one-field model with the project's PSL parser, to judge text given for Prisma."""
    from .psl import parse

    return parse(Source("<prisma>", text)).declarations[0]


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


def _canonical_attributes(source: Source, node: yaml.Node, block: bool) -> list[str]:
    """Attributes as `prisma format` writes them: checked by the PSL parser, spaced canonically."""
    text = (_text(source, node, "an attribute") or "").strip()
    prefix = "@@" if block else "@"
    what = "a block attribute (`@@…`)" if block else "a field attribute (`@…`, not `@@…`)"
    if not text.startswith(prefix) or (not block and text.startswith("@@")) or "\n" in text:
        raise _fail(f"`{text}` is not {what}", source, node, "E409")
    probe = f"model M {{\n  f Int\n  {text}\n}}\n" if block else f"model M {{\n  f Int {text}\n}}\n"
    try:
        members = _psl_probe(probe).members
    except ComposeError as exc:
        raise _fail(f"invalid attribute `{text}`: {exc.diagnostics[0].message}", source, node, "E409") from None
    attrs = members[1].attributes if block else members[0].attributes
    if block and len(members) > 2:
        attrs = [m.attributes[0] for m in members[1:]]
    line_start = probe.index(text)
    if not attrs or attrs[-1].end - line_start != len(text):
        raise _fail(f"invalid attribute `{text}`", source, node, "E409")
    return [prefix + _render_call(probe, a.name, a.args) for a in attrs]


def _render_call(text: str, name: str, args: list[Any] | None) -> str:
    if args is None:
        return name
    rendered = (f"{a.name}: {_render_expr(text, a.value)}" if a.name else _render_expr(text, a.value) for a in args)
    return f"{name}({', '.join(rendered)})"


def _render_expr(text: str, expr: Any) -> str:
    if expr is None:
        return ""
    if expr.kind == "call":
        return _render_call(text, expr.value, expr.args)
    if expr.kind == "array":
        return "[" + ", ".join(_render_expr(text, item) for item in expr.items) + "]"
    return str(text[expr.start : expr.end])  # literals and paths stay as written, as the formatter keeps them


def _attribute_name(attr: str) -> str:
    name = attr.lstrip("@")
    cut = name.find("(")
    return name if cut == -1 else name[:cut]


def _sorted_attributes(attrs: list[str]) -> list[str]:
    return sorted(attrs, key=lambda a: _ATTRIBUTE_ORDER.get(_attribute_name(a), len(_ATTRIBUTE_ORDER)))


# -- extends and duplicates ---------------------------------------------------------------------


def _index_by_name(entities: list[_Entity], errors: list[Diagnostic]) -> dict[str, _Entity]:
    by_name: dict[str, _Entity] = {}
    for entity in entities:
        first = by_name.get(entity.name)
        if first is not None:
            errors.append(Diagnostic(
                f"two entity files define `{entity.name}`", _location(entity.source, entity.name_node), code="E411",
                notes=[("first defined here", _location(first.source, first.name_node))],
            ))
            continue
        by_name[entity.name] = entity
    return by_name


def _resolve_fields(
    entity: _Entity,
    by_name: dict[str, _Entity],
    done: dict[int, list[_Field] | None],
    chain: list[_Entity],
    unnamed: bool,
) -> list[_Field] | None:
    """The entity's fields, its ancestors' first; None when it or an ancestor has errors of its own."""
    if id(entity) in done:
        return done[id(entity)]
    if entity in chain:
        start = chain.index(entity)
        cycle = " -> ".join(e.name for e in [*chain[start:], entity])
        closing = chain[-1]
        raise ComposeError(Diagnostic(
            f"`extends` makes a cycle: {cycle}", _location(closing.source, closing.extends_node), code="E412",
            notes=[(f"`{e.name}` extends `{e.extends}`", _location(e.source, e.extends_node))
                   for e in chain[start:-1]],
        ))
    resolved: list[_Field] | None = None
    try:  # memoised even when it raises, so that an error is reported once, not once per descendant
        inherited: list[_Field] = []
        if entity.extends is not None:
            parent = by_name.get(entity.extends)
            if parent is None:
                if unnamed:  # perhaps the file that failed to load; its own error says why
                    return None
                hint = did_you_mean(entity.extends, set(by_name))
                raise ComposeError(Diagnostic(
                    f"`extends: {entity.extends}` names no entity", _location(entity.source, entity.extends_node),
                    code="E412", hint=hint or "`extends` takes the `schema.name` of another entity file",
                ))
            parent_fields = _resolve_fields(parent, by_name, done, [*chain, entity], unnamed)
            if parent_fields is None:
                return None
            inherited = parent_fields
        if entity.broken:
            return None
        _check_duplicates([*inherited, *entity.fields], inherited)
        resolved = [*inherited, *entity.fields]
        return resolved
    finally:
        done[id(entity)] = resolved


def _check_duplicates(fields: list[_Field], inherited: list[_Field]) -> None:
    """Two fields with one YAML name, or one Prisma name, is an error naming both places."""
    from_parent = {id(f) for f in inherited}
    seen_yaml: dict[str, _Field] = {}
    seen_prisma: dict[str, _Field] = {}
    for f in fields:
        for seen, key in ((seen_yaml, f.yaml_name), (seen_prisma, None if f.skip else f.name)):
            if key is None:
                continue
            first = seen.setdefault(key, f)
            if first is f or id(f) in from_parent:  # a clash among ancestors is reported on them
                continue
            origin = "inherited through `extends`, " if id(first) in from_parent else ""
            raise ComposeError(Diagnostic(
                f"duplicate field `{key}`", f.location(), code="E413",
                notes=[(f"{origin}first defined here", first.location())],
            ))


# -- generation ---------------------------------------------------------------------------------


def _generate(entity: _Entity, fields: list[_Field]) -> GeneratedFragment:
    source = entity.source
    model_line = entity.name_node.start_mark.line + 1
    inherited_line = entity.extends_node.start_mark.line + 1 if entity.extends_node is not None else model_line
    own = {id(f) for f in entity.fields}
    kept = [f for f in fields if not f.skip]
    keys = [f for f in kept if f.primary_key and f.attributes is None]
    composite = len(keys) > 1

    rows: list[tuple[list[str], int]] = []  # columns (one for a comment line), YAML line
    block: list[tuple[str, int]] = []
    scalar_lists: list[tuple[str, Location]] = []
    json_lists: list[str] = []
    has_id = composite or any(a.startswith("@@id") for a, _ in entity.block_attributes)
    if composite:
        block.append((f"@@id([{', '.join(f.name for f in keys)}])", keys[0].line))
    for f in kept:
        line = f.line if id(f) in own else inherited_line
        doc_line = f.description_line if id(f) in own else inherited_line
        rows.extend(([text], doc_line) for text in f.description)
        attrs = _field_attributes(f, composite)
        has_id = has_id or any(_attribute_name(a) == "id" for a in attrs)
        rows.append(([f.name, f.psl_type, " ".join(attrs)], line))
        if f.index and not any(_attribute_name(a) in ("id", "unique") for a in attrs) and not (
            f.attributes is None and (f.unique or f.primary_key)
        ):
            block.append((f"@@index([{f.name}])", line))
        if f.scalar_list is not None:
            scalar_lists.append((f.name, _location(f.source, f.scalar_list)))
            if f.psl_type == "Json[]":
                json_lists.append(f.name)
    if not has_id:
        raise ComposeError(Diagnostic(
            f"model `{entity.name}` has no primary key", _location(source, entity.name_node), code="E414",
            hint="mark a field `primary_key: true` (Prisma needs an id), or give `@id` in a field's "
            "`prisma.attributes` or `@@id([…])` in `schema.prisma.attributes`",
        ))
    block.extend(entity.block_attributes)
    block.sort(key=lambda item: _ATTRIBUTE_ORDER.get(_attribute_name(item[0]), len(_ATTRIBUTE_ORDER)))

    lines = [*entity.description, f"model {entity.name} {{"]
    line_map = [entity.description_line] * len(entity.description) + [model_line]
    for text, line in _table(rows):
        lines.append("  " + text if text else "")
        line_map.append(line)
    if block:
        lines.append("")
        line_map.append(model_line)
        for text, line in block:
            lines.append("  " + text)
            line_map.append(line)
    lines.append("}")
    line_map.append(model_line)
    return GeneratedFragment(
        os.path.splitext(os.path.basename(source.path))[0],
        source,
        entity.name,
        "\n".join(lines) + "\n",
        line_map,
        scalar_lists,
        json_lists,
    )


def _field_attributes(f: _Field, composite_key: bool) -> list[str]:
    if f.attributes is not None:
        return _sorted_attributes(f.attributes)
    single_key = f.primary_key and not composite_key
    attrs = ["@id"] if single_key else []
    if f.unique and not single_key:
        attrs.append("@unique")
    if f.default is not None:
        attrs.append(f"@default({f.default})")
    if f.name != f.yaml_name:
        attrs.append(f"@map({_psl_string(f.yaml_name)})")
    return attrs


def _width(text: str) -> int:
    # Prisma's formatter pads by UTF-8 byte length (Rust `str::len`).
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _table(rows: list[tuple[list[str], int]]) -> list[tuple[str, int]]:
    """Align field rows in columns as `prisma format` does; comment rows pass through unaligned."""
    fields = [cols for cols, _ in rows if len(cols) > 1]
    name_width = max((_width(c[0]) for c in fields), default=0)
    type_width = max((_width(c[1]) for c in fields), default=0)
    out: list[tuple[str, int]] = []
    for cols, line in rows:
        if len(cols) == 1:
            out.append((cols[0], line))
            continue
        name, type_, attrs = cols
        head = name + " " * (name_width - _width(name) + 1)
        if attrs:
            out.append((head + type_ + " " * (type_width - _width(type_) + 1) + attrs, line))
        else:
            out.append((head + type_, line))
    return out
