"""The common manifest read without tomllib: a line-by-line reader of the plain subset of TOML
that manifests are written in, many times faster than tomllib on 10,000 `[[fragments]]` tables.

The subset: blank and comment lines; `[[name]]` (an array of tables of one bare key) and
`[dotted.bare.keys]` headers; `key = value` lines of one bare key whose value is a basic or
literal string without escapes, `true`/`false`, a one-line array of such strings, or a one-line
inline table of such scalars. Anything else — another kind of value, a quoted or dotted key, a
key or table defined twice, a header that extends an array of tables or an inline table —
returns None, and tomllib reads the text (and reports its errors). So a text this reader accepts
gives exactly what tomllib gives (`tests/test_manifest.py` holds the two to it on generated
manifests).
"""

from __future__ import annotations

import re
from functools import cache

_KEY = r"[A-Za-z0-9_-]+"
# Strings without escapes; control characters other than tab are not allowed in TOML strings.
_STRING = "\"[^\"\\\\\\x00-\\x08\\x0a-\\x1f\\x7f]*\"|'[^'\\x00-\\x08\\x0a-\\x1f\\x7f]*'"
_SCALAR = rf"{_STRING}|true|false"
_COMMENT = r"(?:#[^\x00-\x08\x0a-\x1f\x7f]*)?"
_WS = r"[ \t]*"
_PAIR = rf"{_KEY}{_WS}={_WS}(?:{_SCALAR})"
_ARRAY = rf"\[{_WS}(?:(?:{_STRING}){_WS}(?:,{_WS}(?:{_STRING}){_WS})*,?{_WS})?\]"
_INLINE = rf"\{{{_WS}(?:{_PAIR}{_WS}(?:,{_WS}{_PAIR}{_WS})*)?\}}"
_LINE = (
    rf"{_WS}(?:"
    rf"\[\[{_WS}(?P<array>{_KEY}){_WS}\]\]"
    rf"|\[{_WS}(?P<table>{_KEY}(?:{_WS}\.{_WS}{_KEY})*){_WS}\]"
    rf"|(?P<key>{_KEY}){_WS}={_WS}(?P<value>{_SCALAR}|{_ARRAY}|{_INLINE})"
    rf")?{_WS}{_COMMENT}"
)
# Compiled where first used (`re` keeps them), by an array or inline table value: most
# manifests hold none.
_INLINE_PAIR = rf"(?P<key>{_KEY}){_WS}={_WS}(?P<value>{_SCALAR})"
Table = dict[str, object]


@cache
def _line_pattern() -> re.Pattern[str]:
    # Compiled on the first line `_simple_line` leaves to it (most manifests have none): the
    # compile costs more than reading a small manifest.
    return re.compile(_LINE)


def plain_toml(text: str) -> Table | None:
    """What tomllib.loads(text) gives, or None when the text is not of the subset above."""
    reader = _Reader()
    lines = text.split("\n")
    if "\r" in text:  # CRLF; a `\r` alone (at the end too) is no newline
        last = len(lines) - 1
        lines = [line[:-1] if i < last and line.endswith("\r") else line for i, line in enumerate(lines)]
    arrays: dict[str, str] = {}  # `[[name]]` lines seen: name (a manifest repeats `[[fragments]]`)
    array = reader.array
    for line in lines:
        if not line:
            continue
        name = arrays.get(line)
        simple = array(name) if name is not None else _simple_line(reader, line, arrays)
        if simple is None:
            match = _line_pattern().fullmatch(line)
            simple = match is not None and reader.line(match)
        if not simple:
            return None
    return reader.root


def _bare(key: str) -> bool:
    """Is `key` a bare TOML key (ASCII letters, digits, `_` and `-`)?"""
    return key.isascii() and (key.isalnum() or key.replace("_", "a").replace("-", "a").isalnum())


def _simple_line(reader: _Reader, line: str, arrays: dict[str, str]) -> bool | None:
    """What `reader` makes of the commonest lines, written the usual way — `[[name]]` (kept in
    `arrays`), `[a.b]`, `key = "text"` — read without the pattern: True (read) or False (not of
    the subset); None for any other line, which the pattern reads."""
    if line[0] == "[":
        if line.startswith("[[") and line.endswith("]]") and _bare(line[2:-2]):
            arrays[line] = line[2:-2]
            return reader.array(line[2:-2])
        if line[-1] == "]" and all(map(_bare, line[1:-1].split("."))):
            return reader.header(tuple(line[1:-1].split(".")))
        return None
    key, eq, value = line.partition(" = ")
    if (
        eq
        and len(value) > 1
        and value[0] == value[-1] == '"'
        and _bare(key)
        and value.isprintable()  # no control character, tab included (the pattern takes those)
        and '"' not in value[1:-1]
        and "\\" not in value
    ):
        return reader.value(key, value)
    return None


def _scalar(text: str) -> str | bool:
    return text[1:-1] if text[0] in "\"'" else text == "true"


class _Reader:
    def __init__(self) -> None:
        self.root: Table = {}
        self.table = self.root
        self.defined: set[tuple[str, ...]] = set()  # tables defined by a [header]
        self.arrays: set[str] = set()  # names of arrays of tables
        self.inline: set[int] = set()  # ids of inline tables: no header may extend one

    def line(self, match: re.Match[str]) -> bool:
        if match["key"] is not None:
            return self.value(match["key"], match["value"])
        if match["array"] is not None:
            return self.array(match["array"])
        if match["table"] is not None:
            return self.header(tuple(k.strip(" \t") for k in match["table"].split(".")))
        return True  # blank or comment

    def value(self, key: str, text: str) -> bool:
        if key in self.table:
            return False
        if text[0] == "[":
            self.table[key] = [item[1:-1] for item in re.findall(_STRING, text)]
        elif text[0] == "{":
            inline: Table = {}
            for pair in re.finditer(_INLINE_PAIR, text):
                if pair["key"] in inline:
                    return False
                inline[pair["key"]] = _scalar(pair["value"])
            self.inline.add(id(inline))
            self.table[key] = inline
        else:
            self.table[key] = _scalar(text)
        return True

    def array(self, name: str) -> bool:
        if name not in self.arrays:
            if name in self.root:
                return False  # a table, or a value (an array of strings too: TOML's static arrays)
            self.arrays.add(name)
            self.root[name] = []
        found = self.root[name]
        assert isinstance(found, list)
        self.table = {}
        found.append(self.table)
        return True

    def header(self, path: tuple[str, ...]) -> bool:
        if path in self.defined or path[0] in self.arrays:
            return False
        table = self.root
        for key in path:
            inner = table.setdefault(key, {})
            if not isinstance(inner, dict) or id(inner) in self.inline:
                return False
            table = inner
        self.defined.add(path)
        self.table = table
        return True
