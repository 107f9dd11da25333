"""The public Python API (`composer.build`, `check`, `compose_text`, `validate`) on real projects
in tmp_path: what each returns, that it agrees with the CLI, the errors it raises (located, with
nothing written), `import composer` staying light, and the API run from the installed wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import composer
from composer import ComposeError, UsageError

from .helpers import BASE, write_project
from .helpers import run_cli_inprocess as cli
from .installed import Installed

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
path = "prisma/user.prisma"
[[fragments]]
path = "prisma/post.prisma"

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


def project(root: Path, post: str = POST) -> Path:
    write_project(
        root,
        {
            "prisma.compose.toml": MANIFEST,
            "prisma/base.prisma": BASE,
            "prisma/user.prisma": USER,
            "prisma/post.prisma": post,
        },
    )
    return root / "prisma.compose.toml"


def outputs(root: Path) -> dict[str, str]:
    out = root / "out"
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


# -- build ------------------------------------------------------------------------------------------


def test_build_writes_the_outputs_and_says_what_it_did(tmp_path: Path, assert_prisma_valid: Any) -> None:
    manifest = project(tmp_path)
    result = composer.build(manifest)
    assert [(f.target, f.path, f.status) for f in result.files] == [
        ("app", "out/schema.prisma", "written"),
        ("folder", "out/schema/schema.prisma", "written"),
        ("folder", "out/schema/user.prisma", "written"),
        ("folder", "out/schema/post.prisma", "written"),
    ]
    assert [(t.name, t.output, t.adapted, t.notes) for t in result.targets] == [
        ("app", "out/schema.prisma", None, []),
        ("folder", "out/schema/", None, []),
    ]
    assert result.warnings == [] and result.written == result.files
    written = outputs(tmp_path)
    assert_prisma_valid(written["out/schema.prisma"])
    assert_prisma_valid([(path, text) for path, text in written.items() if path.startswith("out/schema/")])
    # The text it wrote is what compose_text gives, and what `compose build` writes.
    texts = composer.compose_text(manifest)
    assert {p: t for target in texts.values() for p, t in target.items()} == written
    again = composer.build(manifest)
    assert {f.status for f in again.files} == {"unchanged"} and again.written == []
    (tmp_path / "out" / "schema.prisma").unlink()
    assert cli(tmp_path, "build").returncode == 0
    assert outputs(tmp_path) == written


HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from composer.lock import project_lock

root = Path(sys.argv[1])
with project_lock(root):
    print("held", flush=True)
    sys.stdin.readline()  # until the test has started its build
    time.sleep(0.5)
    (root / "released").write_text("")
"""


def test_build_waits_for_another_compose_writing_the_project(tmp_path: Path) -> None:
    """`composer.build` takes the project's lock, as `compose build` and `compose watch` do: with
    another process holding it, the build's writes come after that process let it go."""
    import threading

    from .helpers import cli_env

    manifest = project(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=cli_env(),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        seen: list[bool] = []

        def build() -> None:
            composer.build(manifest)
            seen.append((tmp_path / "released").exists())

        worker = threading.Thread(target=build)
        worker.start()
        assert holder.stdin is not None
        holder.stdin.write("go\n")
        holder.stdin.flush()
        worker.join(60)
        assert seen == [True]  # the outputs were written once the other writer was done
        assert (tmp_path / "out" / "schema.prisma").exists()
    finally:
        holder.kill()
        holder.wait()


def test_build_removes_what_a_folder_output_no_longer_has(tmp_path: Path) -> None:
    manifest = project(tmp_path)
    composer.build(manifest)
    (tmp_path / "prisma.compose.toml").write_text(
        MANIFEST.replace('[[fragments]]\npath = "prisma/post.prisma"\n', "").replace("  posts Post[]\n", "")
    )
    (tmp_path / "prisma" / "user.prisma").write_text("model User {\n  id Int @id\n}\n")
    result = composer.build(manifest, targets=["folder"])
    assert [(f.path, f.status) for f in result.written] == [
        ("out/schema/user.prisma", "written"),
        ("out/schema/post.prisma", "removed"),
    ]
    assert not (tmp_path / "out" / "schema" / "post.prisma").exists()


def test_the_manifest_is_found_upwards_from_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path)
    monkeypatch.chdir(tmp_path / "prisma")
    result = composer.build(targets=["app"])
    assert [f.path for f in result.written] == ["out/schema.prisma"]
    assert (tmp_path / "out" / "schema.prisma").is_file()
    assert composer.check(targets=["app"]).ok


