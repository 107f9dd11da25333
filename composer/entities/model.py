"""The entity model (`Entity`, `Field`) read from an entity file's YAML nodes, and checked: names,
types, flags, `prisma:` sections, `extends` chains and duplicate fields. Every error is located.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..diagnostics import ComposeError, Diagnostic, Location, Source, article, did_you_mean
from .shape import (
    ENTITY_TYPES,
    FIELD_KEYS,
    IDENTIFIER_PATTERN,
    PRISMA_KEYS,
    PSL_SCALARS,
    RESERVED_MODEL_NAMES,
    SCALAR_TYPES,
    SCHEMA_KEYS,
    SCHEMA_PRISMA_KEYS,
    TOP_KEYS,
)
from .values import block_attribute, default_expr, field_attributes, prisma_type
from .yamlnodes import (
    ANCHOR,
    check_aliases,
    compose_yaml,
    doc_lines,
    fail,
    flag,
    is_null,
    kind_of,
    line_of,
    node_location,
    read_mapping,
    scalar_text,
)

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)

@dataclass(eq=False)
class Field:
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
        return node_location(self.source, self.name_node)


@dataclass(eq=False)
class Entity:
    source: Source
    name: str
    name_node: yaml.Node
    description: list[str]  # `///` lines
    description_line: int
    extends: str | None
    extends_node: yaml.Node | None
    block_attributes: list[tuple[str, int]]  # (canonical attribute, YAML line)
    fields: list[Field] = field(default_factory=list)
    broken: bool = False  # the file has an error, reported already: nothing to generate
    warnings: list[Diagnostic] = field(default_factory=list)



def check_identifier(source: Source, node: yaml.Node, name: str, what: str, hint: str | None = None) -> None:
    if not _IDENTIFIER.match(name):
        raise fail(
            f"{what} `{name}` is not a valid Prisma name: letters, digits and `_`, starting with a letter",
            source, node, "E402", hint=hint,
        )


def parse_entity(source: Source, errors: list[Diagnostic]) -> Entity:
    """Read one file. Its errors go to `errors`, so that one run reports them all (raised when the
    file has no usable model name); warnings go to the entity."""
    warnings: list[Diagnostic] = []
    top = _top(source, warnings)
    problems: list[Diagnostic] = []  # this file's errors, in the file's order
    entity = _model(source, top["schema"], problems, warnings)
    _read_fields(source, top.get("fields"), entity, problems)
    if problems:
        if not entity.name:  # nothing can extend it or clash with it: the caller counts it unnamed
            raise ComposeError(problems)
        errors.extend(problems)
        entity.broken = True
    return entity


def _top(source: Source, warnings: list[Diagnostic]) -> dict[str, yaml.Node]:
    """The file's top-level keys; a file without a `schema:` mapping has no model to read."""
    root = compose_yaml(source)
    if root is None:
        raise fail("the entity file is empty: it needs a `schema:` with a `name`", source, None, "E403")
    if "*" in source.text and ANCHOR.search(source.text):  # no anchor, no alias: nothing repeated
        check_aliases(source, root)
    top = read_mapping(source, root, "an entity file", TOP_KEYS, warnings)
    if "schema" not in top:
        raise fail("the entity file has no `schema:` section naming the model", source, root, "E403")
    return top


def _model(source: Source, node: yaml.Node, problems: list[Diagnostic], warnings: list[Diagnostic]) -> Entity:
    """The entity of a `schema:` section (`node`), without its fields; its errors go to `problems`."""
    schema = read_mapping(source, node, "`schema`", SCHEMA_KEYS, warnings)
    name = _attempt(problems, None, _model_name, source, schema, node)
    description = schema.get("description")
    extends = schema.get("extends")
    return Entity(
        source,
        name or "",
        schema.get("name") or node,
        _attempt(problems, [], _model_doc, source, description),
        line_of(description) if description is not None else 0,
        _attempt(problems, None, scalar_text, source, extends, "`schema.extends`") or None,
        extends,
        _attempt(problems, [], _block_attributes, source, schema["prisma"]) if "prisma" in schema else [],
        warnings=warnings,
    )


def _read_fields(
    source: Source, fields: yaml.Node | None, entity: Entity, problems: list[Diagnostic]
) -> None:
    if fields is None or is_null(fields):
        return
    if not isinstance(fields, yaml.SequenceNode):
        message = f"`fields` must be a list of fields, not {article(kind_of(fields))}"
        problems.append(Diagnostic(message, node_location(source, fields), code="E401"))
        return
    for item in fields.value:
        field_ = _attempt(problems, None, _parse_field, source, item, entity.warnings)
        if field_ is not None:
            entity.fields.append(field_)


