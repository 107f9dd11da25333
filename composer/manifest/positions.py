"""Where each key and value of the manifest is written: tomllib gives no positions, so
`scanner._Scanner` recovers them from the text after tomllib has accepted it (only when a
diagnostic or a source map asks: scanning costs more than parsing, and importing the scanner's
patterns more than a small manifest's whole check)."""

from __future__ import annotations

import re

from ..diagnostics import Location, Source

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .scanner import _Span
    from .shape import KeyPath


_BARE = re.compile(r"[A-Za-z0-9_-]+")
# `key = value` on a line of its own, the value a basic string without escapes, a boolean or an
# integer: how a target's datasource or generator settings are nearly always written
_SIMPLE_VALUE = r'[ \t]*=[ \t]*(?:"[^"\\\n]*"|true|false|[0-9]+)(?=[ \t]*(?:#[^\n]*)?(?:\n|$))'


def simple_key(text: str, path: KeyPath) -> tuple[int, int] | None:
    """Where `key = value` at `path` is written (the span `_Locator.key` gives), when it is
    written the plain way: under its own table header `[a.b]`, as `key = "value"` on a line of
    its own; None: ask the scanner. Composing a target that sets its datasource asks for one key,
    and scanning a manifest of a thousand fragments costs more than the rest of that setting."""
    if len(path) < 2 or "'''" in text or '"""' in text:
        return None  # (no multi-line string: no line of the text is inside a value)
    if not all(type(key) is str and _BARE.fullmatch(key) for key in path):
        return None
    lined = "\n" + text  # each line after a newline (offsets one more than in `text`)
    header = "\n[" + ".".join(path[:-1]) + "]\n"
    at = lined.find(header)
    if at == -1 or lined.find(header, at + 1) != -1:
        return None
    table = at + len(header) - 1  # the newline before the table's first line
    end = lined.find("\n[", table)
    body = lined[table : len(lined) if end == -1 else end]
    found = list(re.finditer(r"\n" + path[-1] + _SIMPLE_VALUE, body))
    if len(found) != 1:
        return None
    return table + found[0].start(), table + found[0].end() - 1


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
        if self._spans is None:
            found = simple_key(self.source.text, path)
            if found is not None:
                return Location(self.source, *found)
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
