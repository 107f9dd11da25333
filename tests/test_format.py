"""`compose format`, and outputs that are a fixed point of Prisma's own formatter.

Outputs are made of formatted fragments; what compose lays out itself (merged `/// @extend`
declarations, datasource settings, generators from the manifest) must come out exactly as
`prisma format` would write it. Checked against the wasm formatter of Prisma 6 and 7, on the
example project, on hand-picked cases and on generated ones (hypothesis).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.sourcemap import OutputMap

from .fuzzing import run_in_process
from .helpers import BASE, compose, write_project
from .helpers import run_cli_inprocess as cli
from .prisma_checks import prisma_errors

ROOT = Path(__file__).resolve().parents[1]


def formatted(engine, text: str) -> str:
    [(_, out)] = engine.format([("schema.prisma", text)])
    return out


def outputs(root: Path, targets: list[str] | None = None) -> list[tuple[str, str]]:
    comp = compose(root, targets)
    return [(f.path, OutputMap(t, f).text) for t in comp.targets for f in t.files]


def assert_fixed_point(engine, root: Path, assert_prisma_valid=None) -> None:
    for path, text in outputs(root):
        assert formatted(engine, text) == text, f"{path} is not formatted:\n{text}"
        if assert_prisma_valid is not None:
            assert_prisma_valid(text)


MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
glob = "prisma/domains/*.prisma"

[targets.app]
output = "out/schema.prisma"
"""

# -- the example project ------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["6", "7"])
def test_example_outputs_are_a_fixed_point_of_prisma_format(
    request: pytest.FixtureRequest, version: str
) -> None:
    engine = request.getfixturevalue(f"prisma{version}")
    for output in ("prisma/schema.prisma", "engine/prisma/schema.prisma"):
        text = (ROOT / output).read_text()
        assert formatted(engine, text) == text, output


