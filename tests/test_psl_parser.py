from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.psl import PSLSyntaxError, decode_string, parse

SCHEMA = """// header comment

/// The user.
/// Second doc line.
model User {
  id       Int      @id @default(autoincrement()) // trailing
  email    String   @unique @db.VarChar(255)
  name     String?
  tags     String[]
  posts    Post[]
  note     String   @default("a } b // c \\" d")
  vec      Unsupported("vector(1536)")?
  profile  Profile? @relation(fields: [profileId], references: [id], onDelete: Cascade)

  @@index([email(sort: Desc), name], map: "idx")
  @@unique([title], where: { published: { not: false } })
}

enum Role {
  USER  @map("user")
  ADMIN
  @@map("roles")
}

datasource db {
  provider   = "postgresql"
  url        = env("DATABASE_URL")
  extensions = [pgvector(map: "vector", schema: "public")]
}

type Address {
  street String
}

view V {
  id Int @unique
}

type Alias = String @db.VarChar(10)
// trailing comment
"""


def parsed(text: str = SCHEMA):
    return parse(Source("schema.prisma", text))


def test_top_level_blocks() -> None:
    schema = parsed()
    assert [(d.keyword, d.name) for d in schema.declarations] == [
        ("model", "User"),
        ("enum", "Role"),
        ("datasource", "db"),
        ("type", "Address"),
        ("view", "V"),
        ("alias", "Alias"),
    ]
    assert schema.source.text[schema.trailing :] == "// trailing comment\n"


def test_model_fields_and_attributes() -> None:
    user = parsed().declarations[0]
    assert user.doc == [" The user.", " Second doc line."]
    assert user.text.startswith("// header comment")  # comments above travel with the declaration
    fields = {m.name: m for m in user.members if m.kind == "field"}
    assert fields["name"].optional and not fields["name"].is_list
    assert fields["tags"].is_list and fields["tags"].type_name == "String"
    assert fields["vec"].type_name == "Unsupported" and fields["vec"].optional
    assert fields["note"].attribute("default").arg("value", 0).value == 'a } b // c " d'
    relation = fields["profile"].attribute("relation")
    assert relation.arg("fields").names() == ["profileId"]
    assert relation.arg("onDelete").value == "Cascade"
    assert fields["email"].attribute("db.VarChar").arg("x", 0).value == "255"
    attrs = [m for m in user.members if m.kind == "block_attribute"]
    assert [a.name for a in attrs] == ["index", "unique"]
    where = attrs[1].attributes[0].arg("where")
    assert where.kind == "object" and where.args[0].name == "published"


def test_enum_and_config() -> None:
    schema = parsed()
    role = schema.declarations[1]
    assert [m.name for m in role.members] == ["USER", "ADMIN", "map"]
    db = schema.declarations[2]
    assert db.member("provider").value.value == "postgresql"
    assert db.member("url").value.kind == "call"
    ext = db.member("extensions").value
    assert ext.kind == "array" and ext.items[0].value == "pgvector"


def test_extend_marker() -> None:
    schema = parsed("/// @extend\nmodel User {\n  posts Post[]\n}\n")
    assert schema.declarations[0].is_extend


def test_block_comments() -> None:
    schema = parsed("/*\n * x\n */\nmodel A {\n  /* inside */\n  id Int @id /* t */\n}\n")
    assert schema.declarations[0].text.startswith("/*")


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("model A {\n  id Int @id\n", 1, 1, "missing its closing"),
        ("modle A {\n}\n", 1, 1, "does not start with any known"),
        ("model A {\n  id Int @id(\n}\n", 2, 14, "expected a value"),
        ("model A {\n  id\n}\n", 2, 3, "missing a name or a type"),
        ('model A {\n  id String @default("abc)\n}\n', 2, 22, "not terminated"),
        ("model A {\n  id Int[]?\n}\n", 2, 6, "Optional lists"),
        ("model A {\n  id: Int\n}\n", 2, 5, "don't require a `:`"),
        ('datasource db {\n  provider "x"\n}\n', 2, 12, "Expected `=`"),
        ("model A { id Int }\n", 1, 11, "after `{`"),
        ('model A {\n  id Int @id @@map("x")\n}\n', 2, 14, "not a valid field"),
        ("/* never closed\nmodel A {\n}\n", 1, 1, "never closed"),
    ],
)
def test_syntax_errors_point_at_line_and_column(text: str, line: int, col: int, words: str) -> None:
    with pytest.raises(PSLSyntaxError) as info:
        parsed(text)
    diag = info.value.diagnostics[0]
    assert (diag.location.line, diag.location.column) == (line, col), diag.render()
    assert words.lower() in diag.message.lower()
    rendered = diag.render()
    assert f"schema.prisma:{line}:{col}" in rendered and "^" in rendered


