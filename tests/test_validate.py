"""`compose validate` and `compose build --validate`: Prisma's own errors, at the fragment line.

Prisma errors in a hand-written fragment, in an `@extend` block (whose fields compose realigns)
and in a YAML-generated model are each mapped to the right file, line and column; json and
github formats are parsed back. The source map itself is checked character by character.
The CLI runs in-process (it starts its own Node process, as it would from a shell); in-process
checks of the source map reuse the session's Prisma engines.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from composer.diagnostics import Source
from composer.psl.render import line_anchors
from composer.sourcemap import OutputMap

from .helpers import BASE, compose, write_project
from .helpers import run_cli_inprocess as cli
from .prisma_checks import prisma_errors

ROOT = Path(__file__).resolve().parents[1]
GITHUB = re.compile(r"^::(error|warning) ((?:[a-zA-Z]+=[^,:]*,?)*)::(.*)$")

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
path = "prisma/user.prisma"
[[fragments]]
path = "prisma/post.prisma"
[[fragments]]
yaml = "prisma/entities/*.yaml"

[targets.app]
output = "out/schema.prisma"

[targets.folder]
output = "out/schema/"
"""

USER = """
/// A person.
model User {
  id    String @id @default(cuid())
  email String @unique
}
"""

POST = """
model Post {
  id       Int    @id @default(autoincrement())
  title    String // shown in lists
  authorId String
  author   User   @relation(fields: [authorId], references: [id])
}

/// @extend
model User {
  /// What they wrote.
  posts    Post[]
  nickname String? @db.VarChar(40) // optional
}
"""

BAD_USER = USER.replace("email String @unique", "email String @unique @default(1)")

VENUE = """
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
    description: Seats
  - name: title
    type: string
    index: true
"""


