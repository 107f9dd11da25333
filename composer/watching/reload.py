"""Loading a project again when the file events name only fragment files it read (watch).

`Loader.load` looks at every input again (one stat per file, the globs expanded, every name
worked out): 28 ms at 1,000 fragments, ten times that at 10,000. After a save of one fragment
nothing but that file can have changed, so `reload_edited` reads and parses just the files the
events name and keeps every other fragment of the last load as it was. Anything it cannot vouch
for (a path the last load did not read as a fragment, a file gone, a YAML entity file, hard
links among the inputs) returns None: the full load then looks at everything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import ComposeError, Diagnostic
from ..sources import Fragment, LoadResult

if TYPE_CHECKING:
    from ..sources import Loader


class Reloader:
    """The last full load's fragments by file, and whether a partial reload may follow it."""

    # Full loads also forget parse trees no load uses any more (`Loader.load`): one at least
    # this often, so a long session of edits does not keep every version of a file.
    FULL_EVERY = 100

    def __init__(self) -> None:
        self.by_path: dict[str, int] = {}  # absolute path -> position in the last load's fragments
        self.allowed = False
        self.since_full = 0

    def loaded(self, result: LoadResult) -> None:
        """A full load succeeded: what `reload_edited` works from."""
        self.since_full = 0
        self.by_path = {
            os.path.abspath(f.source.path): i for i, f in enumerate(result.fragments) if f.generated is None
        }
        # The full load reads a file reached by two paths once. Two hard links stop being one
        # file when an editor saves one of them by renaming a new file over it: only a full load
        # sees that, so a project with hard-linked inputs always takes it.
        self.allowed = not any(_links(p) > 1 for p in result.files)

    def forget(self) -> None:
        self.by_path, self.allowed = {}, False

    def reload_edited(
        self, loader: Loader, last: LoadResult | None, events: list[str]
    ) -> tuple[LoadResult, list[int]] | None:
        """`last` with the fragments read from `events` (absolute paths) read and parsed again,
        and the positions of those whose parse tree changed; None: see the module's docstring.
        Raises ComposeError for a file that does not parse, as `Loader.load` does."""
        if last is None or not self.allowed or not events or self.since_full >= self.FULL_EVERY:
            return None
        edited: list[tuple[int, Fragment]] = []
        for path in events:
            i = self.by_path.get(path)
            if i is None or not os.path.isfile(path):  # gone, or a folder now: globs skip it
                return None
            edited.append((i, last.fragments[i]))
        fragments = list(last.fragments)
        changed: list[int] = []
        errors: list[Diagnostic] = []
        for i, frag in sorted(edited, key=lambda e: e[0]):  # the errors in the order of a full load
            try:
                text, _, private = loader.read(Path(frag.source.path), frag.display, frag.spec)
                schema = loader.parse_cached(frag.display, text, frag.source.path, private)
            except ComposeError as exc:
                errors.extend(exc.diagnostics)
                continue
            if schema is not frag.schema:
                fragments[i] = Fragment(frag.name, frag.index, frag.display, schema, frag.spec)
                changed.append(i)
        if errors:
            raise ComposeError(errors)
        self.since_full += 1
        return LoadResult(fragments, last.warnings, last.files), changed


def _links(path: Path) -> int:
    try:
        return os.stat(path).st_nlink
    except OSError:
        return 1
