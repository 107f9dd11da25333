"""Composition rules (README "How fragments are composed"): order, @extend, per-target settings,
and each error class."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from composer.diagnostics import ComposeError

from .helpers import BASE, compose, write_project

MANIFEST = """
[[fragments]]
path = "f/base.prisma"
[[fragments]]
path = "f/post.prisma"
[[fragments]]
path = "f/user.prisma"

[targets.all]
output = "out/schema.prisma"
"""

USER = """
enum Role {
  USER
  ADMIN
}

model User {
  id    Int    @id @default(autoincrement())
  role  Role   @default(USER)
  posts Post[]
}
"""

POST = """
model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""


def project(tmp_path: Path, **files: str) -> Path:
    defaults = {
        "prisma.compose.toml": MANIFEST,
        "f/base.prisma": BASE,
        "f/post.prisma": POST,
        "f/user.prisma": USER,
    }
    defaults.update({k.replace("__", "/").replace("_prisma", ".prisma"): v for k, v in files.items()})
    return write_project(tmp_path, defaults)


def body(tmp_path: Path, target: str = "all") -> str:
    comp = compose(tmp_path, [target])
    return comp.targets[0].files[0].body


def error_of(tmp_path: Path) -> ComposeError:
    with pytest.raises(ComposeError) as info:
        compose(tmp_path)
    return info.value


def test_dependencies_order_fragments(tmp_path: Path, assert_prisma_valid) -> None:
    project(tmp_path)
    text = body(tmp_path)
    # post.prisma owns a foreign key into User, so user comes first despite the manifest order
    assert text.index("fragment user") < text.index("fragment post")
    assert text.index("datasource db") < text.index("generator client") < text.index("fragment user")
    assert_prisma_valid(text)


def test_cycle_keeps_manifest_order(tmp_path: Path, assert_prisma_valid) -> None:
    user = USER.replace(
        "posts Post[]",
        "posts Post[]\n  pinnedId Int? @unique\n"
        '  pinned Post? @relation("pin", fields: [pinnedId], references: [id])',
    )
    post = POST.replace("}", '  pinnedBy User? @relation("pin")\n}')
    project(tmp_path, f__user_prisma=user, f__post_prisma=post)
    text = body(tmp_path)
    assert text.index("fragment post") < text.index("fragment user")
    assert_prisma_valid(text)


def test_back_relations_add_no_dependency(tmp_path: Path) -> None:
    # user.prisma only has the back-relation list: post stays after user only because post owns the FK
    project(tmp_path)
    comp = compose(tmp_path)
    assert [f.name for f in comp.targets[0].fragments] == ["base", "user", "post"]


def test_extend_adds_fields_and_attributes(tmp_path: Path, assert_prisma_valid) -> None:
    user = USER.replace("  posts Post[]\n", "")
    post = (
        POST
        + '\n/// @extend\nmodel User {\n  posts Post[]\n\n  @@map("users")\n}\n'
        + "\n/// @extend\nenum Role {\n  EDITOR\n}\n"
    )
    project(tmp_path, f__user_prisma=user, f__post_prisma=post)
    text = body(tmp_path)
    assert "@extend" not in text
    user_block = text[text.index("model User") : text.index("}", text.index("model User"))]
    assert "posts" in user_block and '@@map("users")' in user_block
    assert "EDITOR" in text[text.index("enum Role") :]
    assert text.count("model User") == 1
    assert_prisma_valid(text)


def test_extend_same_field_twice_identically_is_fine(tmp_path: Path) -> None:
    post = POST + "\n/// @extend\nmodel User {\n  posts Post[]\n}\n"
    project(tmp_path, f__post_prisma=post)
    assert body(tmp_path).count("posts Post[]") == 1


