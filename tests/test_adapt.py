"""Targets adapt the fragments to their own provider (composer/adapt/, docs/providers.md).

Every adapted output is checked by Prisma 6 and 7; the capabilities in composer/providers.py are
checked against Prisma's validator for each provider, so a Prisma release that changes one of them
fails here rather than in a user's build.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from composer.diagnostics import ComposeError
from composer.providers import PROVIDERS

from .helpers import compose, run_cli, write_project

RELATIONAL = ("postgresql", "mysql", "sqlserver", "sqlite", "cockroachdb")

FRAGMENT = """
datasource db {
  provider   = "postgresql"
  url        = env("DATABASE_URL")
  extensions = [pg_trgm]
  schemas    = ["public", "auth"]
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["postgresqlExtensions", "multiSchema"]
}

enum Role {
  USER
  ADMIN

  @@schema("auth")
}

/// A person who signs in.
model User {
  id        String   @id(map: "user_pk") @default(uuid()) @db.Uuid
  email     String   @unique @db.VarChar(255)
  bio       String?  @db.Text
  role      Role     @default(USER)
  roles     Role[]   @default([USER])
  tags      String[] @default(["new"])
  scores    Int[]
  settings  Json     @default("{}") @db.JsonB
  summary   String?  @db.VarChar(300000)
  createdAt DateTime @default(now()) @db.Timestamptz(6)
  posts     Post[]

  @@index([email(ops: raw("text_pattern_ops"))])
  @@index([settings], type: Gin)
  @@schema("auth")
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String @db.VarChar(300000)
  authorId String @db.Uuid
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)

  @@index([title], type: Hash)
  @@schema("public")
}
"""


def project(tmp_path: Path, provider: str, adapt: str = "", fragment: str = FRAGMENT) -> Path:
    """One target per Prisma major: Prisma 7 takes no `url` in the datasource."""
    targets = ""
    for major, url in (("6", ""), ("7", "url = false\n")):
        targets += f'[targets.t{major}]\noutput = "out{major}.prisma"\n'
        targets += f'[targets.t{major}.datasource]\nprovider = "{provider}"\n{url}'
        if adapt:
            targets += f"[targets.t{major}.adapt]\n{adapt}\n"
    return write_project(
        tmp_path,
        {"f.prisma": fragment, "prisma.compose.toml": f'[[fragments]]\npath = "f.prisma"\n{targets}'},
    )


def outputs(root: Path) -> dict[str, str]:
    comp = compose(root)
    return {t.target.name: t.files[0].body for t in comp.targets}


ALL = 'lists = "json"\nenums = "string"\njson = "string"'


def line_of(text: str) -> int:
    """The line of FRAGMENT (as written to f.prisma) that holds `text`."""
    lines = textwrap.dedent(FRAGMENT).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


COCKROACH = FRAGMENT.replace("Int    @id @default(autoincrement())", "BigInt @id @default(autoincrement())")


@pytest.mark.parametrize("provider", ["sqlite", "mysql", "sqlserver", "cockroachdb"])
def test_adapted_outputs_are_valid_for_prisma_6_and_7(tmp_path, provider, assert_prisma_valid):
    fragment = COCKROACH if provider == "cockroachdb" else FRAGMENT
    bodies = outputs(project(tmp_path, provider, ALL, fragment))
    assert_prisma_valid(bodies["t6"], "6")
    assert_prisma_valid(bodies["t7"], "7")


def test_sqlite_output(tmp_path, snapshot, assert_prisma_valid):
    body = outputs(project(tmp_path, "sqlite", ALL))["t6"]
    assert_prisma_valid(body, "6")
    assert body == snapshot
    # what SQLite cannot hold is gone, and nothing else
    for gone in (
        "@db.",
        "@@schema",
        "extensions",
        "schemas",
        "type: Gin",
        "type: Hash",
        "ops:",
        'map: "user_pk"',
    ):
        assert gone not in body
    assert "/// A person who signs in." in body
    assert 'tags      Json     @default("[\\"new\\"]")' in body
    assert 'roles     Json     @default("[\\"USER\\"]")' in body
    assert "enum Role" in body  # SQLite has enums


def test_sqlserver_stores_enums_and_json_as_strings(tmp_path, assert_prisma_valid):
    body = outputs(project(tmp_path, "sqlserver", ALL))["t6"]
    assert_prisma_valid(body, "6")
    assert "enum Role" not in body
    assert 'role      String   @default("USER")' in body
    assert 'settings  String   @default("{}")' in body
    assert "@db.UniqueIdentifier" in body  # Uuid's faithful equivalent
    assert "@db.DateTimeOffset(6)" not in body  # SQL Server's DateTimeOffset takes no precision
    assert "summary   String?  @db.NVarChar(Max)" in body  # Unicode, longer than NVarChar(4000) takes
    assert "title    String\n" in body  # VarChar(Max) cannot be indexed: dropped


def test_mysql_keeps_what_it_has_and_maps_equivalents(tmp_path, assert_prisma_valid):
    body = outputs(project(tmp_path, "mysql", ALL))["t6"]
    assert_prisma_valid(body, "6")
    assert "@db.VarChar(255)" in body  # same name and arguments: kept
    assert "@db.DateTime(6)" in body  # Timestamptz → DateTime (MySQL's Timestamp ends in 2038)
    assert "summary   String?  @db.LongText" in body  # longer than MySQL's VarChar takes
    assert "title    String\n" in body  # LongText cannot be indexed: dropped
    assert 'settings  Json     @default("{}") @db.Json\n' in body  # JsonB → Json


@pytest.mark.parametrize(
    ("provider", "message", "key"),
    [
        ("sqlite", "`User.roles` is a list, and sqlite has no scalar lists", "lists"),
        ("mysql", "`User.tags` is a list, and mysql has no scalar lists", "lists"),
        ("sqlserver", "`User.role` is an enum, and sqlserver has no enums", "enums"),
    ],
)
def test_what_cannot_be_held_is_an_error_at_the_field(tmp_path, provider, message, key):
    root = project(tmp_path, provider)
    with pytest.raises(ComposeError) as exc:
        compose(root)
    found = [d for d in exc.value.diagnostics if message in d.message]
    assert found, [d.message for d in exc.value.diagnostics]
    d = found[0]
    assert d.location is not None and d.location.file == "f.prisma"
    field_name = message.split("`")[1].split(".")[1]
    assert d.location.line == line_of(f"  {field_name} ")
    assert f"{key} = " in (d.hint or "")


def test_every_refusal_of_a_build_is_reported_at_once(tmp_path, assert_prisma_valid):
    """A `Role[]` on SQL Server is refused for the enum and for the list, each with its choice,
    and a cycle of actions with them: one build says all (the list, then the cycle, came only
    once the enum choice was set). Where the field goes once the list is stored as `Json` is
    known only with that choice: `Json` is refused after it, not before."""
    fragment = PG + (
        "enum Role {\n  USER\n}\n\n"
        "model A {\n  id    Int    @id\n  roles Role[]\n  bId   Int\n"
        "  b     B      @relation(fields: [bId], references: [id], onDelete: Cascade)\n"
        '  bs    B[]    @relation("back")\n}\n\n'
        "model B {\n  id  Int @id\n  aId Int\n"
        '  a   A   @relation("back", fields: [aId], references: [id], onDelete: Cascade)\n  as  A[]\n}\n'
    )

    def found(adapt: str) -> list[tuple[int, str, str]]:
        diagnostics = [d for d in refusal(tmp_path, fragment, "sqlserver", adapt) if "`t6`" in d.message]
        got = [(d.location.line, d.message.partition(": ")[2], d.hint or "") for d in diagnostics]
        return sorted(got, key=lambda one: one[0])  # in the order found on a line

    roles, relation = fragment_line(fragment, "roles"), fragment_line(fragment, "onDelete")
    got = found("")
    assert [(line, message) for line, message, _ in got] == [
        (fragment_line(fragment, "enum Role"), "enum `Role`: sqlserver has no enums"),
        (roles, "`A.roles` is an enum, and sqlserver has no enums"),
        (roles, "`A.roles` is a list, and sqlserver has no scalar lists"),
        (relation, "the referential actions of this relation form a cycle (A → B → A), which SQL Server "
         "refuses (in either relation mode)"),
    ], got
    assert ['enums = "string"' in got[1][2], 'lists = "json"' in got[2][2]] == [True, True]
    got = found('lists = "json"')
    assert [message for line, message, _ in got if line == roles] == [
        "`A.roles` is an enum, and sqlserver has no enums",
        "`A.roles` is `Json`, and sqlserver has no `Json` type",
    ], got
    bodies = adapt_one(tmp_path, fragment, "sqlserver", f'{ALL}\nreferential_actions = "no_action"')
    assert_prisma_valid(bodies["t6"], "6")
    assert_prisma_valid(bodies["t7"], "7")


def test_a_field_refused_for_its_type_is_refused_for_its_default_too(tmp_path, assert_prisma_valid):
    """A default in SQL is refused on any type: with the field's own refusal, not after its choice
    is set. The target's default of a refused field is no key "that names no field" (it does)."""
    fragment = PG + (
        "model A {\n  id   Int      @id\n  tags String[] @default(dbgenerated(\"'{}'\"))\n"
        '  n    Json     @default("{}")\n}\n'
    )
    found = refusal(tmp_path, fragment, "sqlserver", "defaults = { \"A.n\" = '\"[]\"' }")
    got = sorted((d.location.line, d.location.column, d.message) for d in found if "`t6`" in d.message)
    tags, n = fragment_line(fragment, "tags"), fragment_line(fragment, "  n ")
    assert [(line, message.partition(": ")[2]) for line, _, message in got] == [
        (tags, "`A.tags` is a list, and sqlserver has no scalar lists"),
        (tags, "`A.tags` has a default computed by SQL of another database (`dbgenerated(\"'{}'\")`)"),
        (n, "`A.n` is `Json`, and sqlserver has no `Json` type"),
    ], got
    bodies = adapt_one(tmp_path, fragment.replace("dbgenerated(\"'{}'\")", "[]"), "sqlserver")
    assert_prisma_valid(bodies["t6"], "6")
    assert_prisma_valid(bodies["t7"], "7")


def test_sqlserver_json_without_a_choice_is_an_error(tmp_path):
    root = project(tmp_path, "sqlserver", 'lists = "json"\nenums = "string"')
    with pytest.raises(ComposeError) as exc:
        compose(root)
    assert any("`User.settings` is `Json`" in d.message for d in exc.value.diagnostics)


