"""`compose check`: drift between the fragments and the outputs on disk, caught before merge.

The CLI in-process (`helpers.run_cli_inprocess`), on real projects in tmp_path: missing, stale,
hand-edited and leftover outputs; the diff (applied back with `git apply`); json and github
formats parsed back; exit codes; colours and the pre-commit entry (in a real process); the
pre-commit hooks file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from .helpers import BASE, write_project
from .helpers import run_cli_inprocess as cli

ROOT = Path(__file__).resolve().parents[1]

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
glob = "prisma/domains/*.prisma"

[targets.app]
output = "out/schema.prisma"

[targets.folder]
output = "out/schema/"
"""

USER = "model User {\n  id    Int    @id\n  posts Post[]\n}\n"
POST = (
    "model Post {\n  id     Int  @id\n  userId Int\n"
    "  user   User @relation(fields: [userId], references: [id])\n}\n"
)
GITHUB = re.compile(r"^::(error|warning) ((?:[a-zA-Z]+=[^,:]*,?)*)::(.*)$")


def project(tmp_path: Path, build: bool = True) -> Path:
    write_project(
        tmp_path,
        {
            "prisma.compose.toml": MANIFEST,
            "prisma/base.prisma": BASE,
            "prisma/domains/user.prisma": USER,
            "prisma/domains/post.prisma": POST,
        },
    )
    if build:
        result = cli(tmp_path, "build")
        assert result.returncode == 0, result.stderr
    return tmp_path


