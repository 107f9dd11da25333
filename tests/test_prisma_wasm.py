"""The bridge to Prisma's own schema engine (composer/prisma_wasm.py + composer/node/prisma_wasm.cjs)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from composer.engine_choice import (
    choose_engine,
    datasource_needs,
    find_project_prisma,
    schema_needs,
    shipped_engine,
)
from composer.prisma_wasm import (
    NodeNotFoundError,
    PrismaSchemaError,
    PrismaWasm,
    PrismaWasmError,
    WasmNotInstalledError,
)

from .prisma_checks import line_col, normalize_datamodel, render

ROOT = Path(__file__).resolve().parent.parent

DATASOURCE_WITH_URL = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}
"""

DATASOURCE_NO_URL = """\
datasource db {
  provider = "postgresql"
}
"""

MODELS = """\
generator client {
  provider = "prisma-client-js"
}

/// A person who can log in.
model User {
  id        String   @id @default(cuid())
  email     String   @unique @db.VarChar(320)
  name      String?
  role      Role     @default(MEMBER)
  tags      String[]
  posts     Post[]
  createdAt DateTime @default(now())
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId String
  author   User   @relation(fields: [authorId], references: [id], onDelete: Cascade)

  @@index([authorId])
}

enum Role {
  ADMIN
  MEMBER
}
"""


def offset_of(text: str, needle: str) -> int:
    index = text.index(needle)
    assert text.count(needle) == 1, f"{needle!r} is ambiguous in the test schema"
    return index


# -- versions -----------------------------------------------------------------------------------


