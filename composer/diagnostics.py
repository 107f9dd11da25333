"""Diagnostics: one error type for every bad input, rendered like Prisma's own errors.

A diagnostic points at a place in a source file (a fragment, a YAML entity file, the manifest)
by character offset; line and column are only computed when it is rendered, so the parser can
carry plain integers around.
"""

from __future__ import annotations

import os

from .records import FrozenRecord, Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


class Source:
    """The text of one input file, with its display path (relative to the project)."""

    __slots__ = ("_line_starts", "display", "line_map", "origin", "path", "private", "text", "to_origin")

    def __init__(
        self,
        display: str,
        text: str,
        path: str | None = None,
        origin: Source | None = None,
        line_map: Sequence[int] | None = None,
        private: bool = False,
        to_origin: Callable[[int], int] | None = None,
    ) -> None:
        self.display = display
        self.text = text
        self.path = path if path is not None else display
        # Generated text (a YAML entity's model) points its diagnostics at the file it came from:
        # line i+1 of `text` was produced by line `line_map[i]` of `origin`.
        self.origin = origin
        self.line_map = line_map
        # An edited copy of `origin` (a fragment adapted to a target's provider) maps each offset
        # back (`to_origin`), columns included: its diagnostics point where the user wrote the
        # text, as they would on the fragment itself. A generated text maps lines alone.
        self.to_origin = to_origin
        # A file outside the project (a symlink out of it, `../…`): an error in it names the file,
        # line and column, but shows none of its text (it may be a secret: CI prints its logs).
        self.private = private
        self._line_starts: list[int] | None = None

    def written(self, offset: int) -> tuple[Source, int]:
        """The source and offset of the text at `offset` before any edit (through edited copies
        to the text they were made from: a fragment as read, or a generated one)."""
        source = self
        while source.to_origin is not None and source.origin is not None:
            offset = source.to_origin(offset)
            source = source.origin
        return source, offset

    @property
    def generated(self) -> bool:
        """Is this text generated (a YAML entity's model), its lines mapped to lines of `origin`
        without columns?"""
        return self.origin is not None and self.to_origin is None and bool(self.line_map)

    def resolve(self, offset: int) -> tuple[Source, int, int]:
        """The file, line and column a user should look at for `offset`."""
        source, offset = self.written(offset)
        line, col = source.line_col(offset)
        if source.generated:
            mapped = source.line_map[min(line, len(source.line_map)) - 1]  # type: ignore[index]
            text = source.origin.line_text(mapped)  # type: ignore[union-attr]
            return source.origin, mapped, len(text) - len(text.lstrip()) + 1  # type: ignore[return-value]
        return source, line, col

    def line_starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        from bisect import bisect_right  # here: a build without errors asks for no position

        starts = self.line_starts()
        offset = max(0, min(offset, len(self.text)))
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def offset_of(self, line: int, col: int = 1) -> int:
        starts = self.line_starts()
        line = max(1, min(line, len(starts)))
        return min(starts[line - 1] + col - 1, len(self.text))

    def line_text(self, line: int) -> str:
        starts = self.line_starts()
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = self.text.find("\n", start)
        if end == -1:
            end = len(self.text)
        return self.text[start:end].rstrip("\r")


class Location(FrozenRecord):
    """A span in a source. `end` is exclusive; an empty span marks a point."""

    __slots__ = ("end", "source", "start")
    _attrs = ("source", "start", "end")
    source: Source
    start: int
    end: int | None

    def __init__(self, source: Source, start: int, end: int | None = None) -> None:
        self._set(source=source, start=start, end=end)

    @property
    def file(self) -> str:
        return self.source.resolve(self.start)[0].display

    @property
    def line(self) -> int:
        return self.source.resolve(self.start)[1]

    @property
    def column(self) -> int:
        return self.source.resolve(self.start)[2]

    @property
    def whole_line(self) -> bool:
        """Does the span resolve to a line of a generated text's origin (no columns of its own)?"""
        return self.source.written(self.start)[0].generated

    def end_line_col(self) -> tuple[int, int]:
        source, start = self.source.written(self.start)
        if source.generated:
            _, line, col = source.resolve(start)
            return line, col + 1
        end = start
        if self.end is not None and self.end > self.start:
            # `end` is exclusive: where its last character was written, then past it (an edit
            # may have written more or less text before it)
            end = max(start, self.source.written(self.end - 1)[1] + 1)
        return source.line_col(end)

    def __str__(self) -> str:
        source, line, col = self.source.resolve(self.start)
        return f"{source.display}:{line}:{col}"


