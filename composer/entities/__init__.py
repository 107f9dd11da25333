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

The package: `shape` (the keys, from the shipped JSON Schema, and the entity types), `yamlnodes`
(reading YAML with positions, the alias limit, key typos), `model` (the entity model and its
checks, `extends`), `values` (defaults, `prisma.type` and attributes as PSL), `generate` (the
model's PSL text, laid out through `psl/render.py`).
"""

from __future__ import annotations

import gc

from ..diagnostics import ComposeError, Diagnostic, Source
from .generate import JSON_LIST_PROVIDERS, SCALAR_LIST_PROVIDERS, GeneratedFragment, check_provider, generate
from .model import Entity, Field, index_by_name, parse_entity, resolve_fields
from .shape import (
    ENTITY_TYPES,
    FIELD_KEYS,
    IDENTIFIER_PATTERN,
    PRISMA_KEYS,
    RESERVED_MODEL_NAMES,
    SCALAR_TYPES,
    SCHEMA_KEYS,
    SCHEMA_PRISMA_KEYS,
    TOP_KEYS,
    entity_json_schema,
)
from .yamlnodes import MAX_ALIAS_NODES

__all__ = [
    "ENTITY_TYPES",
    "FIELD_KEYS",
    "IDENTIFIER_PATTERN",
    "JSON_LIST_PROVIDERS",
    "MAX_ALIAS_NODES",
    "PRISMA_KEYS",
    "RESERVED_MODEL_NAMES",
    "SCALAR_LIST_PROVIDERS",
    "SCALAR_TYPES",
    "SCHEMA_KEYS",
    "SCHEMA_PRISMA_KEYS",
    "TOP_KEYS",
    "GeneratedFragment",
    "check_provider",
    "entity_json_schema",
    "load_entities",
]


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
    entities: list[Entity] = []
    unnamed = False  # a file failed before its name was read: an unknown `extends` may be that file
    for source in sources:
        try:
            entities.append(parse_entity(source, errors))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
            unnamed = True
    by_name = index_by_name(entities, errors)
    done: dict[int, list[Field] | None] = {}
    fragments: list[GeneratedFragment] = []
    for entity in entities:
        try:
            fields = resolve_fields(entity, by_name, done, [], unnamed)
            if fields is not None and by_name[entity.name] is entity:
                fragments.append(generate(entity, fields))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
    if errors:
        raise ComposeError(errors)
    return fragments
