"""Printing diagnostics: text with code frames, JSON, or GitHub Actions annotations.

`--format json` prints exactly one JSON document on stdout per run, whatever the outcome (usage
errors included); its schema is documented in docs/ci.md and versioned by `"version"`: fields
may be added, none is removed or changes meaning within a version. `--format github` prints one
workflow command (`::error …::` / `::warning …::`) per diagnostic on stdout.
In both, the human summary lines (`wrote …`, `compose: …`) still go to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from .diagnostics import Diagnostic, use_color

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("text", "json", "github")
JSON_VERSION = 1


def emit(
    diagnostics: Iterable[Diagnostic],
    fmt: str = "text",
    stream: Any = None,
    *,
    command: str | None = None,
    exit_code: int | None = None,
    outputs: list[dict[str, Any]] | None = None,
    engines: list[dict[str, Any]] | None = None,
) -> None:
    """Print the diagnostics of one run.

    json: the whole document, so call it once per run (with `exit_code` and, for commands that
    look at outputs, `outputs`; for those that ran Prisma, `engines`); text and github: may be
    called several times.
    """
    diagnostics = list(diagnostics)
    if fmt == "json":
        _emit_json(diagnostics, command, exit_code, outputs, engines)
    elif fmt == "github":
        sys.stdout.write("".join(github_line(d) + "\n" for d in diagnostics))
        sys.stdout.flush()
    else:
        stream = stream or sys.stderr
        color = use_color(stream)
        for d in diagnostics:
            stream.write(d.render(color) + "\n")


def _emit_json(
    diagnostics: list[Diagnostic],
    command: str | None,
    exit_code: int | None,
    outputs: list[dict[str, Any]] | None,
    engines: list[dict[str, Any]] | None,
) -> None:
    if exit_code is None:
        exit_code = 1 if any(d.severity == "error" for d in diagnostics) else 0
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "command": command,
        "ok": exit_code == 0,
        "exit_code": exit_code,
        "diagnostics": [d.to_json() for d in diagnostics],
    }
    if outputs is not None:
        doc["outputs"] = outputs
    if engines is not None:
        doc["engines"] = engines
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def usage_error(message: str, fmt: str = "text", command: str | None = None) -> int:
    """Report bad usage (or an environment that cannot run the command): exit code 2."""
    if fmt == "text":
        print(f"compose: error: {message}", file=sys.stderr)
    else:
        emit([Diagnostic(message, None, code="usage")], fmt, command=command, exit_code=2)
    return 2


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    """A GitHub Actions workflow command: `::error file=F,line=L,col=C,endLine=…,endColumn=…,title=…::msg`."""
    level = "error" if d.severity == "error" else "warning"
    props: list[tuple[str, str]] = []
    if d.location is not None:
        loc = d.location
        props += [("file", loc.file), ("line", str(loc.line)), ("col", str(loc.column))]
        end_line, end_col = loc.end_line_col()
        if not loc.whole_line and (end_line, end_col) > (loc.line, loc.column):
            props += [("endLine", str(end_line)), ("endColumn", str(end_col))]
    props.append(("title", f"compose {d.code}"))
    msg = d.message + (f" ({d.hint})" if d.hint else "")
    rendered = ",".join(f"{k}={_escape_property(v)}" for k, v in props)
    return f"::{level} {rendered}::{_escape_data(msg)}"