class Diagnostic(Record):
    _attrs = ("message", "location", "severity", "code", "notes", "hint")

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        severity: str = "error",  # "error" | "warning"
        code: str = "E000",
        notes: list[tuple[str, Location | None]] | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.location = location
        self.severity = severity
        self.code = code
        self.notes: list[tuple[str, Location | None]] = [] if notes is None else notes
        self.hint = hint

    def render(self, color: bool = False) -> str:
        bold, red, yellow, blue, reset = ("\x1b[1m", "\x1b[1;91m", "\x1b[1;93m", "\x1b[1;94m", "\x1b[0m")
        if not color:
            bold = red = yellow = blue = reset = ""
        sev_color = red if self.severity == "error" else yellow
        head = f"{self.location}: " if self.location else ""
        lines = [f"{head}{sev_color}{self.severity}{reset}: {bold}{self.message}{reset}"]
        if self.location is not None:
            lines.extend(code_frame(self.location, blue, reset))
        for text, loc in self.notes:
            lines.append(f"  {blue}note{reset}: {text}" + (f" ({loc})" if loc else ""))
            if loc is not None:
                lines.extend(code_frame(loc, blue, reset))
        if self.hint:
            lines.append(f"  {blue}help{reset}: {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The diagnostic in the stable JSON schema of `--format json` (docs/ci.md)."""
        out: dict[str, object] = {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "file": None,
            "line": None,
            "column": None,
            "end": None,
        }
        if self.location is not None:
            end_line, end_col = self.location.end_line_col()
            out.update(
                file=self.location.file,
                line=self.location.line,
                column=self.location.column,
                end={"line": end_line, "column": end_col},
            )
        out["related"] = [
            {
                "message": text,
                "file": loc.file if loc else None,
                "line": loc.line if loc else None,
                "column": loc.column if loc else None,
            }
            for text, loc in self.notes
        ]
        return out


# A longer line is shown as a window of this many characters around the caret: a generated or
# minified file can have a line of megabytes, which no terminal wants.
FRAME_WIDTH = 160
# Control characters would move the cursor or recolour the terminal: one visible character each,
# so the caret stays aligned.
_CONTROLS = {c: "\ufffd" for c in (*range(0x00, 0x09), *range(0x0A, 0x20), 0x7F)}
_CONTROLS[0x09] = " "


def code_frame(loc: Location, gutter: str = "", reset: str = "") -> list[str]:
    """The offending line with a caret under the span, as Prisma renders its errors."""
    source, line, col = loc.source.resolve(loc.start)
    if source.private:
        return [
            f"  {gutter}|{reset} (text not shown: the file is outside the project; "
            "`[compose] allow_outside_inputs = true` in the manifest shows it)"
        ]
    text = source.line_text(line)
    end_line, end_col = loc.end_line_col()
    width = max(1, (end_col - col) if end_line == line else len(text) - col + 1)
    caret = col - 1  # characters before the caret
    if len(text) > FRAME_WIDTH:
        start = max(0, min(caret - FRAME_WIDTH // 4, len(text) - FRAME_WIDTH))
        end = start + FRAME_WIDTH
        lead = "…" if start else ""
        width = max(1, min(width, end - caret))
        text = lead + text[start:end] + ("…" if end < len(text) else "")
        caret += len(lead) - start
    num = str(line)
    pad = " " * len(num)
    expanded = text.translate(_CONTROLS)
    return [
        f"  {gutter}{pad} |{reset}",
        f"  {gutter}{num} |{reset} {expanded}",
        f"  {gutter}{pad} |{reset} {' ' * caret}^{'~' * (width - 1)}",
    ]


class ComposeError(Exception):
    """Raised with one or more diagnostics; the CLI prints them and exits 1."""

    def __init__(self, diagnostics: Diagnostic | list[Diagnostic]) -> None:
        self.diagnostics = diagnostics if isinstance(diagnostics, list) else [diagnostics]
        super().__init__("\n".join(d.render() for d in self.diagnostics))


def error(message: str, location: Location | None = None, code: str = "E000", **kw: object) -> ComposeError:
    return ComposeError(Diagnostic(message, location, code=code, **kw))  # type: ignore[arg-type]


def use_color(stream: object) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def article(word: str) -> str:
    """`word` with "a" or "an" before it, for messages built from names: "an enum", "a model"."""
    return ("an " if word.lstrip("`")[:1].lower() in ("a", "e", "i", "o", "u") else "a ") + word


def did_you_mean(name: str, candidates: list[str] | set[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    if not match:
        lowered = {c.lower(): c for c in candidates}
        if name.lower() in lowered:
            match = [lowered[name.lower()]]
    return f"did you mean `{match[0]}`?" if match else None