def test_a_default_in_sql_of_another_database_is_refused(tmp_path):
    fragment = FRAGMENT.replace("@default(uuid())", '@default(dbgenerated("gen_random_uuid()"))')
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "sqlite", ALL, fragment))
    d = exc.value.diagnostics[0]
    assert "`User.id` has a default computed by SQL of another database" in d.message, d.message
    assert (d.location.file, d.location.line) == ("f.prisma", line_of("@id(map"))
    assert "uuid()" in (d.hint or "")


def test_autoincrement_on_int_is_refused_on_cockroachdb(tmp_path):
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "cockroachdb", ALL))
    d = exc.value.diagnostics[0]
    assert "`Post.id` uses `autoincrement()` on `Int`" in d.message
    assert d.location.line == line_of("autoincrement")


def test_autoincrement_off_the_id_is_refused_on_sqlite(tmp_path):
    fragment = FRAGMENT.replace(
        "  scores    Int[]\n", "  scores    Int[]\n  serial    Int      @default(autoincrement())\n"
    )
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "sqlite", ALL, fragment))
    assert "`User.serial` uses `autoincrement()`" in exc.value.diagnostics[0].message


def test_sqlserver_cascade_cycles_are_refused(tmp_path):
    fragment = FRAGMENT.replace(
        "  posts     Post[]\n",
        "  posts     Post[]\n  pinnedId  Int?\n"
        '  pinned    Post?    @relation("pin", fields: [pinnedId], references: [id])\n',
    ).replace(
        "  authorId String @db.Uuid\n", '  authorId String @db.Uuid\n  pinnedBy User[]  @relation("pin")\n'
    )
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "sqlserver", ALL, fragment))
    assert "form a cycle" in exc.value.diagnostics[0].message
    assert "NoAction" in (exc.value.diagnostics[0].hint or "")


# Two cascade paths from `Org` to `Task` (Org → Task, Org → Project → Task): SQL Server's foreign
# keys refuse it, Prisma's emulation (`relationMode = "prisma"`) does not.
TWO_PATHS = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model Org {
  id       Int       @id
  projects Project[]
  tasks    Task[]
}

model Project {
  id    Int    @id
  orgId Int
  org   Org    @relation(fields: [orgId], references: [id], onDelete: Cascade)
  tasks Task[]
}

model Task {
  id        Int     @id
  orgId     Int
  projectId Int
  org       Org     @relation(fields: [orgId], references: [id], onDelete: Cascade)
  project   Project @relation(fields: [projectId], references: [id], onDelete: Cascade)
}
"""


def test_two_cascade_paths_on_sqlserver_are_refused_with_the_emulate_choice(tmp_path):
    found = refusal(tmp_path, TWO_PATHS, "sqlserver")
    assert found[0].code == "E403" and "along more than one path" in found[0].message
    assert 'referential_actions = "emulate"' in (found[0].hint or "")


def test_emulate_sets_relation_mode_prisma_where_sqlserver_needs_it(tmp_path, assert_prisma_valid):
    """`referential_actions = "emulate"`: the SQL Server target gets `relationMode = "prisma"`
    (Prisma Client carries out the cascades), said by a note at the relation; Prisma 6 and 7
    accept it, and the actions are the fragment's, unchanged."""
    root = project(tmp_path, "sqlserver", 'referential_actions = "emulate"', textwrap.dedent(TWO_PATHS))
    comp = compose(root)
    for t in comp.targets:
        body = t.files[0].body
        assert 'relationMode = "prisma"' in body
        assert body.count("onDelete: Cascade") == 3
        assert_prisma_valid(body, t.target.name[1])
        assert "relations emulated" in (t.adapted or "")
        emulated = [n for n in t.notes if "relationMode" in n.message]
        assert emulated and emulated[0].location.file == "f.prisma"


def test_emulate_leaves_foreign_keys_where_the_database_holds_the_actions(tmp_path):
    """SQLite and MySQL take several cascade paths: the choice changes nothing there."""
    for provider in ("sqlite", "mysql"):
        bodies = adapt_one(tmp_path / provider, TWO_PATHS, provider, 'referential_actions = "emulate"')
        assert all("relationMode" not in body for body in bodies.values())


def test_emulate_does_not_override_the_targets_own_relation_mode(tmp_path):
    root = project(tmp_path, "sqlserver", 'referential_actions = "emulate"', textwrap.dedent(TWO_PATHS))
    manifest = root / "prisma.compose.toml"
    own = 'provider = "sqlserver"\nrelationMode = "foreignKeys"\n'
    manifest.write_text(manifest.read_text().replace('provider = "sqlserver"\n', own))
    with pytest.raises(ComposeError) as exc:
        compose(root)
    assert "along more than one path" in exc.value.diagnostics[0].message


def test_cycles_stay_refused_with_emulate(tmp_path, prisma6):
    """Prisma refuses a cycle of actions on SQL Server in either relation mode (checked here, so
    a Prisma release that lifts it shows up): emulating would not help, so it is an error."""
    fragment = PG + (
        "model A {\n  id Int @id\n  bId Int\n"
        "  b B @relation(fields: [bId], references: [id], onDelete: Cascade)\n"
        "  bs B[] @relation(\"back\")\n}\n\n"
        "model B {\n  id Int @id\n  aId Int\n  a A @relation(\"back\", fields: [aId], references: [id], "
        "onDelete: Cascade)\n  as A[]\n}\n"
    )
    found = refusal(tmp_path, fragment, "sqlserver", 'referential_actions = "emulate"')
    assert "form a cycle (A → B → A)" in found[0].message or "form a cycle (B → A → B)" in found[0].message
    emulated = fragment.replace(
        'provider = "postgresql"', 'provider = "sqlserver"\n  relationMode = "prisma"'
    )
    assert any("cycle" in d.message for d in prisma6.validate(emulated) if d.is_error)


def diamond_chain(n: int) -> list[str]:
    """Models M0 … Mn, each Mi reached from M(i-1) through Li and through Ri, every relation
    cascading: n diamonds, 2^n paths from M0 to Mn."""
    models = ["model M0 {\n  id Int @id\n  l1 L1[]\n  r1 R1[]\n}\n"]
    for i in range(1, n + 1):
        for side in "LR":
            models.append(
                f"model {side}{i} {{\n  id Int @id\n  pId Int\n"
                f"  p M{i - 1} @relation(fields: [pId], references: [id], onDelete: Cascade)\n"
                f"  m{i} M{i}[]\n}}\n"
            )
        models.append(
            f"model M{i} {{\n  id Int @id\n  lId Int\n  rId Int\n"
            f"  l L{i} @relation(fields: [lId], references: [id], onDelete: Cascade)\n"
            f"  r R{i} @relation(fields: [rId], references: [id], onDelete: Cascade)\n"
            + (f"  l{i + 1} L{i + 1}[]\n  r{i + 1} R{i + 1}[]\n" if i < n else "")
            + "}\n"
        )
    return models


def test_the_cascade_walk_visits_each_model_once(tmp_path):
    """A chain of diamonds has 2^n paths: walking them all (as a walk without a visited set
    does when only cycles are looked for, under `relationMode = "prisma"`) would never end."""
    models = diamond_chain(40)
    fragment = PG.replace('provider = "postgresql"', 'provider = "postgresql"\n  relationMode = "prisma"')
    bodies = adapt_one(tmp_path, fragment + "\n".join(models), "sqlserver")
    assert all('relationMode = "prisma"' in body for body in bodies.values())


def test_mongodb_is_out_of_scope(tmp_path):
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "mongodb", ALL))
    d = exc.value.diagnostics[0]
    assert "MongoDB and relational databases" in d.message
    assert d.location.file == "prisma.compose.toml"


def test_a_provider_prisma_does_not_know_is_an_error_at_the_key(tmp_path):
    """`provider = "sqllite"`: nothing to adapt to, and the output as written is one Prisma
    refuses; an error at the manifest's key, with the name meant."""
    with pytest.raises(ComposeError) as exc:
        compose(project(tmp_path, "sqllite", ALL))
    d = exc.value.diagnostics[0]
    assert "sets the provider `sqllite`, which Prisma does not know" in d.message
    assert (d.location.file, d.location.line) == ("prisma.compose.toml", 6)  # `provider = …`
    assert d.hint == "did you mean `sqlite`?"


def test_adapt_false_keeps_todays_output(tmp_path):
    root = project(tmp_path, "sqlite")
    manifest = root / "prisma.compose.toml"
    manifest.write_text(
        manifest.read_text().replace("[targets.t6.datasource]", "adapt = false\n[targets.t6.datasource]")
    )
    text = manifest.read_text()
    manifest.write_text(text.replace("[targets.t7]", "[targets.t7]\nadapt = false", 1))
    body = outputs(root)["t6"]
    assert "@db.Uuid" in body and "String[]" in body and 'provider   = "sqlite"' in body


def test_same_provider_changes_nothing(tmp_path):
    body = outputs(project(tmp_path, "postgresql"))["t6"]
    assert "@db.Uuid" in body and "@@schema" in body and "type: Gin" in body


def test_yaml_entity_lists_follow_the_same_rule(tmp_path, assert_prisma_valid):
    entity = """
    schema:
      name: Tagged
    fields:
      - name: id
        type: integer
        primary_key: true
      - name: labels
        type: list[string]
    """
    base = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
    manifest = """
    [[fragments]]
    path = "base.prisma"
    [[fragments]]
    yaml = "e/*.yaml"
    [targets.pg]
    output = "pg.prisma"
    [targets.lite]
    output = "lite.prisma"
    [targets.lite.datasource]
    provider = "sqlite"
    """
    root = write_project(
        tmp_path, {"base.prisma": base, "e/tagged.yaml": entity, "prisma.compose.toml": manifest}
    )
    with pytest.raises(ComposeError) as exc:
        compose(root)
    d = exc.value.diagnostics[0]
    assert "`Tagged.labels` is a list" in d.message
    assert (d.location.file, d.location.line) == ("e/tagged.yaml", 7)
    (root / "prisma.compose.toml").write_text(
        (root / "prisma.compose.toml").read_text() + '[targets.lite.adapt]\nlists = "json"\n'
    )
    bodies = outputs(root)
    assert "labels Json" in bodies["lite"]
    assert "labels String[]" in bodies["pg"]
    assert_prisma_valid(bodies["lite"], "6")