def test_decode_string_escapes() -> None:
    assert decode_string(r'"a\"b\\c\nd\u00e9"') == 'a"b\\c\nd\u00e9'


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([*'model enum{}()[]@"\\/=?:,. \n\tAbc1_-é', "//", "///", "/*", "*/"])).map(
        "".join
    )
)
def test_never_raises_anything_but_syntax_errors(text: str) -> None:
    try:
        parsed(text)
    except PSLSyntaxError as exc:
        loc = exc.diagnostics[0].location
        assert loc is not None and 1 <= loc.line <= text.count("\n") + 1


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_unicode_text(text: str) -> None:
    with contextlib.suppress(PSLSyntaxError):
        parsed(text)


@pytest.mark.parametrize(
    "value",
    ["[" * 65 + "]" * 65, "f(" * 65 + ")" * 65, "[" * 40 + "f(" * 25 + ")" * 25 + "]" * 40],
)
def test_nesting_past_the_limit_is_a_located_syntax_error(value: str) -> None:
    text = f"model A {{\n  id Int @id @default({value})\n}}\n"
    with pytest.raises(PSLSyntaxError) as info:
        parsed(text).declarations[0].members[0].attributes[1].args  # noqa: B018 (builds the args)
    d = info.value.diagnostics[0]
    assert "nested more than 64 levels" in d.message
    assert d.location is not None and d.location.line == 2


def test_nesting_up_to_the_limit_parses() -> None:
    value = "[" * 63 + "1" + "]" * 63  # 63 lists inside the attribute's own parentheses: 64 levels
    schema = parsed(f"model A {{\n  id Int @id @default({value})\n}}\n")
    expr = schema.declarations[0].members[0].attributes[1].args[0].value
    depth = 0
    while expr is not None and expr.kind == "array":
        depth += 1
        expr = expr.items[0] if expr.items else None
    assert depth == 63


def test_a_trailing_block_comment_may_close_on_a_later_line() -> None:
    """Issue 14 item 4: Prisma accepts it (and makes it the field's documentation)."""
    text = "model A {\n  id Int @id /* starts here\n  and ends here */\n  b Int\n} /* a\n b */\n"
    schema = parsed(text)
    a = schema.declarations[0]
    assert [m.name for m in a.members] == ["id", "b"]
    assert text[a.members[0].start : a.members[0].end] == "  id Int @id /* starts here\n  and ends here */\n"
    assert a.text == text  # the closing line's comment too, verbatim
    assert schema.trailing == len(text)


@pytest.mark.parametrize(
    ("text", "line", "col", "words"),
    [
        ("model A {\n  id Int @id /* starts\n here */ @unique\n}\n", 3, 10, "only a comment may follow"),
        ("model A { /* a\n b */\n  id Int\n}\n", 1, 11, "after `{` must end on the same line"),
        ("model A {\n  id Int @id /* never\n}\n", 2, 14, "never closed"),
    ],
)
def test_trailing_block_comments_that_prisma_rejects(text: str, line: int, col: int, words: str) -> None:
    with pytest.raises(PSLSyntaxError) as info:
        parsed(text)
    diag = info.value.diagnostics[0]
    assert (diag.location.line, diag.location.column, words in diag.message) == (line, col, True)


def test_crlf_text_parses_as_the_cli_reads_it() -> None:
    """Issue 14 item 5: the API normalises line endings like the CLI (no "Unexpected `` after `{`")."""
    text = "/// doc  \r\nmodel A {\r\n  id Int @id /// the id  \r\n  /*\r\n   x\r\n  */\r\n}\r\n"
    schema = parsed(text)
    lf = parsed(text.replace("\r\n", "\n"))
    assert schema.source.text == lf.source.text
    assert [d.text for d in schema.declarations] == [d.text for d in lf.declarations]
    assert [m.name for m in schema.declarations[0].members] == ["id"]
    with pytest.raises(PSLSyntaxError) as info:
        parsed("model A {\r\n  id Int @\r\n}\r\n")
    assert info.value.diagnostics[0].location.line == 2  # a `\r\n` is one line end, as in an editor


def test_control_characters_are_visible_in_messages() -> None:
    with pytest.raises(PSLSyntaxError) as info:
        parsed("model A {\n  id Int @id \x01\x7f\n}\n")
    assert "`\\x01\\x7f`" in info.value.diagnostics[0].message
