"""composer/entry.py: plain `build` and `check` run without the CLI framework, with the same result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import BASE, cli_env, run_cli, run_cli_inprocess, write_project

MANIFEST = """
[[fragments]]
path = "base.prisma"

[targets.app]
output = "out/schema.prisma"
"""

PROBE = """
import sys
sys.argv = ["compose", *sys.argv[1:]]
from composer import entry
try:
    entry.main()
except SystemExit as exc:
    code = exc.code
print("typer" in sys.modules, "click" in sys.modules, code, file=sys.stderr)
"""


def probe(cwd: Path, *args: str) -> tuple[bool, bool, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(Path(__file__).resolve().parents[1]), "COMPOSE_NO_CACHE": "1"},
    )
    typer, click, code = done.stderr.strip().splitlines()[-1].split()
    return typer == "True", click == "True", code


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        {
            "prisma.compose.toml": MANIFEST,
            "base.prisma": BASE + "\nmodel A {\n  id Int @id\n}\n",
        },
    )


@pytest.mark.parametrize(
    "args",
    [["build"], ["check"], ["build", "app"], ["check", "-m", "prisma.compose.toml"], ["validate", "app"]],
)
def test_plain_build_and_check_skip_the_cli_framework(project: Path, args: list[str]) -> None:
    assert run_cli_inprocess(project, "build").returncode == 0
    typer, click, code = probe(project, *args)
    assert (typer, click, code) == (False, False, "0")


@pytest.mark.parametrize("args", [["build", "--force"], ["check", "--format", "json"], ["graph"]])
def test_other_command_lines_go_through_the_cli(project: Path, args: list[str]) -> None:
    assert run_cli_inprocess(project, "build").returncode == 0
    typer, _, code = probe(project, *args)
    assert typer and code == "0"


@pytest.mark.parametrize("command", ["build", "check", "validate"])
def test_usage_errors_are_the_same_either_way(project: Path, command: str) -> None:
    direct = run_cli(project, command, "nope")
    via_cli = run_cli(project, command, "nope", "--format", "text")
    assert direct.returncode == via_cli.returncode == 2
    assert "unknown target `nope`" in direct.stderr and "unknown target `nope`" in via_cli.stderr


# -- the console script: one-shot commands end with os._exit once their output is flushed --------

EXIT_PROBE = """
import atexit, sys
sys.argv = ["compose", *sys.argv[1:]]
atexit.register(lambda: print("interpreter exit ran", file=sys.stderr))
from composer import entry
entry.script()
"""


def script_probe(cwd: Path, *args: str, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", EXIT_PROBE, *args],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env=cli_env(COMPOSE_NO_CACHE="1"),
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [(["build"], 0), (["check"], 0), (["build", "--format", "json"], 0), (["check", "nope"], 2)],
)
def test_one_shot_commands_skip_the_interpreters_exit(project: Path, args: list[str], code: int) -> None:
    assert run_cli_inprocess(project, "build").returncode == 0
    done = script_probe(project, *args)
    assert done.returncode == code, done.stderr
    assert "interpreter exit ran" not in done.stderr
    # ... and what they printed is all there (flushed before the exit)
    if "--format" in args:
        assert json.loads(done.stdout)["exit_code"] == 0
    elif code == 0:
        assert done.stderr.rstrip().splitlines()[-1].startswith("compose: ")
    else:
        assert "unknown target `nope`" in done.stderr


def test_other_commands_exit_normally(project: Path) -> None:
    done = script_probe(project, "graph")
    assert done.returncode == 0, done.stderr
    assert "interpreter exit ran" in done.stderr


def test_a_failed_build_exits_1_with_its_diagnostics(project: Path) -> None:
    (project / "base.prisma").write_text(BASE + "\nmodel A {\n  id Int @id\n  b  Missing\n}\n")
    done = script_probe(project, "build")
    assert done.returncode == 1
    assert "base.prisma:" in done.stderr and "Missing" in done.stderr
    assert "interpreter exit ran" not in done.stderr


def test_stdout_closed_by_the_reader_is_exit_1_without_a_traceback(project: Path) -> None:
    """`compose build --format json | true`: the write fails and is reported as the CLI
    framework always did (exit 1, no traceback); the exit's own flush adds nothing."""
    read, write = os.pipe()
    os.close(read)
    try:
        done = script_probe(project, "build", "--format", "json", stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "interpreter exit ran" not in done.stderr


def test_main_in_process_never_ends_the_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc
    import weakref

    from composer import quick_exit

    def refuse(code: int) -> None:
        raise AssertionError(f"os._exit({code}) in process")

    monkeypatch.setattr(os, "_exit", refuse)
    for args in (["build"], ["check"], ["build", "--force"]):
        assert run_cli_inprocess(project, *args).returncode == 0

    class Result:
        pass

    # Unarmed: what a command holds is not kept alive in process.
    result = Result()
    freed = weakref.ref(result)
    quick_exit.hold(result)
    del result
    gc.collect()
    assert freed() is None


SCRIPT_EXIT_PROBE = """
import ast, sys
from composer import entry

exit_with = ast.literal_eval(sys.argv[1])

def main() -> None:
    raise SystemExit(exit_with)

entry.main = main
sys.argv = ["compose", "build"]
entry.script()
"""


@pytest.mark.parametrize(("exit_with", "code"), [(None, 0), (3, 3), ("a message", 1)])
def test_script_exit_codes(project: Path, exit_with: object, code: int) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT_EXIT_PROBE, repr(exit_with)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(COMPOSE_NO_CACHE="1"),
    )
    assert done.returncode == code, done.stderr
    assert done.stderr == ("a message\n" if isinstance(exit_with, str) else "")


