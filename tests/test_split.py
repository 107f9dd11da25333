"""`compose split`: an existing schema becomes fragments plus a manifest, and building them gives
back the same Prisma datamodel.

The round trip runs over every real-world schema and every multi-file project of the corpus
(tests/corpus.py): split and build in-process (fast), then Prisma's own DMMF of the original and of the
built schema are compared (`normalize_datamodel`: declaration order is not part of the
comparison; field order, attributes, docs, defaults, names are), and so are the datasource and
generator blocks (`PrismaWasm.config`). A few subprocess runs check the real CLI.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import clustering, splitting
from composer.commands import build, split
from composer.diagnostics import ComposeError, Source
from composer.prisma_wasm import PrismaWasm

from .corpus import CORPUS, multi_file_project, multi_file_projects, real_world_schemas
from .fuzzing import run_in_process
from .helpers import BASE, fill_disk, remount_readonly, run_cli, run_cli_inprocess, tmpfs, write_project
from .prisma_checks import normalize_datamodel, prisma_errors

REAL_WORLD = real_world_schemas()
MULTI_FILE = multi_file_projects()

# Schemas that Prisma itself rejects (with Prisma 6 and 7): they have no datamodel to compare.
# For these the test checks that the built schema gets exactly the same errors from Prisma.
PRISMA_REJECTS = {
    # "Views cannot have primary keys."
    "teableio__teable__packages-db-main-prisma-prisma-template.prisma": "a mustache template",
}


# -- helpers -----------------------------------------------------------------------------------


def schema_files(path: Path) -> list[tuple[str, str]]:
    """A schema as Prisma reads it: one file, or every `.prisma` file below a folder."""
    if path.is_dir():
        return [
            (p.relative_to(path).as_posix(), p.read_text("utf-8")) for p in sorted(path.rglob("*.prisma"))
        ]
    return [("schema.prisma", path.read_text("utf-8"))]


def split_and_build(schema: Path, out: Path, *args: Any, **kwargs: Any) -> list[tuple[str, str]]:
    """`compose split` then `compose build`, in-process; returns the built schema's files."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = split.run(str(schema), str(out), *args, **kwargs)
        assert code == 0, err.getvalue()
        code = build.run([], str(out / "prisma.compose.toml"))
        assert code == 0, err.getvalue()
    single, folder = out / "prisma" / "schema.prisma", out / "prisma" / "schema"
    return schema_files(single if single.is_file() else folder)


def engine_for(files: list[tuple[str, str]], prisma6: PrismaWasm, prisma7: PrismaWasm) -> PrismaWasm | None:
    """The Prisma version that accepts the schema (Prisma 7 schemas have no datasource `url`)."""
    for engine in (prisma6, prisma7):
        if not prisma_errors(engine, files):
            return engine
    return None


def datamodel(engine: PrismaWasm, files: list[tuple[str, str]]) -> dict[str, Any]:
    # Documentation included exactly: its trailing spaces (refly, trigger.dev have
    # `/// Provider  `) survive split + build since issue 14.
    return normalize_datamodel(engine.dmmf(files))


def config(engine: PrismaWasm, files: list[tuple[str, str]]) -> dict[str, Any]:
    result = engine.config(files)["config"]
    for key in ("generators", "datasources"):
        for block in result[key]:
            block.pop("sourceFilePath", None)
    # Prisma repeats some warnings once per file of a multi-file schema.
    result["warnings"] = sorted(set(result["warnings"]))
    return result


def assert_same_schema(
    original: list[tuple[str, str]], built: list[tuple[str, str]], prisma6: PrismaWasm, prisma7: PrismaWasm
) -> None:
    engine = engine_for(original, prisma6, prisma7)
    assert engine is not None, "Prisma rejects the original schema"
    errors = prisma_errors(engine, built)
    assert not errors, f"Prisma {engine.major} rejects the built schema: {errors[0].message}"
    assert datamodel(engine, built) == datamodel(engine, original)
    assert config(engine, built) == config(engine, original)


# -- the round trip over the corpus ------------------------------------------------------------


