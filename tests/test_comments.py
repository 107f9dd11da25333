"""Every comment and documentation line of every fragment reaches the output, as written
(issue 14, items 1-5), and the datamodel Prisma reads from the output is the one it reads from
the fragments.

The comments are compared as multisets of their exact texts (`//` and `///` to the end of the
line, trailing spaces included; `/* … */` whole), found by a scanner written for this test
alone, not the one composing uses.
"""

from __future__ import annotations

import random
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.diagnostics import Source
from composer.psl import PSLSyntaxError, parse

from .helpers import compose, write_project
from .prisma_checks import normalize_datamodel

DATA = Path(__file__).parent / "data" / "comments"
CORPUS = Path(__file__).parent / "corpus" / "real-world"  # the repository's own corpus, once it lands
HEADER = "// ---- fragment "


def comments(text: str) -> Counter[str]:
    """The comments of a schema text, outside strings; compose's section headers left out."""
    found: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':  # a string ends at an unescaped quote or at the end of its line
            i += 1
            while i < n and text[i] not in '"\n':
                i += 2 if text[i] == "\\" else 1
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j == -1 else j
            if not text.startswith(HEADER, i):
                found.append(text[i:j])
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j == -1 else j + 2
            found.append(text[i:j])
            i = j
        else:
            i += 1
    return Counter(found)


def schemas() -> list[Path]:
    return sorted(DATA.glob("*.prisma"))


def manifest(names: list[str]) -> str:
    frags = "".join(f'[[fragments]]\npath = "f/{name}"\n' for name in names)
    return (
        frags
        + '\n[targets.v6]\noutput = "out/v6.prisma"\nheader = false\n'
        + '\n[targets.v7]\noutput = "out/v7.prisma"\nheader = false\n[targets.v7.datasource]\nurl = false\n'
    )


def build(root: Path, fragments: dict[str, str]) -> dict[str, str]:
    files = {"prisma.compose.toml": manifest(list(fragments))}
    files.update({f"f/{name}": text for name, text in fragments.items()})
    write_project(root, files)
    return {t.target.name: t.files[0].body for t in compose(root).targets}


def datamodel(engine, text: str):  # type: ignore[no-untyped-def]
    return normalize_datamodel(engine.dmmf(text))


@pytest.mark.parametrize("path", schemas(), ids=lambda p: p.name)
def test_one_fragment_keeps_every_comment(path: Path, tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    text = path.read_text(encoding="utf-8")
    out = build(tmp_path, {"schema.prisma": text})
    assert comments(out["v6"]) == comments(text)
    assert datamodel(prisma6, out["v6"]) == datamodel(prisma6, text)
    assert_prisma_valid(out["v6"])
    assert_prisma_valid(out["v7"], version="7")


def split_items(text: str) -> list[str]:
    """The pieces a split moves between files: each declaration with the comment lines above it,
    and the comments after the last one."""
    schema = parse(Source("schema.prisma", text))
    items = [d.text for d in schema.declarations]
    if text[schema.trailing :].strip():
        items.append(text[schema.trailing :])
    return items


EXTRA = st.sampled_from(
    [
        "// a placeholder file\n",
        "/// only documentation  \n",
        "/*\n  commented out:\n\n  model X {}\n*/\n",
        "",
    ]
)


@pytest.mark.parametrize("path", schemas(), ids=lambda p: p.name)
def test_a_random_split_keeps_every_comment_and_the_datamodel(path: Path, prisma6, prisma7) -> None:
    text = path.read_text(encoding="utf-8")
    items = split_items(text)
    expected = datamodel(prisma6, text)

    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.integers(0, 3), min_size=len(items), max_size=len(items)), st.lists(EXTRA, max_size=2))
    def check(where: list[int], extra: list[str]) -> None:
        fragments: dict[str, str] = {}
        for item, k in zip(items, where, strict=True):
            name = f"part{k}.prisma"
            fragments[name] = fragments.get(name, "") + ("\n" if name in fragments else "") + item
        for i, comment_only in enumerate(extra):
            fragments[f"notes{i}.prisma"] = comment_only
        with tempfile.TemporaryDirectory() as tmp:
            out = build(Path(tmp), fragments)
        wanted = comments(text) + sum((comments(c) for c in extra), Counter())
        assert comments(out["v6"]) == wanted
        assert datamodel(prisma6, out["v6"]) == expected
        assert not [d for d in prisma7.validate(out["v7"]) if d.is_error]

    check()


