"""The commands' one error handler (composer/commands/errors.py): a usage problem is exit 2, bad
input exit 1 with the warnings gathered so far before the errors, anything else propagates; and
through the CLI, the message of each kind in text and json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer.commands.errors import error_handler
from composer.diagnostics import ComposeError, Diagnostic
from composer.pipeline import UsageError
from composer.validation import EngineUnavailable

from .helpers import BASE, write_project
from .helpers import run_cli_inprocess as cli


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with error_handler("check") as handled:
        raise UsageError("unknown target `x`")
    assert handled.code == 2
    assert capsys.readouterr().err == "compose: error: unknown target `x`\n"


def test_engine_unavailable_names_what_prisma_was_needed_for(capsys: pytest.CaptureFixture[str]) -> None:
    with error_handler("format", engine_use="formatter") as handled:
        raise EngineUnavailable("no node")
    assert handled.code == 2
    assert capsys.readouterr().err == "compose: error: cannot run Prisma's formatter: no node\n"


def test_compose_error_is_exit_1_after_the_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    with error_handler("build", "json") as handled:
        handled.warnings = [Diagnostic("a glob matches nothing", severity="warning", code="W101")]
        raise ComposeError(Diagnostic("bad", code="E100"))
    assert handled.code == 1
    doc = json.loads(capsys.readouterr().out)
    assert (doc["command"], doc["exit_code"], doc["ok"]) == ("build", 1, False)
    assert [d["code"] for d in doc["diagnostics"]] == ["W101", "E100"]


def test_no_error_leaves_the_code_unset() -> None:
    with error_handler("check") as handled:
        pass
    assert handled.code is None


def test_a_bug_is_not_swallowed() -> None:
    with pytest.raises(KeyError), error_handler("check"):
        raise KeyError("bug")


BAD_PRISMA = "--prisma expects auto, 6 or 7, not `5`"
MANIFEST = '[[fragments]]\npath = "base.prisma"\n[targets.app]\noutput = "schema.prisma"\n'


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate", "--prisma", "5"), f"cannot run Prisma's validator: {BAD_PRISMA}"),
        (("build", "--validate", "--prisma", "5"), f"cannot run Prisma's validator: {BAD_PRISMA}"),
        (("format", "--prisma", "5"), f"cannot run Prisma's formatter: {BAD_PRISMA}"),
        (("check", "nope"), "unknown target `nope`"),
        (("graph", "nope"), "unknown target `nope`"),
    ],
)
def test_usage_errors_through_the_cli(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    write_project(tmp_path, {"prisma.compose.toml": MANIFEST, "base.prisma": BASE})
    done = cli(tmp_path, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(f"compose: error: {message}"), done.stderr
    if args[0] != "graph":  # graph has no --format json
        done = cli(tmp_path, *args, "--format", "json")
        doc = json.loads(done.stdout)
        assert (done.returncode, doc["exit_code"], doc["command"]) == (2, 2, args[0])
        assert doc["diagnostics"][0]["code"] == "usage"
        assert doc["diagnostics"][0]["message"].startswith(message)
    assert not (tmp_path / "schema.prisma").exists()
