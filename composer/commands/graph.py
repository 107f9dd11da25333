"""`compose graph [TARGET]`: the dependency graph of the fragments, or of the models.

`--level fragment` (default): one node per fragment; `A --> B` when a declaration of A depends on
one of B (the rule the composer orders fragments by, README "How fragments are composed", 2),
`A -.->|extends| B` when A only adds to a declaration of B with `/// @extend`.

`--level model`: one node per model, view, enum and composite type, grouped by fragment;
`Post -->|author| User` for a relation, drawn from the model that holds the foreign key
(`@relation(fields: …)`) to the one it references; an implicit many-to-many relation as one
`<-->` edge; `Post -.-> Status` for a field typed by an enum or composite type.

Cycles — fragments that depend on each other, models that hold foreign keys to each other —
are marked: thick red edges, red nodes and a `%% cycle:` comment (Mermaid); red edges (DOT).

`--into FILE` replaces what is between `<!-- compose:graph -->` and `<!-- /compose:graph -->` in a
Markdown file with a fenced diagram, and records the options used in the opening marker
(`<!-- compose:graph level=model -->`), so that `stale_markdown()` (a check of the diagrams for a
script or a test; `compose check` does not look at them) can regenerate every diagram of the file
on its own. Markers inside fenced code blocks are text.

A missing FILE (in an existing folder) is created with one diagram between markers. The file is
replaced like a fragment by `compose format` (composer/staging.py): through a symlink, never over
a change saved meanwhile, a BOM and CRLF line endings kept.

Error codes: E650 a broken marker, E651 no markers or no such file, E652 a marker naming an
unknown target, E653 the file cannot be written (read-only, changed meanwhile, hard links).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Source, error
from ..diagram import build_graph, graph_text, plural, render
from ..graph_markers import CLOSE_MARKER, OPEN_MARKER, fill_markdown, read_raw, renderer, stale_markdown

if TYPE_CHECKING:
    from ..manifest import Manifest

# `stale_markdown` is documented here (docs/adoption.md); the others for scripts that drew with them.
__all__ = ["build_graph", "fill_markdown", "graph_text", "render", "run", "stale_markdown"]


def _into(manifest: Manifest, path: Path, overrides: dict[str, str]) -> int:
    """`--into FILE`: refresh the diagrams of FILE, or create it with one diagram."""
    from ..staging import Change, write_all

    display = path.as_posix()
    expected: bytes | None
    if path.exists() or path.is_symlink():
        source, expected = read_raw(path)
    elif path.parent.is_dir():
        source, expected = Source(display, f"{OPEN_MARKER}\n{CLOSE_MARKER}\n", str(path)), None
    else:
        raise error(
            f"`{display}` does not exist, nor does its folder `{path.parent.as_posix()}`",
            None,
            code="E651",
            hint="give a Markdown file in an existing folder (it is created with the diagram)",
        )
    text, count = fill_markdown(source, renderer(manifest, None, source), overrides)
    if expected is not None and text == source.text:
        print(f"{display} is up to date ({plural(count, 'graph')})", file=sys.stderr)
        return 0
    bom = "\ufeff" if expected is not None and expected.startswith(b"\xef\xbb\xbf") else ""
    write_all([Change(path, bom + text, display, expected)], code="E653")
    verb = "created" if expected is None else "updated"
    print(f"{verb} {display} ({plural(count, 'graph')})", file=sys.stderr)
    return 0



# -- the command -------------------------------------------------------------------------------


def run(
    target: str | None,
    manifest_option: str | None,
    fmt: str | None = None,
    level: str | None = None,
    into: str | None = None,
) -> int:
    from .. import pipeline
    from ..manifest import load_manifest
    from .errors import error_handler

    with error_handler("graph") as handled:
        manifest = load_manifest(pipeline.locate_manifest(manifest_option))
        if target:
            pipeline.pick_targets(manifest, [target])
        if into is None:
            graph_out = graph_text(manifest, level or "fragment", fmt or "mermaid", target)
            sys.stdout.write(graph_out)
            return 0
        overrides = {k: v for k, v in (("level", level), ("format", fmt), ("target", target)) if v}
        return _into(manifest, Path(into), overrides)
    return handled.code or 0