def test_corpus_is_there() -> None:
    assert len(REAL_WORLD) >= 25, f"real-world corpus not found under {CORPUS}"
    assert len(MULTI_FILE) >= 5


@pytest.mark.parametrize("schema", REAL_WORLD, ids=lambda p: p.name.removesuffix(".prisma"))
def test_round_trip_real_world(
    schema: Path, tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm
) -> None:
    original = schema_files(schema)
    built = split_and_build(schema, tmp_path)
    if schema.name in PRISMA_REJECTS:
        assert engine_for(original, prisma6, prisma7) is None, "now valid: remove it from PRISMA_REJECTS"
        for engine in (prisma6, prisma7):
            assert sorted(d.message for d in prisma_errors(engine, built)) == sorted(
                d.message for d in prisma_errors(engine, original)
            )
        return
    assert_same_schema(original, built, prisma6, prisma7)


@pytest.mark.parametrize("project", MULTI_FILE, ids=lambda p: p.relative_to(CORPUS).as_posix())
@pytest.mark.parametrize("by", ["file", "related"])
def test_round_trip_multi_file(
    project: Path, by: str, tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm
) -> None:
    built = split_and_build(project, tmp_path, by=by)
    assert_same_schema(schema_files(project), built, prisma6, prisma7)


# The other groupings on a spread of schemas (one fragment per model stresses cross-fragment
# relations; prefixes give odd groups; a map comes from the default split of the same schema).
SAMPLE_PROJECTS = {
    "msgbyte",
    "hatchet-dev",
    "umami-software",
    "nextauthjs",
    "AntonioErdeljac",
    "epicweb-dev",
}
SAMPLE = [p for p in REAL_WORLD if p.name.split("__")[0] in SAMPLE_PROJECTS]


@pytest.mark.parametrize("schema", SAMPLE, ids=lambda p: p.name.split("__")[0])
@pytest.mark.parametrize("by", ["model", "prefix", "map"])
def test_round_trip_groupings(
    schema: Path, by: str, tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm
) -> None:
    if by == "map":
        plan = splitting.plan_split(splitting.read_input(schema))
        lines = [
            f'{item.name} = "{frag.name}"'
            for frag in plan.fragments
            for item in frag.items
            if item.keyword in ("model", "view")
        ]
        map_file = tmp_path / "map.toml"
        map_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        built = split_and_build(schema, tmp_path / "out", map_file=str(map_file))
    else:
        built = split_and_build(schema, tmp_path / "out", by=by)
    assert_same_schema(schema_files(schema), built, prisma6, prisma7)


# -- the fragments -----------------------------------------------------------------------------

SCHEMA = """\
// This is your Prisma schema file,
// learn more about it in the docs: https://pris.ly/d/prisma-schema

generator client {
  provider = "prisma-client-js"
}

datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

// ===== Accounts =====

/// A person who signs in.
model User {
  id       Int       @id @default(autoincrement())
  /// Unique, lower-case.
  email    String    @unique // checked by the app
  role     Role      @default(MEMBER)
  posts    Post[]
  sessions Session[]
}

model Session {
  id     String @id
  userId Int
  user   User   @relation(fields: [userId], references: [id])
}

enum Role {
  ADMIN
  MEMBER
}

// ===== Blog =====

model Post {
  id       Int        @id
  authorId Int
  author   User       @relation(fields: [authorId], references: [id])
  tags     Tag[]
  status   PostStatus
}

model Tag {
  id    Int    @id
  posts Post[]
}

enum PostStatus {
  DRAFT
  PUBLISHED
}

model AuditLog {
  id   Int    @id
  data Json
}

model Setting {
  key   String @id
  value String
}

// That's all, folks.
"""


def plan(text: str, **kwargs: Any) -> splitting.SplitResult:
    return splitting.plan_split([Source("schema.prisma", text)], **kwargs)


def fragments(result: splitting.SplitResult) -> dict[str, list[str]]:
    return {f.name: [i.name for i in f.items] for f in result.fragments}


