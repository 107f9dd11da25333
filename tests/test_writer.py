"""`writer.Writer.copy`: its bulk path keeps exactly the lines and origins of the plain rule.

The rule (README "How fragments are composed", 4, the output shape): copied lines lose trailing
white space and runs of
blank lines fold into one, also across the boundary with what the writer already holds; but
not inside a comment (issue 14): a line that ends inside a `//`, `///` or `/* */` comment keeps
its trailing spaces (Prisma keeps them in documentation), and a blank line inside a `/* */`
comment is kept. The reference below finds comments on its own, one character at a time.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.writer import Writer


def reference_copy(w: Writer, source: Source, start: int, end: int) -> None:
    if start >= end:
        return
    chunk = source.text[start:end]
    if chunk.endswith("\n"):
        chunk = chunk[:-1]
    offset = start
    in_block = False
    for line in chunk.split("\n"):
        starts_in_block = in_block
        ends_in_comment = False
        i = 0
        while i < len(line):
            if in_block:
                close = line.find("*/", i)
                if close == -1:
                    ends_in_comment = True
                    break
                in_block, i = False, close + 2
            elif line[i] == '"':  # a string: to its closing quote or the end of the line
                i += 1
                while i < len(line) and line[i] != '"':
                    i += 2 if line[i] == "\\" else 1
                i += 1
            elif line.startswith("//", i):
                ends_in_comment = True
                break
            elif line.startswith("/*", i):
                in_block, i = True, i + 2
                ends_in_comment = i >= len(line)
            else:
                i += 1
        if in_block:
            ends_in_comment = True
        stripped = line if ends_in_comment else line.rstrip()
        if stripped or (w.lines and w.lines[-1]) or starts_in_block:
            w.line(stripped, (source, offset))
        offset += len(line) + 1


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "\n",
                " ",
                "\t",
                "///",
                "b\n",
                "\n\n",
                "x  \n",
                "\u00a0",
                "\x0c",
                "é",
                "//",
                "/*",
                "*/",
                '"',
                "\\",
            ]
        ),
        max_size=18,
    ).map("".join),
    st.data(),
    st.sampled_from([[], [""], ["x"], ["x", ""]]),
)
def test_copy_matches_the_line_by_line_rule(text: str, data: st.DataObject, before: list[str]) -> None:
    source = Source("f.prisma", text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    fast, slow = Writer(), Writer()
    for w in (fast, slow):
        for line in before:
            w.line(line, None)
    fast.copy(source, start, end)
    reference_copy(slow, source, start, end)
    assert (fast.lines, fast.origins, fast.anchors) == (slow.lines, slow.origins, slow.anchors)
