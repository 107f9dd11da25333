"""From a place in a composed output back to the place in a fragment it came from.

Prisma reports its errors at offsets into the file it was given: the output exactly as `build`
writes it (banner and checksum line included). `OutputMap` turns such an offset into a
`Location` in the fragment (or YAML entity, or manifest) that produced that text, using what
composition recorded for each output line (`ComposedFile.origins` and `.anchors`):

- a line copied verbatim maps column for column to its source line;
- a line compose laid out itself (a merged `/// @extend` declaration realigned like `prisma
  format`, a datasource property, a generator set in the manifest) maps piece by piece;
- a line of a YAML-generated model is mapped into the generated text, whose `Source` sends it on
  to the YAML line that produced it (`Source.origin`/`line_map`);
- a line compose wrote from nothing (banner, section headers, blank lines) maps to the output
  itself.
"""

from __future__ import annotations

import bisect

from .compose import ComposedTarget
from .diagnostics import Location, Source
from .psl.render import line_anchors
from .seal import seal
from .writer import Anchors, ComposedFile, Origin


class OutputMap:
    """One output file of a composed target: its sealed text and the way back to the fragments."""

    def __init__(self, composed: ComposedTarget, file: ComposedFile, text: str | None = None) -> None:
        """`text`: the sealed output, when the caller has made it already."""
        self.file = file
        self.target = composed.target.name
        self.text = seal(composed.banner, file.body) if text is None else text
        # The composed output itself, for the places no input produced (and for notes).
        self.output = Source(file.path, self.text)
        # seal() puts the banner, a checksum line and a blank line above the body.
        self.first_body_line = len(composed.banner) + 2 if composed.banner else 0

    @property
    def path(self) -> str:
        return self.file.path

    def line_origin(self, index: int) -> tuple[Origin, Anchors]:
        """Origin and anchors of body line `index` (0-based), without making every line's (a
        realigned `@extend` field line's anchors are found again in its text, read from the output)."""
        origin, anchors = self.file.origin(index)
        if anchors == () and origin is not None:
            anchors = line_anchors(self.body_line(index), origin, anchors)
        return origin, anchors

    def body_line(self, index: int) -> str:
        """The text of body line `index` (0-based), from the sealed output."""
        output = self.output
        start = output.line_starts()[self.first_body_line + index]
        end = output.text.find("\n", start)
        return output.text[start : len(output.text) if end == -1 else end]

    def source_offset(self, offset: int) -> tuple[Source, int] | None:
        """The (source, offset) that output offset `offset` was produced from, or None."""
        line, col = self.output.line_col(offset)
        index = line - 1 - self.first_body_line
        if index < 0 or index >= self.file.line_count:
            return None
        origin, anchors = self.line_origin(index)
        column = col - 1
        if anchors:
            starts = [a[0] for a in anchors]
            i = max(0, bisect.bisect_right(starts, column) - 1)
            at, source, start, length = anchors[i]
            return source, start + max(0, min(column - at, length))
        if origin is None:
            return None
        source, start = origin
        line_end = source.text.find("\n", start)
        if line_end == -1:
            line_end = len(source.text)
        return source, min(start + column, line_end)

    def locate(self, start: int, end: int | None = None) -> tuple[Location, bool]:
        """Where a span of the output comes from; the flag is False when it maps to the output itself."""
        mapped = self.source_offset(start)
        if mapped is None:
            return Location(self.output, start, end), False
        source, offset = mapped
        line_end = source.text.find("\n", offset)
        if line_end == -1:
            line_end = len(source.text)
        stop = offset
        if end is not None and end > start:
            # `end` is exclusive: map its last character, then step past it.
            last = self.source_offset(end - 1)
            if last is not None and last[0] is source and offset <= last[1] < line_end:
                stop = last[1] + 1
            else:
                stop = line_end  # a span over several lines (or sources): up to the end of the first
        return Location(source, offset, max(stop, offset)), True

    def output_location(self, start: int, end: int | None = None) -> Location:
        return Location(self.output, start, end)
