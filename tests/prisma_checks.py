"""What the tests read from Prisma's diagnostics: errors alone, line and column, Prisma-like text."""

from __future__ import annotations

from collections.abc import Iterable

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
