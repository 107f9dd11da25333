"""Every regular expression of the parser runs in linear time (issue 12, item 10).

No clock: `tests/regex_steps.py` counts the steps of a backtracking engine that explores the
choices `re` explores, in its order, and each test compares the count on an input of size n with
the count on the same shape at size 2n. Linear work at most doubles; the shapes that were
exponential (`[0, 1, …, 23]`: every number doubled the time) or quadratic (`fn(` + spaces) before
the fix grow by 16 and 4 here, so each test fails on the old patterns.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.psl import PSLSyntaxError, parse
from composer.psl import comments as psl_comments
from composer.psl import fields as psl_fields
from composer.psl import members as psl_members
from composer.psl import parser as psl
from composer.psl.on_use import PatternOnUse

from .regex_steps import BudgetExceeded, count_steps, matches_like_re

Shape = Callable[[int], str]


def nums(n: int, sep: str = ", ") -> str:
    return sep.join(str(i) for i in range(n))


def field(attrs: str) -> str:
    return f"scores Int[] {attrs}"


CHECKED = '  a Int @id\n  // c\n  @@map("x")\n \n\n'  # lines of a block the fast path checked

# (pattern name, how it is called, shape name, the input of size n, n). Each pattern is called
# the way the parser calls it: `_SUMMARY` and `members._CHECKED_LINE` scan (`finditer`) only the lines of
# a block `_FAST_BODY` checked, where every match starts where the last one ended.
SHAPES: list[tuple[str, str, str, Shape, int]] = [
    (
        "_FAST_FIELD",
        "match",
        "numbers, then a block comment (issue 12)",
        lambda n: field(f"@default([{nums(n)}]) /* reviewed */"),
        8,
    ),
    ("_FAST_FIELD", "match", "a trailing comma in the list", lambda n: field(f"@default([{nums(n)},])"), 8),
    ("_FAST_FIELD", "match", "a list never closed", lambda n: field(f"@default([{nums(n)})"), 8),
    (
        "_FAST_FIELD",
        "match",
        "decimal numbers, never closed",
        lambda n: field(f"@default([{nums(n, '.5, ')}"),
        8,
    ),
    ("_FAST_FIELD", "match", "names, never closed", lambda n: field("@default([" + "ab, " * n), 8),
    (
        "_FAST_FIELD",
        "match",
        "negative numbers, then junk",
        lambda n: field("@default([" + "-1, " * n + "x"),
        8,
    ),
    (
        "_FAST_FIELD",
        "match",
        "named arguments, never closed",
        lambda n: field("@relation(" + "a: [b, 1], " * n),
        8,
    ),
    ("_FAST_FIELD", "match", "`fn(` then spaces (issue 12)", lambda n: field("@default(fn(" + " " * n), 100),
    ("_FAST_FIELD", "match", "`fn(1` then spaces", lambda n: field("@default(fn(1" + " " * n), 100),
    (
        "_FAST_FIELD",
        "match",
        "spaces around commas",
        lambda n: field("@default([1" + "  ,  1" * n + " , ]"),
        8,
    ),
    ("_FAST_FIELD", "match", "attributes, then junk", lambda n: field("@id " * n + "x"), 16),
    ("_FAST_FIELD", "match", "attributes with spaces before `(`", lambda n: field("@a  " * n + "(x"), 16),
    (
        "_FAST_FIELD",
        "match",
        "a long dotted name ending in `.`",
        lambda n: field("@db" + ".a1" * n + "."),
        16,
    ),
    ("_FAST_FIELD", "match", "an unterminated string", lambda n: field('@default("' + "a" * n), 100),
    ("_FAST_FIELD", "match", "escapes, unterminated", lambda n: field('@default("' + "\\a" * n), 50),
    (
        "_FAST_FIELD",
        "match",
        "strings in a list, never closed",
        lambda n: field("@default([" + '"a", ' * n),
        8,
    ),
    ("_FAST_FIELD", "match", "digits, then a letter", lambda n: field("@default(" + "1" * n + "x"), 50),
    ("_FAST_ATTR", "match", "numbers, list never closed", lambda n: f"@default([{nums(n)})", 8),
    (
        "_FAST_BODY[model]",
        "match",
        "field lines, then a bad one",
        lambda n: "  id Int @id @default(autoincrement())\n" * n + "  ?\n}\n",
        8,
    ),
    (
        "_FAST_BODY[model]",
        "match",
        "a field with numbers and a typo",
        lambda n: f"  {field(f'@default([{nums(n)},])')}\n}}\n",
        8,
    ),
    ("_FAST_BODY[model]", "match", "comment lines, no `}`", lambda n: "  // note\n" * n, 16),
    ("_FAST_BODY[model]", "match", "blank lines, no `}`", lambda n: "\n" * n + "x", 50),
    (
        "_FAST_BODY[model]",
        "match",
        "block attributes, then a bad line",
        lambda n: '  @@index([a, b], map: "i")\n' * n + "  /* */\n}\n",
        8,
    ),
    ("_FAST_BODY[model]", "match", "spaces, no newline", lambda n: "  a Int" + " " * n, 50),
    (
        "_FAST_BODY[enum]",
        "match",
        "values, then a bad line",
        lambda n: '  A @map("a")\n' * n + "  A B\n}\n",
        8,
    ),
    ("_GAP", "match", "comment lines, the last unterminated", lambda n: "// c\n" * n + "//" + "x" * n, 16),
    ("_GAP", "match", "blank and comment lines", lambda n: " \n\t\n// c\n" * n + "model", 16),
    ("_DECL", "match", "a long name, no `{`", lambda n: "model " + "a" * n + " " * n, 50),
    ("_DECL", "match", "a header with a comment, no newline", lambda n: "model A { //" + " " * n, 50),
    ("_DECL", "match", "comment lines, then no header", lambda n: " \n\t\n// c\n" * n + "modelx", 16),
    ("_DECL", "match", "indented comment lines, never ended", lambda n: "  // c\n" * n + "  //", 16),
    (
        "_DECL",
        "match",
        "a header, then field lines and a bad one",
        lambda n: "/// d\nmodel A {\n" + "  id Int @id @default(autoincrement())\n" * n + "  ?\n}\n",
        8,
    ),
    ("_DECL", "match", "an enum, never closed", lambda n: "enum A {\n" + '  A @map("a")\n' * n, 8),
    ("_DECL (Unicode)", "match", "an enum, never closed", lambda n: "enum É {\n" + '  Á @map("a")\n' * n, 8),
    (
        "_DECL (Unicode)",
        "match",
        "a header, then field lines and a bad one",
        lambda n: "model Ä {\n" + "  id Int @id @default(autoincrement())\n" * n + "  ?\n}\n",
        8,
    ),
    ("_FIELD_REST", "match", "attributes, then junk", lambda n: "? " + "@id " * n + "x", 16),
    ("_FIELD_REST", "match", "a list never closed", lambda n: f" @default([{nums(n)})", 8),
    # The parser asks for a whole rest (`fullmatch`): the same pattern, then the end.
    ("_FIELD_REST (whole)", "match", "attributes, then junk", lambda n: "? " + "@id " * n + "x", 16),
    ("_FIELD_REST (whole)", "match", "a list never closed", lambda n: f" @default([{nums(n)})", 8),
    ("_FIELD_REST (whole)", "match", "`fn(` then spaces", lambda n: " @default(fn(" + " " * n, 100),
    ("_FIELD_REST (whole)", "match", "numbers, then a comment", lambda n: f" @default([{nums(n)}]) //", 8),
    (
        "_DECL_EXACT",
        "match",
        "a header, then field lines and a bad one",
        lambda n: "model A {\n" + "  id Int @id @default(autoincrement())\n" * n + "  a Int @x(\n}\n",
        8,
    ),
    (
        "_DECL",
        "match",
        "field lines with long rests, never closed",
        lambda n: "model A {\n" + "  a Int @default([1, 2]) // c\n" * n,
        8,
    ),
    ("_FIELD_LINES", "all", "field lines", lambda n: "\n  a Int @id // c" * n, 8),
    ("_FIELD_LINES", "all", "lines of one name, spaces after", lambda n: "\n  a" + " " * n, 50),
    ("_FIELD_LINES", "all", "names and spaces, one line", lambda n: "\n" + "a " * n, 50),
    ("_FIELD_LINES_ASCII", "all", "field lines", lambda n: "\n  a Int? @relation(fields: [a])" * n, 8),
    ("_FIELD_LINES_ASCII", "all", "names and spaces, one line", lambda n: "\n" + "a " * n, 50),
    ("_BODY_LINES", "all", "field lines", lambda n: "\n  a Int @id // c" * n, 8),
    ("_BODY_LINES", "all", "names, spaces and no type", lambda n: "\n  a" + " " * n + "@", 50),
    ("_BODY_LINES", "all", "names and spaces, one line", lambda n: "\n" + "a " * n, 50),
    ("_BODY_LINES_ASCII", "all", "field lines", lambda n: "\n  a Int? @relation(fields: [a])" * n, 8),
    ("_BODY_LINES_ASCII", "all", "names, spaces and no type", lambda n: "\n  a" + " \t" * n, 50),
    ("_SUMMARY", "all", "field lines", lambda n: "  a Int @id // c\n" * n, 8),
    ("_SUMMARY", "all", "comment and attribute lines", lambda n: "  // c\n  @@id([a])\n" * n, 8),
    ("_SUMMARY", "all", "blank lines", lambda n: " \n" * n, 16),
    ("members._CHECKED_LINE", "all", "checked lines", lambda n: CHECKED * n, 8),
    ("members._MEMBER_START", "all", "checked lines", lambda n: CHECKED * n, 8),
    ("members._MEMBER_START", "all", "indented comments", lambda n: " " * n + "// c\n", 50),
    ("members._FIELD_START", "all", "checked lines", lambda n: CHECKED * n, 8),
    ("members._FIELD_START", "all", "indented comments", lambda n: " " * n + "// c\n", 50),
    ("members._FIELD_START", "all", "a name, a long gap, no type", lambda n: "a" + " " * n + "// c\n", 50),
    ("members._FIELD_START", "all", "a rest of white space", lambda n: "a b?" + " \t" * n + "\n", 50),
    ("members._CHECKED_LINE", "all", "values with attributes", lambda n: '  A   @map("a") // c  \n' * n, 8),
    (
        "_RELATION_FIELDS",
        "match",
        "arguments, then numbers only",
        lambda n: "(" + "a: [b], " * n + "fields: [" + "1, " * n + "1])",
        8,
    ),
    ("_RELATION_FIELDS", "match", "strings, then a name", lambda n: "(fields: [" + '"a", ' * n + "b])", 8),
    ("_RELATION_FIELDS", "match", "no fields argument", lambda n: "(" + 'a: "b", ' * n + "c: d)", 8),
    ("_STRING", "match", "unterminated", lambda n: '"' + "a" * n, 100),
    ("_STRING", "match", "escapes, unterminated", lambda n: '"' + "\\n" * n, 50),
    ("_STRING", "match", "a control character at the end", lambda n: '"' + 'a\\"' * n + "\x01", 50),
    ("_IDENT", "match", "a long name", lambda n: "a-" * n + "!", 50),
    ("_PATH", "match", "a long dotted name ending in `.`", lambda n: "a." * n, 50),
    ("_NUMBER", "match", "digits, then a dot", lambda n: "-" + "1" * n + ".", 50),
    ("_NUMBER", "match", "a decimal, then a letter", lambda n: "1." + "5" * n + "x", 50),
    ("_WS", "match", "spaces", lambda n: " \t\u3000" * n + "x", 50),
    ("_COMMENT_START", "search", "lines without a comment", lambda n: "  x\n" * n, 16),
    ("_CONTROL", "all", "a snippet with control characters", lambda n: "a\x01\x7f" * n, 16),
    ("comments._TOKEN", "all", "slashes and stars, no comment", lambda n: "a/ * /" * n, 16),
    ("comments._TOKEN", "match", "an unterminated string", lambda n: '"' + "a\\b" * n, 50),
    ("comments._TOKEN", "all", "strings with `//` inside", lambda n: '"//" /* */' * n, 16),
]


def _compiled(module: object) -> dict[str, re.Pattern[str]]:
    """A module's patterns, by name: those compiled at import and those compiled on first use."""
    found = {}
    for k, v in vars(module).items():
        if isinstance(v, PatternOnUse):
            v = v.compiled()
        if isinstance(v, re.Pattern):
            found[k] = v
    return found


def patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled pattern of the parser module (and of `psl.comments`), by name."""
    found = _compiled(psl)
    found.update({f"_FAST_BODY[{k}]": psl._FAST_BODY[k] for k in psl._FAST_BODY})
    found["_FAST_FIELD"] = re.compile(psl._FAST_FIELD_SRC)  # compiled by the parser when needed
    found.update({f"comments.{k}": v for k, v in _compiled(psl_comments).items()})
    found.update({f"members.{k}": v for k, v in _compiled(psl_members).items()})
    found.update({f"fields.{k}": v for k, v in _compiled(psl_fields).items()})
    found["_DECL_EXACT"] = re.compile(psl._DECL_EXACT_SRC)  # compiled by the parser when needed
    found["_DECL (Unicode)"] = re.compile(psl._DECL_SRC)  # `_DECL` for a text that is not ASCII
    found["_FIELD_REST (whole)"] = re.compile(rf"(?:{psl._FIELD_REST.pattern})\Z")
    return found


GROWTH = 2.5  # linear work at most doubles (plus a constant); quadratic is ~4, exponential more


@pytest.mark.parametrize(
    ("name", "how", "shape", "n"),
    [(name, how, shape, n) for name, how, _, shape, n in SHAPES],
    ids=[f"{name}: {what}" for name, _, what, _, _ in SHAPES],
)
def test_work_grows_linearly(name: str, how: str, shape: Shape, n: int) -> None:
    pattern = patterns()[name]
    small = count_steps(pattern, shape(n), how)
    try:
        large = count_steps(pattern, shape(2 * n), how, budget=int(small * GROWTH) + 1000)
    except BudgetExceeded:
        large = -1
    assert 0 <= large <= small * GROWTH, f"{name}: {small} steps at n={n}, more than {GROWTH}x at 2n"


def test_every_pattern_has_a_shape() -> None:
    """A regular expression added to the parser without a pathological shape here fails this."""
    shaped = {patterns()[name].pattern for name, *_ in SHAPES}
    missing = [name for name, p in patterns().items() if p.pattern not in shaped]
    assert not missing  # (`_FAST_BODY[type]` and `[view]` are the pattern of `[model]`)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}: {s[2]}")
def test_the_step_counter_matches_like_re(shape: tuple[str, str, str, Shape, int]) -> None:
    """The counting machine finds the same matches as `re` on these inputs (it is a model of it)."""
    name, _, _, make, n = shape
    assert matches_like_re(patterns()[name], make(n))


# Random shapes: a prefix, a piece repeated n or 2n times, a suffix, from the characters field
# lines are made of. The work on the whole parser line and body patterns must not more than
# double (plus a constant) when the piece is repeated twice as often.
PIECES = st.lists(
    st.sampled_from(
        [
            "1",
            "a",
            "-",
            ".",
            ",",
            " ",
            "[",
            "]",
            "(",
            ")",
            "1, ",
            "ab, ",
            "2.5, ",
            '"',
            "\\",
            ":",
            "@",
            "x(",
            "/*",
            "//",
            "\n",
        ]
    ),
    min_size=1,
    max_size=5,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(
    prefix=PIECES,
    piece=PIECES,
    suffix=PIECES,
    attr=st.sampled_from(["@default(", "@default([", "@x(a: [", ""]),
)
def test_random_shapes_grow_linearly(prefix: str, piece: str, suffix: str, attr: str) -> None:
    for name, start in (
        ("_FAST_FIELD", "a Int[] "),
        ("_FAST_BODY[model]", "  a Int[] "),
        ("_DECL", "model A {\n  a Int[] "),
    ):
        pattern = patterns()[name]

        def text(n: int, start: str = start) -> str:
            return start + attr + prefix + piece * n + suffix

        small = count_steps(pattern, text(10))
        try:
            large = count_steps(pattern, text(20), budget=int(small * GROWTH) + 500)
        except BudgetExceeded:
            large = -1
        assert 0 <= large <= small * GROWTH + 200, (name, text(10))


def test_the_issue_12_field_parses() -> None:
    """The field from the issue, with its 24 numbers (24 s each before the fix), and its typos."""
    for attrs in (
        f"@default([{nums(24)}]) /* reviewed */",
        f"@default([{nums(24)},])",
        f"@default([{nums(24)})",
    ):
        try:
            parse(Source("s.prisma", f"model A {{\n  {field(attrs)}\n}}\n"))
        except PSLSyntaxError:
            assert not attrs.endswith("*/")


def calls_of(text: str) -> int:
    """Python and C function calls made while parsing `text` (and building every member)."""
    count = 0

    def profile(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        try:
            for d in parse(Source("s.prisma", text)).declarations:
                for m in d.members:
                    for a in m.attributes:
                        a.args  # noqa: B018 (builds the arguments)
        except PSLSyntaxError:
            pass
    finally:
        sys.setprofile(None)
    return count


WHOLE: list[tuple[str, Shape]] = [
    ("fields", lambda n: "model A {\n" + "  a Int @id @default(autoincrement()) // c\n" * n + "}\n"),
    (
        "fields, the last with a typo",
        lambda n: "model A {\n" + "  a Int @id\n" * n + "  b Int @default([1,])\n}\n",
    ),
    (
        "blocks the fast path refuses",
        lambda n: "/* c */\nmodel A {\n  a Int @default([1, 2]) /* c */\n}\n" * n,
    ),
    ("comment and blank lines", lambda n: "// c\n\n/// d\n" * n + "model A {\n  id Int @id\n}\n"),
    ("a comment never closed", lambda n: "model A {\n  id Int @id\n}\n" * n + "/* open\n" + "x\n" * n),
    ("trailing comments over lines", lambda n: "model A {\n" + "  a Int /* x\n  y */\n" * n + "}\n"),
    ("a long list", lambda n: f"model A {{\n  a Int[] @default([{nums(n)}]) /* c */\n}}\n"),
    ("`fn(` and spaces", lambda n: "model A {\n  a Int @default(fn(" + " " * n + "\n}\n"),
]


@pytest.mark.parametrize(("what", "shape"), WHOLE, ids=[w for w, _ in WHOLE])
def test_the_parser_makes_linearly_many_calls(what: str, shape: Shape) -> None:
    """The parser as a whole: each call of a pattern is linear (above), and the number of calls
    grows linearly too (a parser that rescanned the text from every line would not)."""
    small, large = calls_of(shape(200)), calls_of(shape(400))
    assert large <= small * GROWTH, (what, small, large)
