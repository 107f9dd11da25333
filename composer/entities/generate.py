"""Generating a model's PSL from a checked entity: field rows and attributes, the composite id,
`@@index`es, laid out as `prisma format` lays them out (through `psl/render.py`), with the YAML line
of every PSL line; and the datasource check of scalar lists.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..diagnostics import ComposeError, Diagnostic, Location, Source
from ..psl.render import attribute_name, attribute_rank, lay_out, string_literal, text_width
from .model import Entity, Field
from .yamlnodes import line_of, node_location

# Datasources with scalar lists (Prisma docs, "Scalar lists"); CockroachDB has no `Json[]`.
SCALAR_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "cockroachdb", "mongodb"))
JSON_LIST_PROVIDERS = frozenset(("postgresql", "postgres", "mongodb"))


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



def _attribute_rank(attr: str) -> int:
    return attribute_rank(attribute_name(attr))


def generate(entity: Entity, fields: list[Field]) -> GeneratedFragment:
    model_line = line_of(entity.name_node)
    first_own = len(fields) - len(entity.fields)
    kept = [(i >= first_own, f) for i, f in enumerate(fields) if not f.skip]
    block = _composite_id(kept)
    composite = bool(block)
    inherited_line = line_of(entity.extends_node) if entity.extends_node is not None else model_line
    rows, indexes, field_id = _field_rows(kept, composite, inherited_line)
    block.extend(indexes)
    if not (composite or field_id or any(attribute_name(a) == "id" for a, _ in entity.block_attributes)):
        raise _no_key(entity)
    block.extend(entity.block_attributes)
    block.sort(key=lambda item: _attribute_rank(item[0]))
    lines, line_map = _model_lines(entity, model_line, rows, block)
    return _fragment(entity, lines, line_map, [f for _, f in kept if f.scalar_list is not None])


def _composite_id(kept: list[tuple[bool, Field]]) -> list[tuple[str, int]]:
    """`@@id([a, b])` when several fields are primary keys (none, or one: no block attribute)."""
    keys = [f for _, f in kept if f.primary_key and f.attributes is None]
    if len(keys) < 2:
        return []
    return [(f"@@id([{', '.join(f.name for f in keys)}])", keys[0].line)]


def _fragment(entity: Entity, lines: list[str], line_map: list[int], lists: list[Field]) -> GeneratedFragment:
    return GeneratedFragment(
        os.path.splitext(os.path.basename(entity.source.path))[0],
        entity.source,
        entity.name,
        "\n".join(lines) + "\n",
        line_map,
        [(f.name, node_location(f.source, f.scalar_list)) for f in lists],  # type: ignore[arg-type]
        [f.name for f in lists if f.psl_type == "Json[]"],
        entity.warnings,
    )


def _no_key(entity: Entity) -> ComposeError:
    return ComposeError(Diagnostic(
        f"model `{entity.name}` has no primary key",
        node_location(entity.source, entity.name_node),
        code="E414",
        hint="Prisma needs an id: mark a field `primary_key: true`, or put `@id` in a field's "
        "`prisma.attributes` or `@@id([…])` in `schema.prisma.attributes`",
    ))


def _field_rows(
    kept: list[tuple[bool, Field]], composite: bool, inherited_line: int
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


def _field_attributes_of(f: Field, composite: bool) -> tuple[list[str], bool, bool]:
    """A field's attributes in Prisma's order, and whether they make it the id, and unique."""
    if f.attributes is None:
        is_id = f.primary_key and not composite
        return _computed_attributes(f, is_id), is_id, f.primary_key or f.unique
    attrs = sorted(f.attributes, key=_attribute_rank)
    names = {attribute_name(a) for a in attrs}
    return attrs, "id" in names, "id" in names or "unique" in names


def _model_lines(
    entity: Entity, model_line: int, rows: list[tuple[list[str], int]], block: list[tuple[str, int]]
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


def _computed_attributes(f: Field, is_id: bool) -> list[str]:
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

