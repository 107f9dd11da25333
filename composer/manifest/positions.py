"""Where each key and value of the manifest is written: tomllib gives no positions, so
`scanner._Scanner` recovers them from the text after tomllib has accepted it (only when a
diagnostic or a source map asks: scanning costs more than parsing, and importing the scanner's
patterns more than a small manifest's whole check)."""

from __future__ import annotations

from ..diagnostics import Location, Source

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .scanner import _Span
    from .shape import KeyPath


class _Locator:
    """Maps key paths to places in the manifest text; scans on first use."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._spans: dict[KeyPath, _Span] | None = None

    def spans(self) -> dict[KeyPath, _Span]:
        if self._spans is None:
            from .scanner import _Scanner

            self._spans = _Scanner(self.source.text).scan()
        return self._spans

    def key(self, path: KeyPath) -> Location:
        """The whole `key = value` (or table header) at `path`, else its nearest written ancestor."""
        spans = self.spans()
        span = spans.get(tuple(path))
        if span is not None:
            return Location(self.source, span.key_start, span.value_end)
        return self._ancestor(path)

    def name(self, path: KeyPath) -> Location:
        """Just the key (or table header) at `path`, for unknown or misplaced keys."""
        span = self.spans().get(tuple(path))
        if span is not None:
            return Location(self.source, span.key_start, span.key_end)
        return self._ancestor(path)

    def value(self, path: KeyPath) -> Location:
        """Just the value at `path` (for type errors), else its nearest written ancestor."""
        span = self.spans().get(tuple(path))
        if span is not None:
            return Location(self.source, span.value_start, span.value_end)
        return self._ancestor(path)

    def _ancestor(self, path: KeyPath) -> Location:
        spans = self.spans()
        for size in range(len(path) - 1, 0, -1):
            span = spans.get(tuple(path[:size]))
            if span is not None:
                return Location(self.source, span.key_start, span.key_end)
        first_line = self.source.text.split("\n", 1)[0].rstrip("\r")
        return Location(self.source, 0, len(first_line) or None)