def test_each_change_is_a_note_at_the_fragment_line(tmp_path):
    comp = compose(project(tmp_path, "sqlite", ALL))
    target = comp.targets[0]
    assert target.adapted is not None and "native types dropped" in target.adapted
    notes = target.notes
    assert notes and all(n.severity == "info" and n.location is not None for n in notes)
    by_message = {n.message: n.location for n in notes}
    uuid = next(loc for msg, loc in by_message.items() if "`@db.Uuid` dropped" in msg and "User.id" in msg)
    assert (uuid.file, uuid.line) == ("f.prisma", line_of("@db.Uuid"))


def test_build_prints_a_summary_and_json_lists_the_changes(tmp_path):
    root = project(tmp_path, "sqlite", ALL)
    done = run_cli(root, "build", COMPOSE_NO_CACHE="1")
    assert done.returncode == 0, done.stderr
    summary = [line for line in done.stderr.splitlines() if "adapted to its provider" in line]
    assert len(summary) == 2 and summary[0].startswith("compose: t6: adapted to its provider: ")
    assert "native types dropped" in summary[0] and "lists stored as Json" in summary[0]
    done = run_cli(root, "build", "--force", "--format", "json", COMPOSE_NO_CACHE="1")
    doc = json.loads(done.stdout)
    infos = [d for d in doc["diagnostics"] if d["severity"] == "info"]
    assert infos and all(d["file"] == "f.prisma" and d["line"] for d in infos)


def test_the_summary_counts_each_enum_once_and_its_fields_apart(tmp_path):
    """FRAGMENT's `Role`, extended in a second fragment, is one enum left out on SQL Server; its
    fields are `role` (now a `String`) and `roles` (a list, counted with the lists). The summary
    said "2 enums stored as String" for the block and the field, 3 with the `@extend` block."""
    root = project(tmp_path, "sqlserver", ALL)
    (root / "g.prisma").write_text("/// @extend\nenum Role {\n  GUEST\n}\n")
    manifest = root / "prisma.compose.toml"
    second = 'path = "f.prisma"\n[[fragments]]\npath = "g.prisma"\n'
    manifest.write_text(manifest.read_text().replace('path = "f.prisma"\n', second))
    target = compose(root).targets[0]
    assert target.adapted is not None
    assert "1 enum fields stored as String, 1 enums left out, " in target.adapted, target.adapted
    assert "3 lists stored as Json" in target.adapted  # roles, tags, scores
    left_out = [n for n in target.notes if "enum `Role` left out" in n.message]
    assert [n.location.file for n in left_out] == ["f.prisma", "g.prisma"]  # noted at each block


@pytest.mark.parametrize(
    ("adapt", "message"),
    [
        ('adapt = "yes"', "targets.t.adapt"),
        ('[targets.t.adapt]\nlists = "csv"', "targets.t.adapt.lists"),
        ('[targets.t.adapt]\nlist = "json"', "did you mean"),
    ],
)
def test_manifest_errors(tmp_path, adapt, message):
    manifest = f'[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "o.prisma"\n{adapt}\n'
    root = write_project(tmp_path, {"f.prisma": FRAGMENT, "prisma.compose.toml": manifest})
    with pytest.raises(ComposeError) as exc:
        compose(root)
    rendered = "\n".join(d.render() for d in exc.value.diagnostics)
    assert message in rendered
    assert "prisma.compose.toml:" in rendered


# -- the facts of composer/providers.py, against Prisma's validator ----------------------------


def _schema(provider: str, body: str, preview: str = "") -> str:
    schemas = '  schemas = ["a"]\n' if "@@schema" in body else ""
    return (
        f'datasource db {{\n  provider = "{provider}"\n  url = env("X")\n{schemas}}}\n'
        f'generator c {{\n  provider = "prisma-client-js"\n  previewFeatures = [{preview}]\n}}\n{body}'
    )


CAPABILITIES = {
    "lists": "model A {\n  id Int @id\n  tags String[]\n}\n",
    "enums": "model A {\n  id Int @id\n  r R\n}\nenum R {\n  X\n}\n",
    "json": "model A {\n  id Int @id\n  j Json\n}\n",
    "multi_schema": 'model A {\n  id Int @id\n  @@schema("a")\n}\n',
    "fulltext": "model A {\n  id Int @id\n  t String\n  @@fulltext([t])\n}\n",
    "operator_classes": 'model A {\n  id Int @id\n  t String\n  @@index([t(ops: raw("x"))], type: Gin)\n}\n',
    "index_length": "model A {\n  id Int @id\n  t String\n  @@index([t(length: 10)])\n}\n",
    "clustered": "model A {\n  id Int @id(clustered: false)\n}\n",
    "primary_key_names": 'model A {\n  id Int @id(map: "pk")\n}\n',
    "bytes_ids": "model A {\n  id Bytes @id\n}\n",
    "default_names": 'model A {\n  id Int @id\n  n Int @default(1, map: "df")\n}\n',
    "primary_key_sort": "model A {\n  id Int @id(sort: Desc)\n}\n",
    "autoincrement_multiple": (
        "model A {\n  id BigInt @id @default(autoincrement())\n"
        "  n BigInt @unique @default(autoincrement())\n}\n"
    ),
}


@pytest.mark.parametrize("provider", RELATIONAL)
def test_capabilities_agree_with_prisma(provider, prisma6):
    facts = PROVIDERS[provider]
    for capability, body in CAPABILITIES.items():
        preview = '"fullTextIndex"' if capability == "fulltext" else ""
        accepted = not [d for d in prisma6.validate(_schema(provider, body, preview)) if d.is_error]
        expected = getattr(facts, capability)
        if capability == "operator_classes":  # needs `type: Gin` as well
            expected = expected and "Gin" in facts.index_types
        assert accepted == expected, (provider, capability)
    for kind in ("BTree", "Hash", "Gin"):
        body = f"model A {{\n  id Int @id\n  t Json\n  @@index([t], type: {kind})\n}}\n"
        if kind != "Gin":
            body = body.replace("t Json", "t String")
        errors = [d for d in prisma6.validate(_schema(provider, body)) if d.is_error]
        assert (kind in facts.index_types) == (not errors), (provider, kind, errors[:1])


_ARGS = {"": "", "?": "", "1": "(1)", "?2": "(10, 2)", "?M": "", "1M": "(10)"}


@pytest.mark.parametrize("provider", RELATIONAL)
def test_native_types_agree_with_prisma(provider, prisma6):
    """Every native type of the table, on each scalar type it lists, is accepted by Prisma; the same
    name on another scalar is refused (so the scalar lists are not too wide either)."""
    fields = []
    for i, (name, (shape, scalars)) in enumerate(sorted(PROVIDERS[provider].native_types.items())):
        for scalar in sorted(scalars):
            fields.append(f"  f{i}{scalar} {scalar}? @db.{name}{_ARGS[shape]}")
    body = "model A {\n  id Int @id\n" + "\n".join(fields) + "\n}\n"
    errors = [d.message for d in prisma6.validate(_schema(provider, body)) if d.is_error]
    assert not errors, errors[:3]


# -- the corpus: every real schema Prisma accepts on PostgreSQL, on the other providers ------------

TALLY_PROVIDERS = ("sqlite", "mysql", "sqlserver")


def _corpus_projects() -> list[tuple[str, list[tuple[str, str]]]]:
    """(name, [(file name, text)]) for each real-world schema and multi-file project on PostgreSQL."""
    from .corpus import multi_file_projects, real_world_schemas

    found = [(p.stem, [(p.name, p.read_text(encoding="utf-8"))]) for p in real_world_schemas()]
    for folder in multi_file_projects():
        paths = sorted(folder.rglob("*.prisma"))
        files = [(str(f.relative_to(folder)), f.read_text(encoding="utf-8")) for f in paths]
        found.append((folder.name, files))
    postgres = 'provider = "postgresql"'
    return [(name, files) for name, files in found if any(postgres in " ".join(t.split()) for _, t in files)]


def _tally_project(root: Path, files: list[tuple[str, str]], provider: str, mode: str) -> Path:
    """The corpus schemas are Prisma 6 schemas (`url` in the datasource): one target, for Prisma 6."""
    manifest = "".join(f'[[fragments]]\npath = "s/{name}"\n' for name, _ in files)
    manifest += f'[targets.t]\noutput = "out.prisma"\n[targets.t.datasource]\nprovider = "{provider}"\n'
    if mode != "defaults":
        manifest += f"[targets.t.adapt]\n{ALL}\n"
    if mode in ("emulate", "translated"):
        manifest += 'referential_actions = "emulate"\n'
    if mode in ("no_action", "no_action_translated"):
        manifest += 'referential_actions = "no_action"\n'
    for name, text in files:
        (root / "s" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "s" / name).write_text(text, encoding="utf-8")
    (root / "prisma.compose.toml").write_text(manifest, encoding="utf-8")
    return root


# Each refusal's kind, from its message: whether it is the target's lack that a choice stores
# otherwise, or a change of meaning that stays refused (docs/providers.md, "Measured on the corpus").
_REFUSAL_KINDS = (
    ("computed by SQL of another database", "dbgenerated SQL default (meaning: stays refused)"),
    ("uses `autoincrement()`", "autoincrement() off the key (the database cannot)"),
    ("uses `sequence()`", "sequence() (CockroachDB only)"),
    ("form a self-relation", "action cycle, self-relation (SQL Server, either relation mode)"),
    ("form a cycle", "action cycle (SQL Server, either relation mode)"),
    ("along more than one path", 'two cascade paths (choice: referential_actions = "emulate")'),
    ("has no enums", 'enum (choice: enums = "string")'),
    ("is a list", 'scalar list (choice: lists = "json")'),
    ("has no `Json` type", 'Json (choice: json = "string")'),
    ("more digits than", "Decimal wider than the database holds"),
    ("in the primary key", "Bytes primary key (SQL Server)"),
)


def _refusal_kind(message: str) -> str:
    return next((kind for text, kind in _REFUSAL_KINDS if text in message), "other: " + message[:80])


# A user's own translation of the PostgreSQL SQL defaults in the corpus (mode "translated"):
# what the E402 hint asks for, in `[targets.X.adapt.defaults]`. Compose never does this itself.
_PORTABLE = {"gen_random_uuid()": "uuid()", "CLOCK_TIMESTAMP()": "now()"}
_SQL_DEFAULT = re.compile(
    r"`(\w+\.\w+)` has a default computed by SQL of another database \(`dbgenerated\(\"(.*)\"\)`\)"
)