@pytest.mark.parametrize(
    "path", sorted(CORPUS.glob("*.prisma")) if CORPUS.is_dir() else [], ids=lambda p: p.name
)
def test_real_world_schemas_keep_every_comment(path: Path, tmp_path: Path, prisma6) -> None:
    """Each real schema of the repository's corpus, split at random (seeded by its name) into
    three files: the same comments, and the datamodel Prisma reads from the schema itself."""
    from composer.prisma_wasm import PrismaWasmError

    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    try:
        items = split_items(text)
    except PSLSyntaxError:  # a schema the parser rejects is tests/test_corpus.py's business
        pytest.skip("not parsed")
    rnd = random.Random(path.name)
    fragments: dict[str, str] = {}
    for item in items:
        name = f"part{rnd.randrange(3)}.prisma"
        fragments[name] = fragments.get(name, "") + "\n" + item
    out = build(tmp_path, fragments)
    assert comments(out["v6"]) == comments(text)
    try:
        expected = datamodel(prisma6, text)
    except PrismaWasmError:
        return  # not valid for Prisma 6 (a Prisma 7 schema, say): the comments are what counts here
    assert datamodel(prisma6, out["v6"]) == expected


def test_comments_after_the_last_declaration_stay_in_place(tmp_path: Path, assert_prisma_valid) -> None:
    """Item 1: they come right after the fragment's last declaration, in its section."""
    base = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n// base ends\n'
    a = "model A {\n  id Int @id\n}\n// usage note\n//   line 2\n\n/* commented out:\nmodel Old {}\n*/\n"
    out = build(tmp_path, {"base.prisma": base, "a.prisma": a, "empty.prisma": "// placeholder\n"})["v6"]
    assert (
        "model A {\n  id Int @id\n}\n// usage note\n//   line 2\n\n/* commented out:\nmodel Old {}\n*/\n"
        in out
    )
    assert "// ---- fragment base (f/base.prisma) ----\n\n// base ends\n" in out
    assert out.endswith("// ---- fragment empty (f/empty.prisma) ----\n\n// placeholder\n")
    assert_prisma_valid(out)