def test_related_groups_and_names() -> None:
    result = plan(SCHEMA)
    assert fragments(result) == {
        "base": ["client", "db"],
        "user": ["User", "Session", "Role", "Post", "Tag", "PostStatus"],
        "standalone": ["AuditLog", "Setting"],
    }
    assert result.manifest.splitlines()[4:] == [
        "[compose]",
        "header = true",
        "",
        "[[fragments]]",
        'path = "prisma/fragments/base.prisma"',
        "",
        "[[fragments]]",
        'path = "prisma/fragments/user.prisma"',
        "",
        "[[fragments]]",
        'path = "prisma/fragments/standalone.prisma"',
        "",
        "[targets.schema]",
        'output = "prisma/schema.prisma"',
    ]


def test_comments_travel_with_their_declarations() -> None:
    result = plan(SCHEMA, by="model")
    texts = {f.name: f.text for f in result.fragments}
    assert texts["base"].startswith("// This is your Prisma schema file,\n// learn more")
    assert texts["user"].startswith("// ===== Accounts =====\n\n/// A person who signs in.\nmodel User {\n")
    assert "  /// Unique, lower-case.\n  email    String    @unique // checked by the app\n" in texts["user"]
    assert texts["post"].startswith("// ===== Blog =====\n\nmodel Post {")
    # Comments after the last declaration stay with it, a blank line apart.
    assert texts["setting"].endswith("}\n\n// That's all, folks.\n")


def test_by_model_shares_enums_used_by_several_fragments() -> None:
    text = SCHEMA.replace(
        "model Setting {\n  key   String @id", "model Setting {\n  key   String @id\n  role  Role"
    )
    assert fragments(plan(text, by="model")) == {
        "base": ["client", "db"],
        "user": ["User"],
        "enums": ["Role"],
        "session": ["Session"],
        "post": ["Post", "PostStatus"],
        "tag": ["Tag"],
        "audit-log": ["AuditLog"],
        "setting": ["Setting"],
    }


def test_by_prefix() -> None:
    text = (
        "model UserProfile {\n  id Int @id\n}\n\nmodel user_settings {\n  id Int @id\n}\n\n"
        "enum UserKind {\n  A\n}\n"
    )
    assert fragments(plan(text, by="prefix")) == {"user": ["UserProfile", "user_settings", "UserKind"]}


def test_large_components_are_cut_into_communities() -> None:
    # Two stars of 10 models each, joined by one relation: one component, two fragments.
    blocks = []
    for hub in ("Shop", "Blog"):
        blocks.append(
            f"model {hub} {{\n  id Int @id\n"
            + "".join(f"  items{i} {hub}Item{i}[]\n" for i in range(9))
            + (
                "  blog Blog?\n"
                if hub == "Shop"
                else "  shop Shop? @relation(fields: [shopId], references: [id])\n  shopId Int? @unique\n"
            )
            + "}\n"
        )
        for i in range(9):
            blocks.append(
                f"model {hub}Item{i} {{\n  id Int @id\n  hubId Int\n"
                f"  hub {hub} @relation(fields: [hubId], references: [id])\n}}\n"
            )
    result = plan("\n".join(blocks))
    assert sorted(fragments(result)) == ["blog", "shop"]
    assert all(len(names) == 10 for names in fragments(result).values())


def test_split_is_deterministic() -> None:
    text = REAL_WORLD[0].read_text("utf-8") if REAL_WORLD else SCHEMA
    assert plan(text).files == plan(text).files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IntegrationAccount", "integration-account"),
        ("website_event", "website-event"),
        ("OAuthClient", "oauth-client"),
        ("Model3DFile", "model3d-file"),
        ("APIToken", "api-token"),
        ("crm_Accounts", "crm-accounts"),
        ("Ünïcode", "unicode"),
        ("日本", "fragment"),
    ],
)
def test_fragment_names(name: str, expected: str) -> None:
    assert clustering.kebab(name) == expected


