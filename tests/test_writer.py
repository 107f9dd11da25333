"""`compose.Writer.copy`: its bulk path keeps exactly the lines and origins of the plain rule.

The rule (PRODUCT.md §3.3 output shape): copied lines lose trailing white space (except `///`
doc lines, whose trailing spaces reach the client's docs) and runs of blank lines fold into one,
also across the boundary with what the writer already holds.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.compose import Writer
from composer.diagnostics import Source


def reference_copy(w: Writer, source: Source, start: int, end: int) -> None:
    if start >= end:
        return
    chunk = source.text[start:end]
    if chunk.endswith("\n"):
        chunk = chunk[:-1]
    offset = start
    for line in chunk.split("\n"):
        stripped = line.rstrip()
        if stripped.lstrip().startswith("///"):
            stripped = line
        if stripped or (w.lines and w.lines[-1]):
            w.line(stripped, (source, offset))
        offset += len(line) + 1


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "\n", " ", "\t", "///", "b\n", "\n\n", "x  \n", "\u00a0", "\x0c", "é"]),
        max_size=14,
    ).map(
        "".join
    ),
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
