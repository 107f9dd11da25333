"""Formatting a fragment buffer exactly as `compose format` formats the file (`format_files`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..diagnostics import Source

if TYPE_CHECKING:
    from ..validation import Engine


def format_buffer(path: str, display: str, text: str, engine: Engine) -> list[types.TextEdit] | None:
    """One edit replacing the whole buffer, [] when already formatted, None when it cannot be
    formatted (a syntax error, or Prisma's formatter would change more than the layout)."""
    from ..formatter import FragmentFile, format_files

    f = FragmentFile(Path(path), display, text, bom=False, crlf=False, raw=text.encode("utf-8"))
    if format_files([f], engine) or f.formatted is None:
        return None
    if f.formatted == text:
        return []
    source = Source(display, text)
    last = len(source.line_starts())
    end = types.Position(last, 0)  # past the end: the whole buffer, whatever its last line holds
    return [types.TextEdit(types.Range(types.Position(0, 0), end), f.formatted)]