def test_splitting_a_composed_schema_drops_the_banner_and_section_headers(tmp_path: Path) -> None:
    composed = (
        "// DO NOT EDIT: generated by compose from prisma.compose.toml (target web)\n"
        "// Edit the fragments instead, then run `compose build web` to regenerate.\n"
        "// checksum: sha256:" + "0" * 64 + "\n\n" + BASE.lstrip("\n") + "\n"
        "// ---- fragment user (prisma/fragments/user.prisma) ----\n\n"
        "// Users.\nmodel User {\n  id Int @id\n}\n"
    )
    texts = {f.name: f.text for f in plan(composed).fragments}
    assert texts["base"].startswith("datasource db {")
    assert texts["user"] == "// Users.\nmodel User {\n  id Int @id\n}\n"


# -- map files ---------------------------------------------------------------------------------


def test_map_in_yaml_with_lists(tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    (tmp_path / "map.yaml").write_text(
        "accounts: [User, Session]\nblog: [Post, Tag]\nmisc:\n  - AuditLog\n  - Setting\nPostStatus: misc\n",
        encoding="utf-8",
    )
    result = splitting.split_path(tmp_path / "schema.prisma", tmp_path / "out", None, tmp_path / "map.yaml")
    assert fragments(result) == {
        "base": ["client", "db"],
        "accounts": ["User", "Session", "Role"],
        "blog": ["Post", "Tag"],
        "misc": ["PostStatus", "AuditLog", "Setting"],
    }
    built = split_and_build(
        tmp_path / "schema.prisma", tmp_path / "built", map_file=str(tmp_path / "map.yaml")
    )
    assert_same_schema(schema_files(tmp_path / "schema.prisma"), built, prisma6, prisma7)


def test_map_errors(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    (tmp_path / "map.toml").write_text(
        'Usr = "accounts"\nSession = "accounts"\nPost = "blog"\nTag = "bad name"\n', encoding="utf-8"
    )
    with pytest.raises(ComposeError) as info:
        splitting.split_path(tmp_path / "schema.prisma", tmp_path / "out", None, tmp_path / "map.toml")
    messages = [d.message for d in info.value.diagnostics]
    assert messages[0] == "`Usr` is no model, view, enum or type of the schema"
    assert info.value.diagnostics[0].hint == "did you mean `User`?"
    assert str(info.value.diagnostics[0].location) == f"{(tmp_path / 'map.toml').as_posix()}:1:1"
    assert messages[1].startswith('`Tag` maps to "bad name": expected a fragment name')
    assert messages[2].endswith("leaves out 4 model(s): User, Tag, AuditLog, Setting")


# -- the command -------------------------------------------------------------------------------


def test_cli_split_then_build(tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    result = run_cli_inprocess(tmp_path, "split", "schema.prisma", "--out", "project")
    assert result.returncode == 0, result.stderr
    assert "wrote project/prisma/fragments/user.prisma  (4 models, 2 enums)" in result.stderr
    assert "next: `compose build` in project" in result.stderr
    result = run_cli_inprocess(tmp_path / "project", "build")
    assert result.returncode == 0, result.stderr
    built = schema_files(tmp_path / "project" / "prisma" / "schema.prisma")
    assert_same_schema(schema_files(tmp_path / "schema.prisma"), built, prisma6, prisma7)
    # A second split into the same folder would overwrite the fragments: refused.
    again = run_cli_inprocess(tmp_path, "split", "schema.prisma", "--out", "project")
    assert again.returncode == 1
    assert "already holds `prisma/fragments/base.prisma`" in again.stderr
    assert "--force" in again.stderr
    forced = run_cli_inprocess(
        tmp_path, "split", "schema.prisma", "--out", "project", "--by", "model", "--force"
    )
    assert forced.returncode == 0, forced.stderr


def test_cli_folder_input(tmp_path: Path, prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    project = multi_file_project("hoppscotch__hoppscotch")
    result = run_cli_inprocess(tmp_path, "split", str(project), "--out", "out")
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "out" / "prisma.compose.toml").read_text()
    assert 'path = "prisma/fragments/models/team.prisma"' in manifest
    assert 'output = "prisma/schema/"' in manifest
    assert run_cli_inprocess(tmp_path / "out", "build").returncode == 0
    built = schema_files(tmp_path / "out" / "prisma" / "schema")
    assert_same_schema(schema_files(project), built, prisma6, prisma7)


def test_cli_dry_run_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    result = run_cli_inprocess(tmp_path, "split", "schema.prisma", "--out", "out", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would write out/prisma/fragments/user.prisma" in result.stderr
    assert "    User, Session, Role, Post, Tag, PostStatus\n" in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_errors(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.prisma": "model User {\n  id Int @id\n  name: String\n}\n"})
    broken = run_cli_inprocess(tmp_path, "split", "schema.prisma", "--out", "out")
    assert broken.returncode == 1
    assert "schema.prisma:3:7" in broken.stderr
    assert not (tmp_path / "out").exists()
    assert run_cli(tmp_path, "split", "schema.prisma", "--out", "out", "--by", "table").returncode == 2
    by_map = run_cli_inprocess(tmp_path, "split", "schema.prisma", "--out", "out", "--by", "map")
    assert by_map.returncode == 2
    missing = run_cli_inprocess(tmp_path, "split", "nope.prisma", "--out", "out")
    assert missing.returncode == 1
    assert "`nope.prisma` does not exist" in missing.stderr


def test_duplicate_declarations_are_reported(tmp_path: Path) -> None:
    text = "model User {\n  id Int @id\n}\n\nmodel User {\n  id Int @id\n}\n"
    with pytest.raises(ComposeError) as info:
        plan(text)
    assert info.value.diagnostics[0].message == "the schema is invalid: `User` is declared twice"


# -- properties --------------------------------------------------------------------------------

WORDS = ["User", "Post", "Tag", "Team", "Order", "Item", "Invoice", "Event", "Log", "Shop"]


@st.composite
def schemas(draw: st.DrawFn) -> str:
    """Random valid-looking schemas: models named from a few words (shared prefixes), foreign keys
    with their back-relations, enums used by some models, some unused."""
    names = draw(
        st.lists(
            st.tuples(st.sampled_from(WORDS), st.sampled_from(["", *WORDS])),
            min_size=1,
            max_size=30,
            unique=True,
        )
    )
    models = [a + b for a, b in names]
    models = list(dict.fromkeys(models))
    enums = [f"{m}Kind" for m in draw(st.lists(st.sampled_from(models), max_size=4, unique=True))]
    fields: dict[str, list[str]] = {m: ["  id Int @id"] for m in models}
    relations = draw(st.lists(st.tuples(st.sampled_from(models), st.sampled_from(models)), max_size=40))
    for n, (owner, target) in enumerate(relations):
        if owner == target:
            continue
        fields[owner].append(f"  r{n}Id Int")
        fields[owner].append(f'  r{n} {target} @relation("r{n}", fields: [r{n}Id], references: [id])')
        fields[target].append(f'  back{n} {owner}[] @relation("r{n}")')
    for enum in enums:
        for user in draw(st.lists(st.sampled_from(models), max_size=3, unique=True)):
            fields[user].append(f"  e{enum} {enum}")
    blocks = [BASE.strip("\n") + "\n"]
    blocks += [f"model {m} {{\n" + "\n".join(fields[m]) + "\n}\n" for m in models]
    blocks += [f"enum {e} {{\n  A\n  B\n}}\n" for e in enums]
    order = draw(st.permutations(range(1, len(blocks))))
    return "\n".join([blocks[0], *(blocks[i] for i in order)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=schemas(), by=st.sampled_from(["related", "model", "prefix"]))
def test_every_declaration_lands_in_exactly_one_fragment(text: str, by: str) -> None:
    source = Source("schema.prisma", text)
    result = splitting.plan_split([source], by=by)
    placed = [item.name for frag in result.fragments for item in frag.items]
    declared = [d.name for d in splitting.parse_all([source])[0].declarations]
    assert sorted(placed) == sorted(declared)
    assert len({f.name.casefold() for f in result.fragments}) == len(result.fragments)
    assert splitting.self_check(result.schemas, splitting.compose_plan(result, Path("/project"))) == []
    assert splitting.plan_split([source], by=by).files == result.files


# -- writing: all or nothing, located errors, no file lost (issue 12, item 18) -----------------------


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_split_with_a_file_in_the_way(tmp_path: Path) -> None:
    write_project(tmp_path, {"schema.prisma": SCHEMA, "out/prisma": "a file where a folder must go\n"})
    before = tree(tmp_path)
    result = run_in_process(tmp_path, "split", "schema.prisma", "--out", "out")
    assert result.code == 1
    assert "Traceback" not in result.stderr
    assert "`out/prisma` is a file, where a folder must go; nothing was written" in result.stderr
    assert tree(tmp_path) == before  # no fragment without its manifest, no manifest without its fragments


@pytest.mark.parametrize("fault", ["read-only", "full"])
def test_split_on_a_read_only_or_full_file_system(tmp_path: Path, fault: str) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    with tmpfs(tmp_path / "out", size="64k") as out:
        (out / "keep.txt").write_text("the user's file\n")
        if fault == "read-only":
            remount_readonly(out)
            reason = "Read-only file system"
        else:
            fill_disk(out)
            reason = "No space left on device"
        before = tree(out)
        result = run_in_process(tmp_path, "split", "schema.prisma", "--out", "out")
        assert result.code == 1
        assert "Traceback" not in result.stderr
        assert "error: cannot write `out/prisma/" in result.stderr
        assert f": {reason}; nothing was written" in result.stderr
        assert tree(out) == before and not list(out.rglob(".*.tmp")) and not (out / "prisma").exists()


def test_split_a_file_named_with_a_backslash(tmp_path: Path, assert_prisma_valid) -> None:
    write_project(tmp_path, {
        "schema/base.prisma": BASE,
        "schema/back\\slash.prisma": "model A {\n  id Int @id\n}\n",
        "schema/back-slash.prisma": "model B {\n  id Int @id\n}\n",
    })
    result = run_in_process(tmp_path, "split", "schema", "--out", "out")
    assert result.code == 0, result.stderr
    manifest = (tmp_path / "out/prisma.compose.toml").read_text()
    assert 'path = "prisma/fragments/back-slash-2.prisma"' in manifest
    copied = (tmp_path / "out/prisma/fragments/back-slash-2.prisma").read_text()
    assert copied == "model A {\n  id Int @id\n}\n"
    built = run_in_process(tmp_path / "out", "build")
    assert built.code == 0, built.stderr
    assert_prisma_valid([(p.name, p.read_text()) for p in (tmp_path / "out/prisma/schema").glob("*.prisma")])


def test_split_force_keeps_what_it_replaces(tmp_path: Path) -> None:
    (tmp_path / "schema.prisma").write_text(SCHEMA, encoding="utf-8")
    assert run_in_process(tmp_path, "split", "schema.prisma", "--out", "out").code == 0
    base = tmp_path / "out/prisma/fragments/base.prisma"
    edited = "// my note\n" + base.read_text()
    base.write_text(edited)
    (tmp_path / "out/prisma/fragments/base.prisma.bak").write_text("an older backup\n")
    result = run_in_process(tmp_path, "split", "schema.prisma", "--out", "out", "--force")
    assert result.code == 0, result.stderr
    kept = "kept the old out/prisma/fragments/base.prisma as out/prisma/fragments/base.prisma.bak.1"
    assert kept in result.stderr
    assert (tmp_path / "out/prisma/fragments/base.prisma.bak.1").read_text() == edited
    assert (tmp_path / "out/prisma/fragments/base.prisma.bak").read_text() == "an older backup\n"


def test_split_without_out_is_a_usage_error(tmp_path):
    (tmp_path / "schema.prisma").write_text(BASE)
    done = run_cli_inprocess(tmp_path, "split", "schema.prisma")
    assert done.returncode == 2, done.stderr
    assert "--out" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.prisma"]
