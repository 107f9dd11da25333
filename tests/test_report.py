"""composer/report.py: the three output formats of diagnostics (text, json, github)."""

from __future__ import annotations

import io
import json

import pytest

from composer.diagnostics import Diagnostic, Location, Source
from composer.report import JSON_VERSION, emit, github_line, usage_error

from .test_check import parse_github


def test_github_line_escapes_properties_and_message() -> None:
    source = Source("dir,x/a:b.prisma", "model A {\n  id Int @id\n}\n")
    d = Diagnostic("100% wrong\nsecond line", Location(source, 12, 14), code="E999", hint="fix it")
    line = github_line(d)
    [(level, props, message)] = parse_github(line)
    assert level == "error"
    assert props == {
        "file": "dir%2Cx/a%3Ab.prisma", "line": "2", "col": "3", "endLine": "2", "endColumn": "5",
        "title": "compose E999",
    }
    assert message == "100%25 wrong%0Asecond line (fix it)"
    warning = github_line(Diagnostic("careful", None, severity="warning", code="W1"))
    assert warning == "::warning title=compose W1::careful"


def _diagnostics() -> list[Diagnostic]:
    source = Source("f.prisma", "model A {\n  id Int @id\n}\n")
    return [
        Diagnostic("bad", Location(source, 12, 14), code="E1"),
        Diagnostic("careful", None, severity="warning", code="W1"),
    ]


def test_json_is_one_document_with_the_exit_code_and_what_the_command_adds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    emit(_diagnostics(), "json", command="build", outputs=[{"path": "x"}], engines=[{"version": "7"}])
    doc = json.loads(capsys.readouterr().out)
    assert doc["version"] == JSON_VERSION and doc["command"] == "build"
    assert doc["exit_code"] == 1 and doc["ok"] is False  # an error among the diagnostics
    assert [d["code"] for d in doc["diagnostics"]] == ["E1", "W1"]
    assert doc["outputs"] == [{"path": "x"}] and doc["engines"] == [{"version": "7"}]
    emit(_diagnostics()[1:], "json", command="check")
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 0 and doc["ok"] is True and "outputs" not in doc and "engines" not in doc


def test_github_prints_one_line_per_diagnostic_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    emit(_diagnostics(), "github")
    captured = capsys.readouterr()
    assert [level for level, _, _ in parse_github(captured.out)] == ["error", "warning"]
    assert captured.err == ""


def test_text_renders_each_diagnostic_with_its_frame() -> None:
    stream = io.StringIO()
    emit(_diagnostics(), "text", stream)
    text = stream.getvalue()
    assert text.startswith("f.prisma:2:3: error: bad")
    assert "careful" in text and "\x1b[" not in text  # not a terminal: no colours


def test_usage_error_is_exit_2_in_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert usage_error("no manifest") == 2
    assert capsys.readouterr().err == "compose: error: no manifest\n"
    assert usage_error("no manifest", "json", command="build") == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["exit_code"] == 2 and doc["diagnostics"][0]["code"] == "usage"
