"""The diagrams of a Markdown file, between `<!-- compose:graph -->` and `<!-- /compose:graph -->`
markers (`compose graph --into FILE`): finding the regions (markers inside fenced code blocks are
text), their options (recorded in the opening marker: `<!-- compose:graph level=model -->`), and
the text with every region regenerated (`fill_markdown`); `stale_markdown` checks a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import ComposeError, Diagnostic, Location, Source, error
from .diagram import FORMATS, LEVELS, build_graph, render

if TYPE_CHECKING:
    from .manifest import Manifest
    from .sources import Loader

Renderer = Callable[[dict[str, str]], str]

DEFAULTS = {"level": "fragment", "format": "mermaid", "target": ""}
OPEN_MARKER = "<!-- compose:graph -->"
CLOSE_MARKER = "<!-- /compose:graph -->"
_OPEN = re.compile(r"^[ \t]*<!--[ \t]*compose:graph\b(?P<opts>[^>]*?)[ \t]*-->[ \t]*$")
_CLOSE = re.compile(r"^[ \t]*<!--[ \t]*/compose:graph[ \t]*-->[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")


@dataclass
class Region:
    open_line: int  # 0-based index of the opening marker line
    close_line: int
    options: dict[str, str]
    indent: str


def find_regions(source: Source) -> list[Region]:
    """The `<!-- compose:graph … -->` … `<!-- /compose:graph -->` regions of a Markdown text."""
    lines = source.text.replace("\r\n", "\n").split("\n")
    regions: list[Region] = []
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if fence is not None:
            fence = None if m and _closes(fence, m.group(1), line) else fence
        elif m:
            fence = m.group(1)
        elif _CLOSE.match(line):
            raise _marker_error(source, i, "a closing `<!-- /compose:graph -->` without an opening marker")
        elif (om := _OPEN.match(line)) is not None:
            regions.append(_region(source, lines, i, om.group("opts")))
            i = regions[-1].close_line
        i += 1
    return regions


def _closes(fence: str, marks: str, line: str) -> bool:
    """Does a line starting with `marks` (backticks or tildes) close the code block `fence` opened?"""
    return marks[0] == fence[0] and len(marks) >= len(fence) and not line.strip()[len(marks) :]


def _region(source: Source, lines: list[str], i: int, opts: str) -> Region:
    """The region whose opening marker is line `i`, up to its closing marker."""
    options = _parse_options(source, i, opts)
    j = i + 1
    while j < len(lines) and not _CLOSE.match(lines[j]):
        if _OPEN.match(lines[j]):
            raise _marker_error(source, j, "a second opening marker before the closing one")
        j += 1
    if j == len(lines):
        raise _marker_error(
            source,
            i,
            "this `compose:graph` marker is never closed",
            hint=f"add `{CLOSE_MARKER}` on its own line where the diagram should end",
        )
    line = lines[i]
    return Region(i, j, options, line[: len(line) - len(line.lstrip())])


def _parse_options(source: Source, line: int, text: str) -> dict[str, str]:
    options: dict[str, str] = {}
    for token in text.split():
        key, sep, value = token.partition("=")
        allowed = {"level": LEVELS, "format": FORMATS}
        if not sep or key not in (*allowed, "target"):
            raise _marker_error(
                source,
                line,
                f"unknown marker option `{token}`",
                hint="options are level=fragment|model, format=mermaid|dot and target=NAME",
            )
        if key in allowed and value not in allowed[key]:
            raise _marker_error(
                source, line, f"`{key}` is `{value}`; expected one of {', '.join(allowed[key])}"
            )
        options[key] = value
    return options


def _marker_error(source: Source, line: int, message: str, hint: str | None = None) -> ComposeError:
    start = source.offset_of(line + 1)
    end = source.offset_of(line + 2) - 1 if line + 1 < len(source.line_starts()) else len(source.text)
    return ComposeError(Diagnostic(message, Location(source, start, max(start, end)), code="E650", hint=hint))


def marker_line(indent: str, options: dict[str, str]) -> str:
    opts = " ".join(
        f"{k}={options[k]}"
        for k in ("level", "format", "target")
        if options.get(k, DEFAULTS[k]) != DEFAULTS[k]
    )
    return f"{indent}<!-- compose:graph{' ' + opts if opts else ''} -->"


def fill_markdown(
    source: Source,
    render_for: Renderer,
    overrides: dict[str, str] | None = None,
) -> tuple[str, int]:
    """The Markdown text with every graph region regenerated; returns (text, number of regions).

    `render_for(options)` renders one diagram; `overrides` (explicit command-line options) win
    over a marker's own options and are then recorded in it.
    """
    regions = find_regions(source)
    if not regions:
        raise error(
            f"`{source.display}` has no `{OPEN_MARKER}` … `{CLOSE_MARKER}` markers",
            None,
            code="E651",
            hint=f"put the two markers, each on its own line, where the diagram should go:\n\n"
            f"    {OPEN_MARKER}\n    {CLOSE_MARKER}",
        )
    newline = "\r\n" if "\r\n" in source.text else "\n"
    lines = source.text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    cursor = 0
    for region in regions:
        options = {**region.options, **(overrides or {})}
        diagram = render_for({k: options.get(k, DEFAULTS[k]) for k in DEFAULTS})
        fence = "dot" if options.get("format") == "dot" else "mermaid"
        out.extend(lines[cursor : region.open_line])
        out.append(marker_line(region.indent, options))
        out.append(f"```{fence}")
        out.extend(diagram.rstrip("\n").split("\n"))
        out.append("```")
        out.append(lines[region.close_line])
        cursor = region.close_line + 1
    out.extend(lines[cursor:])
    return newline.join(out), len(regions)


def _read(path: Path) -> Source:
    return read_raw(path)[0]


def read_raw(path: Path) -> tuple[Source, bytes]:
    """The Markdown file as text (a BOM dropped) and as the bytes read."""
    from .sources import read_text

    display = path.as_posix()
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except FileNotFoundError:
        raise error(f"`{display}` does not exist", None, code="E651") from None
    except (OSError, UnicodeDecodeError):
        read_text(path, display, None)  # raises the usual diagnostics
        raise
    return Source(display, text, str(path)), data


def stale_markdown(manifest: Manifest, path: Path, loader: Loader | None = None) -> tuple[str, str] | None:
    """A check of the diagrams (`compose check` does not call it): `(current, expected)` text of
    Markdown file `path` when a diagram between its `compose:graph` markers is out of date, None
    when all are current.

    Each diagram is regenerated with the options recorded in its marker. Raises ComposeError
    (missing file, no or broken markers, an unknown target, bad fragments)."""
    source = _read(path)
    expected, _ = fill_markdown(source, renderer(manifest, loader, source))
    return None if expected == source.text else (source.text, expected)


def renderer(manifest: Manifest, loader: Loader | None, source: Source) -> Renderer:
    from .sources import Loader as LoaderClass

    loaded = (loader or LoaderClass()).load(manifest)
    cache: dict[tuple[str, str, str], str] = {}

    def render_for(options: dict[str, str]) -> str:
        target = options["target"] or None
        if target is not None and target not in manifest.targets:
            raise error(
                f"`{source.display}`: a graph marker names target `{target}`, which the manifest lacks",
                None,
                code="E652",
                hint="targets: " + ", ".join(manifest.targets),
            )
        key = (options["level"], options["format"], options["target"])
        if key not in cache:
            graph = build_graph(manifest, loaded.fragments, target, options["level"])
            cache[key] = render(graph, options["format"])
        return cache[key]

    return render_for
