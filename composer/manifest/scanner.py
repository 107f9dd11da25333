"""`_Scanner`: where the tables and keys of TOML text that tomllib accepted are written
(`positions._Locator` asks, on first use)."""

from __future__ import annotations

import contextlib
import re

from .shape import KeyPath


class _Span:
    """Where a key (or table header) and its value are written. A plain class: a dataclass would
    cost import time on every CLI start."""

    __slots__ = ("key_end", "key_start", "value_end", "value_start")

    def __init__(self, key_start: int, key_end: int, value_start: int, value_end: int) -> None:
        self.key_start = key_start
        self.key_end = key_end
        self.value_start = value_start
        self.value_end = value_end


_BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"')
_LITERAL_RE = re.compile(r"'[^'\n]*'")
_ML_BASIC_RE = re.compile(r'"""(?:[^"\\]|\\.|"{1,2}(?!"))*"""(?:"{1,2})?', re.DOTALL)
_ML_LITERAL_RE = re.compile(r"'''(?:[^']|'{1,2}(?!'))*'''(?:'{1,2})?")
# Numbers, booleans and dates; a local date-time may have a space before its time.
# `key = "value"` with a bare key and a one-line basic string (not `"""`): most lines of a
# manifest (each `[[fragments]]`'s `path`), read in one match as `key` and `value` would read it
_SIMPLE_KEYVAL_RE = re.compile(r'([A-Za-z0-9_-]+)[ \t]*=[ \t]*("(?!"")(?:[^"\\\n]|\\.)*")')
# `[[name]]` with one bare key, as `key` and `expect` would read it
_SIMPLE_ARRAY_RE = re.compile(r"\[\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\]")
_SCALAR_RE = re.compile(r"[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?")
_KEY_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))")
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}