def snapshot_tree(root: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def parse_github(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    out = []
    for line in stdout.splitlines():
        if not line.startswith("::") or line.startswith(("::group::", "::endgroup::")):
            continue
        m = GITHUB.match(line)
        assert m, f"not a workflow command: {line!r}"
        props = dict(p.split("=", 1) for p in m.group(2).split(",") if p)
        out.append((m.group(1), props, m.group(3)))
    return out


def check_json(tmp_path: Path, *args: str) -> tuple[int, dict]:
    result = cli(tmp_path, "check", "--format", "json", *args)
    doc = json.loads(result.stdout)  # exactly one JSON document on stdout
    assert doc["version"] == 1 and doc["command"] == "check"
    assert doc["exit_code"] == result.returncode and doc["ok"] == (result.returncode == 0)
    return result.returncode, doc


# -- fresh --------------------------------------------------------------------------------------


def test_fresh_outputs_exit_0_and_nothing_on_stdout(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "up to date" in result.stderr


def test_check_writes_nothing(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "prisma/domains/user.prisma").write_text(USER.replace("  posts", " posts"))
    (tmp_path / "out/schema/post.prisma").unlink()
    with (tmp_path / "out/schema.prisma").open("a") as fh:
        fh.write("// by hand\n")
    before = snapshot_tree(tmp_path)
    assert cli(tmp_path, "check").returncode == 1
    assert snapshot_tree(tmp_path) == before


def test_json_when_fresh(tmp_path: Path) -> None:
    project(tmp_path)
    code, doc = check_json(tmp_path)
    assert code == 0 and doc["diagnostics"] == []
    assert {(o["target"], o["path"], o["status"]) for o in doc["outputs"]} == {
        ("app", "out/schema.prisma", "fresh"),
        ("folder", "out/schema/schema.prisma", "fresh"),
        ("folder", "out/schema/user.prisma", "fresh"),
        ("folder", "out/schema/post.prisma", "fresh"),
    }
    assert all(o["diff"] is None for o in doc["outputs"])


# -- missing ------------------------------------------------------------------------------------


def test_missing_output(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    result = cli(tmp_path, "check", "app")
    assert result.returncode == 1
    assert result.stdout.startswith("--- /dev/null\n+++ b/out/schema.prisma\n@@ -0,0 +1,")
    assert "+model Post {" in result.stdout
    assert "prisma.compose.toml:" in result.stderr and "is missing" in result.stderr
    assert "compose build app" in result.stderr
    assert not (tmp_path / "out").exists()


def test_missing_output_json_points_at_the_manifest(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    code, doc = check_json(tmp_path, "app")
    assert code == 1
    [d] = doc["diagnostics"]
    assert d["code"] == "E601" and d["severity"] == "error"
    assert d["file"] == "prisma.compose.toml"
    manifest_lines = (tmp_path / "prisma.compose.toml").read_text().splitlines()
    assert manifest_lines[d["line"] - 1].startswith("output")
    [o] = doc["outputs"]
    assert o["status"] == "missing" and o["diff"].startswith("--- /dev/null")


def test_one_file_of_a_folder_output_missing(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "out/schema/user.prisma").unlink()
    code, doc = check_json(tmp_path)
    assert code == 1
    statuses = {o["path"]: o["status"] for o in doc["outputs"]}
    assert statuses["out/schema/user.prisma"] == "missing"
    assert statuses["out/schema/post.prisma"] == "fresh"
    assert [d["code"] for d in doc["diagnostics"]] == ["E601"]


# -- stale --------------------------------------------------------------------------------------


def test_stale_output_diff_and_location(tmp_path: Path) -> None:
    project(tmp_path)
    user = USER.replace("  posts Post[]\n", "  posts Post[]\n  name  String\n")
    (tmp_path / "prisma/domains/user.prisma").write_text(user)
    result = cli(tmp_path, "check", "app")
    assert result.returncode == 1
    assert "--- a/out/schema.prisma\n+++ b/out/schema.prisma\n" in result.stdout
    assert "+  name  String\n" in result.stdout
    assert "out of date" in result.stderr and "compose build app" in result.stderr
    _, doc = check_json(tmp_path, "app")
    [d] = doc["diagnostics"]
    assert d["code"] == "E602" and d["file"] == "out/schema.prisma"
    # The first real change, not the checksum line (which differs whenever anything does).
    on_disk = (tmp_path / "out/schema.prisma").read_text().splitlines()
    assert on_disk[d["line"] - 1] == "}"  # where `name String` goes, before the closing brace


def test_stale_after_manifest_change(tmp_path: Path) -> None:
    project(tmp_path)
    manifest = tmp_path / "prisma.compose.toml"
    output = 'output = "out/schema.prisma"'
    settings = '\n[targets.app.datasource]\nurl = { env = "APP_URL" }'
    manifest.write_text(manifest.read_text().replace(output, output + settings))
    code, doc = check_json(tmp_path)
    assert code == 1
    assert {o["path"]: o["status"] for o in doc["outputs"]}["out/schema.prisma"] == "stale"
    diff = next(o["diff"] for o in doc["outputs"] if o["path"] == "out/schema.prisma")
    assert '+  url      = env("APP_URL")' in diff


def test_diff_applies_with_git_apply(tmp_path: Path) -> None:
    project(tmp_path)
    user = USER.replace("  posts Post[]\n", "  posts Post[]\n  age   Int\n")
    (tmp_path / "prisma/domains/user.prisma").write_text(user)
    (tmp_path / "out/schema/post.prisma").unlink()
    result = cli(tmp_path, "check")
    assert result.returncode == 1
    patch = tmp_path / "fix.patch"
    patch.write_text(result.stdout)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # paths are relative to the project
    applied = subprocess.run(["git", "apply", str(patch)], cwd=tmp_path, capture_output=True, text=True)
    assert applied.returncode == 0, applied.stderr
    patch.unlink()
    again = cli(tmp_path, "check")
    assert again.returncode == 0, again.stdout + again.stderr


# -- hand-edited --------------------------------------------------------------------------------


def test_hand_edited_output(tmp_path: Path) -> None:
    project(tmp_path)
    out = tmp_path / "out/schema.prisma"
    out.write_text(out.read_text().replace("  userId Int\n", "  userId Int\n  extra  String\n"))
    result = cli(tmp_path, "check", "--format", "github")
    assert result.returncode == 1
    [(level, props, message)] = parse_github(result.stdout)
    assert level == "error" and props["title"] == "compose E603"
    assert props["file"] == "out/schema.prisma"
    assert out.read_text().splitlines()[int(props["line"]) - 1] == "  extra  String"
    assert "edited by hand" in message and "--force" in message
    assert "::group::diff out/schema.prisma" in result.stdout
    assert "-  extra  String" in result.stdout
    # build refuses it too; check did not change the file
    assert "extra  String" in out.read_text()


def test_file_not_written_by_compose(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    (tmp_path / "out").mkdir()
    (tmp_path / "out/schema.prisma").write_text("model Old {\n  id Int @id\n}\n")
    code, doc = check_json(tmp_path, "app")
    assert code == 1
    [d] = doc["diagnostics"]
    assert d["code"] == "E603" and "not written by compose" in d["message"]
    assert doc["outputs"][0]["status"] == "hand-edited"


def test_edited_and_reverted_is_fresh(tmp_path: Path) -> None:
    project(tmp_path)
    out = tmp_path / "out/schema.prisma"
    text = out.read_text()
    out.write_text(text + "// x\n")
    assert cli(tmp_path, "check", "app").returncode == 1
    out.write_text(text)
    assert cli(tmp_path, "check", "app").returncode == 0


# -- leftovers of folder outputs ----------------------------------------------------------------


def test_leftover_file_of_a_folder_output(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "prisma/domains/post.prisma").unlink()
    (tmp_path / "prisma/domains/user.prisma").write_text("model User {\n  id Int @id\n}\n")
    (tmp_path / "out/schema/notes.prisma").write_text("// not compose's: never touched\n")
    code, doc = check_json(tmp_path, "folder")
    assert code == 1
    statuses = {o["path"]: o["status"] for o in doc["outputs"]}
    assert statuses["out/schema/post.prisma"] == "leftover"
    assert "out/schema/notes.prisma" not in statuses
    leftover = next(o for o in doc["outputs"] if o["path"] == "out/schema/post.prisma")
    assert leftover["diff"].splitlines()[:2] == ["--- a/out/schema/post.prisma", "+++ /dev/null"]
    assert "E604" in [d["code"] for d in doc["diagnostics"]]


# -- header-less outputs (checksums in .compose-state.json) -------------------------------------


def test_header_less_output_edited(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    manifest = tmp_path / "prisma.compose.toml"
    manifest.write_text("[compose]\nheader = false\n" + manifest.read_text())
    assert cli(tmp_path, "build").returncode == 0
    assert cli(tmp_path, "check").returncode == 0
    out = tmp_path / "out/schema.prisma"
    out.write_text(out.read_text() + "// by hand\n")
    code, doc = check_json(tmp_path, "app")
    assert code == 1 and doc["diagnostics"][0]["code"] == "E603"


# -- errors, usage, formats ---------------------------------------------------------------------


def test_input_error_exit_1(tmp_path: Path) -> None:
    project(tmp_path)
    (tmp_path / "prisma/domains/post.prisma").write_text(POST.replace("userId Int", "userId Int @@"))
    result = cli(tmp_path, "check")
    assert result.returncode == 1
    assert "prisma/domains/post.prisma:3:" in result.stderr
    code, doc = check_json(tmp_path)
    assert code == 1 and doc["diagnostics"][0]["file"] == "prisma/domains/post.prisma"
    assert "outputs" not in doc


def test_unknown_target_exit_2(tmp_path: Path) -> None:
    project(tmp_path)
    result = cli(tmp_path, "check", "nope")
    assert result.returncode == 2 and "unknown target `nope`" in result.stderr
    code, doc = check_json(tmp_path, "nope")
    assert code == 2 and doc["diagnostics"][0]["code"] == "usage"
    github = cli(tmp_path, "check", "nope", "--format", "github")
    assert github.returncode == 2
    [(level, _, message)] = parse_github(github.stdout)
    assert level == "error" and "unknown target" in message


def test_no_manifest_exit_2(tmp_path: Path) -> None:
    result = cli(tmp_path, "check")
    assert result.returncode == 2 and "prisma.compose.toml" in result.stderr


def test_bad_format_option_exit_2(tmp_path: Path) -> None:
    project(tmp_path)
    assert cli(tmp_path, "check", "--format", "xml").returncode == 2


def test_colours_only_when_asked_and_never_with_no_color(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    plain = cli(tmp_path, "check", "app")
    assert "\x1b[" not in plain.stdout + plain.stderr
    env = {"FORCE_COLOR": "1"}
    coloured = subprocess.run(
        [sys.executable, "-m", "composer", "check", "app"], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env},
    )
    assert "\x1b[32m+model Post {" in coloured.stdout and "\x1b[" in coloured.stderr
    no_color = subprocess.run(
        [sys.executable, "-m", "composer", "check", "app"], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "NO_COLOR": "1", **env},
    )
    assert "\x1b[" not in no_color.stdout + no_color.stderr


def test_example_project_committed_outputs_are_fresh(assert_prisma_valid) -> None:
    """The example's outputs committed in the repository are exactly what `compose build` writes
    (they are the one stored copy of the example's output: a change of compose's output shows
    here until they are rebuilt), and Prisma accepts them."""
    result = cli(ROOT, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    for rel in ("prisma/schema.prisma", "engine/prisma/schema.prisma"):
        assert_prisma_valid((ROOT / rel).read_text(encoding="utf-8"), version="6")


# -- the same formats on build ------------------------------------------------------------------


def test_build_json_and_github(tmp_path: Path) -> None:
    project(tmp_path, build=False)
    result = cli(tmp_path, "build", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.returncode == 0 and doc["command"] == "build" and doc["ok"] is True
    assert {o["path"]: o["status"] for o in doc["outputs"]} == {
        "out/schema.prisma": "written", "out/schema/schema.prisma": "written",
        "out/schema/user.prisma": "written", "out/schema/post.prisma": "written",
    }
    again = json.loads(cli(tmp_path, "build", "--format", "json").stdout)
    assert {o["status"] for o in again["outputs"]} == {"unchanged"}
    (tmp_path / "prisma/domains/post.prisma").write_text(POST.replace("User @relation", "Usr  @relation"))
    failed = cli(tmp_path, "build", "--format", "github")
    assert failed.returncode == 1
    [(level, props, message)] = parse_github(failed.stdout)
    assert level == "error" and props["file"] == "prisma/domains/post.prisma" and props["line"] == "4"
    assert "did you mean `User`?" in message
    doc = json.loads(cli(tmp_path, "build", "--format", "json").stdout)
    assert doc["exit_code"] == 1 and doc["diagnostics"][0]["hint"] == "did you mean `User`?"
    assert "outputs" not in doc


def test_warnings_in_json_and_github(tmp_path: Path) -> None:
    project(tmp_path)
    manifest = tmp_path / "prisma.compose.toml"
    manifest.write_text(manifest.read_text().replace(
        '[targets.app]', '[[fragments]]\nglob = "nothing/*.prisma"\n\n[targets.app]'
    ))
    code, doc = check_json(tmp_path)
    assert code == 0 and [d["severity"] for d in doc["diagnostics"]] == ["warning"]
    github = cli(tmp_path, "check", "--format", "github")
    assert github.returncode == 0
    [(level, props, _)] = parse_github(github.stdout)
    assert level == "warning" and props["file"] == "prisma.compose.toml"


# -- pre-commit ---------------------------------------------------------------------------------


def test_pre_commit_hooks_file() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    by_id = {h["id"]: h for h in hooks}
    assert {"compose-check", "compose-build"} <= set(by_id)
    for hook in hooks:
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["entry"].split()[0] == "compose"
        re.compile(hook["files"])
    assert by_id["compose-check"]["entry"] == "compose check"
    files = re.compile(by_id["compose-check"]["files"])
    for path in ("prisma.compose.toml", "prisma/fragments/user.prisma", "prisma/entities/venue.yaml",
                 "sub/dir/prisma.compose.toml", "web/prisma/schema.prisma"):
        assert files.search(path), path
    assert not files.search("README.md")


def test_pre_commit_entry_runs(tmp_path: Path, installed) -> None:
    """The hook's entry, as pre-commit runs it (the console script of the package pre-commit
    installs from the repository: here, the session's wheel in a fresh venv)."""
    project(tmp_path)
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    program, *args = hooks["compose-check"]["entry"].split()
    assert program == installed.compose.name
    result = installed.run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
