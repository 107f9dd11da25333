"""Printing diagnostics: text with code frames, JSON, or GitHub Actions annotations."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from .diagnostics import Diagnostic, use_color

FORMATS = ("text", "json", "github")


def emit(diagnostics: Iterable[Diagnostic], fmt: str = "text", stream=None) -> None:  # type: ignore[no-untyped-def]
    stream = stream or sys.stderr
    diagnostics = list(diagnostics)
    if fmt == "json":
        json.dump({"diagnostics": [d.to_json() for d in diagnostics]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if fmt == "github":
        for d in diagnostics:
            sys.stdout.write(github_line(d) + "\n")
        return
    color = use_color(stream)
    for d in diagnostics:
        stream.write(d.render(color) + "\n")


def github_line(d: Diagnostic) -> str:
    level = "error" if d.severity == "error" else "warning"
    props = []
    if d.location is not None:
        props = [f"file={d.location.file}", f"line={d.location.line}", f"col={d.location.column}"]
    msg = d.message + (f" ({d.hint})" if d.hint else "")
    msg = msg.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::{level} {','.join(props)}::{msg}" if props else f"::{level}::{msg}"