def test_per_target_generators_and_datasource(tmp_path: Path, assert_prisma_valid) -> None:
    manifest = (
        MANIFEST
        + """
[targets.py]
output = "out/py.prisma"
exclude = ["post"]
[targets.py.generators.client]
provider = "prisma-client-py"
interface = "asyncio"
recursive_type_depth = 5
[targets.py.datasource]
url = { env = "PY_URL" }
directUrl = { env = "PY_DIRECT" }
"""
    )
    user = USER.replace("  posts Post[]\n", "")
    post = POST + "\n/// @extend\nmodel User {\n  posts Post[]\n}\n"
    project(tmp_path, prisma_compose_toml=manifest, f__user_prisma=user, f__post_prisma=post)
    (tmp_path / "prisma.compose.toml").write_text(manifest.lstrip())
    text = body(tmp_path, "py")
    assert 'provider             = "prisma-client-py"' in text
    assert "recursive_type_depth = 5" in text
    assert 'provider  = "postgresql"' in text
    assert 'url       = env("PY_URL")' in text and 'directUrl = env("PY_DIRECT")' in text
    assert "prisma-client-js" not in text and "model Post" not in text and "posts" not in text
    assert_prisma_valid(text)


def test_prisma7_target_drops_url(tmp_path: Path, assert_prisma_valid) -> None:
    manifest = MANIFEST + '\n[targets.v7]\noutput = "out/v7.prisma"\n[targets.v7.datasource]\nurl = false\n'
    project(tmp_path)
    (tmp_path / "prisma.compose.toml").write_text(manifest.lstrip())
    text = body(tmp_path, "v7")
    assert "url" not in text
    assert_prisma_valid(text, version="7")


# -- errors: each names file:line ---------------------------------------------------------------


def test_duplicate_declaration_names_both_places(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST + "\nenum Role {\n  X\n}\n")
    diag = error_of(tmp_path).diagnostics[0]
    assert "`Role` is declared twice" in diag.message
    assert str(diag.location) == "f/user.prisma:1:6" or str(diag.location) == "f/post.prisma:7:6"
    places = {str(diag.location), str(diag.notes[0][1])}
    assert places == {"f/user.prisma:1:6", "f/post.prisma:7:6"}


def test_unknown_type_has_did_you_mean(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST.replace("author   User", "author   Usr"))
    diag = error_of(tmp_path).diagnostics[0]
    assert str(diag.location) == "f/post.prisma:4:12"
    assert "Usr" in diag.message and diag.hint == "did you mean `User`?"
    assert "^" in diag.render()


def test_excluded_model_is_an_unknown_type(tmp_path: Path) -> None:
    manifest = MANIFEST + '\n[targets.no_post]\noutput = "out/x.prisma"\nexclude = ["post"]\n'
    project(tmp_path)
    (tmp_path / "prisma.compose.toml").write_text(manifest.lstrip())
    diag = error_of(tmp_path).diagnostics[0]
    assert str(diag.location) == "f/user.prisma:9:9"
    assert "`Post`" in diag.message


def test_type_of_a_left_out_fragment_says_so(tmp_path: Path) -> None:
    manifest = MANIFEST + (
        '\n[targets.no_user]\noutput = "out/x.prisma"\nexclude = ["user"]\n'
        '\n[targets.only_post]\noutput = "out/y.prisma"\ninclude = ["base", "post"]\n'
    )
    project(tmp_path)
    (tmp_path / "prisma.compose.toml").write_text(manifest.lstrip())
    for target, message, key in [
        ("no_user", "type `User` of `Post.author` is declared in fragment `user`, which target `no_user` "
         "excludes", "prisma.compose.toml:13:1"),
        ("only_post", "type `User` of `Post.author` is declared in fragment `user`, which target `only_post` "
         "does not include", "prisma.compose.toml:17:1"),
    ]:
        with pytest.raises(ComposeError) as info:
            compose(tmp_path, [target])
        [diag] = info.value.diagnostics
        assert diag.message == message
        assert str(diag.location) == "f/post.prisma:4:12"
        assert str(diag.notes[0][1]) == key  # the `exclude` / `include` line
        assert "`/// @extend` block of `Post`" in (diag.hint or "")