def test_pinned_versions(prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    assert prisma6.info()["version"] == "6.19.0-26.2ba551f319ab1df4bc874a89965d8b3641056773"
    assert prisma7.info()["version"] == "7.9.0-1.e922089b7d7502aff4249d5da3420f6fa55fc6ad"
    assert prisma6.info()["package"] == "@prisma/prisma-schema-wasm"


# -- validate: the datasource `url` -------------------------------------------------------------


def test_url_in_datasource_accepted_by_6_rejected_by_7(prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    schema = DATASOURCE_WITH_URL + MODELS
    assert prisma6.validate(schema) == []

    [error] = prisma7.validate(schema)
    assert error.severity == "error"
    assert error.file == "schema.prisma"
    assert "The datasource property `url` is no longer supported in schema files" in error.message
    assert "prisma.config.ts" in error.message
    assert schema[error.start : error.end] == 'url      = env("DATABASE_URL")'
    assert line_col(error, schema) == (3, 3)


def test_datasource_without_url_accepted_by_7_rejected_by_6(prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    schema = DATASOURCE_NO_URL + MODELS
    assert prisma7.validate(schema) == []

    [error] = prisma6.validate(schema)
    assert error.message == 'Argument "url" is missing in data source block "db".'
    assert line_col(error, schema) == (1, 1)


def test_assert_prisma_valid_passes_and_fails(assert_prisma_valid) -> None:
    assert assert_prisma_valid(DATASOURCE_WITH_URL + MODELS) == []
    assert assert_prisma_valid(DATASOURCE_NO_URL + MODELS, version="7") == []
    with pytest.raises(pytest.fail.Exception, match=r"schema.prisma:3:3: error: The datasource property"):
        assert_prisma_valid(DATASOURCE_WITH_URL + MODELS, version="7")


# -- validate: locations ------------------------------------------------------------------------


def test_unknown_field_type_points_at_the_type(prisma6: PrismaWasm) -> None:
    schema = DATASOURCE_WITH_URL + MODELS.replace("title    String", "title    Strin")
    [error] = prisma6.validate(schema)
    assert error.message == (
        'Type "Strin" is neither a built-in type, nor refers to another model, composite type, or enum.'
    )
    assert (error.start, error.end) == (offset_of(schema, "Strin\n"), offset_of(schema, "Strin\n") + 5)
    assert line_col(error, schema) == (22, 12)
    assert schema.splitlines()[21] == "  title    Strin"
    assert "title    Strin\n" in render(error, schema)


@pytest.mark.parametrize("version", ["6", "7"])
def test_multi_file_error_is_reported_in_its_file(request: pytest.FixtureRequest, version: str) -> None:
    engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
    datasource = DATASOURCE_WITH_URL if version == "6" else DATASOURCE_NO_URL
    user = datasource + "model User {\n  id    Int    @id\n  posts Post[]\n}\n"
    post = (
        "model Post {\n  id       Int  @id\n  authorId Int\n"
        "  author   Usr  @relation(fields: [authorId], references: [id])\n}\n"
    )

    [error] = engine.validate([("user.prisma", user), ("post.prisma", post)])
    assert error.file == "post.prisma"
    assert post[error.start : error.end] == "Usr"
    assert line_col(error, post) == (4, 12)


def test_duplicate_model_across_files(prisma7: PrismaWasm) -> None:
    a = DATASOURCE_NO_URL + "model A {\n  id Int @id\n}\n"
    b = "// second\nmodel A {\n  id Int @id\n}\n"
    [error] = prisma7.validate([("a.prisma", a), ("b.prisma", b)])
    assert error.file == "b.prisma"
    assert "already exists" in error.message
    assert b[error.start : error.end] == "A"


@pytest.mark.parametrize(
    "before",
    [
        "// café, naïve, €uro\n",  # 2- and 3-byte UTF-8
        "// emoji 😀🎉 outside the BMP\n",  # 4-byte UTF-8, two UTF-16 units each
        "/// Ünïcödé doc 😀\n",
    ],
)
def test_non_ascii_text_before_the_error(prisma6: PrismaWasm, before: str) -> None:
    schema = (
        DATASOURCE_WITH_URL
        + before
        + 'model Ünïcode {\n  id    String @id @default("😀 ü")\n  label Strin\n}\n'
    )
    [error] = prisma6.validate(schema)
    assert schema[error.start : error.end] == "Strin"
    assert line_col(error, schema) == (schema[: error.start].count("\n") + 1, 9)


def test_non_ascii_in_second_file(prisma7: PrismaWasm) -> None:
    first = "// 😀😀😀😀 " * 20 + "\n" + DATASOURCE_NO_URL
    second = "// ééé 😀\nmodel B {\n  id Int @id\n  x  Strin\n}\n"
    [error] = prisma7.validate([("a.prisma", first), ("b.prisma", second)])
    assert (error.file, second[error.start : error.end]) == ("b.prisma", "Strin")


def test_crlf_line_endings(prisma6: PrismaWasm) -> None:
    schema = (DATASOURCE_WITH_URL + "model A {\n  id Int @id\n  x  Strin\n}\n").replace("\n", "\r\n")
    [error] = prisma6.validate(schema)
    assert schema[error.start : error.end] == "Strin"
    assert line_col(error, schema) == (7, 6)


def test_warnings_are_reported(prisma7: PrismaWasm) -> None:
    schema = DATASOURCE_NO_URL + MODELS.replace("onDelete: Cascade", "onDelete: SetNull")
    [warning] = prisma7.validate(schema)
    assert warning.severity == "warning"
    assert not warning.is_error
    assert "SetNull" in warning.message
    assert schema[warning.start : warning.end].startswith("author   User   @relation(")


def test_several_errors_come_sorted_by_place(prisma7: PrismaWasm) -> None:
    schema = DATASOURCE_WITH_URL + "model A {\n  id Int @id\n  x  Foo\n  y  Bar\n}\n"
    errors = prisma7.validate(schema)
    assert [schema[e.start : e.end].split(" ")[0] for e in errors] == ["url", "Foo", "Bar"]
    assert errors == sorted(errors, key=lambda e: e.start)


def test_a_300_line_schema(prisma6: PrismaWasm, prisma7: PrismaWasm) -> None:
    body = "".join(
        f"model M{i} {{\n  id    Int     @id @default(autoincrement())\n  name  String\n"
        f"  value Float?\n  at    DateTime @default(now())\n  prev  Int?\n}}\n\n"
        for i in range(38)
    )
    assert len(body.splitlines()) >= 300
    assert prisma6.validate(DATASOURCE_WITH_URL + body) == []
    assert prisma7.validate(DATASOURCE_NO_URL + body) == []


# -- format -------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["6", "7"])
def test_format_is_idempotent(request: pytest.FixtureRequest, version: str) -> None:
    engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
    messy = 'datasource db {\nprovider="postgresql"\n}\nmodel A {\n id Int @id\n      name    String?\n}'
    [(name, formatted)] = engine.format(messy)
    assert name == "schema.prisma"
    assert formatted == (
        'datasource db {\n  provider = "postgresql"\n}\n\nmodel A {\n  id   Int     @id\n  name String?\n}\n'
    )
    assert engine.format(formatted) == [("schema.prisma", formatted)]
    assert engine.format([("a.prisma", formatted), ("b.prisma", formatted)]) == [
        ("a.prisma", formatted),
        ("b.prisma", formatted),
    ]


def test_format_of_the_models_fixture_is_stable(prisma6: PrismaWasm) -> None:
    schema = DATASOURCE_WITH_URL + "\n" + MODELS
    assert prisma6.format(schema) == [("schema.prisma", schema)]


# -- DMMF ---------------------------------------------------------------------------------------

REORDERED = """\
datasource db {
    provider = "postgresql"
    url = env("DATABASE_URL")
}

enum Role {
  ADMIN
  MEMBER
}

// a plain comment, not in the DMMF


model Post {
  id Int @id @default(autoincrement())
  title String
  authorId String
  author User @relation(fields: [authorId], references: [id], onDelete: Cascade)
  @@index([authorId])
}

/// A person who can log in.
model User {
  id String @id @default(cuid())
  email String @unique @db.VarChar(320)
  name String?
  role Role @default(MEMBER)
  tags String[]
  posts Post[]
  createdAt DateTime @default(now())
}

generator client {
  provider = "prisma-client-js"
}
"""


def test_dmmf_equal_after_normalising_order_and_whitespace(prisma6: PrismaWasm) -> None:
    original = prisma6.dmmf(DATASOURCE_WITH_URL + MODELS)
    reordered = prisma6.dmmf(REORDERED)
    assert set(original) == {"datamodel"}
    assert [m["name"] for m in original["datamodel"]["models"]] == ["User", "Post"]
    assert [m["name"] for m in reordered["datamodel"]["models"]] == ["Post", "User"]
    assert original != reordered  # the raw DMMF keeps declaration order
    assert normalize_datamodel(original) == normalize_datamodel(reordered)


def test_dmmf_differs_on_a_real_change(prisma6: PrismaWasm) -> None:
    original = normalize_datamodel(prisma6.dmmf(DATASOURCE_WITH_URL + MODELS))
    for change in [
        ("name      String?", "name      String"),  # optionality
        ("@db.VarChar(320)", "@db.VarChar(100)"),  # native type
        ("/// A person who can log in.", "/// Someone."),  # doc comment
        ("  @@index([authorId])\n", ""),  # index
    ]:
        changed = normalize_datamodel(prisma6.dmmf(DATASOURCE_WITH_URL + MODELS.replace(*change)))
        assert changed != original, change


def test_full_dmmf_and_invalid_schema(prisma7: PrismaWasm) -> None:
    full = prisma7.dmmf(DATASOURCE_NO_URL + MODELS, full=True)
    assert {"datamodel", "schema", "mappings"} <= set(full)
    assert normalize_datamodel(full) == normalize_datamodel(prisma7.dmmf(DATASOURCE_NO_URL + MODELS))
    with pytest.raises(PrismaSchemaError, match='Type "Strin" is neither'):
        prisma7.dmmf("model A {\n  id Strin @id\n}\n")


def test_config(prisma6: PrismaWasm) -> None:
    config = prisma6.config(DATASOURCE_WITH_URL + MODELS)["config"]
    [datasource] = config["datasources"]
    assert (datasource["provider"], datasource["url"]["fromEnvVar"]) == ("postgresql", "DATABASE_URL")
    assert [g["name"] for g in config["generators"]] == ["client"]


# -- process handling and errors ----------------------------------------------------------------


def test_missing_node_raises_node_not_found() -> None:
    engine = PrismaWasm("6", node="/nonexistent/bin/node")
    expected = r"Node.js is needed for Prisma validation: install Node 18\+"
    with pytest.raises(NodeNotFoundError, match=expected):
        engine.validate(MODELS)


def test_node_not_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PRISMA_COMPOSE_NODE", raising=False)
    with PrismaWasm("6") as engine, pytest.raises(NodeNotFoundError):
        engine.info()["version"]


def test_missing_wasm_package(tmp_path: Path) -> None:
    with PrismaWasm("6", module=str(tmp_path / "nowhere")) as engine:
        with pytest.raises(WasmNotInstalledError, match="composer/engines/") as caught:
            engine.validate(MODELS)
        assert "npm ci" not in str(caught.value)  # a pip-installed user has no prisma-compose checkout
        assert "PRISMA_SCHEMA_WASM" in str(caught.value)


def test_unknown_major_version_is_not_installed() -> None:
    with PrismaWasm("5") as engine, pytest.raises(WasmNotInstalledError, match="Prisma 5"):
        engine.info()["version"]


def test_env_variable_selects_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRISMA_SCHEMA_WASM", str(shipped_engine("7")))
    with PrismaWasm("6") as engine:
        assert engine.info()["version"].startswith("7.9.0")


def test_bad_input_is_refused_in_python(prisma6: PrismaWasm) -> None:
    with pytest.raises(ValueError, match="non-empty"):
        prisma6.validate([])


def test_unknown_op_is_an_error_response_not_a_dead_process(prisma6: PrismaWasm) -> None:
    with pytest.raises(PrismaWasmError, match="unknown op") as caught:
        prisma6.call("frobnicate")
    assert caught.value.kind == "bad_request"
    assert prisma6.validate(DATASOURCE_WITH_URL + MODELS) == []


def test_engine_panic_is_reported_and_survived() -> None:
    with PrismaWasm("7") as engine:
        engine.info()["version"]
        pid = engine.pid
        with pytest.raises(PrismaWasmError, match="panic triggered by") as caught:
            engine.call("debug_panic")
        assert caught.value.kind == "wasm_panic"
        assert engine.validate(DATASOURCE_NO_URL + MODELS) == []
        assert engine.pid == pid  # same process, fresh wasm instance


def test_restarts_after_the_process_died() -> None:
    with PrismaWasm("6") as engine:
        engine.info()["version"]
        old = engine.pid
        assert old is not None
        os.kill(old, signal.SIGKILL)
        while engine.pid is not None:  # reaped
            time.sleep(0.01)
        assert engine.validate(DATASOURCE_WITH_URL + MODELS) == []
        assert engine.pid not in (None, old)


def test_close_and_reuse() -> None:
    engine = PrismaWasm("6")
    assert engine.info()["version"]
    engine.close()
    assert engine.pid is None
    assert engine.info()["version"]  # starts again
    engine.close()


def test_thread_safe(prisma7: PrismaWasm) -> None:
    good = DATASOURCE_NO_URL + MODELS
    bad = good.replace("title    String", "title    Strin")
    failures: list[str] = []

    def work(n: int) -> None:
        for i in range(15):
            schema = bad if (n + i) % 2 else good
            errors = prisma7.validate(schema)
            if [bad[e.start : e.end] for e in errors] != (["Strin"] if schema is bad else []):
                failures.append(f"thread {n} call {i}: {errors}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


# -- which engine: the project's own Prisma, else a shipped one -------------------------------


def _fake_prisma_cli(root: Path, version: str, wasm: bytes) -> Path:
    """node_modules/prisma as the `prisma` CLI package lays it out (its glue is minified into
    build/index.js, which the bridge never runs), holding the given engine wasm."""
    build = root / "node_modules" / "prisma" / "build"
    build.mkdir(parents=True)
    (build / "prisma_schema_build_bg.wasm").write_bytes(wasm)
    (build / "index.js").write_text("throw new Error('the Prisma CLI must not be started');\n")
    (build.parent / "package.json").write_text(json.dumps({"name": "prisma", "version": version}))
    return build / "prisma_schema_build_bg.wasm"


def _shipped_wasm(major: str) -> bytes:
    return (shipped_engine(major) / "src" / "prisma_schema_build_bg.wasm").read_bytes()


def _another_build(major: str) -> bytes:
    """The shipped wasm with a custom section appended: another build, byte for byte, with the
    same interface (as a Prisma patch release's engine is)."""
    name, payload = b"compose-test", b"another build"
    body = bytes([len(name)]) + name + payload
    return _shipped_wasm(major) + b"\x00" + bytes([len(body)]) + body


def test_schema_needs() -> None:
    assert schema_needs([DATASOURCE_WITH_URL + MODELS]) == "6"
    assert schema_needs([DATASOURCE_NO_URL + MODELS]) == "7"
    commented = 'datasource db {\n  provider = "sqlite"\n  // url = env("X")\n}\n'
    assert schema_needs([MODELS, commented]) == "7"
    assert schema_needs([MODELS, DATASOURCE_WITH_URL]) == "6"  # any file of a multi-file schema
    assert schema_needs([]) == "7"
    # Only a block at a line's start counts, as Prisma reads it: not one in a comment.
    assert schema_needs(["// " + DATASOURCE_WITH_URL + MODELS]) == "7"
    assert schema_needs(["/// datasource x {\n" + DATASOURCE_WITH_URL]) == "6"
    assert schema_needs(["  \t" + DATASOURCE_WITH_URL]) == "6"
    assert schema_needs(["datasource {\n  url = 1\n}\n", "datasourcedb {\n  url = 1\n}\n"]) == "7"


def test_datasource_needs_says_none_without_a_datasource() -> None:
    assert datasource_needs(MODELS) is None
    assert datasource_needs("// datasource db {\n  url = env(\"X\")\n}\n") is None
    assert datasource_needs(DATASOURCE_NO_URL) == "7" and datasource_needs(DATASOURCE_WITH_URL) == "6"


def test_no_prisma_in_the_project_the_schema_decides(tmp_path: Path) -> None:
    assert find_project_prisma(tmp_path) is None
    six, seven = choose_engine(tmp_path, "6"), choose_engine(tmp_path, "7")
    assert (six.major, six.module, six.by_schema) == ("6", None, True)
    assert (seven.major, seven.module) == ("7", None)
    with six.open() as engine:
        label = six.describe(engine.info())["label"]
    assert label == "Prisma 6.19.0 (shipped engine; no Prisma in the project; the datasource has a `url`)"
    forced = choose_engine(tmp_path, "6", prisma="7")
    assert (forced.major, forced.reason, forced.by_schema) == ("7", "--prisma 7", False)


def test_prisma_cli_with_the_shipped_build(tmp_path: Path) -> None:
    # prisma 6.19.3 bundles the very engine build that is shipped (6.19.0-26): no need to load it.
    _fake_prisma_cli(tmp_path, "6.19.3", _shipped_wasm("6"))
    project = tmp_path / "apps" / "web"  # a monorepo package: node_modules is hoisted above it
    project.mkdir(parents=True)
    found = find_project_prisma(project)
    assert found is not None and (found.kind, found.version, found.major) == ("cli", "6.19.3", "6")
    choice = choose_engine(project, needs="7")  # the project's major wins over the schema's
    assert (choice.major, choice.module, choice.by_schema) == ("6", None, False)
    with choice.open() as engine:
        described = choice.describe(engine.info())
    assert described["label"] == (
        "Prisma 6.19.0 (shipped engine; project has prisma 6.19.3 (../../node_modules/prisma), "
        "the same engine build)"
    )
    assert described["source"] == "shipped"
    assert described["project"] == "prisma 6.19.3 (../../node_modules/prisma)"


@pytest.mark.parametrize("major", ["6", "7"])
def test_prisma_cli_with_another_build_runs_its_own_engine(tmp_path: Path, major: str) -> None:
    wasm = _fake_prisma_cli(tmp_path, f"{major}.99.0", _another_build(major))
    choice = choose_engine(tmp_path)
    assert (choice.major, choice.module, choice.origin) == (major, str(wasm), "project")
    schema = (DATASOURCE_WITH_URL if major == "6" else DATASOURCE_NO_URL) + MODELS
    with choice.open() as engine, PrismaWasm(major) as shipped:
        info = engine.info()
        assert (info["package"], info["version"], info["skipped"]) == ("prisma", f"{major}.99.0", [])
        assert engine.validate(schema) == shipped.validate(schema) == []
        broken = schema.replace("title    String", "title    Strin")
        assert engine.validate(broken) == shipped.validate(broken) != []
        assert engine.format(schema) == shipped.format(schema)
    label = choice.describe(info)["label"]
    assert label == f"Prisma {major}.99.0 (the engine of the project's node_modules/prisma)"


def test_prisma_cli_whose_engine_does_not_fit_falls_back_to_the_shipped_one(tmp_path: Path) -> None:
    # A Prisma 7 CLI whose wasm has another interface than the shipped glue of 7 (here: the
    # Prisma 6 engine, 22 exports instead of 27): the shipped Prisma 7 engine runs, and says why.
    _fake_prisma_cli(tmp_path, "7.99.0", _another_build("6"))
    choice = choose_engine(tmp_path)
    with choice.open() as engine:
        info = engine.info()
        assert info["version"].startswith("7.9.0") and info["module"] == str(shipped_engine("7"))
        assert engine.validate(DATASOURCE_NO_URL + MODELS) == []
    [why] = info["skipped"]
    assert "cannot be run with the glue of the shipped Prisma 7 engine" in why
    described = choice.describe(info)
    assert described["source"] == "shipped"
    assert described["label"].startswith(
        "Prisma 7.9.0 (shipped engine; project has prisma 7.99.0 (node_modules/prisma), "
        "whose engine cannot be used:"
    )


def test_installed_wasm_package_of_the_clis_release_comes_first(tmp_path: Path) -> None:
    _fake_prisma_cli(tmp_path, "7.9.1", _another_build("7"))
    package = tmp_path / "node_modules" / "@prisma" / "prisma-schema-wasm"
    shutil.copytree(shipped_engine("7"), package)
    choice = choose_engine(tmp_path)
    assert (choice.module, choice.reason) == (str(package), "node_modules/@prisma/prisma-schema-wasm")
    with choice.open() as engine:
        assert engine.info()["package"] == "@prisma/prisma-schema-wasm"


def test_installed_wasm_package_alone(tmp_path: Path) -> None:
    package = tmp_path / "node_modules" / "@prisma" / "prisma-schema-wasm"
    shutil.copytree(shipped_engine("6"), package)
    choice = choose_engine(tmp_path, needs="7")
    assert (choice.major, choice.module, choice.origin) == ("6", str(package), "project")
    with choice.open() as engine:
        assert engine.info()["version"].startswith("6.19.0") and engine.info()["skipped"] == []


def test_broken_wasm_package_falls_back(tmp_path: Path) -> None:
    package = tmp_path / "node_modules" / "@prisma" / "prisma-schema-wasm"
    package.mkdir(parents=True)
    (package / "package.json").write_text('{"name": "@prisma/prisma-schema-wasm", "version": "6.5.0"}')
    choice = choose_engine(tmp_path)
    with choice.open() as engine:
        info = engine.info()
    assert info["version"].startswith("6.19.0") and len(info["skipped"]) == 1
    assert "cannot be used" in choice.describe(info)["label"]


@pytest.mark.parametrize(
    ("declared", "major"), [("^6.19.0", "6"), ("~7.1.0", "7"), ("5.22.0", "6"), ("^8.0.0", "7")]
)
def test_package_json_range_picks_the_shipped_major(tmp_path: Path, declared: str, major: str) -> None:
    (tmp_path / "package.json").write_text(json.dumps({"devDependencies": {"prisma": declared}}))
    (tmp_path / "packages" / "db").mkdir(parents=True)
    (tmp_path / "packages" / "db" / "package.json").write_text('{"name": "db"}')  # lists no prisma
    found = find_project_prisma(tmp_path / "packages" / "db")
    assert found is not None and (found.kind, found.version) == ("package.json", declared)
    choice = choose_engine(tmp_path / "packages" / "db", needs="6" if major == "7" else "7")
    assert (choice.major, choice.module) == (major, None)
    assert choice.reason == f"project's package.json wants prisma {declared}, not installed"
    assert choice.project == f"prisma {declared} (../../package.json)"


def test_prisma_env_variable_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_prisma_cli(tmp_path, "6.19.3", _shipped_wasm("6"))
    monkeypatch.setenv("PRISMA_SCHEMA_WASM", str(shipped_engine("7")))
    choice = choose_engine(tmp_path)
    assert (choice.major, choice.module, choice.origin) == ("7", str(shipped_engine("7")), "env")
    with choice.open() as engine:
        assert choice.describe(engine.info())["label"] == "Prisma 7.9.0 (PRISMA_SCHEMA_WASM)"
    # a CLI's bundled wasm: its package.json, two folders up, says which glue runs it
    wasm = _fake_prisma_cli(tmp_path / "seven", "7.99.0", _another_build("7"))
    monkeypatch.setenv("PRISMA_SCHEMA_WASM", str(wasm))
    choice = choose_engine(tmp_path)
    assert (choice.major, choice.module) == ("7", str(wasm))
    with choice.open() as engine:
        assert engine.info()["version"] == "7.99.0"


# -- validate: lint first, validate only when lint finds errors ----------------------------------

RELATION_MODE_PRISMA = """\
generator client {
  provider = "prisma-client-js"
}

model User {
  id    Int    @id
  posts Post[]
}

model Post {
  id       Int  @id
  authorId Int
  author   User @relation(fields: [authorId], references: [id])
}
"""


def _datasource(version: str, extra: str = "", provider: str = "mysql") -> str:
    url = '  url      = env("DATABASE_URL")\n' if version == "6" else ""
    return f'datasource db {{\n  provider = "{provider}"\n{url}{extra}}}\n\n'


def _without_urls(text: str) -> str:
    """A Prisma 6 schema as Prisma 7 accepts it: the datasource URLs live in prisma.config.ts."""
    import re

    return re.sub(r"^[ \t]*(url|directUrl|shadowDatabaseUrl)[ \t]*=.*\n", "", text, flags=re.M)


def _corpus_inputs(version: str) -> list[tuple[str, list[tuple[str, str]]]]:
    from tests.corpus import engine_files, multi_file_projects, real_world_schemas

    cases = []
    for path in [*real_world_schemas(), *engine_files()]:
        text = path.read_text(encoding="utf-8")
        cases.append((path.name, [("schema.prisma", text)]))
        if version == "7":
            cases.append((f"{path.name} (no url)", [("schema.prisma", _without_urls(text))]))
    for folder in multi_file_projects():
        paths = sorted(folder.rglob("*.prisma"))
        files = [(p.relative_to(folder).as_posix(), p.read_text(encoding="utf-8")) for p in paths]
        cases.append((folder.name, files))
        if version == "7":
            cases.append((f"{folder.name} (no url)", [(name, _without_urls(text)) for name, text in files]))
    return cases


@pytest.mark.parametrize("version", ["6", "7"])
def test_lint_alone_gives_what_validate_and_lint_give_on_the_corpus(
    request: pytest.FixtureRequest, version: str
) -> None:
    """Prisma's `validate` runs only when `lint` finds an error: wherever lint finds none,
    validate accepts the schema and the diagnostics are those of both run together."""
    engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
    tally = {"valid": 0, "warnings": 0, "errors": 0}
    for name, files in _corpus_inputs(version):
        if not any(text.strip() for _, text in files):
            continue  # an empty schema: nothing to compare
        fast, both = engine.validate(files), engine.validate(files, confirm=True)
        assert fast == both, name
        errors = any(d.is_error for d in both)
        tally["errors" if errors else "valid"] += 1
        tally["warnings"] += any(not d.is_error for d in both)
    # The corpus covers all three outcomes, for both majors.
    assert tally["valid"] > 20 and tally["errors"] > 20 and tally["warnings"] > 0, tally


@pytest.mark.parametrize("version", ["6", "7"])
@pytest.mark.parametrize(
    "case",
    ["relationMode prisma, no index", "SetNull on a required relation", "deprecated preview feature"],
)
def test_warnings_of_a_valid_schema_come_from_lint_alone(
    request: pytest.FixtureRequest, version: str, case: str
) -> None:
    engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
    if case == "relationMode prisma, no index":
        schema = _datasource(version, '  relationMode = "prisma"\n') + RELATION_MODE_PRISMA
        expected = "relationMode"
    elif case == "SetNull on a required relation":
        # A warning on PostgreSQL (an error on MySQL).
        schema = _datasource(version, provider="postgresql") + RELATION_MODE_PRISMA.replace(
            "[id])", "[id], onDelete: SetNull)"
        )
        expected = "SetNull"
    else:
        schema = _datasource(version) + RELATION_MODE_PRISMA.replace(
            '"prisma-client-js"\n', '"prisma-client-js"\n  previewFeatures = ["fullTextIndex"]\n'
        )
        expected = "fullTextIndex"
    result = engine.call("validate", files=[["schema.prisma", schema]])
    assert result["checks"] == ["lint"]  # valid: Prisma's validate is not run a second time
    assert result["errors"] == [] and result["warnings"], result
    assert expected in result["warnings"][0]["message"]
    assert engine.validate(schema) == engine.validate(schema, confirm=True)


def test_an_invalid_schema_is_confirmed_by_validate(prisma6: PrismaWasm) -> None:
    schema = DATASOURCE_WITH_URL + "model A {\n  id Int @id\n  x  Strin\n}\n"
    result = prisma6.call("validate", files=[["schema.prisma", schema]])
    assert result["checks"] == ["lint", "validate"]
    assert any("Strin" in e["message"] for e in result["errors"])
    [error] = prisma6.validate(schema)
    assert schema[error.start : error.end] == "Strin"


def test_warm_loads_the_engine_and_changes_nothing() -> None:
    with PrismaWasm("6") as engine:
        engine.warm()
        assert engine.pid is not None
        schema = DATASOURCE_WITH_URL + "model A {\n  id Int @id\n  x  Strin\n}\n"
        [error] = engine.validate(schema)
        assert schema[error.start : error.end] == "Strin"
        assert engine.validate(DATASOURCE_WITH_URL + MODELS) == []


def test_info_is_asked_by_warm_and_once_per_process() -> None:
    """The engine line after a one-shot validation reads `info` without a request behind it."""
    with PrismaWasm("6") as engine:
        engine.warm()
        assert engine.validate(DATASOURCE_WITH_URL + MODELS) == []
        sent = engine._next_id
        info = engine.info()
        assert info["version"].startswith("6.") and engine.info() == info
        assert engine._next_id == sent  # both answered by what `warm` asked
        engine.close()
        assert engine.info() == info  # a new process: asked again
        assert engine._next_id == sent + 1


def test_asked_requests_are_answered_in_any_order(prisma6: PrismaWasm) -> None:
    """`ask` and `validation` send now and wait later; answers read while awaiting another are
    kept for their own caller, and `warm`'s answer is dropped."""
    invalid = DATASOURCE_WITH_URL + "model A {\n  id Int @id\n  x  Strin\n}\n"
    with PrismaWasm("6") as engine:
        engine.warm()
        first = engine.validation(invalid)
        second = engine.validation(DATASOURCE_WITH_URL + MODELS)
        version = engine.ask("version")
        assert version()["version"].startswith("6.")
        assert second() == [] and first() == prisma6.validate(invalid)
        assert engine.info()["version"].startswith("6.")  # `warm` asked it: kept until read
        assert not engine._pending and not engine._early
        stale = engine.ask("version")
        engine.close()
        with pytest.raises(PrismaWasmError, match="was stopped"):
            stale()


def test_a_spawned_process_is_taken_over_by_the_engine_of_another_major() -> None:
    spare, engine = PrismaWasm("6"), PrismaWasm("7")
    try:
        spare.spawn()
        pid = spare.pid
        assert pid is not None
        engine.adopt(spare)
        assert spare.pid is None and engine.pid == pid
        assert engine.info()["version"].startswith("7.")
        assert engine.validate(DATASOURCE_NO_URL + MODELS) == []
        assert spare.info()["version"].startswith("6.")  # starts a process of its own again
        assert spare.pid not in (None, pid)
        used = PrismaWasm("6")
        used.adopt(engine)  # a process that answered a request stays with its engine
        assert engine.pid == pid and used.pid is None
    finally:
        spare.close()
        engine.close()


def test_a_one_shot_engine_gives_the_same_diagnostics(prisma6: PrismaWasm) -> None:
    """`one_shot=True` (one-shot commands) only changes when V8 optimises the engine."""
    invalid = DATASOURCE_WITH_URL + MODELS.replace("String   @id", "Strin    @id")
    warned = DATASOURCE_WITH_URL + RELATION_MODE_PRISMA.replace('"prisma-client-js"\n', (
        '"prisma-client-js"\n  previewFeatures = ["fullTextIndex"]\n'
    ))
    with PrismaWasm("6", one_shot=True) as engine:
        engine.warm()
        assert engine.info()["one_shot"] is True
        for schema in (DATASOURCE_WITH_URL + MODELS, invalid, warned):
            assert engine.validate(schema) == prisma6.validate(schema)
        assert any(d.is_error for d in engine.validate(invalid))
        assert engine.validate(warned) and not any(d.is_error for d in engine.validate(warned))
    assert prisma6.info()["one_shot"] is False