def _translated(root: Path) -> Path:
    """The tally project with the target's defaults for its `dbgenerated` fields (when the
    portable one is known), as a user would set them after reading the errors."""
    try:
        compose(root)
    except ComposeError as exc:
        found = [_SQL_DEFAULT.search(d.message) for d in exc.diagnostics]
        pairs = [(f.group(1), _PORTABLE[f.group(2)]) for f in found if f and f.group(2) in _PORTABLE]
        if pairs:
            table = "".join(f'"{key}" = "{value}"\n' for key, value in pairs)
            manifest = root / "prisma.compose.toml"
            manifest.write_text(manifest.read_text() + "[targets.t.adapt.defaults]\n" + table)
    return root


@pytest.mark.parametrize(
    "mode", ["defaults", "chosen", "emulate", "translated", "no_action", "no_action_translated"]
)
def test_corpus_on_every_provider(tmp_path, mode, prisma6):
    """Each real schema Prisma accepts on PostgreSQL, composed for SQLite, MySQL and SQL Server:
    either Prisma accepts the output, or compose stops with an error at a fragment line. Nothing
    else. `chosen`: lists, enums and Json stored as Json/String; `emulate`: that, and
    `referential_actions = "emulate"`; `translated`: that, and the target's own defaults for the
    SQL defaults (`_PORTABLE`); `no_action` and `no_action_translated`: `chosen` and `translated`
    with `referential_actions = "no_action"` instead of "emulate". Prints the tally and the kind of
    every refusal, project by project (pytest -s)."""
    tally: dict[tuple[str, str], int] = {}
    refusals: list[str] = []
    kinds: dict[str, int] = {}
    other: list[str] = []
    for i, (name, files) in enumerate(_corpus_projects()):
        if [d for d in prisma6.validate(files) if d.is_error]:
            continue
        for provider in TALLY_PROVIDERS:
            root = _tally_project(tmp_path / f"{i}-{provider}", files, provider, mode)
            if mode.endswith("translated"):
                root = _translated(root)
            try:
                comp = compose(root)
            except ComposeError as exc:
                for d in exc.diagnostics:
                    if d.location is None or not d.location.file.startswith("s/"):
                        other.append(f"{provider} {name}: unlocated {d.message}")
                found = sorted({_refusal_kind(d.message) for d in exc.diagnostics})
                count = len(exc.diagnostics)
                refusals.append(f"  {name[:60]:60} {provider:9} {count:3} × {'; '.join(found)}")
                for kind in found:
                    kinds[kind] = kinds.get(kind, 0) + 1
                tally[provider, "refused"] = tally.get((provider, "refused"), 0) + 1
                continue
            errors = [d for d in prisma6.validate(comp.targets[0].files[0].body) if d.is_error]
            if errors:
                other.append(f"{provider} {name}: Prisma rejects: {errors[0].message[:200]}")
            tally[provider, "accepted"] = tally.get((provider, "accepted"), 0) + 1
            changed = re.search(r"(\d+) relations given `NoAction`", comp.targets[0].adapted or "")
            if changed:
                given = f"accepted, {changed[1]} relations given NoAction"
                refusals.append(f"  {name[:60]:60} {provider:9} {given}")
    print(f"\nadapting the corpus ({mode}):")
    for provider in TALLY_PROVIDERS:
        ok, refused = tally.get((provider, "accepted"), 0), tally.get((provider, "refused"), 0)
        print(f"  {provider:10} accepted {ok:3}  refused {refused:3}")
    print("  refused targets, by kind:", dict(sorted(kinds.items())))
    print("\n".join(refusals))
    assert not other, "\n".join(other)
    assert not [k for k in kinds if k.startswith("other")], kinds
    assert sum(tally.values()) >= 3 * 10  # the corpus holds enough PostgreSQL schemas to mean something


def test_prisma_errors_on_an_adapted_target_point_at_the_fragment(tmp_path):
    """`compose validate` on an adapted target: Prisma's error is reported at the fragment line
    it came from, though the output's lines moved (a dropped `@@schema` line, edited fields)."""
    fragment = FRAGMENT.replace(
        "  @@index([title], type: Hash)\n", "  @@index([title], type: Hash)\n  @@index([nope])\n"
    )
    root = project(tmp_path, "sqlite", ALL, fragment)
    done = run_cli(root, "validate", "t6", "--format", "json")
    assert done.returncode == 1, done.stderr
    doc = json.loads(done.stdout)
    errors = [d for d in doc["diagnostics"] if d["severity"] == "error"]
    assert errors, doc
    assert {(d["file"], d["line"]) for d in errors} == {
        ("f.prisma", line_of("@@index([title], type: Hash)") + 1)
    }
    assert "nope" in errors[0]["message"]


def test_prisma_errors_on_an_adapted_line_keep_their_columns(tmp_path):
    """An error Prisma finds on a line adapting rewrote (its `@db.VarChar` dropped before it) is at
    the column of the fragment as written, its span too (it was the line's indent, one wide)."""
    written = "  title    String @db.VarChar(300000) @default(1)"
    fragment = FRAGMENT.replace("  title    String @db.VarChar(300000)\n", written + "\n")
    done = run_cli(project(tmp_path, "sqlite", ALL, fragment), "validate", "t6", "--format", "json")
    assert done.returncode == 1, done.stderr
    [error] = [d for d in json.loads(done.stdout)["diagnostics"] if d["severity"] == "error"]
    assert "@default" in error["message"], error
    line, column = line_of("title    String"), written.index("@default") + 1
    where = (error["file"], error["line"], error["column"], error["end"])
    assert where == ("f.prisma", line, column, {"line": line, "column": column + len("@default(1)")}), error