def test_declared_twice_in_the_same_fragment(tmp_path: Path) -> None:
    project(tmp_path, f__user_prisma=USER + "\nenum Role {\n  X\n}\n")
    [diag] = error_of(tmp_path).diagnostics
    assert diag.message == (
        "`Role` is declared twice in the same fragment `f/user.prisma`: as an enum on line 1 and as an enum "
        "on line 12"
    )
    assert (str(diag.location), str(diag.notes[0][1])) == ("f/user.prisma:12:6", "f/user.prisma:1:6")
    assert "@extend" not in (diag.hint or "")


def test_messages_say_an_before_a_vowel(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST + "\nenum Role {\n  X\n}\n")
    [diag] = error_of(tmp_path).diagnostics
    assert "as an enum in `f/post.prisma` and as an enum in `f/user.prisma`" in diag.message
    assert "@extend" in (diag.hint or "")  # two enums of two fragments: an `@extend` can join them
    project(tmp_path, f__post_prisma=POST + "\nmodel Role {\n  id Int @id\n}\n")
    [diag] = error_of(tmp_path).diagnostics
    assert "as a model in `f/post.prisma` and as an enum in `f/user.prisma`" in diag.message
    assert "@extend" not in (diag.hint or "")  # an enum and a model: no `@extend` can join them
    project(tmp_path, f__post_prisma=POST + "\n/// @extend\nmodel Role {\n  x Int\n}\n")
    [diag] = error_of(tmp_path).diagnostics
    assert diag.message == "`/// @extend model Role` extends an enum"


def test_two_datasources(tmp_path: Path) -> None:
    project(
        tmp_path, f__post_prisma='datasource other {\n  provider = "sqlite"\n  url = "file:x"\n}\n' + POST
    )
    diag = error_of(tmp_path).diagnostics[0]
    assert "more than one datasource" in diag.message
    assert str(diag.location) == "f/post.prisma:1:12"
    assert str(diag.notes[0][1]) == "f/base.prisma:1:12"


def test_missing_fragment_file(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "f/post.prisma").unlink()
    diag = error_of(tmp_path).diagnostics[0]
    assert "does not exist" in diag.message
    assert str(diag.location).startswith("prisma.compose.toml:4:")


def test_syntax_error_in_fragment(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST.replace("authorId Int", "authorId Int @default("))
    diag = error_of(tmp_path).diagnostics[0]
    assert str(diag.location).startswith("f/post.prisma:3:")


def test_extend_of_undeclared_name(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST + "\n/// @extend\nmodel Usr {\n  x Int\n}\n")
    diag = error_of(tmp_path).diagnostics[0]
    assert "`Usr`" in diag.message and "not declared" in diag.message
    assert str(diag.location) == "f/post.prisma:8:7"
    assert diag.hint == "did you mean `User`?"


def test_extend_conflicting_field_names_both_places(tmp_path: Path) -> None:
    project(tmp_path, f__post_prisma=POST + "\n/// @extend\nmodel User {\n  posts Post?\n}\n")
    diag = error_of(tmp_path).diagnostics[0]
    assert "defined twice" in diag.message
    assert str(diag.location) == "f/post.prisma:9:3"
    assert str(diag.notes[0][1]) == "f/user.prisma:9:3"


def test_glob_matching_nothing_is_a_warning(tmp_path: Path) -> None:
    project(tmp_path)
    manifest = '[[fragments]]\nglob = "modules/*/schema/*.prisma"\n' + MANIFEST
    (tmp_path / "prisma.compose.toml").write_text(manifest)
    comp = compose(tmp_path)
    assert [w.severity for w in comp.warnings] == ["warning"]
    assert "matches no file" in comp.warnings[0].message
    assert str(comp.warnings[0].location).startswith("prisma.compose.toml:2:")


