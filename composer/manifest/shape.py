"""What a manifest may hold, read from the shipped JSON Schema (`composer/schemas/manifest.schema.json`):
the key sets, the names' patterns and the allowed values are declared there once, and the
validator's messages list them in the schema's order. Also the error codes, and how a key path
and a value are named in messages.
"""

from __future__ import annotations

import json
import os

from ..inputfiles import MANIFEST_NAME as MANIFEST_NAME  # the one place the file name is written
from ..psl.on_use import PatternOnUse

E_READ = "E010"
E_SYNTAX = "E011"
E_UNKNOWN_KEY = "E012"
E_INVALID = "E013"
E_MISSING = "E014"
E_DUPLICATE = "E015"

# A plain file read, not importlib.resources: this runs on every start of the CLI.
_SCHEMA_PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", "manifest.schema.json")
with open(_SCHEMA_PATH, encoding="utf-8") as _file:
    SCHEMA = json.load(_file)
_DEFS = SCHEMA["definitions"]
_TARGET = _DEFS["target"]["properties"]
_ADAPT = next(choice for choice in _TARGET["adapt"]["anyOf"] if choice.get("type") == "object")


def _keys(table: dict[str, object]) -> tuple[str, ...]:
    return tuple(table["properties"])  # type: ignore[arg-type]


def _pattern(node: dict[str, str]) -> PatternOnUse:
    """A schema `pattern` (anchored by `^…$`) as a regular expression for `fullmatch`, compiled
    on first use (a plain manifest has no generator or adapt key to check)."""
    return PatternOnUse(node["pattern"].removeprefix("^").removesuffix("$"))


TOP_KEYS = _keys(SCHEMA)
REQUIRED_KEYS = tuple(SCHEMA["required"])
COMPOSE_KEYS = _keys(SCHEMA["properties"]["compose"])
WATCH_KEYS = _keys(SCHEMA["properties"]["watch"])
FRAGMENT_KINDS = tuple(one["required"][0] for one in _DEFS["fragment"]["oneOf"])  # path, glob, yaml
FRAGMENT_KEYS = _keys(_DEFS["fragment"])
TARGET_KEYS = _keys(_DEFS["target"])
TARGET_REQUIRED = tuple(_DEFS["target"]["required"])
ADAPT_KEYS = _keys(_ADAPT)
# Each adapt key's allowed values; the first is the default (`AdaptPolicy`'s).
ADAPT_CHOICES = {key: tuple(node["enum"]) for key, node in _ADAPT["properties"].items() if "enum" in node}
# Datasource properties are free-form PSL, but a key this close to a known one is a typo.
DATASOURCE_PROPERTIES = _keys(_TARGET["datasource"])

NAME_RE = _pattern(_DEFS["fragment"]["properties"]["name"])  # fragment and target names
IDENT_RE = _pattern(_DEFS["identifier"])  # generator names, property names
FIELD_KEY_RE = _pattern(_ADAPT["properties"]["defaults"]["propertyNames"])  # "Model.field"

KeyPath = tuple[str | int, ...]


def kind_of(value: object) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    name = type(value).__name__
    return {"datetime": "a date-time", "date": "a date", "time": "a time"}.get(name, f"a {name}")


def key_text(key: str | int) -> str:
    if isinstance(key, int):
        return f"[{key}]"
    return key if NAME_RE.fullmatch(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def path_text(path: KeyPath) -> str:
    out = ""
    for key in path:
        text = key_text(key)
        out += text if isinstance(key, int) or not out else "." + text
    return out or "(manifest)"


def one_of(keys: tuple[str, ...]) -> str:
    return ", ".join(f"`{k}`" for k in keys)