def test_a_target_can_set_a_default_in_place_of_sql(tmp_path, assert_prisma_valid):
    fragment = FRAGMENT.replace("@default(uuid())", '@default(dbgenerated("gen_random_uuid()"))')
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        f'[targets.t.datasource]\nprovider = "sqlite"\n[targets.t.adapt]\n{ALL}\n'
        '[targets.t.adapt.defaults]\n"User.id" = "uuid()"\n'
    )
    root = write_project(tmp_path, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    comp = compose(root)
    body = comp.targets[0].files[0].body
    assert "id        String   @id @default(uuid())" in body
    assert_prisma_valid(body, "6")
    assert any("`targets.t.adapt.defaults`" in n.message for n in comp.targets[0].notes)
    (root / "prisma.compose.toml").write_text(manifest.replace('"User.id"', '"User.nope"'))
    with pytest.raises(ComposeError) as exc:
        compose(root)
    found = [d for d in exc.value.diagnostics if "`User.nope`, which is no field" in d.message]
    assert found and found[0].location.file == "prisma.compose.toml"


# -- attacks: what a hostile user (or a real schema) does to adapting ------------------------------


def adapt_one(tmp_path: Path, fragment: str, provider: str, adapt: str = ALL) -> dict[str, str]:
    """The outputs (Prisma 6 and 7 targets) of one fragment adapted to `provider`."""
    return outputs(project(tmp_path, provider, adapt, textwrap.dedent(fragment)))


def refusal(tmp_path: Path, fragment: str, provider: str, adapt: str = ALL) -> list:
    with pytest.raises(ComposeError) as exc:
        adapt_one(tmp_path, fragment, provider, adapt)
    for d in exc.value.diagnostics:
        assert d.location is not None and d.location.file == "f.prisma", d.render()
    return exc.value.diagnostics


PG = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\n'


def fragment_line(fragment: str, text: str) -> int:
    lines = textwrap.dedent(fragment).lstrip("\n").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_bytes_in_a_primary_key_is_refused_on_sqlserver(tmp_path):
    fragment = PG + "model A {\n  id Bytes @id\n}\n\nmodel B {\n  a Bytes\n  b Int\n\n  @@id([a, b])\n}\n"
    found = refusal(tmp_path, fragment, "sqlserver")
    lines = sorted({d.location.line for d in found})
    assert lines == [fragment_line(fragment, "id Bytes"), fragment_line(fragment, "a Bytes")]
    assert "`A.id` is `Bytes` in the primary key" in found[0].message


def test_json_lists_on_cockroachdb_follow_the_lists_rule(tmp_path, assert_prisma_valid):
    """CockroachDB has scalar lists, but not `Json[]`: an error, or `Json` with `lists = "json"`,
    its default the JSON array of the items' values (not of their texts)."""
    fields = '  id BigInt @id\n  j  Json[] @default(["{\\"a\\": 1}", "[]"])\n  s  String[]\n'
    fragment = PG + f"model A {{\n{fields}}}\n"
    found = refusal(tmp_path / "e", fragment, "cockroachdb", adapt="")
    assert "`A.j` is a list, and cockroachdb has no lists of `Json`" in found[0].message
    assert found[0].location.line == fragment_line(fragment, "Json[]")
    bodies = adapt_one(tmp_path / "j", fragment, "cockroachdb")
    assert 'j  Json     @default("[{\\"a\\":1},[]]")' in bodies["t6"]
    assert "s  String[]" in bodies["t6"]  # other lists stay lists there
    assert_prisma_valid(bodies["t6"], "6")
    assert_prisma_valid(bodies["t7"], "7")
    lite = adapt_one(tmp_path / "l", fragment, "sqlite")["t6"]
    assert '@default("[{\\"a\\":1},[]]")' in lite


@pytest.mark.parametrize(
    ("provider", "body", "accepted"),
    [
        # CockroachDB takes `autoincrement()` on any `BigInt`, and on nothing else
        ("cockroachdb", "id BigInt @id\n  n  BigInt @unique @default(autoincrement())", True),
        ("cockroachdb", "id BigInt @id\n  n  BigInt @default(autoincrement())", True),
        ("cockroachdb", "id BigInt @id\n  n  Int    @unique @default(autoincrement())", False),
        # MySQL: on the first field of a key or index only
        ("mysql", "a  Int @default(autoincrement())\n  b  Int\n\n  @@id([b, a])", False),
        ("mysql", "id Int @id\n  a  Int @default(autoincrement())\n  b  Int\n\n  @@index([b, a])", False),
        ("mysql", "id Int @id\n  a  Int @default(autoincrement())\n  b  Int\n\n  @@unique([a, b])", True),
        # SQLite: on the id, which may be a one-field `@@id`
        ("sqlite", "a  Int @default(autoincrement())\n\n  @@id([a])", True),
        ("sqlite", "a  Int @default(autoincrement())\n  b  Int\n\n  @@id([a, b])", False),
    ],
)
def test_autoincrement_where_each_provider_takes_it(tmp_path, provider, body, accepted, prisma6):
    fragment = PG + f"model A {{\n  {body}\n}}\n"
    assert not [d for d in prisma6.validate(fragment) if d.is_error]
    if accepted:
        out = adapt_one(tmp_path, fragment, provider)["t6"]
        assert not [d.message for d in prisma6.validate(out) if d.is_error]
    else:
        found = refusal(tmp_path, fragment, provider)
        assert "uses `autoincrement()`" in found[0].message
        assert found[0].location.line == fragment_line(fragment, "autoincrement")


@pytest.mark.parametrize(("provider", "accepted"), [("mysql", False), ("sqlserver", True)])
def test_a_second_autoincrement_in_a_model_where_the_target_takes_one(tmp_path, provider, accepted, prisma6):
    """PostgreSQL takes a serial on any number of fields; MySQL one per table (Prisma refuses the
    second, "used multiple times on this model"): an error at the second, not an invalid output."""
    fragment = (
        PG + "model A {\n  id Int @id @default(autoincrement())\n"
        "  n  Int @unique @default(autoincrement())\n}\n"
    )
    assert not [d for d in prisma6.validate(fragment) if d.is_error]
    if accepted:
        out = adapt_one(tmp_path, fragment, provider)["t6"]
        assert not [d.message for d in prisma6.validate(out) if d.is_error]
        return
    found = refusal(tmp_path, fragment, provider)[0]
    assert "`A.n` uses `autoincrement()` as `A.id` does, and mysql allows one per model" in found.message
    assert found.location.line == fragment_line(fragment, "n  Int")
    assert "`A.id` alone" in (found.hint or "")


@pytest.mark.parametrize("provider", ["sqlite", "mysql"])
def test_a_target_default_of_autoincrement_where_the_target_refuses_it_is_an_error_at_the_key(
    tmp_path, provider, prisma6
):
    """The target's own `autoincrement()` meets the rules a fragment's does (off the key on SQLite
    and MySQL, a second one in the model): else the output is one Prisma rejects. The hint of a
    refused `sequence()` offers it only where the target takes it."""
    fragment = (
        'datasource db {\n  provider = "cockroachdb"\n  url      = env("DATABASE_URL")\n}\n\n'
        "model A {\n  id BigInt @id @default(sequence())\n  n  BigInt @default(sequence())\n}\n"
    )
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        f'[targets.t.datasource]\nprovider = "{provider}"\n'
    )
    root = write_project(tmp_path, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    with pytest.raises(ComposeError) as exc:
        compose(root)
    hints = [d.hint for d in sorted(exc.value.diagnostics, key=lambda d: d.location.line)]
    assert ['"A.id" = "autoincrement()"' in (h or "") for h in hints] == [True, False], hints
    defaults = '[targets.t.adapt.defaults]\n"A.id" = "autoincrement()"\n"A.n" = "autoincrement()"\n'
    (root / "prisma.compose.toml").write_text(manifest + defaults)
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    assert "the default `autoincrement()`, and `A.n` would then use `autoincrement()`" in d.message
    assert (d.location.file, d.location.line) == ("prisma.compose.toml", 9)
    defaults = defaults.replace('"A.n" = "autoincrement()"', '"A.n" = "0"')
    (root / "prisma.compose.toml").write_text(manifest + defaults)
    out = compose(root).targets[0].files[0].body
    assert not [d.message for d in prisma6.validate(out) if d.is_error]


@pytest.mark.parametrize(("provider", "accepted"), [("mysql", False), ("sqlserver", True)])
def test_a_second_autoincrement_that_an_extend_block_adds_is_refused_where_the_target_takes_one(
    tmp_path, provider, accepted, assert_prisma_valid
):
    """The target takes one `autoincrement()` per model as merged: one on `@id` in the model's
    block, one in an `/// @extend` block of another fragment is a second (each block alone passed,
    and Prisma refused the output). An `@extend` that writes the id again as it is adds none."""
    base = PG + "model A {\n  id Int @id @default(autoincrement())\n}\n"
    extend = (
        "/// @extend\nmodel A {\n  id  Int @id @default(autoincrement())\n  name String\n}\n\n"
        "/// @extend\nmodel A {\n  seq Int @unique @default(autoincrement())\n}\n"
    )
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[[fragments]]\npath = "g.prisma"\n[targets.t]\n'
        f'output = "out.prisma"\n[targets.t.datasource]\nprovider = "{provider}"\n'
    )
    root = write_project(tmp_path, {"f.prisma": base, "g.prisma": extend, "prisma.compose.toml": manifest})
    if accepted:
        assert_prisma_valid(compose(root).targets[0].files[0].body)
        return
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    assert str(d.location) == f"g.prisma:{fragment_line(extend, 'seq Int')}:28", d.render()
    assert "`A.seq` uses `autoincrement()` as `A.id` does, and mysql allows one per model" in d.message
    assert "target `t`" in d.message and "`A.id` alone" in (d.hint or "")
    # the target's own default is the way out; its `autoincrement()` there is the second one again
    for value, refused in (('"0"', False), ('"autoincrement()"', True)):
        defaults = f'[targets.t.adapt.defaults]\n"A.seq" = {value}\n'
        (root / "prisma.compose.toml").write_text(manifest + defaults)
        if not refused:
            assert_prisma_valid(compose(root).targets[0].files[0].body)
            continue
        with pytest.raises(ComposeError) as exc:
            compose(root)
        [d] = exc.value.diagnostics
        assert (d.location.file, d.location.line, d.code) == ("prisma.compose.toml", 10, "E404"), d.render()
        assert "`A.seq` would then use `autoincrement()` as `A.id` does" in d.message
    # the model's one on a `@unique` field, an `@extend` (in a fragment before) adds the `@id`
    base = PG + "model A {\n  n Int @unique @default(autoincrement())\n}\n"
    extend = "/// @extend\nmodel A {\n  id Int @id @default(autoincrement())\n}\n"
    manifest = manifest.replace('"f.prisma"', '"h.prisma"').replace('"g.prisma"', '"f.prisma"')
    files = {"f.prisma": base, "h.prisma": extend, "prisma.compose.toml": manifest}
    root = write_project(tmp_path / "2", files)
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    assert str(d.location) == "h.prisma:3:23", d.render()
    assert "`A.id` uses `autoincrement()` as `A.n` does" in d.message


@pytest.mark.parametrize("provider", ["mysql", "sqlite"])
@pytest.mark.parametrize("aside", ["// not the @id", '@map("the @id")', "/* @id */"])
@pytest.mark.parametrize("extend", [False, True])
def test_an_id_in_a_comment_or_a_string_hides_no_autoincrement(
    tmp_path, provider, aside, extend, assert_prisma_valid
):
    """Which blocks the rules read is decided from their text: an `@id` in a comment or a string
    on a line with an `autoincrement()` off the key made the block skipped, and the second
    `autoincrement()` (in the block, or added by an `/// @extend` block) was written, which
    Prisma refuses. The field's own `@id` with such a comment is taken as it was."""
    key = "  id  Int @id @default(autoincrement())\n"
    seq = f"  seq Int @unique @default(autoincrement()) {aside}\n"
    if extend:
        files = {"f.prisma": PG + f"model A {{\n{key}}}\n", "g.prisma": f"/// @extend\nmodel A {{\n{seq}}}\n"}
    else:
        files = {"f.prisma": PG + f"model A {{\n{key}{seq}}}\n"}
    manifest = "".join(f'[[fragments]]\npath = "{name}"\n' for name in files) + (
        f'[targets.t]\noutput = "out.prisma"\n[targets.t.datasource]\nprovider = "{provider}"\n'
    )
    root = write_project(tmp_path, {**files, "prisma.compose.toml": manifest})
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    name = "g.prisma" if extend else "f.prisma"
    line = fragment_line(files[name], "seq Int")
    assert str(d.location) == f"{name}:{line}:{seq.index('autoincrement') + 1}", d.render()
    why = "as `A.id` does, and mysql allows one" if provider == "mysql" else "sqlite allows only on an `@id`"
    assert d.message.startswith(f"target `t` ({provider}): `A.seq` uses `autoincrement()`"), d.message
    assert why in d.message, d.message
    (root / name).write_text(files[name].replace(seq, "").replace(key, key.rstrip("\n") + f" {aside}\n"))
    assert_prisma_valid(compose(root).targets[0].files[0].body)


@pytest.mark.parametrize(("provider", "key"), [("mysql", "@@unique([seq])"), ("sqlite", "@@id([seq])")])
def test_an_autoincrement_keyed_in_another_block_of_its_model_is_taken(
    tmp_path, provider, key, assert_prisma_valid
):
    """The key that lets MySQL (the first field of an `@@unique`) or SQLite (a one-field `@@id`)
    take an `autoincrement()` may be in the model's block while an `/// @extend` block adds the
    field: the model as merged is what Prisma checks (it was refused)."""
    base = PG + f"model A {{\n  id Int\n\n  {key}\n  @@unique([id])\n}}\n"
    extend = "/// @extend\nmodel A {\n  seq Int @default(autoincrement())\n}\n"
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[[fragments]]\npath = "g.prisma"\n[targets.t]\n'
        f'output = "out.prisma"\n[targets.t.datasource]\nprovider = "{provider}"\n'
    )
    root = write_project(tmp_path, {"f.prisma": base, "g.prisma": extend, "prisma.compose.toml": manifest})
    body = compose(root).targets[0].files[0].body
    assert_prisma_valid(body)
    assert "seq Int @default(autoincrement())" in body


@pytest.mark.parametrize("provider", ["postgresql", "mysql", "sqlite", "cockroachdb"])
def test_sqlserver_default_constraint_names_are_dropped_elsewhere(tmp_path, provider, assert_prisma_valid):
    fragment = (
        'datasource db {\n  provider = "sqlserver"\n  url      = env("DATABASE_URL")\n}\n\n'
        'enum Role {\n  USER\n  ADMIN\n}\n\n'
        'model A {\n  id   Int     @id\n'
        '  n    Int     @default(1, map: "DF_A_n") // counted\n'
        '  role Role    @default(USER, map: "DF_A_role")\n}\n'
    )
    comp = compose(project(tmp_path, provider, ALL, fragment))
    body = comp.targets[0].files[0].body
    assert "map:" not in body
    assert "@default(1) // counted" in body and "@default(USER)" in body
    assert_prisma_valid(body, "6")
    assert_prisma_valid(comp.targets[1].files[0].body, "7")
    notes = [n for n in comp.targets[0].notes if "`map: \"DF_A_n\"` dropped" in n.message]
    assert notes and notes[0].location.line == fragment_line(fragment, "DF_A_n")