def test_globbed_fragments_sorted_by_path(tmp_path: Path, assert_prisma_valid) -> None:
    manifest = """
[[fragments]]
path = "f/base.prisma"
[[fragments]]
glob = "modules/*/schema/*.prisma"
[targets.all]
output = "out/schema.prisma"
"""
    write_project(
        tmp_path,
        {
            "prisma.compose.toml": manifest,
            "f/base.prisma": BASE,
            "modules/b/schema/beta.prisma": "model Beta {\n  id Int @id\n}\n",
            "modules/a/schema/alpha.prisma": "model Alpha {\n  id Int @id\n}\n",
        },
    )
    comp = compose(tmp_path)
    assert [f.name for f in comp.targets[0].fragments] == ["base", "a/alpha", "b/beta"]
    assert_prisma_valid(comp.targets[0].files[0].body)


def test_block_memo_gives_identical_output(tmp_path: Path) -> None:
    """The memo `watch` passes reuses laid-out declarations; the output must not change."""
    from composer.compose import compose_target
    from composer.manifest import load_manifest
    from composer.sources import Loader

    post = POST + "\n/// @extend\nmodel User {\n  nickname String?\n}\n"
    project(tmp_path, f__post_prisma=post)
    manifest = load_manifest(tmp_path / "prisma.compose.toml")
    loader = Loader()
    fragments = loader.load(manifest).fragments
    target = manifest.targets["all"]
    plain = compose_target(manifest, fragments, target).files[0]
    memo: dict = {}
    first = compose_target(manifest, fragments, target, memo).files[0]
    again = compose_target(manifest, fragments, target, memo).files[0]
    assert memo  # filled, and reused by the second call
    assert "model User" in plain.body and "nickname" in plain.body and "model Post" in plain.body
    assert plain.body == first.body == again.body
    assert plain.origins == again.origins and plain.anchors == again.anchors


MIXED = """
// Fragment notes, attached to the first model.

/// Tags.
model Tag {
  id   Int    @id
  name String
}
model Label {
  id Int @id
}

generator extra {
  provider = "prisma-client-js"
}
model Flag {
  id Int @id
}


// a comment between blocks, separated by a blank line

/// @extend
model User {
  tags Int[]
}
/// The last one.
model Note {
  id   Int    @id<TRAILING SPACES>
  body String
}

// trailing comment
""".replace("<TRAILING SPACES>", "   ")


def test_declarations_copied_in_runs_match_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Consecutive declarations of a file are copied as one piece; the output (text and origin of
    every non-blank line) must be what copying them one by one gives."""
    import composer.compose as compose_module

    project(tmp_path, f__post_prisma=POST + MIXED)
    batched = compose(tmp_path).targets[0].files[0]

    def one_by_one(w: compose_module.Writer, run: list) -> None:
        for decl in run:
            w.blank()
            w.copy(decl.source, decl.start, decl.end)

    monkeypatch.setattr(compose_module, "write_verbatim", one_by_one)
    single = compose(tmp_path).targets[0].files[0]
    assert batched.body == single.body

    def places(f: compose_module.ComposedFile) -> list[tuple[str, int] | None]:
        # A blank line between two declarations comes from the text between them, or (one by
        # one) is added by the writer: no origin. Blank lines map to nothing anyone points at.
        return [
            None if o is None or not line else (o[0].display, o[1])
            for line, o in zip(f.lines, f.origins, strict=True)
        ]

    assert places(batched) == places(single)
    assert batched.body.count("generator extra") == 1  # with the generators, not between models
    assert "model Label {\n  id Int @id\n}\n\nmodel Flag" in batched.body
    assert re.search(r"\n  tags +Int\[\]\n", batched.body) and batched.body.count("model User") == 1
    assert "  id   Int    @id\n" in batched.body  # trailing spaces dropped, as everywhere