def test_extend_blocks_keep_their_comments(tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    """The comments of an `/// @extend` block: those its added fields carry move with them;
    the others (above the block, on its `{` and `}` lines, after its last field) stay in the
    extending fragment's section, and none of them documents anything in Prisma's datamodel."""
    base = (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
        "/// The user.\nmodel User {\n  id Int @id\n}\n"
    )
    ext = (
        "// Back-relations for the contact fragment.\n/// @extend\nmodel User { // on the brace line\n"
        "  /// the contacts  \n  contacts Contact[] // trailing  \n  // after the last field\n"
        "} // closing\n\n"
        "model Contact {\n  id     Int  @id\n  userId Int\n"
        "  user   User @relation(fields: [userId], references: [id])\n}\n"
    )
    out = build(tmp_path, {"base.prisma": base, "contact.prisma": ext})["v6"]
    wanted = comments(base + ext)
    wanted["/// @extend"] -= 1  # the marker is not copied
    assert comments(out) == +wanted
    assert "  /// the contacts  \n  contacts Contact[] // trailing  \n" in out
    user = next(m for m in prisma6.dmmf(out)["datamodel"]["models"] if m["name"] == "User")
    assert user["documentation"] == "The user."
    assert [f.get("documentation") for f in user["fields"]] == [None, "the contacts  "]
    assert_prisma_valid(out)


DOCS = (
    'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
    "/**\n * A block of documentation   \n\n\n * after two blank lines\n */\n"
    "model A {\n  id Int @id /// the id  \n  b  Int /* starts here\n  and ends here */\n"
    "  /// c doc  \n  c  Int\n}\n\nenum E {\n  X /// x doc  \n  Y\n}\n"
)


def test_documentation_is_prisma_s(tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    """Items 2-4: trailing spaces of `///` and of `/* */` lines and blank lines inside `/* */`
    are kept; a trailing `/* */` may close on the next line; Prisma reads the same docs."""
    out = build(tmp_path, {"a.prisma": DOCS})["v6"]
    assert " * A block of documentation   \n\n\n * after two blank lines\n" in out
    assert "  b  Int /* starts here\n  and ends here */\n" in out
    assert datamodel(prisma6, out) == datamodel(prisma6, DOCS)
    model = prisma6.dmmf(out)["datamodel"]["models"][0]
    assert [f.get("documentation") for f in model["fields"]] == [
        "the id  ",
        "starts here\n  and ends here",
        "c doc  ",
    ]
    assert_prisma_valid(out)


def test_crlf_documentation_is_prisma_s_on_the_same_text(tmp_path: Path, prisma6) -> None:
    """Item 5: a fragment with CRLF line endings composes to the same output as with LF (outputs
    use `\\n`, so a checkout with `core.autocrlf` builds the same bytes), and Prisma's documentation
    on the CRLF text is the output's: exactly for `///` lines, with `\\r\\n` read as `\\n` inside a
    `/* */` block (Prisma keeps the `\\r` there, as it does on any CRLF file)."""
    crlf = DOCS.replace("\n", "\r\n")
    root = tmp_path / "crlf"
    root.mkdir()
    (root / "f").mkdir()
    (root / "prisma.compose.toml").write_text(manifest(["a.prisma"]), encoding="utf-8")
    (root / "f" / "a.prisma").write_bytes(crlf.encode("utf-8"))
    out = {t.target.name: t.files[0].body for t in compose(root).targets}["v6"]
    assert out == build(tmp_path / "lf", {"a.prisma": DOCS})["v6"]

    def docs(dm):  # type: ignore[no-untyped-def]
        return [
            (m["name"], m.get("documentation"), [(f["name"], f.get("documentation")) for f in m["fields"]])
            for m in dm["models"]
        ]

    on_crlf = docs(prisma6.dmmf(crlf)["datamodel"])
    assert on_crlf[0][1] is not None and "\r\n" in on_crlf[0][1]  # Prisma keeps `\r` in a block

    def lf(doc: str | None) -> str | None:
        return doc.replace("\r\n", "\n") if doc else doc

    lf_docs = [(name, lf(doc), [(f, lf(d)) for f, d in fields]) for name, doc, fields in on_crlf]
    assert docs(prisma6.dmmf(out)["datamodel"]) == lf_docs
    assert [f for _, _, fields in on_crlf for f in fields] == [  # `///` docs: exactly Prisma's
        ("id", "the id  "),
        ("b", "starts here\r\n  and ends here"),
        ("c", "c doc  "),
    ]


def test_prisma_hands_documentation_above_the_datasource_to_the_next_model(prisma6) -> None:
    """Why the README advises `//` above the datasource and generators: Prisma's quirk."""
    ds = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
    for doc in ("/// about the database\n", "/* about the database */\n"):
        dm = prisma6.dmmf(doc + ds + "\nenum E {\n  A\n}\n")["datamodel"]
        assert dm["enums"][0]["documentation"] == "about the database"
        dm = prisma6.dmmf("// about the database\n" + ds + "\nenum E {\n  A\n}\n")["datamodel"]
        assert dm["enums"][0].get("documentation") is None


def test_a_replaced_generator_keeps_the_comments_above_it(tmp_path: Path, assert_prisma_valid) -> None:
    base = (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
        "// The client of the app  \n/* (any client) */\n"
        'generator client {\n  provider = "prisma-client-js"\n}\n'
    )
    files = {
        "prisma.compose.toml": '[[fragments]]\npath = "base.prisma"\n\n[targets.py]\noutput = "out.prisma"\n'
        'header = false\n[targets.py.generators.client]\nprovider = "prisma-client-py"\n',
        "base.prisma": base,
    }
    write_project(tmp_path, files)
    out = compose(tmp_path).targets[0].files[0].body
    kept = "// The client of the app  \n/* (any client) */\n"
    assert kept + 'generator client {\n  provider = "prisma-client-py"\n' in out
    assert_prisma_valid(out)


def test_a_comment_only_fragment_in_a_folder_output(tmp_path: Path, assert_prisma_valid) -> None:
    """Prisma's multi-file layout: the comment-only fragment gets its own file, valid for Prisma."""
    base = 'datasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id Int @id\n}\n// after A\n'
    files = {
        "prisma.compose.toml": '[[fragments]]\npath = "base.prisma"\n[[fragments]]\npath = "notes.prisma"\n\n'
        '[targets.app]\noutput = "schema/"\nheader = false\n',
        "base.prisma": base,
        "notes.prisma": "/*\n  model Old {\n    id Int @id\n  }\n*/\n",
    }
    write_project(tmp_path, files)
    out = {f.path: f.body for f in compose(tmp_path).targets[0].files}
    assert out["schema/notes.prisma"].endswith("/*\n  model Old {\n    id Int @id\n  }\n*/\n")
    assert out["schema/base.prisma"].endswith("model A {\n  id Int @id\n}\n// after A\n")
    assert_prisma_valid(list(out.items()), version="7")


def test_extend_block_comments_on_brace_lines(tmp_path: Path, assert_prisma_valid) -> None:
    base = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
    base += "enum Role {\n  A\n}\n"
    ext = "/// @extend\nenum Role { /* opening */  \n  B /// b  \n"
    ext += "} /* closing, over\n   two lines  */\n// the end\n"
    out = build(tmp_path, {"base.prisma": base, "roles.prisma": ext})["v6"]
    assert "enum Role {\n  A\n  B /// b  \n}\n" in out
    assert out.endswith("/* opening */\n/* closing, over\n   two lines  */\n\n// the end\n")
    assert_prisma_valid(out)


def test_a_block_comment_with_blank_lines_moves_whole_with_its_block_attribute(
    tmp_path: Path, assert_prisma_valid
) -> None:
    """An `@extend` that adds a block attribute makes compose lay out the block again (block
    attributes last, sorted): the `/* */` comment above one, blank lines and all, moves with it."""
    base = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'
    base += "model A {\n  id Int @id\n  b  Int\n\n  /* about the map\n\n     of A */\n  @@map(\"a\")\n}\n"
    ext = "/// @extend\nmodel A {\n  @@index([b])\n}\n"
    out = build(tmp_path, {"base.prisma": base, "ext.prisma": ext})["v6"]
    assert '  @@index([b])\n  /* about the map\n\n     of A */\n  @@map("a")\n}\n' in out
    assert comments(out) == comments(base)
    assert_prisma_valid(out)
