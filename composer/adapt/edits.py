"""Edits of a fragment's text, and the fragment they give.

An edit replaces a span within one line, or whole lines by as many lines (a block laid out again);
a dropped span leaves whole lines out. The new `Source`
maps each of its lines back to the line of the fragment it came from, so diagnostics (and Prisma's
errors on the output) point at what the user wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Source
from ..psl import Declaration, SchemaFile, parse
from ..psl.fields import FileFields

# replace text[start:end] (within one line, or from a line's start to a later line's end, by as
# many lines) with the string
Edit = tuple[int, int, str]


def without(text: str, start: int, end: int) -> Edit:
    """The edit that removes `text[start:end]` from its line with the white space that separated
    it: the run after it when more follows on the line (the columns stay aligned), else the run
    before it (no trailing white space)."""
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] != "\n":
        return (start, after, "")
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return (start, after, "")


def rewritten_fragment(
    schema: SchemaFile,
    edits: list[Edit],
    dropped: list[tuple[int, int]],
    *,
    new_types: tuple[str, ...] | None = None,
) -> SchemaFile:
    """The fragment's schema with the edits made and the dropped lines left out. `new_types`: the
    field types the edits gave, each a scalar that no declaration of the target is named like,
    as are those they replaced (so what composing reads of the fields, `SchemaFile.fields`, is the
    same); None: the fields are read again."""
    ordered = sorted(edits)
    source = _rewritten_source(schema.source, ordered, dropped)
    if dropped or not all(d.lazy for d in schema.declarations):
        return parse(source)
    # Only text inside field lines changed, in blocks whose members were never built: the
    # same blocks, moved by what the edits before them added or removed (no second parse). Each
    # block's header and documentation move by the edits before its body, its closing line by
    # those up to it (no edit lies outside a body).
    decls = []
    shift, e, count = 0, 0, len(ordered)
    for d in schema.declarations:
        body_start, close_start = d.body_start, d.close_start
        while e < count and ordered[e][0] < body_start:
            start, end, new = ordered[e]
            shift += len(new) - (end - start)
            e += 1
        head = shift
        while e < count and ordered[e][0] < close_start:
            start, end, new = ordered[e]
            shift += len(new) - (end - start)
            e += 1
        decls.append(
            Declaration(
                d.keyword, d.name, source, d.start + head, d.keyword_start + head, d.name_start + head,
                d.name_end + head, body_start + head, close_start + shift, d.end + shift, None,
                d._doc, d.is_extend, d._build,
            )
        )
    # The edited lines are of the kinds the parser's fast path takes, as they were: a clean file
    # stays clean. Its fields' scalar types are none of composing's concern (no declaration
    # is named like one): those it lists may keep one that no field has any more.
    fields = schema._fields if schema.clean and new_types is not None else None
    if fields is not None and not set(new_types).issubset(fields.types):  # type: ignore[arg-type]
        added = tuple(t for t in dict.fromkeys(new_types) if t not in fields.types)  # type: ignore[arg-type]
        fields = FileFields(fields.types + added, fields.owners, fields.extends)
    return SchemaFile(source, decls, schema.trailing + shift, schema.clean, fields)


def _rewritten_source(source: Source, edits: list[Edit], dropped: list[tuple[int, int]]) -> Source:
    """The fragment's text with the edits (in order) made and the dropped lines left out; each
    line maps to the line of the fragment it came from."""
    text = source.text
    line_map: Sequence[int]
    if dropped:
        edited, line_map = _drop_lines(text, edits, sorted(dropped))
    else:  # edits keep the lines: each is where it was (a range, not a list of every number)
        edited = _edited(text, edits)
        line_map = range(1, edited.count("\n") + 2)
    # An edited copy: its offsets map back to the fragment's (`Source.written`), which maps them on
    # if it was generated itself (a YAML entity's model).
    back = _Back(text, edits, dropped)
    return Source(source.display, edited, source.path, origin=source, line_map=line_map, to_origin=back)


class _Back:
    """An offset of a rewritten text → the offset of the fragment's text it was copied from; in
    what an edit wrote, the place of the text it replaced (the same column where a line was only
    laid out again). The replacements are found when a diagnostic first asks (a build without
    errors never does)."""

    __slots__ = ("_dropped", "_edits", "_starts", "_table", "_text")

    def __init__(self, text: str, edits: list[Edit], dropped: list[tuple[int, int]]) -> None:
        self._text, self._edits, self._dropped = text, edits, dropped
        self._table: list[tuple[int, int, int, str]] | None = None
        self._starts: list[int] = []

    def _replacements(self) -> list[tuple[int, int, int, str]]:
        """(start in the rewritten text, start, end in the fragment's, new text) of each
        replacement made, in order: as `_edited` and `_drop_lines` make them, a dropped line is
        one whose start its span holds, removed with its newline, and an edit that starts inside
        one made before (or in a dropped line) is skipped."""
        text = self._text
        removals = []
        for start, end in self._dropped:
            first = start if start == 0 or text[start - 1] == "\n" else text.find("\n", start) + 1
            if start <= first < end:
                eol = text.find("\n", end - 1)
                removals.append((first, len(text) if eol == -1 else eol + 1, ""))
        table, cursor, shift = [], 0, 0
        # a dropped line before an edit at its start: the line goes, the edit with it
        for start, end, new in sorted(removals + self._edits, key=lambda r: (r[0], r[2] != "")):
            if start >= cursor:
                table.append((start + shift, start, end, new))
                shift += len(new) - (end - start)
                cursor = end
        return table

    def __call__(self, offset: int) -> int:
        from bisect import bisect_right  # here: only a diagnostic asks

        if self._table is None:
            self._table = self._replacements()
            self._starts = [r[0] for r in self._table]
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        at, start, end, new = self._table[i]
        inside = offset - at
        if inside >= len(new):  # copied after the replacement
            return end + inside - len(new)
        if "\n" not in new:  # within a line: the same character while the old text lasts
            return start + min(inside, max(end - start - 1, 0))
        # lines laid out again (`layout`): each is the line at its place, its cells moved
        line = new.count("\n", 0, inside)
        old_start = start
        for _ in range(line):
            old_start = self._text.index("\n", old_start) + 1
        old_end = self._text.find("\n", old_start)
        new_start = new.rfind("\n", 0, inside) + 1
        new_end = new.find("\n", inside)
        old_line = self._text[old_start : len(self._text) if old_end == -1 else old_end]
        new_line = new[new_start : len(new) if new_end == -1 else new_end]
        return old_start + aligned_column(new_line, old_line, inside - new_start)


def aligned_column(new: str, old: str, column: int) -> int:
    """The 0-based column of `old` that column `column` of `new` (`old` edited, its cells laid out
    again) stands for: the same character in a word that was kept, in one that was replaced the
    word at its place (the type `String[]` for the `Json` that replaced it). Words and the runs of
    white space between them are matched, not characters: a character match would pair the `@`
    of an attribute with that of one dropped before it."""
    if new == old:
        return column
    import re
    from difflib import SequenceMatcher  # here: only a diagnostic asks

    olds, news = re.findall(r"\s+|\S+", old), re.findall(r"\s+|\S+", new)
    old_at, at = [0], 0
    for word in olds:
        at += len(word)
        old_at.append(at)
    at = 0
    # a run of white space matches any other (a layout widens or narrows it)
    keys = [[" " if word[0].isspace() else word for word in words] for words in (olds, news)]
    for _, i1, i2, j1, j2 in SequenceMatcher(None, *keys, autojunk=False).get_opcodes():
        for j in range(j1, j2):
            if column < at + len(news[j]):
                if i1 == i2:  # inserted: where the text after it was
                    return old_at[i1]
                i = min(i1 + j - j1, i2 - 1)  # the word at its place (itself, if kept)
                return old_at[i] + min(column - at, len(olds[i]) - 1)
            at += len(news[j])
    return len(old)


def _edited(text: str, edits: list[Edit]) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end, new in edits:
        if start >= cursor:  # an edit inside one already made is skipped
            pieces += (text[cursor:start], new)
            cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _drop_lines(text: str, edits: list[Edit], dropped: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` with `edits` made and the whole lines of `dropped` left out, and for each line of the
    result the 1-based line of `text` it came from."""
    out: list[str] = []
    line_map: list[int] = []
    pos, line_no, e, d = 0, 0, 0, 0
    while pos < len(text):
        eol = text.find("\n", pos)
        end = len(text) if eol == -1 else eol + 1
        line_no += 1
        while d < len(dropped) and dropped[d][1] <= pos:
            d += 1
        if d < len(dropped) and dropped[d][0] <= pos:
            while e < len(edits) and edits[e][0] < end:
                e += 1
            pos = end
            continue
        piece, cursor = [], pos
        while e < len(edits) and edits[e][0] < end:
            start, stop, new = edits[e]
            if start >= cursor:
                piece += (text[cursor:start], new)
                cursor = stop
            e += 1
        first = line_no
        if cursor >= end:  # an edit of whole lines: it ends on a later line, before its newline
            eol = text.find("\n", cursor)
            end = len(text) if eol == -1 else eol + 1
            line_no += text.count("\n", pos, cursor)
            while e < len(edits) and edits[e][0] < end:  # inside the edit: skipped
                e += 1
        piece.append(text[cursor:end])
        out.append("".join(piece))
        line_map.extend(range(first, line_no + 1))
        pos = end
    return "".join(out), line_map
