"""composer/entry.py: plain `build` and `check` run without the CLI framework, with the same result."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import BASE, run_cli, run_cli_inprocess, write_project

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
    "args", [["build"], ["check"], ["build", "app"], ["check", "-m", "prisma.compose.toml"]]
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


@pytest.mark.parametrize("command", ["build", "check"])
def test_usage_errors_are_the_same_either_way(project: Path, command: str) -> None:
    direct = run_cli(project, command, "nope")
    via_cli = run_cli(project, command, "nope", "--format", "text")
    assert direct.returncode == via_cli.returncode == 2
    assert "unknown target `nope`" in direct.stderr and "unknown target `nope`" in via_cli.stderr
