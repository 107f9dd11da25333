"""A block's columns laid out again from its text, where a rule changed the width of a cell.

Storing a list as `Json` shortens the field's type cell: `prisma format` (and compose's
`psl.render.write_rows`, which composing uses when a block is marked for it) would align the
block's columns again. Building the block's members for that costs more than the rest of
adapting; for a block whose every body line is of the plain kinds below, the same layout is made
here by edits of whole lines, with the same `lay_out` and widths. Any other line (a `/* */`
comment, a trailing `//` comment, a tab, trailing white space, two blank lines) leaves the block
to compose (`Rewriter.relayout`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import TYPE_CHECKING

from ..psl.render import lay_out, text_width
from .edits import Edit

if TYPE_CHECKING:
    from ..psl import Declaration
    from .rewriter import Rewriter

# `  name type` with attributes, or none, after it: every cell as `member_row` reads it.
_FIELD_LINE = re.compile(r"  ([^\W_][\w-]*) +([^\s@/]+)(?: +(@[^\n]*))?")
# what makes a body not read here (plain searches: a regular expression with these alternatives
# costs more than all the rest of the layout)
_BAD = ("/*", "\t", "\r", " \n", "\n\n\n")


# What `relaid_from_text` reads of a body line (`Rewriter.cells`, by the line's text): a field's
# cells and the widths of its name and type, True for a line it leaves as it is (a `//` comment, a
# block attribute), False for one it does not read.
Cells = tuple[str, str, str, int, int] | bool


def relaid_from_text(rw: Rewriter, decl: Declaration, first_edit: int) -> bool:
    """Lays out the fields of `decl` (its edits: `rw.edits[first_edit:]`) by edits of whole lines,
    as `write_rows` would; False (nothing changed) when the block holds a line it does not read.
    Only the lines whose text changes get an edit; the lines of a text read before, and those
    laid out before in the same columns, are not read again."""
    text = rw.text
    start, end = decl.body_start, decl.close_start
    body = text[start:end]
    if not body.endswith("\n") or body.startswith("\n") or body.endswith("\n\n"):
        return False
    if any(bad in body for bad in _BAD):
        return False
    written = body.split("\n")
    written.pop()  # after the last newline
    starts = list(accumulate(map((1).__add__, map(len, written)), initial=start))
    # Edits stay within their lines: the edited body has the same lines, in the same order.
    lines = list(written)
    on_line: dict[int, list[Edit]] = {}
    for edit in sorted(rw.edits[first_edit:]):
        on_line.setdefault(bisect_right(starts, edit[0]) - 1, []).append(edit)
    for i, line_edits in on_line.items():
        lines[i] = _edited(written[i], starts[i], line_edits)
    cells, laid_lines = rw.cells, rw.laid
    relaid: dict[int, Edit] = {}
    group: list[tuple[int, tuple[str, str, str, int, int]]] = []  # the fields of a group of lines
    name_width = type_width = 0
    for i, line in enumerate(lines):
        if not line:  # a blank line ends a group of aligned lines
            _lay_out(group, name_width, type_width, lines, starts, laid_lines, relaid)
            group, name_width, type_width = [], 0, 0
            continue
        cell = cells.get(line)
        if cell is None:
            cell = cells[line] = _cells(line)
        if cell is True:
            continue
        if cell is False:
            return False
        group.append((i, cell))
        if cell[3] > name_width:
            name_width = cell[3]
        if cell[4] > type_width:
            type_width = cell[4]
    _lay_out(group, name_width, type_width, lines, starts, laid_lines, relaid)
    if relaid:
        made: list[Edit] = []
        for i in sorted(relaid.keys() | on_line.keys()):
            edit = relaid.get(i)
            if edit is not None:
                made.append(edit)
            else:
                made.extend(on_line[i])
        del rw.edits[first_edit:]
        rw.edits.extend(made)
    return True


def _cells(line: str) -> Cells:
    found = _FIELD_LINE.fullmatch(line)
    if found is not None and "//" not in line:
        name, type_name, rest = found.group(1, 2, 3)
        return name, type_name, rest or "", text_width(name), text_width(type_name)
    # a trailing comment, an enum value, a deeper indent: not read here
    return found is None and line.startswith(("  //", "  @@"))


def _edited(line: str, offset: int, edits: list[Edit]) -> str:
    pieces, cursor = [], 0
    for s, stop, new in edits:
        s, stop = s - offset, stop - offset
        if s >= cursor:
            pieces += (line[cursor:s], new)
            cursor = stop
    pieces.append(line[cursor:])
    return "".join(pieces)


def _lay_out(
    group: list[tuple[int, tuple[str, str, str, int, int]]],
    name_width: int,
    type_width: int,
    lines: list[str],
    starts: list[int],
    laid_lines: dict[tuple[str, int, int], str],
    relaid: dict[int, Edit],
) -> None:
    """The edits (of whole lines) that put each field of the group in the group's columns."""
    for i, (name, type_name, rest, _, _) in group:
        line = lines[i]
        key = (line, name_width, type_width)
        laid = laid_lines.get(key)
        if laid is None:
            laid = lay_out("field", name, type_name, rest, bool(rest), name_width, type_width)[0]
            laid_lines[key] = laid
        if laid != line:
            relaid[i] = (starts[i], starts[i + 1] - 1, laid)
