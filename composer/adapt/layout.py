"""A block's columns laid out again from its text, where a rule changed the width of a cell.

Storing a list as `Json` shortens the field's type cell: `prisma format` (and compose's
`psl.render.write_rows`, which composing uses when a block is marked for it) would align the
block's columns again. Building the block's members for that costs more than the rest of
adapting; for a block whose every body line is of the plain kinds below, the same layout is made
here by edits of whole lines, as `lay_out` lays out a field in the same widths. Any other line (a `/* */`
comment, a trailing `//` comment, a tab, trailing white space, two blank lines) leaves the block
to compose (`Rewriter.relayout`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from operator import itemgetter

from ..psl.render import text_width
from .edits import Edit

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

    from ..psl import Declaration
    from .rewriter import Rewriter

# `  name type` with attributes, or none, after it: every cell as `member_row` reads it.
_FIELD_LINE = re.compile(r"  ([^\W_][\w-]*) +([^\s@/]+)(?: +(@[^\n]*))?")


# What `relaid_from_text` reads of a body line (`Rewriter.cells`, by the line's text): a field's
# cells and the widths of its name and type, True for a line it leaves as it is (a `//` comment, a
# block attribute), () for a blank line (which ends a group of aligned lines), False for a line it
# does not read.
Cells = tuple[str, str, str, int, int] | tuple[()] | bool
_NAME_WIDTH, _TYPE_WIDTH = itemgetter(3), itemgetter(4)


def relaid_from_text(rw: Rewriter, decl: Declaration, first_edit: int) -> bool:
    """Lays out the fields of `decl` (its edits: `rw.edits[first_edit:]`) as `write_rows` would, by
    one edit of the body's lines in place of the block's edits; False (nothing changed) when the
    block holds a line it does not read. The lines of a text read before, and those laid out
    before in the same columns, are not read again."""
    text = rw.text
    start, end = decl.body_start, decl.close_start
    if not text.endswith("\n", start, end) or text[start] == "\n" or text.endswith("\n\n", start, end):
        return False
    plain = rw.plain_text
    if plain is None:  # asked once for the whole fragment (its blocks are most of its text)
        plain = rw.plain_text = not _unread(text)
    if not plain and _unread(text[start:end]):
        return False
    # Edits stay within their lines: the edited body has the same lines, in the same order.
    lines = _edited(text, start, end, sorted(rw.edits[first_edit:])).split("\n")
    lines.pop()  # after the last newline
    cells = rw.cells
    found = list(map(cells.get, lines))
    if None in found:
        _fill(found, lines, cells, _cells)
    if False in found:
        return False
    relaid, first, count = False, 0, len(found)
    while first < count:
        try:
            blank = found.index((), first)  # a blank line ends a group
        except ValueError:
            blank = count
        # a group of one comment or block attribute line (`@@index` after the fields) has no field
        if first < blank and (blank - first > 1 or found[first] is not True):
            relaid = _lay_out(rw, first, blank, found, lines) or relaid
        first = blank + 1
    if relaid:  # one edit of the body's lines, in place of those of its lines
        del rw.edits[first_edit:]
        rw.edits.append((start, end - 1, "\n".join(lines)))
    return True


def _unread(text: str) -> bool:
    """Does the text hold what no line `_cells` reads holds? (plain searches: a regular
    expression costs more than the layout; a search for one character is the fastest, so `/*` is
    looked for only where a `*` is)"""
    if ("*" in text and "/*" in text) or "\t" in text or "\r" in text:
        return True
    return " \n" in text or "\n\n\n" in text


def _fill(found: list[Any], keys: list[str], memo: dict[str, Any], make: Callable[[str], Any]) -> None:
    """Each None of `found` made from the key at its place, and remembered (a walk of the misses
    alone: most lines are found)."""
    at = found.index(None)
    while True:
        key = keys[at]
        got = memo.get(key)  # a line met twice in the same block
        if got is None:
            got = memo[key] = make(key)
        found[at] = got
        try:
            at = found.index(None, at + 1)
        except ValueError:
            return


def _cells(line: str) -> Cells:
    if not line:
        return ()
    found = _FIELD_LINE.fullmatch(line)
    if found is not None and "//" not in line:
        name, type_name, rest = found.group(1, 2, 3)
        if line.isascii():
            return name, type_name, rest or "", len(name), len(type_name)
        return name, type_name, rest or "", text_width(name), text_width(type_name)
    # a trailing comment, an enum value, a deeper indent: not read here
    return found is None and line.startswith(("  //", "  @@"))


def _edited(text: str, start: int, end: int, edits: list[Edit]) -> str:
    """`text[start:end]` with the edits (in order, within it) made."""
    if len(edits) == 1:
        s, stop, new = edits[0]
        return text[start:s] + new + text[stop:end]
    pieces, cursor = [], start
    for s, stop, new in edits:
        if s >= cursor:
            pieces += (text[cursor:s], new)
            cursor = stop
    pieces.append(text[cursor:end])
    return "".join(pieces)


def _lay_out(rw: Rewriter, first: int, end: int, found: list[Cells], lines: list[str]) -> bool:
    """Puts each field of the group of lines `first:end` in the group's columns; did a line
    change? (C loops over the lines: this runs for every line of every block laid out.)"""
    cells = found[first:end]
    if True in cells:  # comment or block attribute lines among the fields
        rows = [i for i in range(first, end) if found[i] is not True]
        if not rows:
            return False
        cells = [found[i] for i in rows]
        written = [lines[i] for i in rows]
    else:
        rows, written = None, lines[first:end]
    widths = (max(map(_NAME_WIDTH, cells)), max(map(_TYPE_WIDTH, cells)))  # type: ignore[arg-type]
    laid_lines = rw.laid.get(widths)
    if laid_lines is None:
        laid_lines = rw.laid[widths] = {}
    laid = list(map(laid_lines.get, written))
    if None in laid:
        at = laid.index(None)
        while True:
            name, type_name, rest, name_width, type_width = cells[at]  # type: ignore[misc]
            # `lay_out`'s field line, from the widths `_cells` measured
            laid[at] = laid_lines[written[at]] = (
                f"  {name}{' ' * (widths[0] - name_width + 1)}{type_name}"
                + (" " * (widths[1] - type_width + 1) + rest if rest else "")
            )
            try:
                at = laid.index(None, at + 1)
            except ValueError:
                break
    if laid == written:
        return False
    if rows is None:
        lines[first:end] = laid
    else:
        for i, line in zip(rows, laid, strict=True):
            lines[i] = line
    return True
