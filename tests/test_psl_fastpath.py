"""The parser's whole-block fast path gives exactly what the line-by-line parser gives.

A block checked in one piece (`parser._FAST_BODY`) builds its members only when asked and answers
`field_summary()` from a regular expression; composing reads its dependencies from that summary
(`graph.field_relations`). Each must agree with the full parser, on every corpus file and on
generated blocks: same declarations and members, same summaries, same dependencies, same errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.graph import declaration_dependencies
from composer.psl import Declaration, PSLSyntaxError, SchemaFile, parse
from composer.psl import parser as psl_parser
from composer.psl.fields import FileFields

from .test_corpus import CORPUS, corpus_files

NAMED = ("model", "enum", "type", "view", "alias")


@contextmanager
def fast_path_off() -> Iterator[None]:
    saved = dict(psl_parser._FAST_BODY)
    psl_parser._FAST_BODY.clear()
    try:
        yield
    finally:
        psl_parser._FAST_BODY.update(saved)


def both(text: str) -> tuple[SchemaFile | str, SchemaFile | str]:
    """The text parsed with and without the fast path (the same Source), or the error message."""
    source = Source("schema.prisma", text)
    results: list[SchemaFile | str] = []
    for fast in (True, False):
        try:
            if fast:
                results.append(parse(source))
            else:
                with fast_path_off():
                    results.append(parse(source))
        except PSLSyntaxError as exc:
            results.append(str(exc.diagnostics[0].location) + " " + exc.diagnostics[0].message)
    return results[0], results[1]


def assert_same(text: str) -> int:
    """Both parses agree; returns how many blocks took the fast path."""
    fast, full = both(text)
    assert type(fast) is type(full)
    if isinstance(fast, str) or isinstance(full, str):
        assert fast == full
        return 0
    lazy = sum(d.lazy for d in fast.declarations)
    # Summaries and dependencies first: they must not need the members.
    summaries = [d.field_summary() for d in fast.declarations]
    index = {d.name: d for d in fast.declarations if d.keyword in NAMED}
    deps = [declaration_dependencies(d, index) for d in fast.declarations]
    assert sum(d.lazy for d in fast.declarations) == lazy, "a summary built members"
    full_index = {d.name: d for d in full.declarations if d.keyword in NAMED}
    # Types and marks are the same; the attribute spans of an unbuilt block may include a comment.
    assert [[f[:2] for f in s] for s in summaries] == [
        [f[:2] for f in d.field_summary()] for d in full.declarations
    ]
    assert deps == [declaration_dependencies(d, full_index) for d in full.declarations]
    assert deps == [reference_dependencies(d, full_index) for d in full.declarations]
    fields = fast.fields()
    assert sum(d.lazy for d in fast.declarations) == lazy, "the file's fields built members"
    assert fast.declarations == full.declarations  # builds the members of the lazy blocks
    assert fast.trailing == full.trailing
    if fields is not None:
        assert_same_fields(fields, full)
    return lazy


def assert_same_fields(fields: FileFields, full: SchemaFile) -> None:
    """A clean file's fields read at once (`SchemaFile.fields`) say what its members say: every
    field type (and maybe a block's own name, from its header line), the types a field owns a
    foreign key to, whether an `@extend` block is among its declarations."""
    types = {m.type_name for d in full.declarations for m in d.members if m.kind == "field"}
    names = {d.name for d in full.declarations}
    assert types <= set(fields.types) <= types | names and len(set(fields.types)) == len(fields.types)
    owners = set()
    for d in full.declarations:
        for m in d.members:
            relation = m.attribute("relation") if m.kind == "field" and not m.is_list else None
            if relation is not None and (f := relation.arg("fields")) is not None and f.names():
                owners.add(m.type_name)
    assert set(fields.owners) == owners and len(owners) == len(fields.owners)
    assert fields.extends == any(d.is_extend for d in full.declarations)


def reference_dependencies(decl: Declaration, index: dict[str, Declaration]) -> list[str]:
    """`declaration_dependencies` by its definition (README "How fragments are composed", 2), from
    built argument nodes."""
    deps: list[str] = []
    for m in decl.members:
        target = index.get(m.type_name) if m.kind == "field" else None
        if target is None or target.name == decl.name or target.name in deps:
            continue
        if target.keyword in ("enum", "type", "alias"):
            deps.append(target.name)
        elif not m.is_list and (relation := m.attribute("relation")) is not None:
            fields = relation.arg("fields")
            if fields is not None and fields.names():
                deps.append(target.name)
    return deps


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_corpus_file(path: Path) -> None:
    assert_same(path.read_text(encoding="utf-8").replace("\r\n", "\n"))


def test_the_fast_path_is_taken_on_real_schemas() -> None:
    lazy = sum(assert_same(p.read_text(encoding="utf-8").replace("\r\n", "\n")) for p in corpus_files())
    assert lazy > 1500  # 1,715 on tests/corpus/: nearly every block of the real-world schemas


def test_a_file_of_fast_blocks_is_clean() -> None:
    """Only a file whose every line the fast path checked answers for its fields at once."""
    block = "/// d\nmodel A {\n  id Int @id\n  b B? @relation(fields: [id], references: [id])\n}\n"
    enum = "// e\n\nenum E {\n  X\n}\n"
    assert parse(Source("s.prisma", block + enum + "// end\n")).clean
    for other in ("/* c */\n", 'datasource db {\n  provider = "sqlite"\n}\n', "type T = Int\n", "/* c */"):
        schema = parse(Source("s.prisma", block + other + enum))
        assert not schema.clean and schema.fields() is None
    fields = parse(Source("s.prisma", block + enum)).fields()
    assert fields is not None and fields.owners == ("B",) and {"Int", "B"} <= set(fields.types)


@pytest.mark.parametrize(
    "rest",
    ["@default(", "@default([1,])", "@x(a: b(c: d))", "@id x", "? @relation(fields: [a]) @", "@@map"],
)
@pytest.mark.parametrize("datasource", ["", 'datasource db {\n  provider = "sqlite"\n}\n'])
def test_a_field_rest_the_whole_block_pattern_refuses(rest: str, datasource: str) -> None:
    """`_DECL` looks only at the first character of a model's line that starts with a name; a
    rest that `_FIELD_REST` refuses (checked once per distinct rest) sends the file to the exact
    patterns: the same error, or the same blocks from the full parser, in a clean file or not."""
    text = f"{datasource}model A {{\n  id Int @id\n  b Int{rest}\n}}\n\nenum E {{\n  X\n}}\n"
    assert psl_parser._DECL.match(text, len(datasource)) is not None  # the loose match takes it
    assert_same(text)
    fast, full = both(text)
    assert isinstance(full, str) or not fast.declarations[-2].lazy  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "line",
    ["  b", "  b   ", "  b @id", '  b Unsupported("x")', "  b Unsupported", "  b Int {", "  b Int {}",
     "  b Int[]?", "  b.c Int", "  b:Int", "  b Int /* c */", "  b\u00a0Int", "  model B {"],
)
@pytest.mark.parametrize("datasource", ["", 'datasource db {\n  provider = "sqlite"\n}\n'])
def test_a_line_without_a_type_or_with_one_the_loop_refuses(line: str, datasource: str) -> None:
    """A line without a type, an `Unsupported` type, or something else after the name: `_DECL`
    takes it (it starts with a name), `check_rests` refuses it, the exact patterns parse the file."""
    text = f"{datasource}model A {{\n  id Int @id\n{line}\n}}\n\nenum E {{\n  X\n}}\n"
    assert re.compile(psl_parser._DECL_SRC).match(text, len(datasource)) is not None  # taken loosely
    assert_same(text)
    fast, full = both(text)
    assert isinstance(full, str) or not fast.declarations[-2].lazy  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "line",
    ["  B", "  B C", "  B Int @id", "  B?", "  B[]", "  B []", "  B @map(", '  B @map("b") x', "  B {",
     "  B@@map", "  B\t@map(\"b\") // c", "  B-c", "  B.c", "  B /* c */"],
)
def test_an_enum_value_line_the_loop_reads(line: str) -> None:
    """An enum's lines that start with a name are values only without a second name and with
    what may follow a value (no `[]` or `?`): the rest goes to the exact patterns."""
    text = f"model A {{\n  id Int @id\n}}\n\nenum E {{\n  X\n{line}\n}}\n\nenum F {{\n  Y\n}}\n"
    assert psl_parser._DECL.match(text, text.index("enum E")) is not None  # taken loosely
    assert_same(text)


def test_a_block_it_cannot_take_falls_back() -> None:
    text = 'model A {\n  id Int @id\n  v Unsupported("x")\n  @@index([id(sort: Desc)])\n}\n'
    fast, _ = both(text)
    assert isinstance(fast, SchemaFile) and not fast.declarations[0].lazy
    assert assert_same(text) == 0


# A name with a non-ASCII letter sends its text to the Unicode patterns (an ASCII text gets
# ASCII classes, `parser._DECL`).
NAMES = st.sampled_from(["id", "a", "b2", "user-id", "Post", "User", "Role", "x_y", "naïve"])
TYPES = st.sampled_from(["Int", "String", "User", "Post", "Role", "Unsupported", "Tag", "DateTime", "Café"])
ATTRS = st.sampled_from(
    [
        "@id",
        "@unique",
        '@default("x, fields: [a]")',
        "@default(now())",
        "@default(-1.5)",
        '@map("m")',
        "@db.VarChar(200)",
        "@relation(fields: [a], references: [id])",
        '@relation("R", fields: [a, b], references: [id, id], onDelete: Cascade)',
        "@relation(fields: [], references: [])",
        '@relation(fields: ["a"], references: [id])',
        "@relation(references: [id], fields: [a])",
        '@relation("fields: [a]")',
        "@relation",
        "@relation(name: fields)",
        "@default(dbgenerated())",
        "@default([1, 2])",
        "@updatedAt",
        "@default(",
        "@x(a: b(c: d))",
        *["@id", "@unique", "@relation(fields: [a], references: [id])", "@default(autoincrement())"] * 3,
    ]
)
FIELD = st.builds(
    lambda n, t, mark, attrs, ws, comment: f"{ws}{n} {t}{mark}{''.join(' ' + a for a in attrs)}{comment}",
    NAMES,
    TYPES,
    st.sampled_from(["", "", "?", "[]", "[]?", "(1)"]),
    st.lists(ATTRS, max_size=3),
    st.sampled_from(["  ", "  ", "\t", " ", "", "\u00a0 "]),
    st.sampled_from(["", "", "", " // c", " /* c */", "   ", " //", " // @relation(fields: [a])"]),
)
LINE = st.one_of(
    FIELD,
    FIELD,
    FIELD,
    st.sampled_from(
        ["", "  // note", "  /// doc", "  @@id([a, b])", "  @@index([a], map: \"i\")", "  @@map(\"t\")",
         "  @@unique([a(sort: Desc)])", "  /* c */", "  }", "  {", "  @@", "  a", "  A @map(\"a\")"]
    ),
)
VALUE = st.builds(
    lambda n, attrs, comment: f"  {n}{''.join(' ' + a for a in attrs)}{comment}",
    NAMES,
    st.lists(st.sampled_from(['@map("v")', "@map(", "@x(a: b(c))", '@map("v")']), max_size=2),
    st.sampled_from(["", "", " // c", " /* c */"]),
)
CLOSE = st.sampled_from(["}\n", "}\n", "}", "} // end\n", "  }  \n", "} x\n", ""])
MODEL = st.builds(
    lambda kw, name, lines, close: f"{kw} {name} {{\n" + "".join(x + "\n" for x in lines) + close,
    st.sampled_from(["model", "view", "type"]),
    st.sampled_from(["User", "Post", "Role", "Tag"]),
    st.lists(LINE, max_size=6),
    CLOSE,
)
ENUM = st.builds(
    lambda name, lines, close: f"enum {name} {{\n" + "".join(x + "\n" for x in lines) + close,
    st.sampled_from(["Role", "Kind"]),
    st.lists(st.one_of(VALUE, VALUE, LINE), max_size=5),
    CLOSE,
)


GAP = st.lists(
    st.sampled_from(
        ["", "/// @extend", "/// doc ", "// c", "  ///x", "\t", "/* c */", "\u00a0", "  // @extend"]
    ),
    max_size=3,
).map(lambda lines: "".join(x + "\n" for x in lines))
HEADER_SPACE = st.sampled_from(["", "", "  ", "\t"])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.tuples(GAP, HEADER_SPACE, st.one_of(MODEL, MODEL, ENUM)).map("".join), min_size=1, max_size=3
    ).map("\n".join),
    GAP,
)
# A syntax error after a block whose bad rest `_DECL` has not checked yet: the first error wins.
@example("model User {\n}\n\nmodel User {\n  id Int @default(\n}\n\nmodel User {\n} x\n", "")
def test_generated_blocks(text: str, trailing: str) -> None:
    text += trailing
    lazy = assert_same(text)
    event("fast path taken" if lazy else "syntax error" if isinstance(both(text)[0], str) else "full parser")


def compose_once(root: Path) -> tuple[str, list[object]] | str:
    """The single target's body and line origins (as file:offset), or the errors' text."""
    from composer.diagnostics import ComposeError

    from .helpers import compose

    try:
        f = compose(root).targets[0].files[0]
    except ComposeError as exc:
        return "\n".join(str(d.location) + " " + d.message for d in exc.diagnostics)
    return f.body, [None if o is None else (o[0].display, o[1]) for o in f.origins]


@pytest.mark.parametrize(
    "path",
    [p for p in corpus_files() if "real-world" in p.parts or "multi-file" in p.parts],
    ids=lambda p: p.relative_to(CORPUS).as_posix(),
)
def test_composed_output_is_the_same_without_the_fast_path(path: Path, tmp_path: Path) -> None:
    """End to end: a real schema as a fragment composes to the same text, origins and errors
    whether its blocks take the fast path (summaries, copies in runs) or the full parser."""
    from .helpers import write_project

    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    manifest = '[[fragments]]\npath = "schema.prisma"\n\n[targets.app]\noutput = "out.prisma"\n'
    write_project(tmp_path, {"prisma.compose.toml": manifest})
    (tmp_path / "schema.prisma").write_text(text, encoding="utf-8")
    fast = compose_once(tmp_path)
    with fast_path_off():
        full = compose_once(tmp_path)
    assert fast == full  # (51 of these compose; multi-file fragments alone lack their types)


@pytest.mark.parametrize("extend", [False, True])
def test_a_project_of_clean_and_other_fragments_composes_the_same(tmp_path: Path, extend: bool) -> None:
    """Fragments read a file at a time (clean ones: their types checked, their dependencies and
    sections at once) beside fragments that are not clean (a `/* */` comment, a datasource, an
    `@extend` block): the same order, text, origins and errors as without the fast path."""
    from .helpers import write_project

    files = {"base.prisma": 'datasource db {\n  provider = "postgresql"\n}\n'}
    last = 5
    for n in range(last + 1):
        lines = ["  id Int @id", f"  status S{n} @default(A)"]
        if n:
            lines += ["  parentId Int", f"  parent M{n - 1} @relation(fields: [parentId], references: [id])"]
        if n < last and not extend:
            lines.append(f"  children M{n + 1}[]")
        text = f"// fragment {n}\nenum S{n} {{\n  A\n}}\n\n/// model {n}\nmodel M{n} {{\n"
        text += "".join(line + "\n" for line in lines) + "}\n"
        if n and extend:
            text += f"\n/// @extend\nmodel M{n - 1} {{\n  children M{n}[]\n}}\n"
        files[f"f{n}.prisma"] = "/* not clean */\n" + text if n == 2 else text
    entries = "".join(f'[[fragments]]\npath = "{name}"\n' for name in reversed(list(files)))
    write_project(tmp_path, {"prisma.compose.toml": entries + '\n[targets.app]\noutput = "out.prisma"\n'})
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    fast = compose_once(tmp_path)
    with fast_path_off():
        full = compose_once(tmp_path)
    assert fast == full
    assert not isinstance(fast, str), fast
    body = fast[0]
    assert body.index("fragment f0") < body.index("fragment f1") < body.index("fragment f5")


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["\n", "\n  ", " ", "\t", "a", "Z9", "_", "-", "x-y", "Int", "?", "[]", "@id", "//", "{"]
        ),
        max_size=30,
    ).map("".join)
)
@example("\n  id Int @id\n  b String? // c\n  _x Int\n  a\n  @@index([a])")
@example("\n  a_b-c T_y-2[] @x\n\tz9\t\tQ\n  a -b")
def test_the_ascii_body_lines_read_what_the_pattern_they_spell_out_reads(text: str) -> None:
    """`_BODY_LINES_ASCII` (classes spelled out, possessive runs) finds the lines and groups of
    `_BODY_LINE_SRC` with re.ASCII, on any ASCII text."""
    reference = re.compile(psl_parser._BODY_LINE_SRC, re.ASCII)
    assert psl_parser._BODY_LINES_ASCII.findall(text) == reference.findall(text)
    assert psl_parser._BODY_LINES_ASCII.findall(text, 1) == reference.findall(text, 1)
