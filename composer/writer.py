"""Output lines with the source position each comes from: what composing writes into.

`Writer` folds blank lines (one separates blocks) and drops trailing white space outside
comments; every line remembers its origin, so that Prisma's errors on an output map back to the
fragment line (`sourcemap.OutputMap`).

Most of an output is fragment text copied as it is. Such a copy is kept as one run (source,
start, stop, line count) rather than as lines: the text is sliced once when the output is
written (`ComposedFile.body`), and the lines and their origins are only made when something
reads them (`validate` through `ComposedFile.origin`, the language server through `.lines` and
`.origins`). A build of 10,000 fragments would otherwise hold a string and an origin per line.
So is a block compose laid out itself (a merged model): one string of its lines and where they
come from (`Block`), not a string and an origin per line.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate, repeat
from operator import add

from .diagnostics import Source
from .psl.comments import comment_lines
from .psl.render import REALIGNED

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .seal import Checksum

Origin = tuple[Source, int] | None
# Where a piece of an output line comes from: (column in the output line, source, offset there,
# length there). A length of 0 points every column of the piece at `offset` (a manifest value).
Anchor = tuple[int, Source, int, int]
Anchors = tuple[Anchor, ...] | None
# `source.text[start:stop]` is `count` whole lines, kept as they are (the newline after the last
# one is not part of it).
Run = tuple[Source, int, int, int]
# Lines with their origins and anchors (three lists of the same length, never empty).
Lines = tuple[list[str], list[Origin], list[Anchors]]
# `count` lines laid out by compose, as one string (`text`: the lines, each with its newline), and
# where they come from, flat (`segments`: source, offset of a line there, line count, realigned,
# and again): the lines of a segment come from the lines of its source from that offset on, one
# by one, but a blank line, whose origin is None (as `Writer.blank` writes it); a segment whose
# source is None is blank lines. In a realigned segment a line's anchors are `REALIGNED`
# (`render.line_anchors` finds them again), but for a comment or block attribute line (None);
# elsewhere None.
Block = tuple[str, int, tuple[object, ...]]
Part = Run | Lines | Block


def _is_run(part: Part) -> bool:
    return type(part[0]) is not list and type(part[0]) is not str


def _part_lines(part: Part) -> Lines:
    """The lines, origins and anchors of any part (those of a `Lines` part are its own lists)."""
    first = part[0]
    if type(first) is list:
        return part  # type: ignore[return-value]
    if type(first) is str:
        return _block_lines(part)  # type: ignore[arg-type]
    return _run_lines(part)  # type: ignore[arg-type]


def _run_lines(run: Run) -> Lines:
    source, start, stop, count = run
    split = source.text[start:stop].split("\n")
    steps = map(add, map(len, split[:-1]), repeat(1))
    return split, list(zip(repeat(source), accumulate(steps, initial=start))), [None] * count


def _block_lines(block: Block) -> Lines:
    text, _, segments = block
    lines = text.split("\n")
    lines.pop()  # the text ends with a newline
    origins: list[Origin] = []
    anchors: list[Anchors] = []
    at = 0
    for k in range(0, len(segments), 4):
        source, offset, count, realigned = segments[k : k + 4]
        if source is None:
            origins += repeat(None, count)  # type: ignore[arg-type]
            anchors += repeat(None, count)  # type: ignore[arg-type]
            at += count  # type: ignore[operator]
            continue
        src = source.text  # type: ignore[attr-defined]
        for line in lines[at : at + count]:  # type: ignore[misc]
            if line:
                origins.append((source, offset))  # type: ignore[arg-type]
                anchors.append(REALIGNED if realigned and line.lstrip()[:1] not in "/@" else None)
            else:
                origins.append(None)
                anchors.append(None)
            offset = src.find("\n", offset) + 1 or len(src)  # type: ignore[arg-type,operator]
        at += count  # type: ignore[operator]
    return lines, origins, anchors


def _last_blank(part: Part) -> bool:
    if type(part[0]) is str:
        return part[0] == "\n" or part[0].endswith("\n\n")  # type: ignore[union-attr]
    if _is_run(part):
        source, start, stop, _ = part  # type: ignore[misc]
        return stop == start or source.text[stop - 1] == "\n"
    return not part[0][-1]  # type: ignore[index]


def _first_blank(part: Part) -> bool:
    if type(part[0]) is str:
        return part[0][0] == "\n"  # type: ignore[index]
    if _is_run(part):
        source, start, stop, _ = part  # type: ignore[misc]
        return stop == start or source.text[start] == "\n"
    return not part[0][0]  # type: ignore[index]


def _without_first(part: Part) -> Part | None:
    """`part` without its first line, which is blank (None: nothing left)."""
    if _is_run(part):
        source, start, stop, count = part  # type: ignore[misc]
        return (source, start + 1, stop, count - 1) if count > 1 else None
    if type(part[0]) is str and part[2][:3] == (None, 0, 1):  # the blank line `Writer.block` took
        text, count, segments = part  # type: ignore[misc]
        return (text[1:], count - 1, segments[4:]) if count > 1 else None  # type: ignore[index,operator]
    lines, origins, anchors = _part_lines(part)
    return (lines[1:], origins[1:], anchors[1:]) if len(lines) > 1 else None


def _without_last(part: Part) -> Part | None:
    """`part` without its last line, which is blank (None: nothing left)."""
    if _is_run(part):
        source, start, stop, count = part  # type: ignore[misc]
        return (source, start, stop - 1, count - 1) if count > 1 else None
    lines, origins, anchors = _part_lines(part)
    return (lines[:-1], origins[:-1], anchors[:-1]) if len(lines) > 1 else None


def _text(part: Part) -> str:
    """The part's lines, each with its newline. A run of a whole file that ends in a newline is
    the file's own text (a slice of all of a string is that string): joining those copies the
    output once, rather than slicing every fragment first."""
    first = part[0]
    if type(first) is str:
        return first  # type: ignore[return-value]
    if type(first) is list:
        return "\n".join(first) + "\n"
    source, start, stop, _ = part  # type: ignore[misc]
    text = source.text
    return text[start : stop + 1] if stop < len(text) else text[start:stop] + "\n"


def _count(part: Part) -> int:
    first = part[0]
    if type(first) is list:
        return len(first)
    return part[1] if type(first) is str else part[3]  # type: ignore[misc,return-value]


class ComposedFile:
    """One output file: its path (relative to the manifest's folder, POSIX separators), its
    lines and, for each line, the source and offset (of the line) it was copied from
    (`origins`), and, for a line compose laid out itself, where each piece comes from
    (`anchors`, None for a verbatim copy). Made from a writer's parts; the lists are made on
    first read."""

    __slots__ = ("_anchors", "_lines", "_origins", "_parts", "_starts", "path")

    def __init__(
        self,
        path: str,
        lines: list[str] | None = None,
        origins: list[Origin] | None = None,
        anchors: list[Anchors] | None = None,
        parts: list[Part] | None = None,
    ) -> None:
        self.path = path
        if parts is None:
            lines = lines if lines is not None else []
            origins = origins if origins is not None else []
            anchors = anchors if anchors is not None else []
            parts = [(lines, origins, [*anchors, *repeat(None, len(lines) - len(anchors))])] if lines else []
        self._parts = parts
        self._lines: list[str] | None = lines
        self._origins: list[Origin] | None = origins
        self._anchors: list[Anchors] | None = anchors
        self._starts: list[int] | None = None  # the index of each part's first line

    def _materialize(self) -> None:
        lines: list[str] = []
        origins: list[Origin] = []
        anchors: list[Anchors] = []
        for part in self._parts:
            got = _part_lines(part)
            lines.extend(got[0])
            origins.extend(got[1])  # type: ignore[arg-type]
            anchors.extend(got[2])  # type: ignore[arg-type]
        self._lines, self._origins, self._anchors = lines, origins, anchors

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._materialize()
        return self._lines  # type: ignore[return-value]

    @property
    def origins(self) -> list[Origin]:
        if self._origins is None:
            self._materialize()
        return self._origins  # type: ignore[return-value]

    @property
    def anchors(self) -> list[Anchors]:
        if self._anchors is None:
            self._materialize()
        return self._anchors  # type: ignore[return-value]

    @property
    def line_count(self) -> int:
        if self._lines is not None:
            return len(self._lines)
        return sum(map(_count, self._parts))

    def origin(self, index: int) -> tuple[Origin, Anchors]:
        """Origin and anchors of line `index` (0-based), without making every line's."""
        if self._lines is not None:
            anchors = self._anchors[index] if index < len(self._anchors) else None  # type: ignore[arg-type]
            return self._origins[index], anchors  # type: ignore[index]
        if self._starts is None:
            self._starts = list(accumulate(map(_count, self._parts), initial=0))
        from bisect import bisect_right  # here: a build reads no origin (`validate` and the editor do)

        i = bisect_right(self._starts, index) - 1
        part, k = self._parts[i], index - self._starts[i]
        if not _is_run(part):
            got = _part_lines(part)  # a block's lines are made for this, and dropped
            return got[1][k], got[2][k]
        source, offset = part[0], part[1]
        text = source.text  # type: ignore[union-attr]
        for _ in range(k):
            offset = text.index("\n", offset) + 1  # type: ignore[arg-type]
        return (source, offset), None  # type: ignore[return-value]

    @property
    def body(self) -> str:
        return "".join(self.pieces())

    def pieces(self) -> list[str]:
        """The body in pieces, most of them fragments' own texts (`output.seal` joins them once,
        without a copy of the body beside the sealed text)."""
        return list(map(_text, self._parts))

    def encoded(self) -> tuple[list[bytes], Checksum | None] | None:
        """The body as UTF-8 pieces and the output's `seal.Checksum`, for a file that keeps them
        (watch's single files, `watching.incremental.TextFile`); None: `pieces` it is."""
        return None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ComposedFile):
            return NotImplemented
        return (self.path, self.lines, self.origins, self.anchors) == (
            other.path, other.lines, other.origins, other.anchors,
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ComposedFile({self.path!r}, {self.line_count} lines)"


class Writer:
    """Lines of output with their origins; blank lines are folded so one separates blocks.

    `origins[i]` is the (source, offset of the line start) output line i was copied from. A line
    compose laid out itself (realigned columns, a value taken from the manifest) also has
    `anchors[i]`: where each of its pieces comes from, so that every column maps back exactly.
    Text copied as it is stays a run until someone reads `lines`, `origins` or `anchors`.
    """

    __slots__ = ("_anchors", "_lines", "_origins", "_parts")

    def __init__(self) -> None:
        self._parts: list[Part] = []  # finished parts; the open lines below come after them
        self._lines: list[str] = []
        self._origins: list[Origin] = []
        self._anchors: list[Anchors] = []

    def _flush(self) -> None:
        if self._lines:
            self._parts.append((self._lines, self._origins, self._anchors))
            self._lines, self._origins, self._anchors = [], [], []

    def _as_lines(self) -> None:
        """Every part as open lines (for a caller that reads or changes the lists)."""
        if not self._parts:
            return
        self._flush()
        parts, self._parts = self._parts, []
        for part in parts:
            got = _part_lines(part)
            self._lines.extend(got[0])
            self._origins.extend(got[1])  # type: ignore[arg-type]
            self._anchors.extend(got[2])  # type: ignore[arg-type]

    @property
    def lines(self) -> list[str]:
        self._as_lines()
        return self._lines

    @property
    def origins(self) -> list[Origin]:
        self._as_lines()
        return self._origins

    @property
    def anchors(self) -> list[Anchors]:
        self._as_lines()
        return self._anchors

    @property
    def empty(self) -> bool:
        return not self._lines and not self._parts

    def _ends_in_text(self) -> bool:
        """Is there a last line, and is it not blank?"""
        if self._lines:
            return bool(self._lines[-1])
        return bool(self._parts) and not _last_blank(self._parts[-1])

    def blank(self) -> None:
        if self._ends_in_text():
            self.line("", None)

    def copy(self, source: Source, start: int, end: int) -> None:
        """Copy `source.text[start:end]` (whole lines) verbatim, minus trailing white space."""
        if start >= end:
            return
        text = source.text
        stop = end - 1 if text[end - 1] == "\n" else end
        chunk = text[start:stop]
        split = chunk.split("\n")
        if (
            (split[0] or self._ends_in_text())
            and "\n\n\n" not in f"\n{chunk}\n"  # no two blank lines in a row, the ends included
            and list(map(str.rstrip, split)) == split  # no trailing white space (C-level loops)
        ):
            # The usual case, whole lines kept as they are (no trailing white space, no run of
            # blank lines to fold): one run.
            self._flush()
            self._parts.append((source, start, stop, len(split)))
            return
        # Trailing white space and runs of blank lines go, but not inside a comment: the text of
        # `//`, `///` and `/* */` is what the user wrote (Prisma keeps the trailing spaces and
        # blank lines of documentation in the client's docs).
        ends_in, starts_in = comment_lines(text, start, end) if "/" in chunk else ((), ())
        offset = start
        previous = self._ends_in_text()
        for i, line in enumerate(split):
            stripped = line if i in ends_in else line.rstrip()
            if stripped or previous or i in starts_in:
                self.line(stripped, (source, offset))
                previous = bool(stripped)
            offset += len(line) + 1

    def appenders(self) -> tuple[Callable[[str], None], Callable[[Origin], None], Callable[[Anchors], None]]:
        """`append` of the open lines, their origins and their anchors: three calls per line for
        a caller that writes lines by the thousand (`psl.members.write_fields`), the same as
        `line`. Valid until the next `copy` or `extend`, which may close the open lines: ask
        again after either."""
        return self._lines.append, self._origins.append, self._anchors.append

    def line(self, text: str, origin: Origin, anchors: Anchors = None) -> None:
        self._lines.append(text)
        self._origins.append(origin)
        self._anchors.append(anchors)

    def block(self, text: str, count: int, segments: tuple[object, ...], spaced: bool = False) -> None:
        """`count` lines laid out as one string (see `Block`), the last one not blank; `spaced`:
        after a blank line, as `blank` writes it (taken into the block: no list for one line)."""
        if spaced and self._ends_in_text():
            text, count, segments = "\n" + text, count + 1, (None, 0, 1, False, *segments)
        self._flush()
        self._parts.append((text, count, segments))

    def _all_parts(self) -> list[Part]:
        self._flush()
        return self._parts

    def extend(self, other: Writer) -> None:
        """Append `other`'s lines, without its leading blank line."""
        parts = [
            (list(part[0]), list(part[1]), list(part[2])) if type(part[0]) is list else part  # type: ignore[arg-type]
            for part in other._all_parts()
        ]
        if parts and _first_blank(parts[0]):
            first = _without_first(parts[0])
            parts[:1] = [] if first is None else [first]
        self._flush()
        self._parts.extend(parts)

    def clone(self) -> Writer:
        """A copy to change (`strip`, `extend`) while this one is kept (`watch` keeps sections)."""
        out = Writer()
        out._parts = [
            (list(part[0]), list(part[1]), list(part[2])) if type(part[0]) is list else part  # type: ignore[arg-type]
            for part in self._all_parts()
        ]
        return out

    def strip(self) -> None:
        """Drop leading and trailing blank lines."""
        parts = self._all_parts()
        while parts and _first_blank(parts[0]):
            first = _without_first(parts[0])
            parts[:1] = [] if first is None else [first]
        self.trim()

    def trim(self) -> None:
        parts = self._all_parts()
        while parts and _last_blank(parts[-1]):
            last = _without_last(parts[-1])
            parts[-1:] = [] if last is None else [last]

    def composed(self, path: str) -> ComposedFile:
        return ComposedFile(path, parts=list(self._all_parts()))
