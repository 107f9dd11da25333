"""What the tests read from Prisma's answers: errors alone, line and column, Prisma-like text, and
the DMMF without declaration order (to compare two schemas)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from composer.prisma_wasm import DEFAULT_FILE_NAME, PrismaDiagnostic, PrismaWasm, SchemaFiles


def prisma_errors(engine: PrismaWasm, files: SchemaFiles) -> list[PrismaDiagnostic]:
    """Prisma's errors for the schema, without its warnings."""
    return [d for d in engine.validate(files) if d.is_error]


def line_col(diagnostic: PrismaDiagnostic, text: str) -> tuple[int, int]:
    """1-based line and column of the diagnostic's `start` in `text` (the content of its file)."""
    offset = max(0, min(diagnostic.start, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def render(diagnostic: PrismaDiagnostic, text: str) -> str:
    """`file:line:col: severity: message`, the source line and a caret, like Prisma's errors."""
    line, col = line_col(diagnostic, text)
    lines = text.splitlines()
    source = lines[line - 1] if line <= len(lines) else ""
    width = max(1, min(diagnostic.end, len(text)) - diagnostic.start)
    width = min(width, max(1, len(source) - col + 1))
    return (
        f"{diagnostic.file}:{line}:{col}: {diagnostic.severity}: {diagnostic.message}\n"
        f"  {source}\n  {' ' * (col - 1)}{'^' * width}"
    )


def render_diagnostics(diagnostics: Iterable[PrismaDiagnostic], files: SchemaFiles) -> str:
    """All diagnostics rendered against the files they point into, separated by blank lines."""
    texts = {DEFAULT_FILE_NAME: files} if isinstance(files, str) else dict(files)
    return "\n\n".join(render(d, texts.get(d.file, "")) for d in diagnostics)


def normalize_datamodel(dmmf: dict[str, Any]) -> dict[str, Any]:
    """The DMMF datamodel with declaration order removed, for comparing two schemas.

    Sorted: models, enums and composite types by name, indexes by (model, type, name, fields).
    Kept as they are: the order of fields within a model and of values within an enum (it is the
    column order and the client's field order), doc comments (`documentation`), defaults, native
    types, relation names, `@map`/`@@map` names. Whitespace and comments other than `///` never
    reach the DMMF. Not covered: datasource and generator blocks (compare `PrismaWasm.config`).
    Accepts a whole DMMF or its `datamodel`.
    """
    datamodel = dmmf.get("datamodel", dmmf)

    def by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: item["name"])

    def index_key(index: dict[str, Any]) -> tuple[str, str, str, str]:
        fields = ",".join(str(sorted(f.items())) for f in index.get("fields", []))
        return (index.get("model", ""), index.get("type", ""), str(index.get("dbName") or ""), fields)

    return {
        "models": by_name(datamodel.get("models", [])),
        "enums": by_name(datamodel.get("enums", [])),
        "types": by_name(datamodel.get("types", [])),
        "indexes": sorted(datamodel.get("indexes", []), key=index_key),
    }