def _unescape_key(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        code = match[1] or match[2] or match[3]
        if code:
            return chr(int(code, 16))
        return _SIMPLE_ESCAPES.get(match[4], match[4])

    return _KEY_ESCAPE_RE.sub(replace, body)


class _Scanner:
    """Finds where tables and keys are written in TOML text that tomllib accepted.

    Not a TOML parser: it trusts the syntax and only tracks the current table, `[[array]]`
    indexes, dotted keys, inline tables and arrays, skipping strings so that their content is
    never mistaken for structure. Explicit definitions win over implied parents (`[a.b]` implies
    `a`); anything it cannot follow ends the scan with what was found so far.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.explicit: dict[KeyPath, _Span] = {}
        self.implied: dict[KeyPath, _Span] = {}
        self.arrays: dict[KeyPath, int] = {}

    def scan(self) -> dict[KeyPath, _Span]:
        with contextlib.suppress(IndexError, ValueError, RecursionError):
            self.document()
        return {**self.implied, **self.explicit}

    def document(self) -> None:
        text = self.text
        table: KeyPath = ()
        while True:
            self.skip(newlines=True)
            start = self.pos
            if start >= len(text):
                return
            if text.startswith("[[", start):
                simple = _SIMPLE_ARRAY_RE.match(text, start)
                if simple is not None:
                    self.pos = simple.end()
                    array: KeyPath = (simple[1],)
                else:
                    self.pos += 2
                    keys = self.key()
                    self.expect("]]")
                    array = (*self.resolve(keys[:-1]), keys[-1][0])
                index = self.arrays.get(array, 0)
                self.arrays[array] = index + 1
                table = (*array, index)
                self.define(table, _Span(start, self.pos, start, self.pos))
            elif text[start] == "[":
                self.pos += 1
                keys = self.key()
                self.expect("]")
                table = self.resolve(keys)
                self.define(table, _Span(start, self.pos, start, self.pos))
            else:
                self.keyval(table)

    def define(self, path: KeyPath, span: _Span) -> None:
        for size in range(1, len(path)):
            self.implied.setdefault(path[:size], span)
        self.explicit[path] = span

    def resolve(self, keys: list[tuple[str, int, int]]) -> KeyPath:
        """A header's key path, with the current index of every array of tables on the way."""
        path: list[str | int] = []
        for name, _, _ in keys:
            path.append(name)
            count = self.arrays.get(tuple(path))
            if count:
                path.append(count - 1)
        return tuple(path)

    def keyval(self, table: KeyPath) -> None:
        simple = _SIMPLE_KEYVAL_RE.match(self.text, self.pos)
        if simple is not None:
            self.pos = end = simple.end()
            self.explicit[(*table, simple[1])] = _Span(simple.start(), simple.end(1), simple.start(2), end)
            return
        key_start = self.pos
        keys = self.key()
        self.expect("=")
        self.skip()
        value_start = self.pos
        path = (*table, *(name for name, _, _ in keys))
        self.value(path)
        for size, (_, _, end) in enumerate(keys[:-1], start=1):
            self.implied.setdefault(path[: len(table) + size], _Span(key_start, end, key_start, end))
        self.explicit[path] = _Span(key_start, keys[-1][2], value_start, self.pos)

    def key(self) -> list[tuple[str, int, int]]:
        """A dotted key as (name, start, end) segments."""
        text = self.text
        segments: list[tuple[str, int, int]] = []
        while True:
            self.skip()
            start = self.pos
            if text.startswith('"', start):
                match = _BASIC_RE.match(text, start)
                name = _unescape_key(match.group()[1:-1]) if match else ""
            elif text.startswith("'", start):
                match = _LITERAL_RE.match(text, start)
                name = match.group()[1:-1] if match else ""
            else:
                match = _BARE_KEY_RE.match(text, start)
                name = match.group() if match else ""
            if match is None:
                raise ValueError("no key")
            self.pos = match.end()
            segments.append((name, start, self.pos))
            self.skip()
            if not text.startswith(".", self.pos):
                return segments
            self.pos += 1

    def value(self, path: KeyPath) -> None:
        text = self.text
        start = self.pos
        char = text[start]
        if char in "\"'":
            if text.startswith('"""', start):
                pattern = _ML_BASIC_RE
            elif text.startswith("'''", start):
                pattern = _ML_LITERAL_RE
            else:
                pattern = _BASIC_RE if char == '"' else _LITERAL_RE
            match = pattern.match(text, start)
        elif char == "[":
            self.pos += 1
            self.array(path)
            return
        elif char == "{":
            self.pos += 1
            self.inline_table(path)
            return
        else:
            match = _SCALAR_RE.match(text, start)
        if match is None:
            raise ValueError("no value")
        self.pos = match.end()

    def array(self, path: KeyPath) -> None:
        index = 0
        while True:
            self.skip(newlines=True)
            if self.text[self.pos] == "]":
                self.pos += 1
                return
            start = self.pos
            self.value((*path, index))
            self.explicit[(*path, index)] = _Span(start, self.pos, start, self.pos)
            index += 1
            self.skip(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def inline_table(self, path: KeyPath) -> None:
        while True:
            self.skip(newlines=True)  # TOML 1.1 allows newlines in inline tables
            if self.text[self.pos] == "}":
                self.pos += 1
                return
            self.keyval(path)
            self.skip(newlines=True)
            if self.text[self.pos] == ",":
                self.pos += 1

    def expect(self, token: str) -> None:
        self.skip()
        if not self.text.startswith(token, self.pos):
            raise ValueError(f"expected {token}")
        self.pos += len(token)

    def skip(self, newlines: bool = False) -> None:
        """Skips blanks and comments (and line breaks when asked)."""
        text = self.text
        pos = self.pos
        while pos < len(text):
            char = text[pos]
            if char in " \t" or (newlines and char in "\r\n"):
                pos += 1
            elif char == "#":
                end = text.find("\n", pos)
                pos = len(text) if end == -1 else end
            else:
                break
        self.pos = pos
