"""The project as the editor sees it: the manifest, and the unsaved buffers of open documents.

An open document's text wins over the file on disk (an overlay keyed by absolute path); a closed
one is read from disk again. `OverlayLoader` is the `Loader` of `composer/sources.py` with that
one difference, so fragments, globs and YAML entities go through exactly the pipeline of `build`,
parse cache included: a keystroke re-parses one fragment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Location
from ..inputfiles import MANIFEST_NAME, normalise_newlines  # noqa: F401 (MANIFEST_NAME: for the server)
from ..sources import FileSignature, Loader

if TYPE_CHECKING:
    from ..manifest import FragmentSpec, Manifest


def key(path: str) -> str:
    return os.path.abspath(path)


def editor_text(text: str) -> str:
    """A buffer as the sources read a file: no BOM, `\\n` newlines (line numbers are unchanged)."""
    return normalise_newlines(text[1:] if text.startswith("\ufeff") else text)


class Overlay:
    """Unsaved texts of open documents, by absolute path (and by real path, for symlinked folders)."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self._aliases: dict[str, str] = {}

    def set(self, path: str, text: str) -> None:
        k = key(path)
        self.texts[k] = editor_text(text)
        real = os.path.realpath(k)
        if real != k:
            self._aliases[real] = k

    def drop(self, path: str) -> None:
        k = key(path)
        self.texts.pop(k, None)
        self._aliases.pop(os.path.realpath(k), None)

    def snapshot(self) -> dict[str, str]:
        """A copy for one analysis run (the buffers keep changing while it runs)."""
        out = dict(self.texts)
        for real, k in self._aliases.items():
            if k in out:
                out[real] = out[k]
        return out


class OverlayLoader(Loader):
    """A `Loader` that reads an open document's buffer instead of its file."""

    def __init__(self) -> None:
        super().__init__()
        self.overlay: dict[str, str] = {}

    def _read(
        self,
        path: Path,
        key: str,
        display: str,
        where: Location | FragmentSpec | None,
        sig: FileSignature | None,
    ) -> tuple[str, FileSignature | None, bool]:
        text = self.overlay.get(key)
        if text is not None:
            # The read cache keeps the disk's text, which is still right for it. An open buffer
            # is shown in frames: the user has it in front of them.
            return text, sig, False
        return super()._read(path, key, display, where, sig)


def read_manifest(path: Path, overlay: dict[str, str]) -> Manifest:
    """The manifest, from its buffer when open; raises ComposeError."""
    from ..manifest import load_manifest, parse_manifest

    text = overlay.get(key(str(path)))
    if text is not None:
        return parse_manifest(text, path, path.name)
    return load_manifest(path, path.name)


def find_project(candidates: list[Path]) -> Path | None:
    """The manifest of the first candidate folder (or file) that lies below one."""
    from ..manifest import find_manifest

    for candidate in candidates:
        start = candidate if candidate.is_dir() else candidate.parent
        found = find_manifest(start)
        if found is not None:
            return Path(found)
    return None
