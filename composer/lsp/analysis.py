"""One analysis run: the project as the open buffers say it is, composed, checked by Prisma.

A run loads the manifest and the fragments through the overlay, composes every target (each on
its own, so that one broken target does not hide the others' errors) and gives each composed
output to Prisma's `lint` (the same errors as `prisma validate`, plus warnings, in one pass). Every
error ends at the file and line a user wrote: compose's own diagnostics are located there
already, Prisma's go back through the output's source map (`composer/sourcemap.py`), as in
`compose validate`. An error that only some of the targets a file belongs to have says which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..diagnostics import ComposeError, Diagnostic
from .positions import place
from .workspace import OverlayLoader, key, read_manifest

if TYPE_CHECKING:
    from ..commands.validate import Engine
    from ..compose import ComposedTarget
    from ..manifest import Manifest
    from ..sources import Fragment

SOURCE = "prisma-compose"
PRISMA_SOURCE = "Prisma"


@dataclass
class Snapshot:
    """What one run found. `fragments`/`composed` are those of the last run that got so far."""

    generation: int
    manifest: Manifest | None = None
    fragments: list[Fragment] = field(default_factory=list)
    composed: dict[str, ComposedTarget] = field(default_factory=dict)
    diagnostics: dict[str, list[types.Diagnostic]] = field(default_factory=dict)  # by absolute path
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds

    def fragment_of(self, path: str) -> Fragment | None:
        wanted = key(path)
        for frag in self.fragments:
            if file_of(frag) == wanted:
                return frag
        return None


def file_of(frag: Fragment) -> str:
    """The absolute path of the file a fragment was read from (the YAML file of an entity)."""
    source = frag.source.origin or frag.source
    return key(source.path)


@dataclass
class _Found:
    diagnostic: Diagnostic
    origin: str  # SOURCE or PRISMA_SOURCE
    targets: set[str]


class Analyzer:
    """Runs analyses of one project; keeps the caches (parse trees, laid-out blocks) between runs.

    Not thread-safe: the server runs it in one worker thread.
    """

    def __init__(self, manifest_path: Path, engine: Engine | None, encoding: str = "utf-16") -> None:
        self.manifest_path = manifest_path
        self.engine = engine
        self.encoding = encoding
        self.loader = OverlayLoader()
        self.memos: dict[str, dict[tuple[int, ...], object]] = {}
        self.engine_problem: str | None = None
        self.last = Snapshot(0)

    def run(self, overlay: dict[str, str], generation: int, prisma: bool = True) -> Snapshot:
        from ..compose import compose_target, select_fragments

        started = time.perf_counter()
        snap = Snapshot(generation, fragments=self.last.fragments, composed=self.last.composed)
        found: dict[tuple[object, ...], _Found] = {}
        members: dict[str, set[str]] = {}  # target -> files it is made of
        try:
            manifest = read_manifest(self.manifest_path, overlay)
        except ComposeError as exc:
            self._add(found, exc.diagnostics, SOURCE, None)
            return self._finish(snap, found, members, started)
        snap.manifest = manifest
        self.loader.overlay = overlay
        try:
            loaded = self.loader.load(manifest)
        except ComposeError as exc:
            self._add(found, exc.diagnostics, SOURCE, None)
            return self._finish(snap, found, members, started)
        snap.fragments = loaded.fragments
        self._add(found, loaded.warnings, SOURCE, None)
        snap.timings["load"] = time.perf_counter() - started
        composed: dict[str, ComposedTarget] = {}
        for name, target in manifest.targets.items():
            try:
                members[name] = {file_of(f) for f in select_fragments(loaded.fragments, target)}
                memo = self.memos.setdefault(name, {})
                composed[name] = compose_target(manifest, loaded.fragments, target, memo)  # type: ignore[arg-type]
            except ComposeError as exc:
                self.memos.pop(name, None)
                self._add(found, exc.diagnostics, SOURCE, name)
        # A target that does not compose now keeps its last composition, for navigation.
        kept = {**self.last.composed, **composed}
        snap.composed = {name: kept[name] for name in manifest.targets if name in kept}
        snap.timings["compose"] = time.perf_counter() - started - snap.timings["load"]
        if prisma and self.engine is not None:
            before = time.perf_counter()
            self._prisma(manifest, composed, found)
            snap.timings["prisma"] = time.perf_counter() - before
        return self._finish(snap, found, members, started)

    def _prisma(self, manifest: Manifest, composed: dict[str, ComposedTarget], found: dict) -> None:
        from ..commands.validate import to_diagnostic
        from ..prisma_wasm import PrismaWasmError
        from ..sourcemap import OutputMap

        assert self.engine is not None
        for name, target in composed.items():
            maps = {m.path: m for m in (OutputMap(target, f) for f in target.files)}
            if not maps:
                continue
            try:
                results = self.engine.wasm.lint([(path, m.text) for path, m in maps.items()])
            except PrismaWasmError as exc:
                self.engine_problem = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.kind
                self._add(
                    found,
                    [
                        Diagnostic(
                            f"Prisma's validation is off: {self.engine_problem}",
                            manifest.location_of("targets", name),
                            severity="warning",
                            code="W640",
                        )
                    ],
                    SOURCE,
                    None,
                )
                return
            self.engine_problem = None
            out = []
            for r in results:
                omap = maps.get(r.file) or next(iter(maps.values()))
                d = to_diagnostic(r.message, r.severity, r.start, r.end, omap)
                if d.hint is not None:  # a line compose wrote itself: shown at the target
                    d.location = target.target.key_location("output")
                out.append(d)
            self._add(found, out, PRISMA_SOURCE, name)

    @staticmethod
    def _add(found: dict, diagnostics: list[Diagnostic], origin: str, target: str | None) -> None:
        for d in diagnostics:
            loc = d.location
            k = (d.severity, d.message, loc.file, loc.line, loc.column) if loc else (d.severity, d.message)
            entry = found.get(k)
            if entry is None:
                found[k] = entry = _Found(d, origin, set())
            if target is not None:
                entry.targets.add(target)

    def _finish(self, snap: Snapshot, found: dict, members: dict[str, set[str]], started: float) -> Snapshot:
        fallback = key(str(self.manifest_path))
        for entry in found.values():
            d = entry.diagnostic
            if d.location is None:
                path, rng = fallback, types.Range(types.Position(0, 0), types.Position(0, 0))
            else:
                path, rng = place(d.location, self.encoding)
                path = key(path)
            message = d.message
            belongs = {t for t, files in members.items() if path in files} or set(members)
            if entry.targets and entry.targets < belongs:
                names = ", ".join(sorted(entry.targets))
                message += f" (target{'s' if len(entry.targets) > 1 else ''} {names})"
            if d.hint:
                message += f"\nhelp: {d.hint}"
            related = []
            for text, loc in d.notes:
                if loc is None or text.startswith("reported by Prisma"):
                    continue
                note_path, note_range = place(loc, self.encoding)
                related.append(
                    types.DiagnosticRelatedInformation(types.Location(_uri(note_path), note_range), text)
                )
            snap.diagnostics.setdefault(path, []).append(
                types.Diagnostic(
                    range=rng,
                    message=message,
                    severity=types.DiagnosticSeverity.Error
                    if d.severity == "error"
                    else types.DiagnosticSeverity.Warning,
                    code=d.code,
                    source=entry.origin,
                    related_information=related or None,
                )
            )
        snap.timings["total"] = time.perf_counter() - started
        self.last = snap
        return snap


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(key(path)) or path
