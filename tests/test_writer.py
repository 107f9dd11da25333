"""`writer.Writer.copy`: its bulk path keeps exactly the lines and origins of the plain rule.

The rule (README "How fragments are composed", 4, the output shape): copied lines lose trailing
white space and runs of
blank lines fold into one, also across the boundary with what the writer already holds; but
not inside a comment (issue 14): a line that ends inside a `//`, `///` or `/* */` comment keeps
its trailing spaces (Prisma keeps them in documentation), and a blank line inside a `/* */`
comment is kept. The reference below finds comments on its own, one character at a time.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.psl.render import REALIGNED
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


class LineWriter:
    """The writer as it was before runs: every line, origin and anchor in a list (the rule the
    writer's runs must keep, line for line)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.origins: list[object] = []
        self.anchors: list[object] = []

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.line("", None)

    def line(self, text: str, origin: object, anchors: object = None) -> None:
        self.lines.append(text)
        self.origins.append(origin)
        self.anchors.append(anchors)

    def copy(self, source: Source, start: int, end: int) -> None:
        reference_copy(self, source, start, end)  # type: ignore[arg-type]

    def block(self, text: str, count: int, segments: tuple[object, ...], spaced: bool = False) -> None:
        """`Writer.block`, line by line (what `Block` says of each line)."""
        if spaced:
            self.blank()
        lines = iter(text.split("\n")[:-1])
        for k in range(0, len(segments), 4):
            source, offset, n, realigned = segments[k : k + 4]
            for _ in range(n):  # type: ignore[call-overload]
                line = next(lines)
                field = realigned and line.strip() and line.strip()[0] not in "/@"
                self.line(line, (source, offset) if line else None, REALIGNED if field else None)
                if source is not None:  # else blank lines, from no source line
                    offset = source.text.find("\n", offset) + 1 or len(source.text)  # type: ignore[attr-defined]

    def extend(self, other: LineWriter) -> None:
        skip = 1 if other.lines and not other.lines[0] else 0
        self.lines.extend(other.lines[skip:])
        self.origins.extend(other.origins[skip:])
        self.anchors.extend(other.anchors[skip:])

    def strip(self) -> None:
        while self.lines and not self.lines[0]:
            del self.lines[0], self.origins[0], self.anchors[0]
        self.trim()

    def trim(self) -> None:
        while self.lines and not self.lines[-1]:
            self.lines.pop(), self.origins.pop(), self.anchors.pop()


TEXT = st.lists(
    st.sampled_from(
        ["a", "\n", " ", "\n\n", "x  \n", "model A {\n  id Int\n}\n", "// c\n", "/* c\n\n*/", "é"]
    ),
    max_size=12,
).map("".join)
OP = st.one_of(
    st.tuples(st.just("copy"), st.integers(0, 60), st.integers(0, 60)),
    st.tuples(st.just("line"), st.sampled_from(["", "x", "// h"])),
    st.tuples(st.just("blank")),
    st.tuples(st.just("strip")),
    st.tuples(st.just("trim")),
    st.tuples(st.just("extend"), st.integers(0, 60), st.integers(0, 60)),
    st.tuples(st.just("block"), st.integers(0, 60), st.integers(0, 60), st.booleans(), st.booleans()),
)


def run_ops(w: Writer | LineWriter, ops: list[tuple[object, ...]], source: Source, fresh: type) -> None:
    n = len(source.text)
    for op in ops:
        if op[0] in ("copy", "extend"):
            start, end = sorted((min(int(op[1]), n), min(int(op[2]), n)))  # type: ignore[call-overload]
            # Copies start and end at line boundaries, as composing copies.
            start = source.text.rfind("\n", 0, start) + 1
            nl = source.text.find("\n", end)
            end = n if nl == -1 else nl + 1
            if op[0] == "copy":
                w.copy(source, start, end)
            else:
                other = fresh()
                other.blank()
                other.line("", None)
                other.copy(source, start, end)
                other.line("y", (source, 0), ((0, source, 0, 1),))
                w.extend(other)
        elif op[0] == "block":  # two segments of the text's lines (and one blank line) as a block
            start, end = sorted((min(int(op[1]), n), min(int(op[2]), n)))  # type: ignore[call-overload]
            start = source.text.rfind("\n", 0, start) + 1
            lines = source.text[start:end].split("\n")[:-1] or ["x"]
            cut = len(lines) // 2
            text = "".join(line + "\n" for line in [*lines[:cut], "", *lines[cut:], "}"])
            rest = len(lines) - cut + 1
            segments = (source, start, cut, op[3], None, 0, 1, False, source, start, rest, False)
            w.block(text, len(lines) + 2, segments, bool(op[4]))
        elif op[0] == "line":
            w.line(str(op[1]), None)
        else:
            getattr(w, str(op[0]))()


@settings(max_examples=400, deadline=None)
@given(TEXT, st.lists(OP, max_size=10))
# A run of one blank line at the start of a text that does not end in a newline.
@example("\nx", [("line", "z"), ("copy", 0, 0), ("blank",), ("line", "q"), ("copy", 0, 0), ("trim",)])
@example("a\n\nb\n", [("line", "z"), ("copy", 2, 2), ("strip",), ("extend", 0, 5)])
def test_runs_keep_the_lines_and_origins_of_the_line_by_line_writer(
    text: str, ops: list[tuple[object, ...]]
) -> None:
    """Whatever a writer is asked (copies kept as runs, lines, blanks, extends, strips), the file
    it composes has the lines, origins, anchors and text of the line-by-line writer; a line's
    origin read alone (what `validate` reads) is the same as in the full list."""
    source = Source("f.prisma", text)
    w, ref = Writer(), LineWriter()
    run_ops(w, ops, source, Writer)
    run_ops(ref, ops, source, LineWriter)
    lazy = w.composed("out.prisma")
    single = [lazy.origin(i) for i in range(lazy.line_count)]
    assert lazy.line_count == len(ref.lines)
    assert lazy.body == ("\n".join(ref.lines) + "\n" if ref.lines else "")
    assert single == list(zip(ref.origins, ref.anchors, strict=True))
    assert (lazy.lines, lazy.origins, lazy.anchors) == (ref.lines, ref.origins, ref.anchors)


def test_a_verbatim_copy_is_one_run_until_read() -> None:
    """A fragment copied as it is makes no line or origin until something reads them."""
    text = "model A {\n  id Int @id\n}\n\nenum E {\n  X\n}\n"
    w = Writer()
    w.copy(Source("f.prisma", text), 0, len(text))
    f = w.composed("out.prisma")
    assert f._lines is None and f.line_count == 7 and f.origin(4)[0] == (f._parts[0][0], text.index("enum"))
    assert f._lines is None
    assert f.body == text


def test_validate_maps_lazy_origins_to_the_same_fragment_places(tmp_path: Path) -> None:
    """`OutputMap` (what `validate` sends Prisma's errors through) reads one line's origin from
    the runs, without making the lists: every column of every output line maps to the same
    fragment place as through the full lists, and the lists were never made."""
    from composer.sourcemap import OutputMap
    from composer.writer import ComposedFile

    from .helpers import compose, write_project

    base = (
        'datasource db {\n  provider = "postgresql"\n}\n\n'
        'generator client {\n  provider = "prisma-client-js"\n}\n'
    )
    user = (
        "// users\n\n/// A user.\nmodel User {\n  id   Int    @id\n  role Role\n  posts Post[]\n}\n"
        "enum Role {\n  A\n}\n"
    )
    post = (
        "model Post {\n  id     Int  @id\n  userId Int\n"
        "  user   User @relation(fields: [userId], references: [id])\n}\n"
        "\n/// @extend\nmodel User {\n  nick String? // added\n}\n// the end  \n"
    )
    manifest = (
        '[[fragments]]\npath = "base.prisma"\n[[fragments]]\npath = "post.prisma"\n'
        '[[fragments]]\npath = "user.prisma"\n\n[targets.app]\noutput = "out.prisma"\n'
    )
    write_project(tmp_path, {"prisma.compose.toml": manifest})
    for name, text in (("base.prisma", base), ("user.prisma", user), ("post.prisma", post)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    composed = compose(tmp_path).targets[0]
    f = composed.files[0]
    lazy = OutputMap(composed, f)
    places = [lazy.source_offset(offset) for offset in range(len(lazy.text))]
    assert f._lines is None  # nothing made the lists
    full = OutputMap(composed, ComposedFile(f.path, list(f.lines), list(f.origins), list(f.anchors)))
    assert places == [full.source_offset(offset) for offset in range(len(full.text))]
    assert sum(p is not None and p[0].display == "user.prisma" for p in places) > 50