# -- what a plain build imports -------------------------------------------------------------------

# Standard modules the plain build does without (each costs every start): a composer module
# that imports one at module level, or on the way through a build, is named here.
IMPORT_PROBE = """
import sys

AVOIDED = {"typing", "hashlib", "bisect", "math", "threading", "dataclasses", "inspect", "tempfile"}
importers = []


class Watch:
    def find_spec(self, name, path=None, target=None):
        if name in AVOIDED:
            frame = sys._getframe(1)
            while frame is not None and frame.f_globals.get("__name__", "").startswith(
                ("importlib", "_frozen_importlib")
            ):
                frame = frame.f_back
            importers.append(f"{frame.f_globals.get('__name__')} imports {name}" if frame else name)
        return None


sys.meta_path.insert(0, Watch())
sys.argv = ["compose", *sys.argv[1:]]
from composer import entry
try:
    entry.main()
except SystemExit:
    pass
print(sorted({i for i in importers if i.startswith("composer")}), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["build"], ["build", "app"]])
def test_a_plain_build_imports_none_of_the_avoided_modules(
    project: Path, tmp_path: Path, args: list[str]
) -> None:
    """A cold build (no stamp, no output), then one through the nothing-changed check."""
    env = cli_env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    for command in (["build"], args):
        done = subprocess.run(
            [sys.executable, "-c", IMPORT_PROBE, *command], cwd=project, capture_output=True, text=True,
            env=env, timeout=120,
        )
        assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


def test_a_build_of_an_adapted_target_imports_none_of_the_avoided_modules(tmp_path: Path) -> None:
    """Adapting to another provider (native types dropped, a list stored as `Json`, its block laid
    out again) is part of a plain build: it imports no more of what a plain build avoids."""
    adapt = '[targets.app.datasource]\nprovider = "sqlite"\n[targets.app.adapt]\nlists = "json"\n'
    manifest = MANIFEST + adapt
    model = "\nmodel A {\n  id   Int      @id\n  name String   @db.VarChar(40)\n  tags String[]\n}\n"
    root = write_project(tmp_path / "p", {"prisma.compose.toml": manifest, "base.prisma": BASE + model})
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, "build"], cwd=root, capture_output=True, text=True,
        env=cli_env(XDG_CACHE_HOME=str(tmp_path / "cache")), timeout=120,
    )
    assert "adapted to its provider" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert (root / "out/schema.prisma").read_text().endswith("  tags Json\n}\n")