def project(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    contents = {
        "prisma.compose.toml": MANIFEST,
        "prisma/base.prisma": BASE,
        "prisma/user.prisma": USER,
        "prisma/post.prisma": POST,
        "prisma/entities/venue.yaml": VENUE,
    }
    return write_project(tmp_path, {**contents, **(files or {})})


def validate_json(tmp_path: Path, *args: str, command: str = "validate") -> tuple[int, dict]:
    result = cli(tmp_path, *(command.split()), "--format", "json", *args)
    doc = json.loads(result.stdout)
    assert doc["version"] == 1 and doc["exit_code"] == result.returncode
    assert set(doc) >= {"version", "command", "ok", "exit_code", "diagnostics"}
    for d in doc["diagnostics"]:
        assert set(d) == {"severity", "code", "message", "hint", "file", "line", "column", "end", "related"}
    return result.returncode, doc


def line_of(path: Path, needle: str) -> tuple[int, int]:
    """1-based line and column of the only occurrence of `needle` in the file."""
    text = path.read_text()
    assert text.count(needle) == 1, needle
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def parse_github(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    out = []
    for line in stdout.splitlines():
        m = GITHUB.match(line)
        assert m, f"not a workflow command: {line!r}"
        out.append((m.group(1), dict(p.split("=", 1) for p in m.group(2).split(",") if p), m.group(3)))
    return out


# -- valid projects -----------------------------------------------------------------------------


def test_valid_project(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "validate")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stderr
    assert "compose: validated with Prisma 6.19.0 (shipped engine; no Prisma in the project" in result.stderr
    assert not (tmp_path / "out").exists()  # composed in memory, nothing written


def test_valid_project_json(tmp_path: Path) -> None:
    project(tmp_path)
    code, doc = validate_json(tmp_path)
    assert code == 0 and doc["ok"] is True and doc["diagnostics"] == []
    assert {o["path"] for o in doc["outputs"]} == {
        "out/schema.prisma", "out/schema/schema.prisma", "out/schema/user.prisma",
        "out/schema/post.prisma", "out/schema/venue.prisma",
    }


def test_example_project_is_valid() -> None:
    result = cli(ROOT, "validate")
    assert result.returncode == 0, result.stderr


# -- errors at the fragment line ----------------------------------------------------------------


def test_error_in_a_hand_written_fragment(tmp_path: Path) -> None:
    project(tmp_path, {"prisma/user.prisma": BAD_USER})
    line, col = line_of(tmp_path / "prisma/user.prisma", "@default(1)")
    result = cli(tmp_path, "validate")
    assert result.returncode == 1
    assert f"prisma/user.prisma:{line}:{col}: error: Error parsing attribute \"@default\"" in result.stderr
    assert "email String @unique @default(1)" in result.stderr  # the code frame shows the fragment line
    assert f"{' ' * (col - 1)}^~~~~~~~~~~" in result.stderr  # under `@default(1)`, 11 characters
    code, doc = validate_json(tmp_path)
    assert code == 1 and doc["ok"] is False
    [d] = doc["diagnostics"]
    assert d["severity"] == "error" and d["code"] == "P1012"
    assert (d["file"], d["line"], d["column"]) == ("prisma/user.prisma", line, col)
    assert d["end"] == {"line": line, "column": col + len("@default(1)")}
    assert "Expected a String value" in d["message"]
    # found in both targets, reported once, with where Prisma saw it in each output
    [note] = d["related"]
    assert "out/schema.prisma:" in note["message"] and "(target app)" in note["message"]
    assert "out/schema/user.prisma:" in note["message"] and "(target folder)" in note["message"]


def test_error_in_an_extend_block(tmp_path: Path) -> None:
    # The merged `User` is realigned in the output, so the columns differ from the fragment's.
    post = POST.replace("@db.VarChar(40)", "@db.VarChar(40) @default(42)")
    project(tmp_path, {"prisma/post.prisma": post})
    line, col = line_of(tmp_path / "prisma/post.prisma", "@default(42)")
    code, doc = validate_json(tmp_path)
    assert code == 1
    [d] = doc["diagnostics"]
    assert (d["file"], d["line"], d["column"]) == ("prisma/post.prisma", line, col)
    assert d["end"] == {"line": line, "column": col + len("@default(42)")}
    github = cli(tmp_path, "validate", "--format", "github")
    assert github.returncode == 1
    [(level, props, message)] = parse_github(github.stdout)
    assert level == "error" and props["file"] == "prisma/post.prisma"
    assert (int(props["line"]), int(props["col"])) == (line, col)
    assert props["title"] == "compose P1012" and "Expected a String value" in message


def test_relation_error_in_an_extend_block(tmp_path: Path) -> None:
    post = POST.replace("  posts    Post[]\n", "  posts    Post[]\n  drafts   Post[]\n")
    project(tmp_path, {"prisma/post.prisma": post})
    line, col = line_of(tmp_path / "prisma/post.prisma", "posts    Post[]")
    result = cli(tmp_path, "validate", "app")
    assert result.returncode == 1
    assert f"prisma/post.prisma:{line}:{col}: error: Error validating model \"User\": Ambiguous relation" in (
        result.stderr
    )


def test_error_in_a_yaml_generated_model(tmp_path: Path) -> None:
    attributes = '    prisma:\n      attributes: ["@db.VarChar(10)"]\n'
    venue = VENUE.replace("    description: Seats\n", "    description: Seats\n" + attributes)
    project(tmp_path, {"prisma/entities/venue.yaml": venue})
    line, col = line_of(tmp_path / "prisma/entities/venue.yaml", "- name: capacity")
    code, doc = validate_json(tmp_path)
    assert code == 1
    [d] = doc["diagnostics"]
    assert (d["file"], d["line"], d["column"]) == ("prisma/entities/venue.yaml", line, col)
    assert "VarChar is not compatible with declared field type Int" in d["message"]
    text = cli(tmp_path, "validate", "folder")
    assert f"prisma/entities/venue.yaml:{line}:{col}: error:" in text.stderr
    assert "- name: capacity" in text.stderr


def test_error_in_a_manifest_setting(tmp_path: Path) -> None:
    manifest = MANIFEST + '\n[targets.app.datasource]\nprovider = "postgresqlx"\n'
    project(tmp_path, {"prisma.compose.toml": manifest})
    line, _ = line_of(tmp_path / "prisma.compose.toml", 'provider = "postgresqlx"')
    code, doc = validate_json(tmp_path, "app")
    assert code == 1
    [d] = doc["diagnostics"]
    assert (d["file"], d["line"]) == ("prisma.compose.toml", line)
    assert "postgresqlx" in d["message"]


def test_several_errors_sorted_by_place(tmp_path: Path) -> None:
    user = USER.replace("email String @unique", "email String @unique\n  age   Int    @default(\"x\")")
    post = POST.replace("@db.VarChar(40)", "@db.VarChar(40) @default(42)")
    project(tmp_path, {"prisma/user.prisma": user, "prisma/post.prisma": post})
    code, doc = validate_json(tmp_path, "app")
    assert code == 1
    places = [(d["file"], d["line"]) for d in doc["diagnostics"]]
    assert places == sorted(places) and len(places) == 2
    assert {f for f, _ in places} == {"prisma/user.prisma", "prisma/post.prisma"}


def test_prisma_warnings_do_not_fail(tmp_path: Path) -> None:
    post = POST.replace("references: [id])", "references: [id], onDelete: SetNull)")
    project(tmp_path, {"prisma/post.prisma": post})
    code, doc = validate_json(tmp_path, "app")
    assert code == 0 and doc["ok"] is True
    [w] = doc["diagnostics"]
    assert w["severity"] == "warning" and w["code"] == "W610" and "SetNull" in w["message"]
    line, _ = line_of(tmp_path / "prisma/post.prisma", "author   User")
    assert (w["file"], w["line"]) == ("prisma/post.prisma", line)
    github = cli(tmp_path, "validate", "app", "--format", "github")
    assert github.returncode == 0 and github.stdout.startswith("::warning file=prisma/post.prisma,")


def test_compose_errors_come_first(tmp_path: Path) -> None:
    project(tmp_path, {"prisma/user.prisma": USER.replace("email String", "email Strin")})
    result = cli(tmp_path, "validate")
    assert result.returncode == 1
    assert "prisma/user.prisma:" in result.stderr and "did you mean `String`?" in result.stderr


# -- build --validate ---------------------------------------------------------------------------


def test_build_validate_writes_nothing_when_prisma_rejects(tmp_path: Path) -> None:
    project(tmp_path, {"prisma/user.prisma": BAD_USER})
    result = cli(tmp_path, "build", "--validate")
    assert result.returncode == 1
    assert "prisma/user.prisma:" in result.stderr
    assert not (tmp_path / "out").exists()
    code, doc = validate_json(tmp_path, command="build --validate")
    assert code == 1 and doc["command"] == "build" and doc["diagnostics"][0]["file"] == "prisma/user.prisma"
    # without --validate, build writes it (Prisma is not consulted)
    assert cli(tmp_path, "build").returncode == 0


def test_build_validate_writes_when_valid(tmp_path: Path, assert_prisma_valid) -> None:
    project(tmp_path)
    result = cli(tmp_path, "build", "--validate")
    assert result.returncode == 0, result.stderr
    assert_prisma_valid((tmp_path / "out/schema.prisma").read_text())
    code, doc = validate_json(tmp_path, command="build --validate")
    assert code == 0 and {o["status"] for o in doc["outputs"]} == {"unchanged"}
    [engine] = doc["engines"]
    assert (engine["prisma"], engine["source"], engine["targets"]) == ("6.19.0", "shipped", ["app", "folder"])
    assert "compose: validated with Prisma 6.19.0 (shipped engine;" in result.stderr


# -- which Prisma, and no Node ------------------------------------------------------------------


def test_no_node_is_a_clear_error(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "validate", PATH="")
    assert result.returncode == 2
    assert "Node.js is needed" in result.stderr and "Traceback" not in result.stderr
    json_run = cli(tmp_path, "validate", "--format", "json", PATH="")
    doc = json.loads(json_run.stdout)
    assert json_run.returncode == 2 and doc["exit_code"] == 2
    assert "Node.js" in doc["diagnostics"][0]["message"]
    build = cli(tmp_path, "build", "--validate", PATH="")
    assert build.returncode == 2 and not (tmp_path / "out").exists()


def test_the_projects_own_prisma_comes_first(tmp_path: Path) -> None:
    project(tmp_path)
    # The project has Prisma 7's engine installed: it rejects `url` in the datasource.
    installed = tmp_path / "node_modules" / "@prisma" / "prisma-schema-wasm"
    installed.parent.mkdir(parents=True)
    shutil.copytree(ROOT / "composer" / "engines" / "prisma7", installed)
    result = cli(tmp_path, "validate", "app")
    assert result.returncode == 1
    assert "compose: validated with Prisma 7.9.0 (node_modules/@prisma/prisma-schema-wasm)" in result.stderr
    line, _ = line_of(tmp_path / "prisma/base.prisma", "url ")
    assert f"prisma/base.prisma:{line}:3: error:" in result.stderr
    pinned = cli(tmp_path, "validate", "app", "--prisma", "6")
    assert pinned.returncode == 0, pinned.stderr
    assert "compose: validated with Prisma 6.19.0 (shipped engine; --prisma 6)" in pinned.stderr


def test_an_unusable_installed_prisma_falls_back_to_the_shipped_one(tmp_path: Path) -> None:
    project(tmp_path, {"node_modules/@prisma/prisma-schema-wasm/package.json": '{"version": "6.5.0"}'})
    result = cli(tmp_path, "validate")
    assert result.returncode == 0, result.stderr
    assert (
        "compose: validated with Prisma 6.19.0 (shipped engine; project has @prisma/prisma-schema-wasm 6.5.0 "
        "(node_modules/@prisma/prisma-schema-wasm), whose engine cannot be used: "
    ) in result.stderr
    assert "is neither @prisma/prisma-schema-wasm nor holds prisma_schema_build_bg.wasm)" in result.stderr
    code, doc = validate_json(tmp_path)
    [engine] = doc["engines"]
    assert code == 0 and engine["source"] == "shipped" and engine["prisma"] == "6.19.0"
    assert engine["project"] == "@prisma/prisma-schema-wasm 6.5.0 (node_modules/@prisma/prisma-schema-wasm)"


def test_shipped_prisma_7(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "validate", "app", "--prisma", "7")
    assert result.returncode == 1
    assert "compose: validated with Prisma 7.9.0 (shipped engine; --prisma 7)" in result.stderr
    assert cli(tmp_path, "validate", "--prisma", "5").returncode == 2


def test_without_prisma_each_target_gets_the_major_its_datasource_needs(tmp_path: Path) -> None:
    # `url = false` drops the URL from target `folder`: a Prisma 7 schema; `app` keeps it: Prisma 6.
    manifest = MANIFEST + "\n[targets.folder.datasource]\nurl = false\n"
    project(tmp_path, {"prisma.compose.toml": manifest})
    result = cli(tmp_path, "validate")
    assert result.returncode == 0, result.stderr
    assert (
        "compose: validated app with Prisma 6.19.0 (shipped engine; no Prisma in the project; the "
        "datasource has a `url`); folder with Prisma 7.9.0 (shipped engine; no Prisma in the project; "
        "no datasource `url`)"
    ) in result.stderr
    code, doc = validate_json(tmp_path)
    assert code == 0
    assert [(e["targets"], e["prisma"], e["source"]) for e in doc["engines"]] == [
        (["app"], "6.19.0", "shipped"),
        (["folder"], "7.9.0", "shipped"),
    ]


def test_node_starts_before_composing_with_the_engine_the_fragments_need(tmp_path: Path) -> None:
    """With no Prisma in the project, the Node process spawned at the start is given, once the
    fragments are read, to the engine of the major they need, as a one-shot engine."""
    from composer.manifest import load_manifest
    from composer.validation import Engines

    project(tmp_path, {"prisma/base.prisma": BASE.replace('  url      = env("DATABASE_URL")\n', "")})
    engines = Engines(tmp_path)
    try:
        spawned = engines.project.wasm.pid
        assert spawned is not None and not engines.by_major
        engines.loader().load(load_manifest(tmp_path / "prisma.compose.toml"))
        assert list(engines.by_major) == ["7"]  # no datasource `url`
        seven = engines.by_major["7"].wasm
        assert seven.pid == spawned and engines.project.wasm.pid is None
        assert seven.one_shot is True and seven.info()["version"].startswith("7.")
    finally:
        engines.close()


def test_the_engine_is_guessed_from_the_first_datasource_read(tmp_path: Path) -> None:
    """With no Prisma in the project, the engine starts warming up as soon as a fragment with a
    datasource is read, not once every fragment is read and parsed."""
    from composer.validation import Engines

    engines = Engines(tmp_path)
    try:
        spawned = engines.project.wasm.pid
        loader = engines.loader()
        loader.on_read(USER)  # no datasource: nothing known yet
        assert not engines.by_major
        loader.on_read(BASE.replace('  url      = env("DATABASE_URL")\n', ""))
        assert list(engines.by_major) == ["7"] and engines.by_major["7"].wasm.pid == spawned
        loader.on_read(BASE)  # one guess; the loaded schema decides in the end (`load`)
        assert list(engines.by_major) == ["7"]
    finally:
        engines.close()


def _bridges_in(folder: Path) -> set[int]:
    """The running Node bridges (composer/node/prisma_wasm.cjs) whose working directory is
    `folder`: the bridge runs in the project's folder. Read from the process table."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if "prisma_wasm.cjs" in (entry / "cmdline").read_text() and (entry / "cwd").resolve() == folder:
                found.add(int(entry.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="reads the process table in /proc")
@pytest.mark.parametrize(("stop", "code"), [("valid", 0), ("compose error", 1), ("interrupt", 130)])
def test_node_started_before_composing_is_ended_and_reaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: str, code: int
) -> None:
    """Node starts before the fragments are read; however the run ends (a fragment that does not
    parse, Ctrl-C while composing, or a valid project) it leaves no Node process behind, running
    or a zombie: the bridge seen running while the fragments were read is gone from the process
    table when the command returns."""
    from composer import validation

    unparsable = {"prisma/post.prisma": "model Post {\n  id Int @id\n"}
    project(tmp_path, unparsable if stop == "compose error" else None)
    root = tmp_path.resolve()
    seen: set[int] = set()
    on_read = validation._ExpectingLoader.on_read

    def watching(loader: validation._ExpectingLoader, text: str) -> None:
        on_read(loader, text)
        seen.update(_bridges_in(root))
        if stop == "interrupt":
            raise KeyboardInterrupt

    monkeypatch.setattr(validation._ExpectingLoader, "on_read", watching)
    result = cli(tmp_path, "validate")
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert seen, "no Node process was running while the fragments were read"
    assert not [pid for pid in seen if Path(f"/proc/{pid}").exists()]


def test_unknown_target_exit_2(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "validate", "nope")
    assert result.returncode == 2 and "unknown target" in result.stderr


# -- the source map, character by character -----------------------------------------------------


SOURCE_MAP_MANIFEST = MANIFEST + """
[targets.app.datasource]
url = { env = "APP_URL" }
directUrl = { env = "APP_DIRECT_URL" }
[targets.app.generators.client]
provider = "prisma-client-py"
"""


def test_every_output_character_maps_to_the_same_character(tmp_path: Path, prisma6) -> None:
    enum = (
        '\nenum Role {\n  ADMIN  @map("admin")\n  MEMBER\n}\n\n'
        '/// @extend\nenum Role {\n  GUEST @map("guest") // new\n}\n'
    )
    project(tmp_path, {"prisma.compose.toml": SOURCE_MAP_MANIFEST, "prisma/user.prisma": USER + enum})
    comp = compose(tmp_path)
    checked = 0
    for composed in comp.targets:
        for f in composed.files:
            omap = OutputMap(composed, f)
            for i, line in enumerate(f.lines):
                start = omap.output.offset_of(omap.first_body_line + i + 1)
                for col, char in enumerate(line):
                    if char.isspace():
                        continue
                    mapped = omap.source_offset(start + col)
                    if f.origins[i] is None:
                        assert mapped is None, line
                        continue
                    assert mapped is not None, line
                    source, offset = mapped
                    if source.display == "prisma.compose.toml":
                        continue  # a value the manifest set: mapped to its key, not character by character
                    anchors = line_anchors(line, f.origins[i], f.anchors[i])
                    if anchors and not any(at <= col < at + length for at, _, _, length in anchors):
                        assert char == "=", line  # the only text of a laid-out line no input holds
                        continue
                    assert source.text[offset] == char, (f.path, i, line, col)
                    checked += 1
    assert checked > 1000
    # and Prisma accepts what was mapped
    app = comp.targets[0]
    assert prisma_errors(prisma6, OutputMap(app, app.files[0]).text) == []


def test_locate_spans_and_generated_lines(tmp_path: Path) -> None:
    project(tmp_path)
    comp = compose(tmp_path, ["app"])
    [f] = comp.targets[0].files
    omap = OutputMap(comp.targets[0], f)
    text = omap.text
    banner = text.index("// DO NOT EDIT")
    loc, mapped = omap.locate(banner, banner + 5)
    assert not mapped and loc.file == "out/schema.prisma" and loc.line == 1
    nick = text.index("nickname String?")
    loc, mapped = omap.locate(nick, nick + len("nickname"))
    line, col = line_of(tmp_path / "prisma/post.prisma", "nickname")
    assert mapped and str(loc) == f"prisma/post.prisma:{line}:{col}"
    assert loc.end - loc.start == len("nickname")
    # a span over several lines is cut at the end of its first line
    model = text.index("model Post {")
    loc, _ = omap.locate(model, text.index("}", model) + 1)
    assert loc.source.text[loc.start : loc.end] == "model Post {"
    yaml_field = text.index("capacity")
    loc, mapped = omap.locate(yaml_field, yaml_field + 3)
    assert mapped and loc.file == "prisma/entities/venue.yaml"
    assert loc.line == line_of(tmp_path / "prisma/entities/venue.yaml", "- name: capacity")[0]


def test_output_map_without_banner(tmp_path: Path) -> None:
    project(tmp_path, {"prisma.compose.toml": "[compose]\nheader = false\n" + MANIFEST})
    comp = compose(tmp_path, ["app"])
    omap = OutputMap(comp.targets[0], comp.targets[0].files[0])
    assert omap.first_body_line == 0 and omap.text.startswith("datasource db {")
    loc, mapped = omap.locate(0, 10)
    assert mapped and loc.file == "prisma/base.prisma" and loc.line == 1


def test_to_diagnostic_keeps_prisma_message(tmp_path: Path) -> None:
    from composer.validation import to_diagnostic

    project(tmp_path)
    comp = compose(tmp_path, ["app"])
    omap = OutputMap(comp.targets[0], comp.targets[0].files[0])
    at = omap.text.index("email")
    d = to_diagnostic("  Something is wrong.\n", "error", at, at + 5, omap)
    assert d.message == "Something is wrong." and d.code == "P1012" and d.hint is None
    assert isinstance(d.location.source, Source) and d.location.file == "prisma/user.prisma"
    w = to_diagnostic("Careful.", "warning", 0, 3, omap)
    assert w.severity == "warning" and w.code == "W610" and w.hint and w.location.file == "out/schema.prisma"


@pytest.mark.parametrize("header", [True, False])
def test_first_body_line_matches_seal(tmp_path: Path, header: bool) -> None:
    prefix = "" if header else "[compose]\nheader = false\n"
    project(tmp_path, {"prisma.compose.toml": prefix + MANIFEST})
    comp = compose(tmp_path, ["app"])
    f = comp.targets[0].files[0]
    omap = OutputMap(comp.targets[0], f)
    assert omap.text.splitlines()[omap.first_body_line :] == f.lines
    assert textwrap.dedent(omap.text).endswith("\n")