@pytest.mark.parametrize(
    ("source", "provider", "field", "expected"),
    [
        # SQL Server's VarChar, Char and Text are not Unicode: a PostgreSQL or MySQL text is NVarChar
        ("postgresql", "sqlserver", "String @db.VarChar(100)", "@db.NVarChar(100)"),
        ("postgresql", "sqlserver", "String @db.VarChar", "@db.NVarChar(Max)"),  # unbounded
        ("postgresql", "sqlserver", "String @db.Char(3)", "@db.NChar(3)"),
        ("postgresql", "sqlserver", "String @db.Text", "@db.NVarChar(Max)"),
        ("mysql", "sqlserver", "String @db.Text", "@db.NVarChar(Max)"),
        ("cockroachdb", "sqlserver", "String @db.String", "@db.NVarChar(Max)"),
        # a Decimal without arguments is any precision on PostgreSQL, Decimal(10, 0) on MySQL
        ("postgresql", "mysql", "Decimal @db.Decimal", ""),
        ("postgresql", "sqlserver", "Decimal @db.Decimal", ""),
        ("mysql", "sqlserver", "Decimal @db.Decimal", "@db.Decimal(10, 0)"),
        ("sqlserver", "mysql", "Decimal @db.Decimal", "@db.Decimal(18, 0)"),
        # MySQL's Text holds 64 KB, an unbounded VarChar is no VarChar(191)
        ("postgresql", "mysql", "String @db.Text", "@db.LongText"),
        ("postgresql", "mysql", "String @db.VarChar", "@db.LongText"),
        ("cockroachdb", "mysql", "String @db.String", "@db.LongText"),
        ("cockroachdb", "mysql", "String @db.String(40)", "@db.VarChar(40)"),
        ("sqlserver", "mysql", "String @db.NVarChar(300)", "@db.VarChar(300)"),
        ("sqlserver", "mysql", "String @db.NVarChar(Max)", "@db.LongText"),
        # the precision of a time: microseconds on PostgreSQL, seconds for MySQL's DateTime
        ("postgresql", "mysql", "DateTime @db.Timestamp", "@db.DateTime(6)"),
        ("postgresql", "mysql", "DateTime @db.Timestamptz(3)", "@db.DateTime(3)"),
        ("sqlserver", "mysql", "DateTime @db.DateTime2", "@db.DateTime(6)"),
        ("sqlserver", "mysql", "DateTime @db.DateTime", "@db.DateTime(3)"),
        ("mysql", "postgresql", "DateTime @db.DateTime(6)", "@db.Timestamp(6)"),
        ("mysql", "cockroachdb", "DateTime @db.DateTime(6)", "@db.Timestamp(6)"),
        # TinyInt: signed on MySQL, unsigned on SQL Server; SQL Server's Float is MySQL's Double
        ("sqlserver", "mysql", "Int @db.TinyInt", "@db.UnsignedTinyInt"),
        ("mysql", "sqlserver", "Int @db.TinyInt", "@db.SmallInt"),
        ("mysql", "sqlserver", "Boolean @db.TinyInt", "@db.Bit"),
        ("sqlserver", "mysql", "Float @db.Float", "@db.Double"),
        ("mysql", "sqlserver", "Float @db.Float", "@db.Real"),
    ],
)
def test_a_native_type_of_the_same_name_but_another_meaning_is_mapped(
    tmp_path, source, provider, field, expected, prisma6
):
    """The same name is not the same column everywhere: kept, it would change what the column
    holds (Unicode, length, fraction digits, sign, precision), so it maps to what holds the same."""
    fragment = f'datasource db {{\n  provider = "{source}"\n  url      = env("DATABASE_URL")\n}}\n\n'
    fragment += f"model A {{\n  id BigInt @id\n  f  {field}\n}}\n"
    assert not [d for d in prisma6.validate(fragment) if d.is_error]
    body = adapt_one(tmp_path, fragment, provider)["t6"]
    line = next(line for line in body.splitlines() if line.startswith("  f "))
    assert line.split(maxsplit=2)[2:] == ([expected] if expected else []), line
    assert not [d.message for d in prisma6.validate(body) if d.is_error]


@pytest.mark.parametrize("provider", ["mysql", "sqlserver"])
def test_a_decimal_with_more_digits_than_the_target_holds_is_refused(tmp_path, provider, prisma6):
    fragment = PG + "model A {\n  id Int     @id\n  d  Decimal @db.Decimal(70, 10)\n}\n"
    found = refusal(tmp_path, fragment, provider)
    assert "more digits than" in found[0].message
    assert found[0].location.line == fragment_line(fragment, "Decimal(70")


@pytest.mark.parametrize("provider", ["mysql", "sqlserver"])
@pytest.mark.parametrize("lazy", [True, False])
def test_a_foreign_key_gets_the_column_type_of_the_key_it_references(tmp_path, provider, lazy, prisma6):
    """`A.id` and `B.aid` are both `Text`; the id cannot be `LongText`/`NVarChar(Max)` (a key), so
    its native type is dropped: the foreign key's must be too, or MySQL cannot index it and SQL
    Server refuses a foreign key of another type. `lazy`: only native types to adapt (the fast
    path that reads the text); else a list in the block makes compose build its members."""
    extra = "" if lazy else "\n  tags String[]"
    fragment = (
        PG + "model A {\n  id String @id @db.Text\n  bs B[]\n}\n\n"
        f"model B {{\n  id  Int    @id\n  aid String @db.Text{extra}\n"
        "  a   A      @relation(fields: [aid], references: [id])\n}\n"
    )
    comp = compose(project(tmp_path, provider, ALL, fragment))
    body = comp.targets[0].files[0].body
    assert "aid String\n" in body or "aid  String\n" in body, body
    assert "@db." not in body
    assert not [d.message for d in prisma6.validate(body) if d.is_error]
    note = next(n for n in comp.targets[0].notes if "`B.aid`" in n.message)
    assert "in a key, an index or a foreign key" in note.message
    assert note.location.line == fragment_line(fragment, "aid String")


def test_a_comment_after_a_dropped_line_stays(tmp_path, assert_prisma_valid):
    fragment = (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
        '  schemas  = ["a"]\n}\n\ngenerator c {\n  provider        = "prisma-client-js"\n'
        '  previewFeatures = ["multiSchema"]\n}\n\n'
        'model A {\n  id Int @id\n\n  /// in the auth schema\n  @@schema("a") // moved in 2024\n}\n\n'
        'model B {\n  id Int @id\n  @@schema("a")\n}\n'
    )
    bodies = adapt_one(tmp_path, fragment, "sqlite")
    body = bodies["t6"]
    assert "@@schema" not in body
    assert "  /// in the auth schema\n  // moved in 2024\n}" in body
    assert "model B {\n  id Int @id\n}" in body
    assert_prisma_valid(body, "6")
    assert_prisma_valid(bodies["t7"], "7")


def test_a_block_comment_after_a_dropped_line_stays(tmp_path, assert_prisma_valid):
    """`@@schema("a") /* … */`: the comment stays on its line, as one after `//` does (the whole
    line was left out)."""
    fragment = (
        'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n'
        '  schemas  = ["a"]\n}\n\nmodel A {\n  id Int @id\n  @@schema("a") /* since 2024 */\n}\n'
    )
    body = adapt_one(tmp_path, fragment, "sqlite")["t6"]
    assert "model A {\n  id Int @id\n  /* since 2024 */\n}" in body, body
    assert_prisma_valid(body, "6")


