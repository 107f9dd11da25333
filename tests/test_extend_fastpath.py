"""Merging `/// @extend` blocks from the text gives exactly what merging from built members gives.

A block the parser's fast path checked is merged without building its members: its names and
block attributes, its relations and its rows are read from its text (`psl/members.py`), and the
anchors of its realigned field lines are found again only when read (`render.line_anchors`).
Composing with the fast path and without it (every block built by the line-by-line parser, its
rows from its members) must give the same lines, origins and anchors, on generated blocks with
comments, blank lines, block attributes, odd spacing, non-ASCII names and lines only the full
parser reads; and the extended declarations' members must stay unbuilt.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, note, settings
from hypothesis import strategies as st

from composer.compose import ComposedTarget, compose_target
from composer.diagnostics import Source
from composer.manifest import Manifest, load_manifest
from composer.psl import parse
from composer.psl.render import REALIGNED, line_anchors
from composer.sources import Fragment, Loader
from composer.writer import Anchors, ComposedFile

from .helpers import write_project
from .test_psl_fastpath import fast_path_off

MANIFEST = """
[[fragments]]
path = "a.prisma"
[[fragments]]
path = "b.prisma"

[targets.all]
output = "out/schema.prisma"
"""

SPACE = st.sampled_from([" ", " ", "  ", "\t", "    "])
GAP = st.sampled_from([" ", " ", "  ", "\t", ""])
INDENT = st.sampled_from(["  ", "  ", "    ", "\t", " "])
TYPES = st.sampled_from(["Int", "String?", "Post[]", "DateTime", "Json?", "Décimal", 'Unsupported("x y")'])
ATTRS = st.sampled_from(
    ["", "", "@id", "@default(now())", '@map("m")', "@db.VarChar(200)", '@unique @map("u")', "@updatedAt"]
)
COMMENT = st.sampled_from(["", "", "// c", "// trailing spaces  ", "/// doc", '// "quoted" //'])
OTHER_LINES = st.sampled_from(
    [
        "",
        "   ",
        "// a comment line",
        "/// a doc line  ",
        "@@index([id])",
        '@@map("t") // why',
        "@@unique([id, name])",
        "@@ignore",
        "/* a block comment */",
    ]
)


@st.composite
def field_line(draw: st.DrawFn, name: str) -> str:
    type_ = draw(TYPES)
    attrs = draw(ATTRS)
    comment = draw(COMMENT)
    line = draw(INDENT) + name + draw(SPACE) + type_
    if attrs:  # no space at all runs the type into its attributes (`Int@id`), which Prisma reads
        line += draw(GAP) + attrs
    if comment:
        line += draw(GAP) + comment
    return line


@st.composite
def body(draw: st.DrawFn, names: list[str]) -> str:
    lines = []
    for name in names:
        lines.extend(draw(INDENT) + o if o.strip() else o for o in draw(st.lists(OTHER_LINES, max_size=2)))
        lines.append(draw(field_line(name)))
    lines.extend(draw(INDENT) + o if o.strip() else o for o in draw(st.lists(OTHER_LINES, max_size=3)))
    return "".join(line + "\n" for line in lines)


@st.composite
def model_project(draw: st.DrawFn) -> tuple[str, str]:
    own = draw(
        st.lists(
            st.sampled_from(["id", "name", "créé", "x_y", "user-id", "aVeryLongFieldName"]),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    added = draw(
        st.lists(st.sampled_from(["e", "extra_field", "é", "posts", "zz-top"]), max_size=4, unique=True)
    )
    a = "model Post {\n  id Int @id\n}\n\nmodel Décimal {\n  id Int @id\n}\n\n"
    a += f"/// A model.\nmodel M {{\n{draw(body(own))}}}\n"
    b = f"/// @extend\nmodel M {{ // on the brace\n{draw(body(added))}}} // after\n"
    if draw(st.booleans()):  # a second block extending the same model
        b += f"\n/// @extend\nmodel M {{\n{draw(body(['second']))}}}\n"
    return a, b


@st.composite
def enum_project(draw: st.DrawFn) -> tuple[str, str]:
    def values(names: list[str]) -> str:
        lines = []
        for name in names:
            attrs = draw(st.sampled_from(["", '@map("v")', '@map("v") // c', "// c  "]))
            lines.append(draw(INDENT) + name + (draw(SPACE) + attrs if attrs else ""))
            if draw(st.booleans()):
                lines.append(draw(st.sampled_from(["", "  // note", '  @@map("e")'])))
        return "".join(line + "\n" for line in lines)

    a = f"enum E {{\n{values(['A', 'BEE', 'Ç'])}}}\n"
    added = draw(st.lists(st.sampled_from(["X", "LONGER_VALUE", "É"]), min_size=1, max_size=3, unique=True))
    b = f"/// @extend\nenum E {{\n{values(added)}}}\n"
    return a, b


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, list[Fragment]]:
    root = write_project(
        tmp_path_factory.mktemp("extend"),
        {
            "prisma.compose.toml": MANIFEST,
            "a.prisma": "model A {\n  id Int @id\n}\n",
            "b.prisma": "",
        },
    )
    manifest = load_manifest(root / "prisma.compose.toml")
    return manifest, Loader().load(manifest).fragments


def compose_both(
    project: tuple[Manifest, list[Fragment]], a: str, b: str
) -> tuple[ComposedTarget, ComposedTarget]:
    manifest, loaded = project
    sources = [Source("a.prisma", a), Source("b.prisma", b)]
    results = []
    for fast in (True, False):
        if fast:
            schemas = [parse(s) for s in sources]
        else:
            with fast_path_off():
                schemas = [parse(s) for s in sources]
        fragments = [f.with_schema(s) for f, s in zip(loaded, schemas, strict=True)]
        results.append(compose_target(manifest, fragments, manifest.targets["all"]))
    return results[0], results[1]


def resolved(file: ComposedFile) -> list[Anchors]:
    return [
        line_anchors(line, o, a) for line, o, a in zip(file.lines, file.origins, file.anchors, strict=True)
    ]


def assert_same(fast: ComposedTarget, full: ComposedTarget) -> None:
    (f1,), (f2,) = fast.files, full.files
    if currently_in_test_context():
        note("\n".join(f1.lines) + "\n----\n" + "\n".join(f2.lines))
        event(f"realigned lines: {REALIGNED in f1.anchors}")
    assert f1.lines == f2.lines
    assert f1.origins == f2.origins
    assert resolved(f1) == resolved(f2)
    merged = fast.declarations[next(iter(n for n in ("M", "E") if n in fast.declarations))]
    if merged.decl.checked:
        assert merged.decl.lazy, "merging built the members of the extended block"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model_project())
def test_models_merged_from_text_as_from_members(
    project: tuple[Manifest, list[Fragment]], texts: tuple[str, str]
) -> None:
    assert_same(*compose_both(project, *texts))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(enum_project())
def test_enums_merged_from_text_as_from_members(
    project: tuple[Manifest, list[Fragment]], texts: tuple[str, str]
) -> None:
    assert_same(*compose_both(project, *texts))


def test_the_benchmark_shape_builds_no_member_of_an_extended_model(
    project: tuple[Manifest, list[Fragment]],
) -> None:
    """The shape of `benchmarks/gen_project.py`: the merged model keeps its members unbuilt, and its
    laid-out lines keep no anchors until they are read."""
    a = (
        "model M {\n  id        Int      @id @default(autoincrement())\n"
        "  title     String   @db.VarChar(200)\n  body      String?\n\n  @@index([title])\n}\n"
    )
    b = "/// @extend\nmodel M {\n  childrenM0001x0 Post[]\n}\n\nmodel Post {\n  id Int @id\n}\n"
    fast, full = compose_both(project, a, b)
    assert_same(fast, full)
    assert fast.declarations["M"].decl.lazy
    (out,) = fast.files
    laid = [line for line, a in zip(out.lines, out.anchors, strict=True) if a is REALIGNED]
    assert laid[0] == "  id              Int     @id @default(autoincrement())"
    assert len(laid) == 4  # the three own fields and the added one


def test_block_attributes_among_fields_move_last_once(
    project: tuple[Manifest, list[Fragment]], assert_prisma_valid
) -> None:
    """A block attribute written between fields goes last with the others when an `@extend`
    block adds one, with the comment right above it, as `prisma format` writes it; the fields
    after it are written once (they were written twice before)."""
    a = "model M {\n  id     Int @id\n  name   Int\n  // a comment line\n  @@index([id])\n  cree Int\n}\n"
    b = '/// @extend\nmodel M {\n  extra Int\n  @@map("t") // why\n}\n'
    fast, full = compose_both(project, a, b)
    assert_same(fast, full)
    body = fast.files[0].body
    block = body[body.index("model M") : body.index("}", body.index("model M")) + 2]
    assert block == (  # what `prisma format` 6.19 writes for this block
        "model M {\n  id    Int @id\n  name  Int\n  cree  Int\n  extra Int\n\n  // a comment line\n"
        '  @@index([id])\n  @@map("t") // why\n}\n'
    )
    assert_prisma_valid(body)


USUAL_TYPES = st.sampled_from(["Int", "String?", "Post[]", "Json?"])


@st.composite
def usual_model_project(draw: st.DrawFn) -> tuple[str, str]:
    """The lines `members.write_aligned` takes: ASCII, no blank line among the fields, no trailing
    white space (but types run into their attributes, comments and block attributes among them)."""

    def lines(names: list[str]) -> str:
        out = []
        for name in names:
            above = draw(st.lists(st.sampled_from(["// note", "@@index([id])"]), max_size=1))
            out.extend(draw(INDENT) + o for o in above)
            line = draw(INDENT) + name + draw(SPACE) + draw(USUAL_TYPES)
            attrs = draw(st.sampled_from(["", "@id", '@map("m")', "@db.VarChar(200)", '@unique @map("u")']))
            comment = draw(st.sampled_from(["", "// c", '// "q" //']))
            line += draw(GAP) + attrs if attrs else ""
            line += draw(GAP) + comment if comment else ""
            out.append(line)
        return "".join(line + "\n" for line in out)

    own_names = st.sampled_from(["id", "name", "x_y", "user-id", "aVeryLongFieldName"])
    own = draw(st.lists(own_names, min_size=1, max_size=4, unique=True))
    added_names = st.sampled_from(["e", "extra_field", "posts", "zz-top"])
    added = draw(st.lists(added_names, min_size=1, max_size=3, unique=True))
    tail = draw(st.sampled_from(["", "\n  @@index([id])\n", "  // after\n"]))
    a = f"model Post {{\n  id Int @id\n}}\n\nmodel M {{\n{lines(own)}{tail}}}\n"
    return a, f"/// @extend\nmodel M {{\n{lines(added)}}}\n"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(usual_model_project())
def test_usual_models_merged_from_text_as_from_members(
    project: tuple[Manifest, list[Fragment]], texts: tuple[str, str]
) -> None:
    assert_same(*compose_both(project, *texts))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_block_of_field_lines_only_is_read_as_the_parser_reads_it(data: st.DataObject) -> None:
    """`members.field_lines_only` takes a block whose every line is a field, named once: the
    summary it keeps for it is the parser's (`parser.field_summary`), and its names are the
    fields' (what `apply_extend` adds the block whole on); any other block it leaves alone."""
    from composer.psl.members import field_lines_only
    from composer.psl.parser import field_summary

    names = data.draw(st.lists(st.sampled_from(["e", "extra_field", "é", "posts", "zz-top"]), max_size=3))
    text = f"/// @extend\nmodel M {{\n{data.draw(body(names))}}}\n"
    (decl,) = parse(Source("b.prisma", text)).declarations
    if not decl.checked:
        return
    found = field_lines_only(decl)
    lines = text[decl.body_start : decl.close_start].splitlines()
    every_line_a_field = bool(lines) and len(lines) == len(names) == len(set(names))
    assert (found is not None) == every_line_a_field
    if found is not None:
        assert found == names
        assert decl.lazy and decl.field_summary() == field_summary(decl)
        assert [m.name for m in decl.members] == names
