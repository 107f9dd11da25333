"""PSL text as a list of tokens, white space left out: what a layout change must not touch.

`compose format` compares the tokens of a fragment before and after Prisma's formatter: names,
types, attributes, strings, punctuation and every comment must come out the same and in the same
order, only the white space between them may change. Comments are compared by their words:

- `//` and `///` comments: their text, trailing white space aside (`///` stays a doc comment:
  Prisma reads it);
- `/* … */` comments: Prisma's formatter rewrites a block comment on its own line in the
  `/**` / ` * line` / ` */` style, so a block comment compares as its lines, each without the
  white space around it and one leading `*` of that style, blank first and last lines left out.

Prisma's formatter also puts attributes in its own order (`@default(…) @id` → `@id @default(…)`,
`@@id` before `@@unique` before `@@index`), and moves the comment lines of a block's attribute
section above it. So inside a block each logical line (a field, a value, a property, a comment
line, an attribute) is compared whole, the attributes of one line as a set, and the block
attributes of a block as a multiset of lines; every other line keeps its place in order. A token
lost, added or changed, or a line that moves, is a difference.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_WORD = re.compile(r"[\w.\-]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    kind: str  # "word" | "string" | "comment" | "doc" | "block" | "punct"
    key: str  # what is compared
    start: int  # offset of the token in the text
    end: int

    @property
    def is_comment(self) -> bool:
        return self.kind in ("comment", "doc", "block")


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end == -1 else end
            kind = "doc" if text.startswith("///", i) else "comment"
            tokens.append(Token(kind, text[i:end].rstrip(), i, end))
        elif text.startswith("/*", i):
            close = text.find("*/", i + 2)
            end = n if close == -1 else close + 2
            inner = text[i + 2 : close if close != -1 else n]
            tokens.append(Token("block", block_key(inner), i, end))
        elif c == '"':
            end = _string_end(text, i)
            tokens.append(Token("string", text[i:end], i, end))
        elif c == "@" and text.startswith("@@", i):
            end = i + 2
            tokens.append(Token("punct", "@@", i, end))
        else:
            w = _WORD.match(text, i)
            end = w.end() if w else i + 1
            tokens.append(Token("word" if w else "punct", text[i:end], i, end))
        i = end
    return tokens


def block_key(inner: str) -> str:
    """A block comment's text (between `/*` and `*/`) as compared: see the module docstring."""
    lines = inner.split("\n")
    out = []
    for index, line in enumerate(lines):
        if index == 0:
            line = line[1:] if line.startswith("*") else line  # `/**`
        else:
            line = line.lstrip()
            line = line[1:] if line.startswith("*") else line
        out.append(line.strip())
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _string_end(text: str, i: int) -> int:
    """The end of the string literal at `i` (PSL strings end at a `"` or at the end of the line)."""
    j = i + 1
    n = len(text)
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == '"':
            return j + 1
        if c == "\n":
            return j
        j += 1
    return n


@dataclass(frozen=True)
class Difference:
    """The first place where two token lists differ."""

    offset: int  # in the first text
    end: int
    removed: str | None  # the token of the first text there (None: something was added)
    added: str | None  # the token of the second text there (None: something was removed)

    def describe(self) -> str:
        if self.removed is not None and self.added is not None:
            return f"change `{_short(self.removed)}` into `{_short(self.added)}`"
        if self.removed is not None:
            return f"remove `{_short(self.removed)}`"
        return f"add `{_short(self.added or '')}`"


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class _Item:
    key: tuple[object, ...]
    start: int
    end: int


def _attr_groups(unit: list[Token]) -> tuple[object, ...]:
    """A logical line's tokens, with its `@attribute(…)` groups in a canonical order."""
    head: list[tuple[str, str]] = []
    groups: list[list[tuple[str, str]]] = []
    tail: list[tuple[str, str]] = []
    depth = 0
    for t in unit:
        key = (t.kind, t.key)
        if t.kind == "punct" and t.key in "([{":
            depth += 1
        elif t.kind == "punct" and t.key in ")]}":
            depth = max(0, depth - 1)
        if depth == 0 and t.kind == "punct" and t.key in ("@", "@@") and not tail:
            groups.append([key])
        elif (depth == 0 and t.is_comment and groups) or tail:
            tail.append(key)
        elif groups:
            groups[-1].append(key)
        else:
            head.append(key)
    return (tuple(head), tuple(sorted(tuple(g) for g in groups)), tuple(tail))


def _close(unit: list[Token], items: list[_Item], attributes: list[_Item]) -> None:
    """One logical line of a block: to `attributes` (compared as a multiset) or `items` (in order)."""
    if not unit:
        return
    item = _Item(("line", _attr_groups(unit)), unit[0].start, unit[-1].end)
    is_attribute = unit[0].kind == "punct" and unit[0].key == "@@"
    (attributes if is_attribute else items).append(item)


def canonical(text: str) -> list[_Item]:
    """The items compared by `first_difference` (see the module docstring), in order."""
    tokens = tokenize(text)
    items: list[_Item] = []
    i, n = 0, len(tokens)
    while i < n:
        t = tokens[i]
        items.append(_Item((t.kind, t.key), t.start, t.end))
        i += 1
        if not (t.kind == "punct" and t.key == "{"):
            continue
        # A block body: logical lines until the matching `}`.
        attributes: list[_Item] = []
        unit: list[Token] = []
        nesting = 0
        while i < n:
            t = tokens[i]
            if nesting == 0 and t.kind == "punct" and t.key == "}":
                break
            if unit and nesting == 0 and "\n" in text[unit[-1].end : t.start]:
                _close(unit, items, attributes)
                unit = []
            if t.kind == "punct" and t.key in "([{":
                nesting += 1
            elif t.kind == "punct" and t.key in ")]}":
                nesting -= 1
            unit.append(t)
            i += 1
        _close(unit, items, attributes)
        items.extend(sorted(attributes, key=lambda item: repr(item.key)))
    return items


def first_difference(before: str, after: str) -> Difference | None:
    """None when `after` keeps every token and comment of `before` (see the module docstring),
    else the first place where it does not."""
    a, b = tokenize(before), tokenize(after)
    if [(t.kind, t.key) for t in a] == [(t.kind, t.key) for t in b]:
        return None
    ca, cb = canonical(before), canonical(after)
    keys_a = [item.key for item in ca]
    keys_b = [item.key for item in cb]
    if keys_a == keys_b:
        return None
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        at = ca[i1] if i1 < len(ca) else None
        offset = at.start if at else len(before)
        end = at.end if at else len(before)
        removed = _text(before, ca[i1]) if i1 < i2 else None
        added = _text(after, cb[j1]) if j1 < j2 else None
        if removed is not None and added is not None:
            removed, added = _narrow(removed, added)
        return Difference(offset, end, removed, added)
    return None  # pragma: no cover - the keys differ, so some opcode is not "equal"


def _text(text: str, item: _Item) -> str:
    return " ".join(text[item.start : item.end].split())


def _narrow(removed: str, added: str) -> tuple[str, str]:
    """Two versions of a line, cut down to the tokens that differ (for the message)."""
    ta, tb = tokenize(removed), tokenize(added)
    k = 0
    while k < min(len(ta), len(tb)) and ta[k].key == tb[k].key:
        k += 1
    old = removed[ta[k].start :] if k < len(ta) else removed
    new = added[tb[k].start :] if k < len(tb) else added
    return old, new
