"""What an entity file may hold: its keys, read from the shipped JSON Schema
(`composer/schemas/entity.schema.json`, declared there once, for editors and loader alike), and the
entity types with the Prisma type each one becomes.
"""

from __future__ import annotations

import json
from importlib import resources

SCALAR_TYPES: dict[str, str] = {
    "string": "String",
    "integer": "Int",
    "float": "Float",
    "boolean": "Boolean",
    "datetime": "DateTime",
    "json": "Json",
}
ENTITY_TYPES: tuple[str, ...] = (*SCALAR_TYPES, *(f"list[{t}]" for t in SCALAR_TYPES))
PSL_SCALARS = ("String", "Int", "Float", "Boolean", "DateTime", "Json", "Bytes", "Decimal", "BigInt")


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
# Names Prisma refuses for models: its scalar types and the client's reserved words
# (prisma-engines, reserved_model_names.rs).
RESERVED_MODEL_NAMES = frozenset(_SCHEMA["definitions"]["reservedModelName"]["enum"])
IDENTIFIER_PATTERN: str = _SCHEMA["definitions"]["identifier"]["pattern"]
del _SCHEMA
