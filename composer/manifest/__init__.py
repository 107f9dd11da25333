"""The manifest `prisma.compose.toml`: find it, read it, validate it (README "The manifest").

Every problem is reported as a `ComposeError` whose diagnostics name the key path
(`targets.engine.output`), say what is wrong and what is expected, and point at `file:line:col`
in the manifest.

- `shape`: what a manifest may hold — its keys, name patterns and allowed values, read from the
  shipped JSON Schema (`composer/schemas/manifest.schema.json`), declared nowhere else; the
  error codes (E010 unreadable manifest, E011 TOML syntax, E012 unknown key, E013 wrong type or
  invalid value, E014 missing entry, E015 duplicate name or colliding output).
- `model`: `Manifest`, `FragmentSpec`, `TargetSpec`, what the later stages read.
- `loading`: `load_manifest`, `parse_manifest` (bytes, UTF-8, TOML and its limits).
- `validation`: the checks, every error collected before they are raised together.
- `values`: TOML values of generators and the datasource as PSL expression text (`psl_value`);
  `false` in place of a whole generator table or of a datasource property means "remove it from
  the output", and maps to `None`.
- `positions`: where each key and value is written (tomllib gives no positions).
"""

from __future__ import annotations

from ..inputfiles import LOCK_FILE, STATE_FILE, find_manifest
from .loading import MAX_TOML_NESTING, load_manifest, parse_manifest
from .model import FragmentSpec, Manifest, TargetSpec, glob_fragment_name
from .positions import _Locator
from .shape import (
    ADAPT_KEYS,
    COMPOSE_KEYS,
    DATASOURCE_PROPERTIES,
    FRAGMENT_KEYS,
    FRAGMENT_KINDS,
    MANIFEST_NAME,
    TARGET_KEYS,
    TOP_KEYS,
    WATCH_KEYS,
    KeyPath,
)

__all__ = [
    "ADAPT_KEYS",
    "COMPOSE_KEYS",
    "DATASOURCE_PROPERTIES",
    "FRAGMENT_KEYS",
    "FRAGMENT_KINDS",
    "LOCK_FILE",
    "MANIFEST_NAME",
    "MAX_TOML_NESTING",
    "STATE_FILE",
    "TARGET_KEYS",
    "TOP_KEYS",
    "WATCH_KEYS",
    "FragmentSpec",
    "KeyPath",
    "Manifest",
    "TargetSpec",
    "_Locator",
    "find_manifest",
    "glob_fragment_name",
    "load_manifest",
    "parse_manifest",
]