def test_a_hand_edited_output_is_refused_unless_forced(tmp_path: Path) -> None:
    manifest = project(tmp_path)
    composer.build(manifest)
    path = tmp_path / "out" / "schema.prisma"
    edited = path.read_text() + "// mine\n"
    path.write_text(edited)
    with pytest.raises(ComposeError) as caught:
        composer.build(manifest)
    [d] = caught.value.diagnostics
    assert d.code == "E303" and "edited by hand" in d.message
    assert str(d.location) == "prisma.compose.toml:9:1"  # the target's `output`
    assert path.read_text() == edited
    result = composer.build(manifest, force=True)
    assert [f.path for f in result.written] == ["out/schema.prisma"]
    assert (tmp_path / "out" / "schema.prisma.bak").read_text() == edited


# -- errors: located, nothing written -----------------------------------------------------------------


@pytest.mark.parametrize("call", ["build", "check", "compose_text", "validate"])
def test_bad_input_raises_located_diagnostics_and_writes_nothing(tmp_path: Path, call: str) -> None:
    manifest = project(tmp_path, post=POST.replace("userId Int\n", "userId Int @@\n"))
    with pytest.raises(ComposeError) as caught:
        getattr(composer, call)(manifest)
    [d] = caught.value.diagnostics
    assert (d.location.file, d.location.line) == ("prisma/post.prisma", 3)  # type: ignore[union-attr]
    assert d.severity == "error"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("call", ["build", "check", "compose_text", "validate"])
def test_usage_problems_raise_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: str) -> None:
    function = getattr(composer, call)
    manifest = project(tmp_path / "p")
    with pytest.raises(UsageError, match=r"unknown target `ap` \(did you mean `app`\?\)"):
        function(manifest, targets=["ap"])
    with pytest.raises(UsageError, match="a list of target names"):
        function(manifest, targets="app")
    with pytest.raises(UsageError, match=r"manifest `.*nowhere\.toml` not found"):
        function(tmp_path / "nowhere.toml")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    with pytest.raises(UsageError, match=r"no prisma\.compose\.toml in this folder or any parent"):
        function()
    assert not (tmp_path / "p" / "out").exists()


def test_usage_error_is_the_exit_2_family() -> None:
    from composer.validation import EngineUnavailable

    assert issubclass(EngineUnavailable, UsageError)
    assert not issubclass(UsageError, ComposeError)


# -- check ------------------------------------------------------------------------------------------


def test_check_reports_missing_stale_and_hand_edited_outputs_with_the_cli_diffs(tmp_path: Path) -> None:
    manifest = project(tmp_path)
    assert [f.status for f in composer.check(manifest).files] == ["missing"] * 4
    composer.build(manifest)
    fresh = composer.check(manifest)
    assert fresh.ok and fresh.problems == [] and {f.diff for f in fresh.files} == {None}
    user = USER.replace("  posts Post[]\n", "  name  String\n  posts Post[]\n")
    (tmp_path / "prisma" / "user.prisma").write_text(user)
    app = tmp_path / "out" / "schema.prisma"
    app.write_text(app.read_text().replace("model User", "model Person"))
    before = outputs(tmp_path)
    result = composer.check(manifest)
    assert not result.ok
    statuses = {f.path: f.status for f in result.files}
    assert statuses == {
        "out/schema.prisma": "hand-edited",
        "out/schema/schema.prisma": "fresh",
        "out/schema/user.prisma": "stale",
        "out/schema/post.prisma": "fresh",
    }
    assert [(d.code, str(d.location)) for d in result.problems] == [
        ("E603", "out/schema.prisma:16:1"),  # the first line that differs
        ("E602", "out/schema/user.prisma:9:1"),
    ]
    assert outputs(tmp_path) == before  # nothing written
    # The same files, statuses and diffs as `compose check --format json`.
    done = cli(tmp_path, "check", "--format", "json")
    assert done.returncode == 1
    shown = json.loads(done.stdout)["outputs"]
    assert shown == [
        {"target": f.target, "path": f.path, "status": f.status, "diff": f.diff} for f in result.files
    ]
    stale = next(f for f in result.files if f.status == "stale")
    assert "+  name  String\n" in (stale.diff or "")


# -- compose_text -------------------------------------------------------------------------------------


def test_compose_text_writes_nothing(tmp_path: Path, assert_prisma_valid: Any) -> None:
    manifest = project(tmp_path)
    texts = composer.compose_text(manifest, targets=["app"])
    assert list(texts) == ["app"] and list(texts["app"]) == ["out/schema.prisma"]
    assert texts["app"]["out/schema.prisma"].startswith("// DO NOT EDIT: generated by compose")
    assert_prisma_valid(texts["app"]["out/schema.prisma"])
    assert not (tmp_path / "out").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prisma", "prisma.compose.toml"]