def _attempt(problems: list[Diagnostic], failed: Any, read: Any, *args: Any) -> Any:
    """`read(*args)`, or `failed` with its errors added to `problems`: one error does not hide the next."""
    try:
        return read(*args)
    except ComposeError as exc:
        problems.extend(exc.diagnostics)
        return failed


def _model_name(source: Source, schema: dict[str, yaml.Node], schema_node: yaml.Node) -> str:
    name_node = schema.get("name")
    name = scalar_text(source, name_node, "`schema.name`")
    if name_node is None or not name:
        where = name_node or schema_node
        raise fail("`schema.name` is missing: the model needs a name", source, where, "E403")
    check_identifier(source, name_node, name, "model name")
    if name in RESERVED_MODEL_NAMES:
        raise fail(f"`{name}` is reserved in Prisma and cannot name a model", source, name_node, "E402")
    return name


def _model_doc(source: Source, description: yaml.Node | None) -> list[str]:
    doc = doc_lines(source, description, "`schema.description`")
    if "/// @extend" in doc:
        # In a fragment, that doc comment line marks a model as an extension (README, `@extend`).
        raise fail("a `schema.description` line cannot be `@extend`", source, description, "E403")
    return doc


def _prisma_section(
    source: Source, node: yaml.Node, what: str, known: frozenset[str]
) -> dict[str, yaml.Node]:
    """`prisma:` belongs to this generator alone, so a key it does not know is a mistake."""
    if is_null(node):
        return {}
    section = read_mapping(source, node, what, known)
    for key, _ in node.value:
        if not isinstance(key.value, str) or key.value not in known:
            options = ", ".join(f"`{k}`" for k in sorted(known))
            raise fail(
                f"unknown key `{key.value}` in {what}", source, key, "E404",
                hint=did_you_mean(str(key.value), set(known)) or f"known keys: {options}",
            )
    return section


def _block_attributes(source: Source, node: yaml.Node) -> list[tuple[str, int]]:
    prisma = _prisma_section(source, node, "`schema.prisma`", SCHEMA_PRISMA_KEYS)
    items = _attribute_items(source, prisma.get("attributes"), "`schema.prisma.attributes`")
    return [(block_attribute(source, item), line_of(item)) for item in items]


def _attribute_items(source: Source, node: yaml.Node | None, what: str) -> list[yaml.Node]:
    if node is None or is_null(node):
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise fail(f"{what} must be a list of attributes, e.g. [\"@unique\"]", source, node, "E401")
    return list(node.value)


def _parse_field(source: Source, node: yaml.Node, warnings: list[Diagnostic]) -> Field:
    spec = read_mapping(source, node, "a field", FIELD_KEYS, warnings)
    f = _named_field(source, node, spec.get("name"))
    prisma = _prisma_section(source, spec["prisma"], "`prisma`", PRISMA_KEYS) if "prisma" in spec else {}
    if flag(source, prisma.get("skip"), "prisma.skip"):
        f.skip = True  # left out of Prisma: the rest of it, type included, is other generators' business
        return f
    type_node = spec.get("type")
    if type_node is None:
        raise fail(f"field `{f.yaml_name}` has no `type`", source, f.name_node, "E406",
                   hint="one of " + ", ".join(ENTITY_TYPES))
    base, is_list = _entity_type(source, type_node)
    _field_flags(source, f, spec)
    _field_name(source, f, prisma.get("name"))
    type_node = _field_type(source, f, prisma.get("type", type_node), "type" in prisma, base, is_list,
                            flag(source, spec.get("nullable"), "nullable"))
    if f.primary_key and f.psl_type.endswith(("?", "[]")):
        _optional_key(source, f, spec, type_node, "type" in prisma)
    if "default" in spec:
        f.default = default_expr(source, spec["default"], base, is_list, warnings)
    if "attributes" in prisma:
        items = _attribute_items(source, prisma["attributes"], "`prisma.attributes`")
        f.attributes = [attr for item in items for attr in field_attributes(source, item)]
    return f


def _named_field(source: Source, node: yaml.Node, name_node: yaml.Node | None) -> Field:
    yaml_name = scalar_text(source, name_node, "the field `name`")
    if name_node is None or not yaml_name:
        raise fail("this field has no `name`", source, name_node or node, "E405")
    return Field(yaml_name, yaml_name, source, name_node, line_of(name_node))


def _field_flags(source: Source, f: Field, spec: dict[str, yaml.Node]) -> None:
    f.primary_key = flag(source, spec.get("primary_key"), "primary_key")
    f.unique = flag(source, spec.get("unique"), "unique")
    f.index = flag(source, spec.get("index"), "index")
    description = spec.get("description")
    f.description = doc_lines(source, description, "the field `description`")
    f.description_line = line_of(description) if description is not None else f.line