def test_a_datasource_property_with_a_block_comment_after_it_is_dropped_or_set(tmp_path, assert_prisma_valid):
    """`extensions = [pg_trgm] /* … */` is a line compose copies as written: it was kept on SQLite
    (Prisma: "Property not known") and `url` so was not set by the target's override."""
    fragment = (
        'datasource db {\n  provider   = "postgresql"\n  url        = env("DATABASE_URL") /* main */\n'
        "  extensions = [pg_trgm] /* for search */\n}\n\n"
        'generator c {\n  provider        = "prisma-client-js"\n'
        '  previewFeatures = ["postgresqlExtensions"]\n}\n\n'
        "model A {\n  id Int @id\n}\n"
    )
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        '[targets.t.datasource]\nprovider = "sqlite"\nurl = { env = "LOCAL_URL" }\n'
    )
    root = write_project(tmp_path, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    body = compose(root).targets[0].files[0].body
    expected = 'datasource db {\n  provider = "sqlite"\n  url      = env("LOCAL_URL") /* main */\n}\n'
    assert expected in body, body
    assert_prisma_valid(body, "6")


def test_a_left_out_enum_keeps_the_users_comments(tmp_path, prisma6, assert_prisma_valid):
    """`enums = "string"` leaves the enum out, not the comments written in and around it: each
    stays on its line, alone (the marker of an `/// @extend` block goes, as it always does), and
    a blank line after them keeps a `///` among them off the next declaration."""
    fragment = (
        PG + "// states of a light\n/// documented\nenum Status { // open\n  // the first\n"
        '  ON  // lit\n  OFF @map("off") /// dark\n\n  @@map("status") // mapped\n  // last\n}\n'
        "model A {\n  id Int    @id\n  s  Status @default(ON)\n}\n\n"
        "/// @extend\nenum Status {\n  DIM // half\n}\n"
    )
    bodies = adapt_one(tmp_path, fragment, "sqlserver")
    body = bodies["t6"]
    assert "enum" not in body and "@extend" not in body and "@map" not in body
    section = body[body.index("// states") : body.index("model A")]
    assert section == (
        "// states of a light\n/// documented\n// open\n  // the first\n  // lit\n  /// dark\n\n"
        "  // mapped\n  // last\n\n"
    )
    assert body.rstrip().endswith("}\n\n  // half"), body
    assert_prisma_valid(body, "6")
    assert_prisma_valid(bodies["t7"], "7")
    [model] = prisma6.dmmf(body)["datamodel"]["models"]
    assert model.get("documentation") is None


def test_the_postgres_alias_is_postgresql(tmp_path, assert_prisma_valid):
    """Prisma takes `provider = "postgres"` for PostgreSQL: fragments written so are adapted to
    another provider (they were written out as they are, and Prisma refused them), and a target
    naming PostgreSQL so is not adapted at all."""
    fragment = FRAGMENT.replace('provider   = "postgresql"', 'provider   = "postgres"')
    comp = compose(project(tmp_path / "sqlite", "sqlite", ALL, fragment))
    assert comp.targets[0].adapted and "String[]" not in comp.targets[0].files[0].body
    assert_prisma_valid(comp.targets[0].files[0].body, "6")
    comp = compose(project(tmp_path / "same", "postgres", "", FRAGMENT))
    assert not comp.targets[0].adapted and "@db.Uuid" in comp.targets[0].files[0].body
    assert_prisma_valid(comp.targets[0].files[0].body, "6")


def test_a_gin_index_of_a_text_is_a_btree_on_cockroachdb(tmp_path, prisma6):
    """PostgreSQL's trigram index (`Gin` with `gin_trgm_ops`) on a text: CockroachDB's `Gin` takes
    `Json` and lists alone, so there it is a plain index (it kept `type: Gin`, which Prisma
    refused); its `Gin` of a `Json` or a list stays."""
    fragment = PG + (
        "model A {\n  id BigInt   @id\n  s  String\n  j  Json\n  t  String[]\n\n"
        '  @@index([s(ops: raw("gin_trgm_ops"))], type: Gin)\n  @@index([j], type: Gin)\n'
        "  @@index([t], type: Gin)\n}\n"
    )
    assert not [d for d in prisma6.validate(fragment) if d.is_error]
    comp = compose(project(tmp_path, "cockroachdb", ALL, fragment))
    body = comp.targets[0].files[0].body
    assert "@@index([s])\n  @@index([j], type: Gin)\n  @@index([t], type: Gin)\n" in body, body
    assert not [d.message for d in prisma6.validate(body) if d.is_error]
    [note] = [n for n in comp.targets[0].notes if "@@index([s" in n.message]
    assert "cockroachdb does not support type there" in note.message
    assert note.location.line == fragment_line(fragment, "gin_trgm_ops")


def test_a_field_of_an_enum_another_fragment_declares_is_stored_as_a_string(tmp_path, assert_prisma_valid):
    """Nothing in `a.prisma` but the field's type says it needs adapting: the enum is left out
    of SQL Server's output, and the field stayed `K` (an error: no type `K` in this target)."""
    root = write_project(
        tmp_path,
        {
            "a.prisma": PG + "model A {\n  id Int @id\n  k  K @default(X)\n}\n",
            "k.prisma": "enum K {\n  X\n}\n",
            "prisma.compose.toml": '[[fragments]]\nglob = "*.prisma"\n[targets.t]\noutput = "out.prisma"\n'
            '[targets.t.datasource]\nprovider = "sqlserver"\n[targets.t.adapt]\nenums = "string"\n',
        },
    )
    body = compose(root).targets[0].files[0].body
    assert '  k  String @default("X")\n' in body and "enum" not in body
    assert_prisma_valid(body, "6")


def test_an_unused_enum_is_refused_where_the_provider_has_none(tmp_path):
    """No field uses `Status`, but Prisma refuses the block itself on SQL Server."""
    fragment = PG + "/// states\nenum Status {\n  ON\n  OFF\n}\n\nmodel A {\n  id Int @id\n}\n"
    found = refusal(tmp_path, fragment, "sqlserver", adapt="")
    assert "enum `Status`: sqlserver has no enums" in found[0].message
    assert found[0].location.line == fragment_line(fragment, "enum Status")
    assert 'enums = "string"' in (found[0].hint or "")


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False))
def test_random_postgresql_schemas_on_every_provider(rnd, tmp_path_factory, prisma6):
    """Realistic random PostgreSQL fragments (tests/adapt_fuzz.py) that Prisma accepts, adapted to
    SQLite, MySQL, SQL Server and CockroachDB with and without the choices: Prisma accepts the
    output, or compose stops at fragment lines; notes sit at the line they name.
    benchmarks/fuzz.py --adapt runs it long."""
    from .adapt_fuzz import PROVIDERS as TARGETS
    from .adapt_fuzz import judge, schema

    def errors(text: str) -> list[str]:
        return [d.message for d in prisma6.validate(text) if d.is_error]

    fragment = schema(rnd)
    assume(not errors(fragment))
    for provider in TARGETS:
        for adapt in (ALL, ""):
            judge(tmp_path_factory.mktemp("fuzz"), fragment, provider, adapt, errors)


