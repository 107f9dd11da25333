"""Where the comments are in a piece of schema text, for copying it without changing them.

Composing strips trailing white space and folds runs of blank lines, but only in code: inside
a `//`, `///` or `/* */` comment the text is what the user wrote (Prisma keeps the trailing
spaces of documentation, and the blank lines of a `/** … */` block, in the client's docs).
"""

from __future__ import annotations

from .on_use import PatternOnUse

# A string (it may hold `//` or `/*`), a line comment, or the start of a block comment. The
# string is unrolled like the parser's (no alternation per character): linear time. Compiled on
# first use: a plain build copies fragments without asking where their comments are.
_TOKEN = PatternOnUse(r'"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*"?|//[^\n]*|/\*')


def comment_lines(text: str, start: int, end: int) -> tuple[set[int], set[int]]:
    """For the lines of `text[start:end]` (`start` outside any comment or string, at a line
    start), numbered from 0: the lines that end inside a comment, and the lines that start
    inside a `/* */` comment (a blank one there is part of the comment)."""
    ends_in: set[int] = set()
    starts_in: set[int] = set()
    pos = start
    line = 0
    line_start = start
    while True:
        m = _TOKEN.search(text, pos, end)
        if m is None:
            return ends_in, starts_in
        line += text.count("\n", line_start, m.start())
        line_start = max(text.rfind("\n", start, m.start()) + 1, start)
        token = m.group()
        if token.startswith("//"):
            ends_in.add(line)
            pos = m.end()
        elif token == "/*":
            close = text.find("*/", m.end(), end)
            stop = end if close == -1 else close + 2
            inside = text.count("\n", m.start(), stop)
            ends_in.update(range(line, line + inside))
            starts_in.update(range(line + 1, line + inside + 1))
            if close == -1:
                ends_in.add(line + inside)
            line += inside
            line_start = max(text.rfind("\n", start, stop) + 1, start)
            pos = stop
        else:
            pos = m.end()


def line_end_past_comment(text: str, pos: int, end: int) -> int:
    """The end (after the newline) of the line at `pos`, or of a later line when a `/* */`
    comment opened on it closes there: the lines a row of text must keep together."""
    eol = text.find("\n", pos, end)
    nxt = end if eol == -1 else eol + 1
    if "/*" not in text[pos:nxt]:
        return nxt
    q = pos
    while True:
        m = _TOKEN.search(text, q, nxt)
        if m is None:
            return nxt
        if m.group() != "/*":
            q = m.end()
            continue
        close = text.find("*/", m.end(), end)
        if close == -1:
            return end
        if close + 2 >= nxt:  # closes on a later line: carry on from there
            eol = text.find("\n", close + 2, end)
            nxt = end if eol == -1 else eol + 1
        q = close + 2
