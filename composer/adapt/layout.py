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


def relaid_from_text(rw: Rewriter, decl: Declaration, first_edit: int) -> bool:
    """Lays out the fields of `decl` (its edits: `rw.edits[first_edit:]`) by edits of whole lines,
    as `write_rows` would; False (nothing changed) when the block holds a line it does not read."""
    text = rw.text
    start, end = decl.body_start, decl.close_start
    body = text[start:end]
    if not body.endswith("\n") or body.startswith("\n") or body.endswith("\n\n"):
        return False
    if any(bad in body for bad in _BAD):
        return False
    edits = sorted(rw.edits[first_edit:])
    # Edits stay within their lines: the edited body has the same lines, in the same order.
    lines = _edited(body, start, edits).split("\n")[:-1]
    starts = list(accumulate((len(line) + 1 for line in body.split("\n")[:-1]), initial=start))
    relaid: list[Edit] = []
    group: list[tuple[int, str, str, str]] = []  # (line number, name, type, attributes) of fields
    widths = [0, 0]  # of the group's name and type columns
    for i, line in enumerate(lines):
        if not line:  # a blank line ends a group of aligned lines
            _lay_out(group, widths, lines, starts, relaid)
            group, widths = [], [0, 0]
            continue
        found = _FIELD_LINE.fullmatch(line)
        if found is not None and "//" not in line:
            name, type_name, rest = found.group(1, 2, 3)
            group.append((i, name, type_name, rest or ""))
            widths[0] = max(widths[0], text_width(name))
            widths[1] = max(widths[1], text_width(type_name))
        elif found is not None or not line.startswith(("  //", "  @@")):
            return False  # a trailing comment, an enum value, a deeper indent: not read here
    _lay_out(group, widths, lines, starts, relaid)
    if relaid:
        spans = [(s, e) for s, e, _ in relaid]
        kept = [e for e in edits if not any(s <= e[0] < stop for s, stop in spans)]
        del rw.edits[first_edit:]
        rw.edits.extend(sorted(kept + relaid))
    return True


def _edited(body: str, offset: int, edits: list[Edit]) -> str:
    pieces, cursor = [], 0
    for s, stop, new in edits:
        s, stop = s - offset, stop - offset
        if s >= cursor:
            pieces += (body[cursor:s], new)
            cursor = stop
    pieces.append(body[cursor:])
    return "".join(pieces)


def _lay_out(
    group: list[tuple[int, str, str, str]], widths: list[int], lines: list[str], starts: list[int],
    relaid: list[Edit],
) -> None:
    """The edits (of whole lines) that put each field of the group in the group's columns."""
    name_width, type_width = widths
    for i, name, type_name, rest in group:
        laid = lay_out("field", name, type_name, rest, bool(rest), name_width, type_width)[0]
        if laid != lines[i]:
            relaid.append((starts[i], starts[i + 1] - 1, laid))