# -- validate -----------------------------------------------------------------------------------------


def test_validate_maps_prismas_errors_to_the_fragment_lines(tmp_path: Path) -> None:
    good = composer.validate(project(tmp_path / "good"))
    assert good.ok and good.errors == []
    assert [e["targets"] for e in good.engines] == [["app", "folder"]]
    assert good.engines[0]["label"].startswith("Prisma 6.")  # a datasource url: Prisma 6's shipped engine
    bad = project(tmp_path / "bad", post=POST.replace("}\n", "\n  @@index([nope])\n}\n"))
    result = composer.validate(bad, targets=["app"])
    assert not result.ok
    [error] = result.errors
    assert error.code == "P1012" and "nope" in error.message
    assert str(error.location) == "prisma/post.prisma:6:3"
    assert not (tmp_path / "bad" / "out").exists()
    with pytest.raises(UsageError, match=r"cannot run|--prisma expects auto, 6 or 7"):
        composer.validate(bad, prisma="5")


# -- the example project ----------------------------------------------------------------------------


def test_the_example_project(example: Path, assert_prisma_valid: Any) -> None:
    result = composer.build(example / "prisma.compose.toml")
    assert [t.name for t in result.targets] == ["web", "engine", "engine_local"]
    local = result.targets[2]
    assert local.adapted and local.notes and all(n.location is not None for n in local.notes)
    assert [t.adapted for t in result.targets[:2]] == [None, None]
    assert {f.status for f in result.files} == {"written"}
    for f in result.files:
        assert_prisma_valid((example / f.path).read_text())
    assert composer.check(example / "prisma.compose.toml").ok


# -- import cost ------------------------------------------------------------------------------------


def test_import_composer_loads_nothing_else() -> None:
    """The console script imports `composer` at every start: the API behind it is loaded on first use."""
    code = (
        "import sys, composer; before = sorted(m for m in sys.modules if m.startswith('composer')); "
        "composer.check; after = 'composer.pipeline' in sys.modules; print(before, after)"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "['composer'] True"
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        composer.nothing  # noqa: B018


# -- from the installed wheel -----------------------------------------------------------------------

ENGINE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import composer

    built = composer.build()
    texts = composer.compose_text(targets=["app"])
    checked = composer.check()
    try:
        composer.build(targets=["nope"])
    except composer.UsageError as exc:
        usage = str(exc)
    with open("prisma/post.prisma", "a") as post:
        post.write(sys.argv[1])
    try:
        composer.build()
    except composer.ComposeError as exc:
        located = [str(d.location) for d in exc.diagnostics]
    print(json.dumps({
        "module": composer.__file__,
        "files": [[f.path, f.status] for f in built.files],
        "texts": {path: len(text) for path, text in texts["app"].items()},
        "ok": checked.ok,
        "usage": usage,
        "located": located,
    }))
    """
)


def test_the_api_from_the_installed_wheel(installed: Installed, tmp_path: Path) -> None:
    """What an engine project does instead of running its own generator with `python -m …`."""
    root = tmp_path / "engine"
    project(root)
    broken = "model Broken {\n  id Int @id @@\n}\n"
    done = installed.execute([str(installed.python), "-c", ENGINE_SCRIPT, broken], root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # the API prints nothing
    got = json.loads(done.stdout)
    assert Path(got["module"]).is_relative_to(installed.venv)
    assert got["files"][0] == ["out/schema.prisma", "written"] and len(got["files"]) == 4
    assert got["texts"] == {"out/schema.prisma": len((root / "out" / "schema.prisma").read_text())}
    assert got["ok"] is True
    assert got["usage"].startswith("unknown target `nope`")
    # The same error at the same place as from this checkout.
    (root / "prisma" / "post.prisma").write_text(POST + broken)
    with pytest.raises(ComposeError) as caught:
        composer.build(root / "prisma.compose.toml")
    assert got["located"] == [str(d.location) for d in caught.value.diagnostics]
    assert got["located"][0].startswith("prisma/post.prisma:7:")


def test_the_readme_example(
    example: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's "Use it from Python" example, run as written on the example project."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Use it from Python") :]
    start = section.index("```python\n") + len("```python\n")
    code = section[start : section.index("```\n", start)]
    monkeypatch.chdir(example / "prisma")
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out == "written engine/prisma/schema.prisma\n"
    (example / "prisma" / "fragments" / "user.prisma").write_text("model User {\n  id Int @id @@\n}\n")
    with pytest.raises(SystemExit) as exited:
        exec(compile(code, "README.md", "exec"), {})
    assert exited.value.code == 1
    assert capsys.readouterr().out.startswith("prisma/fragments/user.prisma:2:")