def _optional_key(
    source: Source, f: Field, spec: dict[str, yaml.Node], type_node: yaml.Node, verbatim: bool
) -> None:
    """A primary key that is nullable or a list: refused at the key that made it so."""
    # Prisma: "Fields that are marked as id must be required", and a list never is.
    what = "nullable" if f.psl_type.endswith("?") else "a list"
    where = spec["nullable"] if what == "nullable" and not verbatim else type_node
    raise fail(f"field `{f.yaml_name}` is a primary key and cannot be {what}", source, where, "E407")


def _field_name(source: Source, f: Field, node: yaml.Node | None) -> None:
    """`prisma.name` (`node`) renames the field in Prisma; either name must be an identifier."""
    if node is not None:
        f.name = scalar_text(source, node, "`prisma.name`") or f.yaml_name
        check_identifier(source, node, f.name, "field name")
    else:
        check_identifier(source, f.name_node, f.yaml_name, "field name",
                          hint="give it a `prisma.name`; the column keeps this name through @map")


def _field_type(
    source: Source, f: Field, node: yaml.Node, verbatim: bool, base: str, is_list: bool, nullable: bool
) -> yaml.Node:
    """Sets the field's Prisma type: `prisma.type` as written (`verbatim`), else the entity
    type's; returns the node the type comes from."""
    if verbatim:
        f.psl_type = prisma_type(source, node)
        if f.psl_type.endswith("[]") and f.psl_type[:-2] in PSL_SCALARS:
            f.scalar_list = node
    else:
        f.psl_type = SCALAR_TYPES[base] + ("[]" if is_list else "?" if nullable else "")
        f.scalar_list = node if is_list else None
    return node


def _entity_type(source: Source, node: yaml.Node) -> tuple[str, bool]:
    """(scalar type, is a list) of a field's `type`."""
    value = scalar_text(source, node, "the field `type`") or ""
    if value in SCALAR_TYPES:
        return value, False
    if value.startswith("list[") and value.endswith("]") and value[5:-1] in SCALAR_TYPES:
        return value[5:-1], True
    raise fail(
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



def index_by_name(entities: list[Entity], errors: list[Diagnostic]) -> dict[str, Entity]:
    by_name: dict[str, Entity] = {}
    for entity in entities:
        first = by_name.setdefault(entity.name, entity)
        if first is not entity:
            errors.append(Diagnostic(
                f"two entity files define `{entity.name}`",
                node_location(entity.source, entity.name_node),
                code="E411",
                notes=[("first defined here", node_location(first.source, first.name_node))],
            ))
    return by_name


def resolve_fields(
    entity: Entity,
    by_name: dict[str, Entity],
    done: dict[int, list[Field] | None],
    chain: list[Entity],
    unnamed: bool,
) -> list[Field] | None:
    """The entity's fields, its ancestors' first; None when it or an ancestor has its own errors."""
    if id(entity) in done:
        return done[id(entity)]
    if entity in chain:
        raise _cycle(chain[chain.index(entity):], entity)
    resolved: list[Field] | None = None
    try:  # memoised even when it raises: an error is reported once, not once per descendant
        inherited = _inherited(entity, by_name, done, chain, unnamed)
        if inherited is not None and not entity.broken:
            _check_duplicates([*inherited, *entity.fields], len(inherited))
            resolved = [*inherited, *entity.fields]
        return resolved
    finally:
        done[id(entity)] = resolved


def _inherited(
    entity: Entity,
    by_name: dict[str, Entity],
    done: dict[int, list[Field] | None],
    chain: list[Entity],
    unnamed: bool,
) -> list[Field] | None:
    """The fields `extends` brings; None when an ancestor has errors (or may be an unnamed file)."""
    if entity.extends is None:
        return []
    parent = by_name.get(entity.extends)
    if parent is not None:
        return resolve_fields(parent, by_name, done, [*chain, entity], unnamed)
    if unnamed:
        return None
    raise ComposeError(Diagnostic(
        f"`extends: {entity.extends}` names no entity",
        node_location(entity.source, entity.extends_node),
        code="E412",
        hint=did_you_mean(entity.extends, set(by_name))
        or "`extends` takes the `schema.name` of another entity file",
    ))


def _cycle(cycle: list[Entity], entity: Entity) -> ComposeError:
    closing = cycle[-1]
    return ComposeError(Diagnostic(
        f"`extends` makes a cycle: {' -> '.join(e.name for e in [*cycle, entity])}",
        node_location(closing.source, closing.extends_node),
        code="E412",
        notes=[
            (f"`{e.name}` extends `{e.extends}`", node_location(e.source, e.extends_node))
            for e in cycle[:-1]
        ],
    ))


def _check_duplicates(fields: list[Field], inherited: int) -> None:
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