def test_example_fragments_are_formatted() -> None:
    result = cli(ROOT, "format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


# -- merged declarations, case by case ----------------------------------------------------------


USER = """
/// A person.
model User {
  id        String   @id @default(cuid())
  email     String   @unique
  createdAt DateTime @default(now()) // when they joined

  @@map("users")
}

enum Role {
  ADMIN  @map("admin")
  MEMBER
}
"""

CASES = {
    "longer field names": """
model Post {
  id       Int    @id
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}

/// @extend
model User {
  authoredPosts Post[]
}
""",
    "shorter names, doc and line comments, trailing comments": """
model Post {
  id       Int    @id
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}

/// @extend
model User {
  /// What they wrote.
  posts Post[]
  // kept for the old client
  nick  String? @db.VarChar(40) // optional
  bio   String?
}
""",
    "block attributes on a base that has some": """
/// @extend
model User {
  handle String

  @@unique([handle])
  @@index([createdAt])
}
""",
    "enum values with and without attributes": """
/// @extend
enum Role {
  SUPERVISOR @map("supervisor") // new
  GUEST
}
""",
    "non-ASCII in a type and a comment": """
/// @extend
model User {
  geo Unsupported("géographie")? // où
}
""",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_merged_declarations_are_formatted(
    tmp_path: Path, case: str, prisma6, prisma7, assert_prisma_valid
) -> None:
    write_project(tmp_path, {
        "prisma.compose.toml": MANIFEST,
        "prisma/base.prisma": BASE,
        "prisma/domains/a_user.prisma": USER,
        "prisma/domains/b_other.prisma": CASES[case],
    })
    # the fragments themselves are formatted (the premise)
    for fragment in ("prisma/domains/a_user.prisma", "prisma/domains/b_other.prisma"):
        text = (tmp_path / fragment).read_text()
        assert formatted(prisma6, text) == text, fragment
    assert_fixed_point(prisma6, tmp_path, assert_prisma_valid)
    assert_fixed_point(prisma7, tmp_path)


def test_block_attributes_added_to_a_base_without_any(tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    write_project(tmp_path, {
        "prisma.compose.toml": MANIFEST,
        "prisma/base.prisma": BASE,
        "prisma/domains/a.prisma": "model A {\n  id   Int    @id\n  name String\n}\n",
        "prisma/domains/b.prisma": "/// @extend\nmodel A {\n  slug String\n\n  @@unique([name, slug])\n}\n",
    })
    [(_, text)] = outputs(tmp_path)
    assert "  slug String\n\n  @@unique([name, slug])\n}" in text
    assert_fixed_point(prisma6, tmp_path, assert_prisma_valid)


def test_datasource_settings_are_formatted(tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    manifest = MANIFEST + """
[targets.app.datasource]
url = { env = "APP_URL" }
directUrl = { env = "APP_DIRECT_URL" }
relationMode = "prisma"
[targets.app.generators.client]
provider = "prisma-client-py"
recursive_type_depth = 5
"""
    base = BASE.replace('  url      = env("DATABASE_URL")\n', '  url      = env("DATABASE_URL") // main\n')
    write_project(tmp_path, {
        "prisma.compose.toml": manifest,
        "prisma/base.prisma": base,
        "prisma/domains/a.prisma": "model A {\n  id Int @id\n}\n",
    })
    [(_, text)] = outputs(tmp_path)
    assert '  url          = env("APP_URL") // main\n  directUrl    = env("APP_DIRECT_URL")\n' in text
    assert_fixed_point(prisma6, tmp_path, assert_prisma_valid)


def test_yaml_model_extended_is_formatted(tmp_path: Path, prisma6, assert_prisma_valid) -> None:
    write_project(tmp_path, {
        "prisma.compose.toml": MANIFEST + '[[fragments]]\nyaml = "prisma/entities/*.yaml"\n',
        "prisma/base.prisma": BASE,
        "prisma/entities/venue.yaml": """
            schema:
              name: Venue
              description: A place to play
            fields:
              - name: venue_id
                type: string
                primary_key: true
                default: cuid()
              - name: capacity
                type: integer
                index: true
            """,
        "prisma/domains/show.prisma": """
            model Show {
              id      Int    @id
              venueId String
              venue   Venue  @relation(fields: [venueId], references: [venue_id])
            }

            /// @extend
            model Venue {
              /// Every show played here.
              showsPlayedHere Show[]
            }
            """,
    })
    [(_, text)] = outputs(tmp_path)
    assert "  showsPlayedHere Show[]" in text
    assert_fixed_point(prisma6, tmp_path, assert_prisma_valid)


# -- merged declarations, generated -------------------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-zA-Z0-9]{0,14}", fullmatch=True)
SCALARS = st.sampled_from(
    ["String", "Int", "Boolean", "DateTime", "Float", "Json", "BigInt", "Decimal", "Bytes"]
)
MODIFIERS = st.sampled_from(["", "?", "[]"])
COMMENTS = st.sampled_from(["", "// note", "// a longer note: ünïcode"])
DOCS = st.sampled_from(["", "/// documented", "// plain comment"])


@st.composite
def field_lines(draw: st.DrawFn) -> tuple[str, str]:
    name = draw(NAMES)
    scalar = draw(SCALARS)
    modifier = draw(MODIFIERS)
    if scalar == "Json" and modifier == "[]":
        modifier = ""
    attrs = []
    if modifier != "[]" and draw(st.booleans()):
        attrs.append(f'@map("{name}_col")')
    if scalar == "String" and modifier == "" and draw(st.booleans()):
        attrs.insert(0, '@default("x")')
    comment = draw(COMMENTS)
    doc = draw(DOCS)
    line = f"{name} {scalar}{modifier} {' '.join(attrs)} {comment}".rstrip()
    return name, (f"{doc}\n" if doc else "") + line


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.lists(field_lines(), min_size=1, max_size=6, unique_by=lambda f: f[0].lower()),
    extra=st.lists(field_lines(), min_size=1, max_size=6, unique_by=lambda f: f[0].lower()),
    blank=st.booleans(),
)
def test_generated_merges_are_a_fixed_point(tmp_path_factory, prisma6, base, extra, blank) -> None:
    taken = {n.lower() for n, _ in base} | {"id"}
    extra = [(n, line) for n, line in extra if n.lower() not in taken]
    if not extra:
        return
    root = tmp_path_factory.mktemp("gen")
    own = "\n".join(line for _, line in base)
    gap = "\n\n" if blank else "\n"
    # Fragments are formatted first, as `compose format` leaves them.
    user = formatted(prisma6, f"model User {{\n  id String @id\n{own}{gap}  @@map(\"users\")\n}}\n")
    ext = formatted(prisma6, "/// @extend\nmodel User {\n" + "\n".join(line for _, line in extra) + "\n}\n")
    write_project(root, {
        "prisma.compose.toml": MANIFEST,
        "prisma/base.prisma": BASE,
        "prisma/domains/a.prisma": user,
        "prisma/domains/b.prisma": ext,
    })
    for path, text in outputs(root):
        assert formatted(prisma6, text) == text, f"{path}:\n{text}"
        assert prisma_errors(prisma6, text) == [], text


# -- compose format -----------------------------------------------------------------------------


UNFORMATTED = 'model User {\n  id String @id @default(cuid())\n  emailAddress String    @unique\n  n Int\n}\n'


def format_project(tmp_path: Path, **files: str) -> Path:
    return write_project(tmp_path, {
        "prisma.compose.toml": MANIFEST,
        "prisma/base.prisma": BASE,
        "prisma/domains/user.prisma": UNFORMATTED,
        **files,
    })


def test_format_in_place(tmp_path: Path, prisma6) -> None:
    format_project(tmp_path)
    path = tmp_path / "prisma/domains/user.prisma"
    result = cli(tmp_path, "format")
    assert result.returncode == 0, result.stderr
    assert "formatted prisma/domains/user.prisma" in result.stderr
    assert path.read_text() == formatted(prisma6, UNFORMATTED)
    assert "  emailAddress String @unique\n" in path.read_text()
    mtime = path.stat().st_mtime_ns
    again = cli(tmp_path, "format")
    assert again.returncode == 0 and "0 reformatted" in again.stderr
    assert path.stat().st_mtime_ns == mtime  # unchanged files are not rewritten


def test_format_check(tmp_path: Path) -> None:
    format_project(tmp_path)
    path = tmp_path / "prisma/domains/user.prisma"
    result = cli(tmp_path, "format", "--check")
    assert result.returncode == 1
    assert "--- a/prisma/domains/user.prisma\n+++ b/prisma/domains/user.prisma\n" in result.stdout
    assert "+  emailAddress String @unique" in result.stdout
    expected = "prisma/domains/user.prisma:2:1: error: `prisma/domains/user.prisma` is not formatted"
    assert expected in result.stderr
    assert path.read_text() == UNFORMATTED
    doc = json.loads(cli(tmp_path, "format", "--check", "--format", "json").stdout)
    assert doc["command"] == "format" and doc["exit_code"] == 1
    assert [d["code"] for d in doc["diagnostics"]] == ["E630"]
    assert {o["path"]: o["status"] for o in doc["outputs"]} == {
        "prisma/base.prisma": "formatted", "prisma/domains/user.prisma": "unformatted",
    }
    assert cli(tmp_path, "format").returncode == 0
    assert cli(tmp_path, "format", "--check").returncode == 0


def test_format_then_build_gives_formatted_outputs(tmp_path: Path, prisma6) -> None:
    format_project(tmp_path, **{"prisma/domains/post.prisma": (
        "model Post {\n id Int @id\n  authorId String\n"
        " author User @relation(fields: [authorId], references: [id])\n}\n"
        "/// @extend\nmodel User {\n posts Post[]\n}\n"
    )})
    assert cli(tmp_path, "format").returncode == 0
    assert cli(tmp_path, "build").returncode == 0
    text = (tmp_path / "out/schema.prisma").read_text()
    assert formatted(prisma6, text) == text


def test_format_never_adds_relation_fields(tmp_path: Path, prisma6) -> None:
    # Alone, this fragment validates but lacks User's back-relation: `prisma format` would add
    # `Post Post[]` to User. Here the back-relation comes from an @extend in another fragment.
    a = "model User {\n  id String @id\n}\n\nmodel Post {\n  id String @id\n  authorId String\n" \
        "  author User @relation(fields: [authorId], references: [id])\n}\n"
    assert "Post[]" in formatted(prisma6, a)  # what plain `prisma format` does to it
    format_project(tmp_path, **{
        "prisma/domains/user.prisma": a,
        "prisma/domains/zz.prisma": "/// @extend\nmodel User {\n  posts Post[]\n}\n",
    })
    assert cli(tmp_path, "format").returncode == 0
    text = (tmp_path / "prisma/domains/user.prisma").read_text()
    assert "Post[]" not in text and "  authorId String\n" in text
    assert cli(tmp_path, "build").returncode == 0


def test_format_refuses_a_syntax_error(tmp_path: Path) -> None:
    format_project(tmp_path, **{"prisma/domains/bad.prisma": "model Bad {\n  id Int @id\n  oops\n}\n"})
    result = cli(tmp_path, "format")
    assert result.returncode == 1
    assert "prisma/domains/bad.prisma:3:" in result.stderr
    assert (tmp_path / "prisma/domains/user.prisma").read_text() == UNFORMATTED  # nothing written


def test_format_keeps_crlf_and_bom(tmp_path: Path) -> None:
    format_project(tmp_path)
    path = tmp_path / "prisma/domains/user.prisma"
    path.write_bytes(b"\xef\xbb\xbf" + UNFORMATTED.replace("\n", "\r\n").encode())
    assert cli(tmp_path, "format").returncode == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b"  emailAddress String @unique\r\n" in data
    assert cli(tmp_path, "format", "--check").returncode == 0


def test_format_leaves_yaml_entities_alone(tmp_path: Path) -> None:
    venue = "schema:\n  name: Venue\nfields:\n  - name: id\n    type: string\n    primary_key: true\n"
    format_project(tmp_path, **{"prisma/entities/venue.yaml": venue})
    manifest = tmp_path / "prisma.compose.toml"
    manifest.write_text(manifest.read_text() + '[[fragments]]\nyaml = "prisma/entities/*.yaml"\n')
    result = cli(tmp_path, "format")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "prisma/entities/venue.yaml").read_text() == venue
    assert "2 fragment(s)" in result.stderr


def test_format_without_node(tmp_path: Path) -> None:
    format_project(tmp_path)
    result = cli(tmp_path, "format", PATH="")
    assert result.returncode == 2 and "Node.js" in result.stderr
    assert (tmp_path / "prisma/domains/user.prisma").read_text() == UNFORMATTED


# -- compose format never loses a token, a comment or a save (issue 12, items 1, 2 and 19) --------


def test_format_keeps_comments_on_a_block_opening_line(tmp_path: Path, prisma6, prisma7) -> None:
    # Prisma's formatter deletes them; compose puts them on the block's first line, where it keeps them.
    text = (
        "model User { // TODO(legal) LEG-42\n  id Int @id\n  name String\n}\n\n"
        "enum Role { // roles, see LEG-7\n  ADMIN\n  MEMBER\n}\n\n"
        "type Address { /* a composite */\n  street String\n}\n"
    )
    for engine in (prisma6, prisma7):
        assert "LEG-42" not in formatted(engine, text)  # what plain `prisma format` does
    format_project(tmp_path, **{"prisma/domains/user.prisma": text})
    path = tmp_path / "prisma/domains/user.prisma"
    result = run_in_process(tmp_path, "format")
    assert result.code == 0, result.stderr
    out = path.read_text()
    assert out.startswith("model User {\n  // TODO(legal) LEG-42\n  id   Int    @id\n")
    assert "enum Role {\n  // roles, see LEG-7\n  ADMIN\n" in out
    assert "a composite" in out
    assert formatted(prisma6, out) == out  # a fixed point of Prisma's formatter from now on
    assert run_in_process(tmp_path, "format", "--check").code == 0


def test_format_refuses_to_drop_a_doc_comment(tmp_path: Path) -> None:
    text = "model Doc { /// what it is\n  id Int @id\n}\n"
    format_project(tmp_path, **{"prisma/domains/doc.prisma": text})
    result = run_in_process(tmp_path, "format")
    assert result.code == 1
    where = "prisma/domains/doc.prisma:1:13: error: Prisma's formatter would remove `/// what it is`"
    assert where in result.stderr
    assert "  1 | model Doc { /// what it is\n    |             ^~~~~~~~~~~~~~" in result.stderr
    assert (tmp_path / "prisma/domains/doc.prisma").read_text() == text
    assert (tmp_path / "prisma/domains/user.prisma").read_text() == UNFORMATTED  # nothing written


def test_format_accepts_prismas_own_attribute_order(tmp_path: Path, prisma6) -> None:
    # Prisma sorts attributes (`@default @id` → `@id @default`, `@@index` after `@@unique`) and
    # lifts comment lines above the block attributes: nothing is lost, so that is formatting.
    text = (
        'model Post {\n  id String @map("_id") @default(cuid()) @id\n  slug String\n'
        "  @@index([slug])\n  @@unique([slug])\n  // a partial index exists too\n}\n"
    )
    format_project(tmp_path, **{"prisma/domains/post.prisma": text})
    assert run_in_process(tmp_path, "format").code == 0
    out = (tmp_path / "prisma/domains/post.prisma").read_text()
    assert out == formatted(prisma6, text)
    assert '@id @default(cuid()) @map("_id")' in out and "// a partial index exists too" in out


def test_format_writes_through_a_symlink_and_refuses_a_hard_link(tmp_path: Path, prisma6) -> None:
    project = format_project(tmp_path / "project")
    shared = tmp_path / "shared" / "user.prisma"  # a fragment shared by a symlink (README)
    shared.parent.mkdir()
    shared.write_text(UNFORMATTED)
    link = project / "prisma/domains/user.prisma"
    link.unlink()
    link.symlink_to(shared)
    assert run_in_process(project, "format").code == 0
    assert link.is_symlink() and os.readlink(link) == str(shared)
    assert shared.read_text() == formatted(prisma6, UNFORMATTED)
    link.unlink()
    shared.write_text(UNFORMATTED)
    os.link(shared, link)
    result = run_in_process(project, "format")
    assert result.code == 1
    assert "`prisma/domains/user.prisma` has 2 hard links" in result.stderr
    assert os.stat(link).st_ino == os.stat(shared).st_ino and shared.read_text() == UNFORMATTED


# Saves the fragment once `compose format` (pid argv[1]) has started Prisma's engine (a node
# child: the fragments are read by then, and nothing is written until it has ended).
SAVER = r"""
import os, sys, time
pid, path, text = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def child():
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        return True
            except (OSError, ValueError, IndexError):
                pass
    return False
deadline = time.monotonic() + 60
while not child():
    if time.monotonic() > deadline or not os.path.exists(f"/proc/{pid}"):
        sys.exit(2)
    time.sleep(0.001)
with open(path, "w") as fh:  # an editor's save
    fh.write(text)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to see Prisma's process start")
def test_format_never_loses_a_save_made_while_prisma_formats(tmp_path: Path) -> None:
    # A big fragment gives Prisma's formatter some time; a second process saves the fragment
    # while it runs, as an editor would. The save must survive, every time.
    big = "".join(f"model M{i} {{\n  id Int @id\n  name{i} String    @unique\n}}\n\n" for i in range(200))
    edited = UNFORMATTED.replace("n Int", "n Int // saved by the editor")
    hits = 0
    for n in range(3):
        root = format_project(tmp_path / f"round{n}", **{"prisma/domains/big.prisma": big})
        path = root / "prisma/domains/user.prisma"
        env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
        fmt = subprocess.Popen(
            [sys.executable, "-m", "composer", "format"], cwd=root, env=env, stderr=subprocess.PIPE, text=True
        )
        saver = subprocess.run([sys.executable, "-c", SAVER, str(fmt.pid), str(path), edited], timeout=120)
        _, stderr = fmt.communicate(timeout=120)
        assert saver.returncode == 0, "the saver never saw Prisma's engine start"
        assert path.read_text() == edited, f"round {n}: the editor's save was lost\n{stderr}"
        if fmt.returncode == 1:
            assert "`prisma/domains/user.prisma` changed on disk while Prisma's formatter ran" in stderr
            assert "formatted prisma/domains/big.prisma" in stderr  # the other files were formatted
            hits += 1
    assert hits >= 1  # the saves landed while Prisma ran (else this test proves nothing)
