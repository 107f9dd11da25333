"""`compose schema manifest|entity`: print a JSON Schema shipped with the package.

Editors validate and complete `prisma.compose.toml` (Taplo / Even Better TOML) and the YAML entity
files (the YAML language server) with them; docs/adoption.md shows how to wire them up.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCHEMAS = {"manifest": "manifest.schema.json", "entity": "entity.schema.json"}


def schema_text(name: str) -> str:
    from importlib import resources

    return resources.files("composer").joinpath("schemas", SCHEMAS[name]).read_text(encoding="utf-8")


def run(name: str, output: str | None = None) -> int:
    if name not in SCHEMAS:
        print(
            f"compose: error: unknown schema `{name}`; expected one of: {', '.join(SCHEMAS)}", file=sys.stderr
        )
        return 2
    try:
        text = schema_text(name)
    except FileNotFoundError:
        print(f"compose: error: this installation lacks `composer/schemas/{SCHEMAS[name]}`", file=sys.stderr)
        return 1
    if not text.endswith("\n"):
        text += "\n"
    if output is None:
        sys.stdout.write(text)
        return 0
    from ..output import atomic_write

    path = Path(output)
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current != text:
        atomic_write(path, text)
        print(f"wrote {path.as_posix()}", file=sys.stderr)
    return 0
