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
from collections import Counter
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
    section: int = -1  # a block attribute line: the offset of its block's `{` (lines compared as a multiset)


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


def _close(unit: list[Token], items: list[_Item], attributes: list[_Item], section: int) -> None:
    """One logical line of a block: to `attributes` (compared as a multiset) or `items` (in order)."""
    if not unit:
        return
    key = ("line", _attr_groups(unit))
    if unit[0].kind == "punct" and unit[0].key == "@@":
        attributes.append(_Item(key, unit[0].start, unit[-1].end, section))
    else:
        items.append(_Item(key, unit[0].start, unit[-1].end))


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
        section = t.start
        attributes: list[_Item] = []
        unit: list[Token] = []
        nesting = 0
        while i < n:
            t = tokens[i]
            if nesting == 0 and t.kind == "punct" and t.key == "}":
                break
            if unit and nesting == 0 and "\n" in text[unit[-1].end : t.start]:
                _close(unit, items, attributes, section)
                unit = []
            if t.kind == "punct" and t.key in "([{":
                nesting += 1
            elif t.kind == "punct" and t.key in ")]}":
                nesting -= 1
            unit.append(t)
            i += 1
        _close(unit, items, attributes, section)
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
        moved = _attribute_difference(before, after, ca, cb, i1, j1)
        if moved is not None:
            return moved
        at = ca[i1] if i1 < len(ca) else None
        offset = at.start if at else len(before)
        end = at.end if at else len(before)
        removed = _text(before, ca[i1]) if i1 < i2 else None
        added = _text(after, cb[j1]) if j1 < j2 else None
        if removed is not None and added is not None:
            removed, added = _narrow(removed, added)
        return Difference(offset, end, removed, added)
    return None  # pragma: no cover - the keys differ, so some opcode is not "equal"


def _section(items: list[_Item], at: int) -> tuple[int, int]:
    """The block attribute lines around `items[at]`, as a range of `items` (one block's lines, in
    their sorted order); empty when `items[at]` is none."""
    if at < 0 or at >= len(items) or items[at].section < 0:
        return at, at
    section = items[at].section
    start = end = at
    while start > 0 and items[start - 1].section == section:
        start -= 1
    while end < len(items) and items[end].section == section:
        end += 1
    return start, end


def _first_unmatched(items: list[_Item], others: list[_Item]) -> _Item | None:
    """The first of `items` in text order that `others` lacks (as a multiset of keys)."""
    left = Counter(item.key for item in others)
    for item in sorted(items, key=lambda item: item.start):
        if not left[item.key]:
            return item
        left[item.key] -= 1
    return None


def _attribute_difference(
    before: str, after: str, ca: list[_Item], cb: list[_Item], i1: int, j1: int
) -> Difference | None:
    """The difference, when the first unequal item is among a block's attribute lines.

    Those are compared sorted (a multiset), so the first unequal one in that order can be a line
    that is unchanged, below the one that changed (its new text sorts elsewhere). The difference
    is then the first line of `before`, in text order, that `after`'s block lacks; None when
    `after` only adds lines there (or the first unequal item is no attribute line).
    """
    start, end = _section(ca, i1)
    if start == end:
        return None
    # The items before i1 and j1 are equal: the block's lines in `after` start as many items earlier.
    b_start, b_end = _section(cb, j1 - (i1 - start))
    ours, theirs = ca[start:end], cb[b_start:b_end]
    removed = _first_unmatched(ours, theirs)
    if removed is None:
        return None
    old = _text(before, removed)
    added = _first_unmatched(theirs, ours)
    if added is None:
        return Difference(removed.start, removed.end, old, None)
    return Difference(removed.start, removed.end, *_narrow(old, _text(after, added)))


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
