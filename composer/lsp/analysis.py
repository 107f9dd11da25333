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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from ..diagnostics import ComposeError, Diagnostic
from .positions import place
from .workspace import OverlayLoader, key, read_manifest

if TYPE_CHECKING:
    from ..compose import ComposedTarget
    from ..manifest import Manifest
    from ..sources import Fragment
    from ..validation import Engine

SOURCE = "prisma-compose"
# Outputs of at least this many characters get a focused lint first (focus.py): below, the full
# lint is fast enough on its own (the example project: ~10 ms).
FOCUS_FROM = 200_000
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
    source = frag.source
    while source.origin is not None:  # an adapted fragment's, a generated one's
        source = source.origin
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
        self._texts: dict[str, str] = {}  # the overlay of the last run: what changed since
        self._full: dict[str, list[Diagnostic]] = {}  # target -> Prisma's diagnostics, last full lint
        self._manifest_cache: tuple[str, Manifest] | None = None

    def run(
        self,
        overlay: dict[str, str],
        generation: int,
        prisma: bool = True,
        early: Callable[[Snapshot], None] | None = None,
        cancelled: Callable[[], bool] = lambda: False,
        pause: float = 0.0,
    ) -> Snapshot:
        """Analyse the project as `overlay` says. On a large project `early` first gets the
        diagnostics with Prisma's lint of a focused schema (see focus.py); the full lint follows
        once `pause` seconds passed without `cancelled()` saying newer changes are waiting (a
        lint of the whole output cannot be interrupted: while typing, only focused ones run)."""
        started = time.perf_counter()
        snap = Snapshot(generation, fragments=self.last.fragments, composed=self.last.composed)
        found: dict[tuple[object, ...], _Found] = {}
        members: dict[str, set[str]] = {}  # target -> files it is made of
        changed = self._changed(overlay)
        try:
            manifest = snap.manifest = self._manifest(overlay)
            self.loader.overlay = overlay
            loaded = self.loader.load(manifest)
        except ComposeError as exc:
            self._add(found, exc.diagnostics, SOURCE, None)
            return self._finish(snap, found, members, started)
        snap.fragments = loaded.fragments
        self._add(found, loaded.warnings, SOURCE, None)
        snap.timings["load"] = time.perf_counter() - started
        composed = self._compose(manifest, loaded.fragments, found, members)
        # A target that does not compose now keeps its last composition, for navigation.
        kept = {**self.last.composed, **composed}
        snap.composed = {name: kept[name] for name in manifest.targets if name in kept}
        snap.timings["compose"] = time.perf_counter() - started - snap.timings["load"]
        if not prisma or self.engine is None:
            return self._finish(snap, found, members, started)
        edited = [f for f in loaded.fragments if file_of(f) in changed]
        if early is not None and self._focus_first(composed, edited, changed):
            first = self._early(snap, manifest, composed, edited, found, members, started, early)
            deadline = time.perf_counter() + pause
            while not cancelled() and time.perf_counter() < deadline:
                time.sleep(0.01)
            if cancelled():  # newer changes: their run comes next, with its own focused lint
                return self._finish(snap, first, members, started)
        before = time.perf_counter()
        self._lint_all(manifest, composed, found)
        snap.timings["prisma"] = time.perf_counter() - before
        return self._finish(snap, found, members, started)

    def _focus_first(
        self, composed: dict[str, ComposedTarget], edited: list[Fragment], changed: set[str]
    ) -> bool:
        """A focused lint first: a large project, every change in a fragment, a full lint to fill in."""
        if not edited or len(edited) != len(changed) or not self._full:
            return False
        return sum(len(line) for c in composed.values() for f in c.files for line in f.lines) >= FOCUS_FROM

    def _lint_all(self, manifest: Manifest, composed: dict[str, ComposedTarget], found: dict) -> None:
        """Prisma's lint of every composed target, into `found` and `_full`."""
        self._full = {}
        for name, target in composed.items():
            results = self._lint(manifest, name, target, target.files, found)
            if results is None:
                return
            self._full[name] = results
            self._add(found, results, PRISMA_SOURCE, name)

    def _changed(self, overlay: dict[str, str]) -> set[str]:
        """The paths whose buffer changed, appeared or went since the last run."""
        changed = {path for path, text in overlay.items() if self._texts.get(path) != text}
        changed |= self._texts.keys() - overlay.keys()
        self._texts = dict(overlay)
        return changed

    def _compose(
        self, manifest: Manifest, fragments: list[Fragment], found: dict, members: dict[str, set[str]]
    ) -> dict[str, ComposedTarget]:
        """Each target that composes; the others' errors go to `found`."""
        from ..compose import compose_target, select_fragments

        composed: dict[str, ComposedTarget] = {}
        for name, target in manifest.targets.items():
            try:
                members[name] = {file_of(f) for f in select_fragments(fragments, target)}
                memo = self.memos.setdefault(name, {})
                composed[name] = compose_target(manifest, fragments, target, memo)  # type: ignore[arg-type]
            except ComposeError as exc:
                self.memos.pop(name, None)
                self._add(found, exc.diagnostics, SOURCE, name)
        return composed

    def _early(
        self,
        snap: Snapshot,
        manifest: Manifest,
        composed: dict[str, ComposedTarget],
        edited: list[Fragment],
        found: dict,
        members: dict[str, set[str]],
        started: float,
        early: Callable[[Snapshot], None],
    ) -> dict:
        """The focused lint's diagnostics, handed to `early` before the full lint; returned."""
        before = time.perf_counter()
        first = dict(found)
        self._focused(manifest, composed, edited, first)
        snap.timings["focused"] = time.perf_counter() - before
        copy = Snapshot(generation=snap.generation, manifest=snap.manifest, fragments=snap.fragments,
                        composed=snap.composed, diagnostics={}, timings=dict(snap.timings))
        early(self._finish(copy, first, members, started, final=False))
        return first

    def _manifest(self, overlay: dict[str, str]) -> Manifest:
        """The manifest, parsed again only when its text changed (1,000 entries take ~50 ms)."""
        from ..manifest import parse_manifest

        path = self.manifest_path
        text = overlay.get(key(str(path)))
        if text is None:
            try:
                text = path.read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                return read_manifest(path, overlay)  # says what is wrong with it
        if self._manifest_cache is not None and self._manifest_cache[0] == text:
            return self._manifest_cache[1]
        manifest = parse_manifest(text, path, path.name)
        self._manifest_cache = (text, manifest)
        return manifest

    def _focused(
        self, manifest: Manifest, composed: dict[str, ComposedTarget], edited: list[Fragment], found: dict
    ) -> None:
        """Prisma's errors at the edited files from focused schemas; elsewhere the last full lint's."""
        from .focus import focused_file

        paths = {file_of(f) for f in edited}
        for name, target in composed.items():
            reduced = focused_file(target, edited)
            results = self._lint(manifest, name, target, [reduced], found) if reduced is not None else []
            if results is None:
                return
            mine = [d for d in results if d.location is not None and _file(d) in paths]
            theirs = [d for d in self._full.get(name, []) if d.location is None or _file(d) not in paths]
            self._add(found, [*mine, *theirs], PRISMA_SOURCE, name)

    def _lint(
        self, manifest: Manifest, name: str, target: ComposedTarget, files: list, found: dict
    ) -> list[Diagnostic] | None:
        """Prisma's diagnostics of `files` of a target, at the fragment lines; None: no engine."""
        from ..prisma_wasm import PrismaWasmError
        from ..sourcemap import OutputMap
        from ..validation import to_diagnostic

        assert self.engine is not None
        maps = {m.path: m for m in (OutputMap(target, f) for f in files)}
        if not maps:
            return []
        try:
            results = self.engine.wasm.lint([(path, m.text) for path, m in maps.items()])
        except PrismaWasmError as exc:
            self.engine_problem = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.kind
            problem = Diagnostic(
                f"Prisma's validation is off: {self.engine_problem}",
                manifest.location_of("targets", name),
                severity="warning",
                code="W640",
            )
            self._add(found, [problem], SOURCE, None)
            return None
        self.engine_problem = None
        out = []
        for r in results:
            omap = maps.get(r.file) or next(iter(maps.values()))
            d = to_diagnostic(r.message, r.severity, r.start, r.end, omap)
            if d.hint is not None:  # a line compose wrote itself: shown at the target
                d.location = target.target.key_location("output")
            out.append(d)
        return out

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

    def _finish(
        self, snap: Snapshot, found: dict, members: dict[str, set[str]], started: float, final: bool = True
    ) -> Snapshot:
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
        if final:
            self.last = snap
        return snap


def _file(d: Diagnostic) -> str:
    assert d.location is not None
    return key(d.location.source.resolve(d.location.start)[0].path)


def _uri(path: str) -> str:
    from pygls.uris import from_fs_path

    return from_fs_path(key(path)) or path
