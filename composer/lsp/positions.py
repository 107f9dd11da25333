"""Offsets in our `Source`s ↔ LSP positions (0-based line, character in the negotiated encoding)."""

from __future__ import annotations

from lsprotocol import types

from ..diagnostics import Location, Source


def units(text: str, encoding: str) -> int:
    """Length of `text` in the code units of the client's position encoding."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def column_of(line_text: str, character: int, encoding: str) -> int:
    """The 0-based code-point column of an LSP `character` on `line_text`."""
    if encoding == types.PositionEncodingKind.Utf32:
        return min(character, len(line_text))
    count = 0
    for i, ch in enumerate(line_text):
        if count >= character:
            return i
        count += units(ch, encoding)
    return len(line_text)


def position(source: Source, offset: int, encoding: str) -> types.Position:
    line, col = source.line_col(offset)
    return types.Position(line - 1, units(source.line_text(line)[: col - 1], encoding))


def offset_at(source: Source, pos: types.Position, encoding: str) -> int:
    line_text = source.line_text(pos.line + 1)
    return source.offset_of(pos.line + 1, column_of(line_text, pos.character, encoding) + 1)


def place(loc: Location, encoding: str) -> tuple[str, types.Range]:
    """The file (absolute path) and range a user should see for `loc`.

    A span in a YAML entity's generated model is shown on the YAML line that produced it, whole.
    """
    source, line, col = loc.source.resolve(loc.start)
    text = source.line_text(line)
    start = types.Position(line - 1, units(text[: col - 1], encoding))
    if loc.whole_line:
        end = types.Position(line - 1, units(text, encoding))
    else:
        end_line, end_col = loc.end_line_col()
        end_text = source.line_text(end_line) if end_line != line else text
        end = types.Position(end_line - 1, units(end_text[: end_col - 1], encoding))
        if end == start:  # a point: one character, so that editors can show it
            end = types.Position(line - 1, units(text[:col], encoding))
    return source.path, types.Range(start, end)
