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
from typing import TYPE_CHECKING

from ..psl.render import lay_out, text_width
from .edits import Edit

if TYPE_CHECKING:
    from ..psl import Declaration
    from .rewriter import Rewriter

# `  name type` with attributes, or none, after it: every cell as `member_row` reads it.
_FIELD_LINE = re.compile(r"  ([^\W_][\w-]*) +([^\s@/]+)(?: +(@[^\n]*))?")
_BAD = re.compile(r"/\*|\t|\r|[ \t]\n|\n\n\n")


Line = tuple[int, int, str, "re.Match[str] | None"]  # start, end, edited text, a field's cells


def relaid_from_text(rw: Rewriter, decl: Declaration, first_edit: int) -> bool:
    """Lays out the fields of `decl` (its edits: `rw.edits[first_edit:]`) by edits of whole lines,
    as `write_rows` would; False (nothing changed) when the block holds a line it does not read."""
    text = rw.text
    body = text[decl.body_start : decl.close_start]
    if not body.endswith("\n") or body.startswith("\n") or body.endswith("\n\n") or _BAD.search(body):
        return False
    edits = sorted(rw.edits[first_edit:])
    groups = _groups(_edited_lines(text, decl.body_start, decl.close_start, edits))
    if groups is None:
        return False
    relaid = [edit for group in groups for edit in _laid_out(group)]
    if relaid:
        _replace_lines(rw, first_edit, edits, relaid)
    return True


def _groups(lines: list[tuple[int, int, str]]) -> list[list[Line]] | None:
    """The lines in groups that blank lines separate (`write_rows` aligns each), each field line
    with its cells; None if a line is of a kind not read here."""
    groups: list[list[Line]] = [[]]
    for start, end, line in lines:
        if not line:
            groups.append([])
            continue
        found = _FIELD_LINE.fullmatch(line)
        if found is None and not line.startswith(("  //", "  @@")):
            return None  # a line of another kind (an enum value, a property, a deeper indent)
        if found is not None and "//" in line:
            return None  # a trailing comment: its own rules (`member_row`)
        groups[-1].append((start, end, line, found))
    return groups


def _laid_out(group: list[Line]) -> list[Edit]:
    """The edits that put each field line of the group in the group's columns."""
    fields = [found for *_, found in group if found is not None]
    name_width = max((text_width(f.group(1)) for f in fields), default=0)
    type_width = max((text_width(f.group(2)) for f in fields), default=0)
    edits: list[Edit] = []
    for start, end, line, found in group:
        if found is None:
            continue
        rest = found.group(3) or ""
        laid = lay_out("field", found.group(1), found.group(2), rest, bool(rest), name_width, type_width)[0]
        if laid != line:
            edits.append((start, end, laid))
    return edits


def _edited_lines(text: str, start: int, end: int, edits: list[Edit]) -> list[tuple[int, int, str]]:
    """(start, end, text with the edits made) of each line of `text[start:end]`."""
    lines = []
    e = 0
    pos = start
    while pos < end:
        eol = text.find("\n", pos, end)
        eol = end if eol == -1 else eol
        pieces, cursor = [], pos
        while e < len(edits) and edits[e][0] < eol:
            s, stop, new = edits[e]
            if s >= cursor:
                pieces += (text[cursor:s], new)
                cursor = stop
            e += 1
        pieces.append(text[cursor:eol])
        lines.append((pos, eol, "".join(pieces)))
        pos = eol + 1
    return lines


def _replace_lines(rw: Rewriter, first_edit: int, edits: list[Edit], relaid: list[Edit]) -> None:
    """The block's edits with each laid-out line one edit of the whole line (holding the line's
    other edits)."""
    spans = [(start, end) for start, end, _ in relaid]
    kept = [e for e in edits if not any(start <= e[0] < end for start, end in spans)]
    del rw.edits[first_edit:]
    rw.edits.extend(sorted(kept + relaid))
