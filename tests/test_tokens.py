"""The token comparison behind `compose format`'s safety check (composer/tokens.py).

Generated texts (hypothesis): any change of white space between tokens is no difference; taking
out any one token or comment, or changing a character of one, is a difference, found at that
token.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from composer.tokens import first_difference, tokenize

WORDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}|-?[0-9]{1,4}(\.[0-9]{1,3})?|db\.VarChar", fullmatch=True)
STRINGS = st.from_regex(r'"([a-z /@{}]|\\")*"', fullmatch=True)
COMMENTS = st.from_regex(r"//[a-z ]{0,12}[a-z(]|///[a-z ]{0,10}[a-z]", fullmatch=True)
BLOCKS = st.from_regex(r"/\* ?[a-z]{1,6}( [a-z]{1,6}){0,3} ?\*/", fullmatch=True)
PUNCT = st.sampled_from([*"{}()[],:=?@", "@@"])
TOKEN = st.one_of(WORDS, STRINGS, COMMENTS, BLOCKS, PUNCT)
SPACE = st.sampled_from([" ", "  ", "\n", "\n  ", "\t", "\n\n"])


def join(tokens: list[str], spaces: list[str]) -> str:
    out = []
    for i, tok in enumerate(tokens):
        out.append(tok)
        gap = spaces[i % len(spaces)]
        if tok.startswith("//") and "\n" not in gap:
            gap += "\n"  # a line comment ends at the end of its line
        out.append(gap)
    return "".join(out)


@settings(max_examples=60)
@given(st.lists(TOKEN, min_size=1, max_size=30), st.lists(SPACE, min_size=1), st.lists(SPACE, min_size=1))
def test_white_space_is_no_difference(tokens: list[str], a: list[str], b: list[str]) -> None:
    assert first_difference(join(tokens, a), join(tokens, b)) is None


@settings(max_examples=60)
@given(st.lists(TOKEN, min_size=1, max_size=30), st.lists(SPACE, min_size=1), st.data())
def test_a_lost_token_is_found(tokens: list[str], spaces: list[str], data: st.DataObject) -> None:
    text = join(tokens, spaces)
    parsed = tokenize(text)
    assert len(parsed) == len(tokens)
    index = data.draw(st.integers(0, len(tokens) - 1))
    lost = join(tokens[:index] + tokens[index + 1 :], spaces[1:] + spaces[:1] if index == 0 else spaces)
    diff = first_difference(text, lost)
    assert diff is not None
    if any(t.startswith("@") for t in tokens):
        # Attributes are compared per line as Prisma orders them (a set): the difference is
        # found, but may be reported later on (hypothesis: `{ A @@ db.VarChar ""`, `@@` lost).
        return
    # With equal tokens side by side, the difference may be at any of them; equal as compared:
    # `/*a*/` and `/* a */` are one comment to Prisma (it re-spaces block comments).
    same = (parsed[index].kind, parsed[index].key)
    last = index
    while last + 1 < len(parsed) and (parsed[last + 1].kind, parsed[last + 1].key) == same:
        last += 1
    assert diff.offset <= parsed[last].start


def test_a_lost_comment_beside_its_respaced_twin_is_a_difference() -> None:
    # Found by hypothesis: the two comments are one to Prisma, so losing either is a difference
    # at the second.
    text = "/*aaaaaa*/ /*aaaaaa */"
    for lost in ("/*aaaaaa */", "/*aaaaaa*/"):
        diff = first_difference(text, lost)
        assert diff is not None and diff.offset == tokenize(text)[1].start


def test_a_changed_block_attribute_line_is_found_where_it_is() -> None:
    # Block attribute lines compare as a multiset, sorted: the changed line's new text sorts
    # before the line below it, which was reported instead (unchanged, and after the change).
    text = "model A {\n  a Int\n  @@index([a]) //ac\n  @@index([a]) //ab\n}\n"
    diff = first_difference(text, text.replace("//ac", "//aZ"))
    assert diff is not None and diff.offset == text.index("@@index([a]) //ac")
    assert (diff.removed, diff.added) == ("//ac", "//aZ")
    lost = first_difference(text, text.replace("  @@index([a]) //ac\n", ""))
    assert lost is not None and lost.offset == text.index("@@index([a]) //ac") and lost.added is None
    added = first_difference(text, text.replace("}", "  @@id([a])\n}"))
    assert added is not None and added.removed is None and added.added == "@@id([a])"


@settings(max_examples=60)
@given(st.lists(TOKEN, min_size=1, max_size=20), st.lists(SPACE, min_size=1), st.data())
def test_a_changed_comment_is_found(tokens: list[str], spaces: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(tokens)))
    comment = data.draw(st.one_of(COMMENTS, BLOCKS))
    text = join([*tokens[:index], comment, *tokens[index:]], spaces)
    changed = comment.replace(comment[-3] if comment.startswith("/*") else comment[-1], "Z", 1)
    other = join([*tokens[:index], changed, *tokens[index:]], spaces)
    diff = first_difference(text, other)
    assert diff is not None
    assert diff.offset <= tokenize(text)[index].start


def test_prismas_own_rewrites_are_no_difference() -> None:
    # A block comment in Prisma's `/** … */` style, attributes in Prisma's order.
    assert first_difference("/* a note\n   more */\nmodel A {\n  id Int @id\n}\n",
                            "/**\n * a note\n * more\n */\nmodel A {\n  id Int @id\n}\n") is None
    assert first_difference('model A {\n  id Int @default(1) @id @map("x")\n}\n',
                            'model A {\n  id Int @id @default(1) @map("x")\n}\n') is None
    assert first_difference("model A {\n  a Int\n  @@index([a])\n  @@id([a])\n  // why\n}\n",
                            "model A {\n  a Int\n  // why\n\n  @@id([a])\n  @@index([a])\n}\n") is None


def test_real_losses_are_differences() -> None:
    diff = first_difference("model A { // TODO\n  id Int @id\n}\n", "model A {\n  id Int @id\n}\n")
    assert diff is not None and diff.removed == "// TODO" and diff.offset == 10
    # a star of the comment's own text is not Prisma's `/**` decoration
    assert first_difference("/* ** bold */\nmodel A {\n  id Int @id\n}\n",
                            "/**\n * * bold\n */\nmodel A {\n  id Int @id\n}\n") is not None
    # a comment that moves to another line of fields, an attribute that moves to another field
    fields = "model A {\n  // a\n  a Int\n  b Int\n}\n"
    assert first_difference(fields, "model A {\n  a Int\n  // a\n  b Int\n}\n")
    assert first_difference(fields, "model A {\n  // a\n  a Int @unique\n  b Int\n}\n")
    default = 'model A {\n  a String @default("x")\n}\n'
    assert first_difference(default, default.replace('"x"', '"y"'))
