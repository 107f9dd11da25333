"""Output lines with the source position each comes from: what composing writes into.

`Writer` folds blank lines (one separates blocks) and drops trailing white space outside
comments; every line remembers its origin, so that Prisma's errors on an output map back to the
fragment line (`sourcemap.OutputMap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import add

from .diagnostics import Source
from .psl.comments import comment_lines

Origin = tuple[Source, int] | None
# Where a piece of an output line comes from: (column in the output line, source, offset there,
# length there). A length of 0 points every column of the piece at `offset` (a manifest value).
Anchor = tuple[int, Source, int, int]
Anchors = tuple[Anchor, ...] | None


@dataclass
class ComposedFile:
    path: str  # output path relative to the manifest's folder, POSIX separators
    lines: list[str]
    origins: list[Origin]  # for each line: the source and offset (of the line) it was copied from
    # For each line compose laid out itself (None for a verbatim copy): where each piece comes from.
    anchors: list[Anchors] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines) + "\n" if self.lines else ""


class Writer:
    """Lines of output with their origins; blank lines are folded so one separates blocks.

    `origins[i]` is the (source, offset of the line start) output line i was copied from. A line
    compose laid out itself (realigned columns, a value taken from the manifest) also has
    `anchors[i]`: where each of its pieces comes from, so that every column maps back exactly.
    """

    __slots__ = ("anchors", "lines", "origins")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[Origin] = []
        self.anchors: list[Anchors] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.line("", None)

    def copy(self, source: Source, start: int, end: int) -> None:
        """Copy `source.text[start:end]` (whole lines) verbatim, minus trailing white space."""
        if start >= end:
            return
        chunk = source.text[start:end]
        if chunk.endswith("\n"):
            chunk = chunk[:-1]
        lines, origins, anchors = self.lines, self.origins, self.anchors
        split = chunk.split("\n")
        if (
            (split[0] or (lines and lines[-1]))
            and "\n\n\n" not in f"\n{chunk}\n"  # no two blank lines in a row, the ends included
            and list(map(str.rstrip, split)) == split  # no trailing white space (C-level loops)
        ):
            # The usual case, whole lines kept as they are (no trailing white space, no run of
            # blank lines to fold): done with C-level iterators, one line offset after another.
            lines.extend(split)
            steps = map(add, map(len, split[:-1]), repeat(1))
            origins.extend(zip(repeat(source), accumulate(steps, initial=start)))
            anchors.extend(repeat(None, len(split)))
            return
        # Trailing white space and runs of blank lines go, but not inside a comment: the text of
        # `//`, `///` and `/* */` is what the user wrote (Prisma keeps the trailing spaces and
        # blank lines of documentation in the client's docs).
        ends_in, starts_in = comment_lines(source.text, start, end) if "/" in chunk else ((), ())
        offset = start
        for i, line in enumerate(split):
            stripped = line if i in ends_in else line.rstrip()
            if stripped or (lines and lines[-1]) or i in starts_in:
                lines.append(stripped)
                origins.append((source, offset))
                anchors.append(None)
            offset += len(line) + 1

    def line(self, text: str, origin: Origin, anchors: Anchors = None) -> None:
        self.lines.append(text)
        self.origins.append(origin)
        self.anchors.append(anchors)

    def extend(self, other: Writer) -> None:
        """Append `other`'s lines, without its leading blank line."""
        skip = 1 if other.lines and not other.lines[0] else 0
        self.lines.extend(other.lines[skip:])
        self.origins.extend(other.origins[skip:])
        self.anchors.extend(other.anchors[skip:])

    def strip(self) -> None:
        """Drop leading and trailing blank lines."""
        lead = 0
        while lead < len(self.lines) and not self.lines[lead]:
            lead += 1
        del self.lines[:lead], self.origins[:lead], self.anchors[:lead]
        self.trim()

    def trim(self) -> None:
        while self.lines and not self.lines[-1]:
            self.lines.pop()
            self.origins.pop()
            self.anchors.pop()

    def composed(self, path: str) -> ComposedFile:
        return ComposedFile(path, self.lines, self.origins, self.anchors)