@pytest.mark.parametrize(
    ("expression", "problem"),
    [
        ("uuid(", "which is no PSL expression"),
        ("uuid()) @unique @default(cuid()", "which is not one PSL expression"),
        ("uuid()\\n  evil String", "on one line"),
        ("autoincrement()", "`autoincrement()` gives no `String`"),
        ("42", "a number is no default of a `String`"),
        ("true", "a boolean is no default of a `String`"),
        ("ADMIN", "`ADMIN` is no default of a `String`"),  # an enum's value: Prisma refused the output
    ],
)
def test_a_target_default_that_is_no_default_of_the_field_is_an_error_at_the_key(
    tmp_path, expression, problem
):
    """The manifest's text is spliced into the fragment: it must be one expression that fits the
    field, or the output would break (or carry another attribute), with Prisma's error far away."""
    fragment = PG + 'model User {\n  id String @id @default(dbgenerated("gen_random_uuid()")) @db.Uuid\n}\n'
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        '[targets.t.datasource]\nprovider = "sqlite"\n'
        f'[targets.t.adapt.defaults]\n"User.id" = "{expression}"\n'
    )
    root = write_project(tmp_path, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    assert problem in d.message, d.message
    assert (d.location.file, d.location.line) == ("prisma.compose.toml", 8)
    # the hint's examples are TOML values to copy: a PSL string literal is `"\"text\""` there
    assert d.hint is not None and d.hint.endswith('"uuid()", "now()", "0" or "\\"text\\""'), d.hint


@pytest.mark.parametrize(
    ("field", "sql"),
    [
        ("at DateTime", "now()"),
        ("n  Int", "floor(random() * 10)::int"),
        ("f  Float", "random()"),
        ("ok Boolean", "random() < 0.5"),
        ("id String", "gen_random_uuid()"),
    ],
)
def test_the_default_a_refused_sql_default_suggests_is_one_the_target_takes(
    tmp_path, field, sql, assert_prisma_valid
):
    """The hint names a `[targets.X.adapt.defaults]` entry to copy: it fits the field's type
    (`now()` for a `DateTime`, not `uuid()`, which compose itself would refuse at the key)."""
    fragment = PG + f'model A {{\n  key Int @id\n  {field} @default(dbgenerated("{sql}"))\n}}\n'
    manifest = (
        '[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        '[targets.t.datasource]\nprovider = "sqlite"\n'
    )
    root = write_project(tmp_path, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    with pytest.raises(ComposeError) as exc:
        compose(root)
    [d] = exc.value.diagnostics
    entry = re.search(r"`(\"A\.\w+\" = \".*\")`$", d.hint or "")
    assert entry, d.hint
    (root / "prisma.compose.toml").write_text(f"{manifest}[targets.t.adapt.defaults]\n{entry[1]}\n")
    assert_prisma_valid(compose(root).targets[0].files[0].body, "6")


@pytest.mark.parametrize("provider", ["postgresql", "mysql", "sqlite", "cockroachdb"])
def test_the_sort_order_of_a_sqlserver_primary_key_is_dropped_elsewhere(
    tmp_path, provider, assert_prisma_valid
):
    fragment = (
        'datasource db {\n  provider = "sqlserver"\n  url      = env("DATABASE_URL")\n}\n\n'
        "model A {\n  id Int    @id(sort: Desc, clustered: true)\n"
        "  s  String @unique(sort: Desc)\n}\n\n"
        "model B {\n  a Int\n  b Int\n\n  @@id([a(sort: Desc), b])\n  @@index([b(sort: Desc)])\n}\n"
    )
    comp = compose(project(tmp_path, provider, ALL, fragment))
    body = comp.targets[0].files[0].body
    assert "@id\n" in body and "@@id([a, b])" in body
    assert "@unique(sort: Desc)" in body and "@@index([b(sort: Desc)])" in body  # other keys keep it
    assert_prisma_valid(body, "6")
    assert_prisma_valid(comp.targets[1].files[0].body, "7")
    notes = comp.targets[0].notes
    lines = {n.location.line for n in notes if "sort" in n.message or "per-field" in n.message}
    assert lines == {fragment_line(fragment, "@id(sort"), fragment_line(fragment, "@@id(")}


def test_a_list_default_stored_as_json_keeps_the_digits_of_its_numbers(tmp_path, assert_prisma_valid):
    fragment = (
        PG + "model A {\n  id Int       @id\n"
        "  d  Decimal[] @default([12345678901234567890.123456789, 1.10, -0.5])\n"
        "  b  BigInt[]  @default([9223372036854775807])\n}\n"
    )
    body = adapt_one(tmp_path, fragment, "sqlite")["t6"]
    assert '@default("[12345678901234567890.123456789,1.10,-0.5]")' in body
    assert '@default("[9223372036854775807]")' in body
    assert_prisma_valid(body, "6")


def test_sequence_is_refused_with_the_ways_out(tmp_path):
    fragment = (
        'datasource db {\n  provider = "cockroachdb"\n  url      = env("DATABASE_URL")\n}\n\n'
        "model A {\n  id BigInt @id @default(autoincrement())\n  n  BigInt @default(sequence(cache: 10))\n}\n"
    )
    d = refusal(tmp_path, fragment, "sqlite")[0]
    assert "`A.n` uses `sequence()`, which only CockroachDB has" in d.message
    assert d.location.line == fragment_line(fragment, "sequence(")
    assert '`[targets.t6.adapt.defaults]` `"A.n" = ' in (d.hint or "")


def test_lists_are_stored_as_json_without_building_the_fields(tmp_path, monkeypatch, assert_prisma_valid):
    """A scalar list stored as `Json` (and a native type dropped) is an edit of the field line's
    text, and the block's columns are laid out again from its text: no block's fields are built
    (adapting built them, parsed the fragment again, and compose built them a second time for the
    layout)."""
    from composer.psl import parser

    built: list[str] = []
    original = parser._build_members

    def counting(decl):  # the fast path stores this function on each lazy block
        built.append(decl.name)
        return original(decl)

    monkeypatch.setattr(parser, "_build_members", counting)
    models = "".join(
        f"model M{i} {{\n  id   Int      @id\n  tags String[] @default([]) @db.VarChar(40)\n"
        f"  note String?  @db.Text\n}}\n\n"
        for i in range(3)
    )
    bodies = adapt_one(tmp_path, PG + models, "sqlite", 'lists = "json"')
    assert 'tags Json    @default("[]")' in bodies["t6"]
    assert_prisma_valid(bodies["t6"], "6")
    assert built == []


def test_blocks_laid_out_from_the_text_are_what_compose_would_lay_out(tmp_path, monkeypatch):
    """A block whose list became `Json` is laid out again from its text (`adapt/layout.py`) when
    every line is of a plain kind; the output is byte for byte what compose's own layout of the
    block (`psl.render.write_rows`) writes. Random fragments (tests/adapt_fuzz.py), as written
    and with `@default([])` lists and aligned columns, composed both ways."""
    import random

    from composer.adapt import native_types

    from .adapt_fuzz import schema

    laid_from_text = []
    original = native_types.relaid_from_text

    def counted(*args):
        laid_from_text.append(original(*args))
        return laid_from_text[-1]

    fragments = []
    for seed in range(40):
        text = schema(random.Random(seed))
        fragments += [text, text.replace('@default(["a", "b"])', "@default([])")]
    fragments.append(PG + "model A {\n  id   Int      @id\n  tags String[] @default([])\n  n    Int\n}\n")
    # lines left out (`@@schema`) in the fragment of a block laid out again
    fragments.append(
        PG + 'model B {\n  id Int @id\n\n  @@schema("public")\n}\n\nmodel A {\n  id   Int      @id\n'
        '  tags String[] @default([])\n  n    Int @db.Integer\n\n  // why\n  @@index([n])\n}\n\n'
        'model C {\n  id Int @id\n  @@schema("public")\n}\n'
    )
    for i, fragment in enumerate(fragments):
        for provider in ("sqlite", "mysql", "sqlserver"):
            root = project(tmp_path / f"{i}{provider}", provider, ALL, fragment)
            try:
                monkeypatch.setattr(native_types, "relaid_from_text", counted)
                from_text = outputs(root)
                monkeypatch.setattr(native_types, "relaid_from_text", lambda *args: False)
                by_compose = outputs(root)
            except ComposeError:
                continue
            assert from_text == by_compose, fragment
    assert laid_from_text.count(True) >= 20  # the path is taken, not only the fallback


def test_a_fragment_edited_from_the_text_is_what_parsing_it_again_gives(tmp_path, monkeypatch):
    """A fragment whose field lines alone were edited keeps its parse tree, moved by the edits
    (`adapt/edits.py`, no second parse): its blocks, whether it is clean, and what composing reads
    of its fields (their non-scalar types and foreign keys) are those of a parse of the new text."""
    import random

    from composer.adapt import edits, rewriter
    from composer.psl import parse
    from composer.typecheck import SCALARS

    from .adapt_fuzz import schema

    moved = []
    original = edits.rewritten_fragment

    def compared(old, made, dropped, **kwargs):
        new = original(old, made, dropped, **kwargs)
        again = parse(new.source)
        def shape(schema):
            return [
                (d.keyword, d.name, d.start, d.name_start, d.body_start, d.close_start, d.end)
                for d in schema.declarations
            ]

        assert shape(new) == shape(again)
        assert (new.clean, new.trailing) == (again.clean, again.trailing)
        assert [d.doc for d in new.declarations] == [d.doc for d in again.declarations]
        if new.clean:
            mine, theirs = new.fields(), again.fields()
            assert set(mine.types) - SCALARS == set(theirs.types) - SCALARS
            assert set(theirs.types) <= set(mine.types)
            assert set(mine.owners) - SCALARS == set(theirs.owners) - SCALARS
            moved.append(old.clean)
        return new

    monkeypatch.setattr(rewriter, "rewritten_fragment", compared)
    models = "".join(
        f"/// Model {i}.\nmodel M{i} {{\n  id   Int      @id\n  tags String[] @default([]) @db.VarChar(40)\n"
        f"  note String?  @db.Text\n  name String @db.VarChar(20)\n}}\n\n"
        for i in range(3)
    )
    fragments = [PG + models, PG + models.replace("  tags String[] @default([]) @db.VarChar(40)\n", "")]
    fragments += [schema(random.Random(seed)) for seed in range(20)]
    for i, fragment in enumerate(fragments):
        for provider in ("sqlite", "mysql"):
            try:
                outputs(project(tmp_path / f"{i}{provider}", provider, ALL, fragment))
                # the datasource in a fragment of its own: the others are clean (`SchemaFile.clean`)
                end = fragment.index("}\n", fragment.index("datasource")) + 2
                root = project(tmp_path / f"{i}{provider}-2", provider, ALL, fragment[:end])
                (root / "g.prisma").write_text(fragment[end:])
                manifest = root / "prisma.compose.toml"
                manifest.write_text('[[fragments]]\npath = "g.prisma"\n' + manifest.read_text())
                outputs(root)
            except ComposeError:
                continue
    assert moved.count(True) >= 4  # the moved path is taken, with the fields kept or extended


class _Forgetful(dict):
    """A memo that keeps nothing: every line is read as if for the first time."""

    def __setitem__(self, key, value):
        pass


def test_the_text_level_paths_give_what_the_block_by_block_rules_give(tmp_path, monkeypatch):
    """A fragment whose only rules are native types and lists is decided from the lines
    `native_types.from_text` reads (`triggers.text_level`, `line_need`), and every line text is
    read once per target (`Rewriter.lines`, `cells`, `laid`, `needs`): the outputs, notes and
    errors are those of `may_change` asked block by block with nothing remembered."""
    import random

    from composer.adapt import rewriter, triggers

    from .adapt_fuzz import schema

    def seen(root):
        try:
            comp = compose(root)
        except ComposeError as exc:
            return [(d.message, d.location.line, d.location.column) for d in exc.diagnostics]
        return [
            (t.files[0].body, [(n.message, n.location.line, n.location.column) for n in t.notes])
            for t in comp.targets
        ]

    original_run = rewriter.Rewriter.run

    def forgetful_run(self, frag):
        self.lines = (_Forgetful(), _Forgetful())  # without and with the lists rule
        self.cells, self.laid, self.needs = _Forgetful(), _Forgetful(), _Forgetful()
        return original_run(self, frag)

    models = "".join(
        f"model M{i} {{\n  id   Int      @id\n  tags String[] @db.VarChar(40)\n  note String? @db.Text\n"
        f"  kids M{i + 1}[]\n  e    E[]\n}}\n\n"
        for i in range(3)
    ) + "model M3 {\n  id Int @id\n  t  Int[] @default([1])\n}\n\nenum E {\n  A\n}\n"
    fragments = [PG + models, PG + models.replace("  e    E[]\n", "").replace(" @default([1])", "")]
    for seed in range(30):
        text = schema(random.Random(seed))
        fragments += [text, text.replace('@default(["a", "b"])', "@default([])")]
    for i, fragment in enumerate(fragments):
        for provider in ("sqlite", "mysql", "sqlserver", "cockroachdb"):
            for adapt in (ALL, 'lists = "json"'):
                root = project(tmp_path / f"{i}{provider}{len(adapt)}", provider, adapt, fragment)
                with monkeypatch.context() as m:
                    m.setattr(rewriter, "text_level", lambda rw: triggers.MEMBERS)
                    m.setattr(rewriter.Rewriter, "run", forgetful_run)
                    by_blocks = seen(root)
                assert seen(root) == by_blocks, (provider, adapt, fragment)


@pytest.mark.parametrize(
    ("name_type", "name_rest"),
    [
        ("String", ""),  # nothing to rewrite
        ("String", " @db.VarChar(10)"),  # an edit in another line (`@db.NVarChar(10)`)
        ("String", " @db.Uuid"),  # an attribute dropped from another line
        ("String[]", ""),  # a list stored as a `String`: the block laid out again, its columns moved
    ],
)
def test_a_diagnostic_on_a_rewritten_fragment_is_at_the_line_and_column_written(
    tmp_path, name_type, name_rest
):
    """A fragment that adapting rewrote maps its offsets back to the text as written, columns too:
    the cycle SQL Server refuses, and an unknown type (found when composing, on the rewritten
    text), are where they are on a fragment left as it was (the column was the line's indent)."""
    fields = [
        ("id", "Int", " @id"),
        ("name", name_type, name_rest),
        ("parentId", "Int?", ""),
        ("parent", "Node?", ' @relation("tree", fields: [parentId], references: [id], onDelete: Cascade)'),
        ("children", "Node[]", ' @relation("tree")'),
    ]
    width = max(len(t) for _, t, _ in fields)
    body = "".join(f"  {n:<8} {t:<{width}}{rest}".rstrip() + "\n" for n, t, rest in fields)
    fragment = PG + f"model Node {{\n{body}}}\n"
    if name_type == "String[]":  # the relation's line moved in the output
        actions = fragment.replace("Cascade", "NoAction, onUpdate: NoAction")
        out = adapt_one(tmp_path / "o", actions, "sqlserver")
        assert "  parent   Node?  @relation(" in out["t6"]
    [d] = [d for d in refusal(tmp_path / "c", fragment, "sqlserver") if "`t6`" in d.message]
    assert "form a self-relation (Node → Node)" in d.message
    relation = fragment_line(fragment, "@relation(")
    column = textwrap.dedent(fragment).splitlines()[relation - 1].index("@relation") + 1
    assert str(d.location) == f"f.prisma:{relation}:{column}", d.render()
    relation_text = '@relation("tree", fields: [parentId], references: [id], onDelete: Cascade)'
    assert d.to_json()["end"] == {"line": relation, "column": column + len(relation_text)}
    typo = fragment.replace("onDelete: Cascade", "onDelete: NoAction, onUpdate: NoAction").replace(
        "  children ", "  owner    Usr\n  children "
    )
    [d] = [d for d in refusal(tmp_path / "t", typo, "sqlserver") if "Usr" in d.message]
    assert str(d.location) == f"f.prisma:{fragment_line(typo, 'owner    Usr')}:12", d.render()
