"""A watched project: its manifest, the state kept between builds, and one incremental build.

`Project.build()` is one build: only files whose stat signature changed (or that a file event
named) are read again, and when the events name only fragment files the last load read, only
those are (`reload.py`); only new texts are parsed (`sources.Loader`); only targets whose
selected fragments changed are composed again, from what their last compose kept where the edit
allows it (`incremental.py`); only outputs whose text changed are written. A build that fails
(bad input, a hand-edited output) writes nothing and leaves the last good outputs in place; the
next good save recovers by itself.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, is_
from pathlib import Path
from typing import TYPE_CHECKING

from .. import output
from ..compose import select_fragments
from ..diagnostics import ComposeError, Diagnostic
from ..inputfiles import pattern_parts
from ..lock import project_lock
from ..manifest import Manifest, TargetSpec, load_manifest
from ..pipeline import UsageError, pick_targets
from ..sources import Loader, LoadResult, file_signature, rel_display
from .globs import FOLDER, FULL, add_ancestors, add_pattern_dirs, glob_match
from .incremental import TargetState, compose_recording, recompose
from .reload import Reloader

if TYPE_CHECKING:
    from ..blocks import BlockMemo
    from ..compose import ComposedTarget
    from ..psl import SchemaFile
    from ..sources import Fragment


@dataclass
class Build:
    """What one build did."""

    changed: list[str]  # inputs whose content changed since the last good build (display paths)
    events: list[str] = field(default_factory=list)  # paths of the file events behind this build
    targets: list[str] = field(default_factory=list)  # targets composed again
    written: list[output.PlannedFile] = field(default_factory=list)  # outputs written or removed
    unchanged: int = 0  # outputs composed again whose text did not change
    errors: list[Diagnostic] = field(default_factory=list)  # nothing was written
    warnings: list[Diagnostic] = field(default_factory=list)  # warnings not shown before
    ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # ms per stage: load, compose, write
    initial: bool = False  # the first build of the session
    recovered: bool = False  # the first good build after a failed one
    repeated: bool = False  # failed with exactly the errors of the build before
    superseded: bool = False  # an input changed again while building: nothing written
    usage_error: str | None = None  # an unknown target (the command line or the manifest is wrong)
    laid_out: int = 0  # fragment sections written again, over the targets composed again

    @property
    def ok(self) -> bool:
        return not self.errors and self.usage_error is None and not self.superseded

    @property
    def quiet(self) -> bool:
        """Nothing worth a line: no input changed, or the same errors as last time."""
        if self.initial or self.recovered or self.warnings or self.written:
            return False
        if self.superseded:
            return True
        if self.errors or self.usage_error:
            return self.repeated
        return not self.changed


@dataclass
class _Done:
    """What a build that got as far as writing did: kept once the build succeeded."""

    loaded: LoadResult
    changed: list[str]
    composed: list[tuple[ComposedTarget, object, list[SchemaFile]]]
    recomposed: list[str]
    planned: list[output.PlannedFile]
    written: list[output.PlannedFile]
    laid_out: int = 0
    superseded: bool = False  # an input changed again while we worked: nothing was written


class Project:
    """A manifest and the state kept between its builds."""

    def __init__(self, manifest_path: Path | str, targets: Sequence[str] = (), force: bool = False) -> None:
        self.manifest_path = Path(os.path.abspath(manifest_path))
        self.root = self.manifest_path.parent
        self.target_names = list(targets)
        self.force = force  # overwrite hand-edited outputs (keeping a .bak), as `build --force`
        self.loader = Loader()
        self.manifest: Manifest | None = None  # the last manifest that parsed
        self._manifest_bytes: bytes | None = None
        self._manifest_sig: object = None
        self._generation = 0  # bumped whenever the manifest changes: every target is composed again
        self._loaded: LoadResult | None = None  # the last load that succeeded
        self._unread: set[str] = set()  # paths named by events since that load
        self._reloader = Reloader()
        self._good: LoadResult | None = None  # the last good build's load
        self._input_paths: set[str] = set()  # absolute paths of the input files of the last full load
        # target -> what its outputs were composed from: the manifest's generation and the parse
        # trees the target selected, in order (compared by identity: kept alive, none is reused).
        self._done: dict[str, tuple[object, list[SchemaFile]]] = {}
        self._block_memos: dict[str, BlockMemo] = {}  # per target: laid-out declarations to reuse
        self._states: dict[str, TargetState] = {}  # per target: what its last compose kept
        self._builds = 0
        self._failed: list[str] | None = None  # rendered errors of the last build, if it failed
        self._warned: list[str] = []
        self._explicit: list[tuple[str, ...]] = []  # `path` entries, as path components
        self._patterns: list[tuple[str, ...]] = []  # `glob` and `yaml` entries, as path components
        self._outputs: list[tuple[str, bool]] = []  # (absolute path, is a folder) of every target
        # The bytes last written to each output (absolute path): an output still holding them is
        # known to be compose's without hashing it again (`output.plan(wrote=)`).
        self._wrote: dict[str, bytes] = {}

    # -- building --------------------------------------------------------------------------------

    @property
    def run_command(self) -> str | None:
        return self.manifest.watch_run if self.manifest is not None else None

    @property
    def input_count(self) -> int:
        return len(self._input_paths)

    def build(self, events: Iterable[str] = ()) -> Build:
        """Build what changed. `events`: paths named by file events since the last build."""
        started = time.perf_counter()
        paths = sorted({os.path.abspath(p) for p in events})
        self.loader.invalidate(paths)
        shown = [rel_display(Path(p), self.root) for p in paths]
        initial = self._builds == 0
        self._builds += 1
        timings: dict[str, float] = {}
        try:
            # One writer per project (lock.py): held from reading the inputs to the last rename,
            # so a `compose build` run beside the watcher waits for it, and the other way round.
            with project_lock(self.root):
                done = self._build(paths, started, timings)
        except Exception as exc:  # every failure is reported; watching goes on
            errors, usage_error = _diagnose(exc)
            return self._failure(started, shown, initial, errors, usage_error)
        if done.superseded:
            self._builds -= initial  # the first real build is still to come
            return Build(done.changed, shown, superseded=True, ms=self._ms(started))
        return self._succeeded(done, shown, initial, started, timings)

    def _build(self, events: list[str], started: float, timings: dict[str, float]) -> _Done:
        manifest_changed = self._reload_manifest()
        assert self.manifest is not None
        manifest = self.manifest
        targets = pick_targets(manifest, self.target_names)
        # Files named by the events of builds that failed before their load succeeded are read
        # again too: the last load is older than them.
        self._unread.update(events)
        reloaded = None
        if not manifest_changed:
            reloaded = self._reloader.reload_edited(self.loader, self._loaded, sorted(self._unread))
        if reloaded is None:
            loaded, edited = self.loader.load(manifest), None
            self._reloader.loaded(loaded)
            self._input_paths = {os.path.abspath(p) for p in loaded.files}
        else:
            loaded, edited = reloaded
        self._unread.clear()
        # What changed since the last good build: the edited fragments, when the last load was
        # that build's; else found by comparing every fragment with that build's.
        changed, moved = self._what_changed(loaded, edited if self._loaded is self._good else None)
        self._loaded = loaded
        timings["load"] = self._ms(started)
        if manifest_changed:
            changed.insert(0, rel_display(self.manifest_path, self.root))
        composed, recomposed, laid_out = self._compose(manifest, targets, loaded.fragments)
        timings["compose"] = self._ms(started) - timings["load"]
        if self._moving(moved, manifest_changed):
            return _Done(loaded, changed, composed, recomposed, [], [], superseded=True)
        try:
            state = output.read_state(self.root)
            wrote = self._wrote
            planned = [f for target, _, _ in composed for f in output.plan(self.root, target, state, wrote)]
            written = output.apply(planned, self.force, self.root, wrote)
        except BaseException:
            # What these outputs hold is no longer known (a hand edit found, a write that
            # failed): the next build plans them again, even from the same parse trees.
            for target, _, _ in composed:
                self._done.pop(target.target.name, None)
            raise
        timings["write"] = self._ms(started) - timings["load"] - timings["compose"]
        return _Done(loaded, changed, composed, recomposed, planned, written, laid_out)

    def _what_changed(self, loaded: LoadResult, edited: list[int] | None) -> tuple[list[str], list[Fragment]]:
        """The display paths of the inputs changed since the last good build (the deleted ones
        included), and the changed fragments. `edited`: the positions of the only fragments that
        can have changed."""
        if edited is not None:
            fragments = [loaded.fragments[i] for i in edited]
            return [f.display for f in fragments], fragments
        before = {f.display: f.schema for f in self._good.fragments} if self._good is not None else {}
        fragments = [f for f in loaded.fragments if before.get(f.display) is not f.schema]
        now = {f.display for f in loaded.fragments}
        return [f.display for f in fragments] + [d for d in before if d not in now], fragments

    def _moving(self, fragments: list[Fragment], manifest_changed: bool) -> bool:
        """Was a changed input written to again while we worked? Then it was read half-saved,
        maybe: write nothing, the event of that write is on its way and builds again."""
        paths = [f.source.path if f.generated is None else f.generated.yaml_source.path for f in fragments]
        if self.loader.modified_since_read(paths):
            return True
        return manifest_changed and file_signature(str(self.manifest_path)) != self._manifest_sig

    def _succeeded(
        self, done: _Done, shown: list[str], initial: bool, started: float, timings: dict[str, float]
    ) -> Build:
        manifest = self.manifest
        assert manifest is not None
        for composed, fingerprint, keep in done.composed:
            self._done[composed.target.name] = (fingerprint, keep)
        for name in list(self._done):
            if name not in manifest.targets:
                del self._done[name]
        self._good = done.loaded
        recovered = self._failed is not None
        self._failed = None
        rendered = [w.render() for w in done.loaded.warnings]
        warnings = done.loaded.warnings if rendered != self._warned else []
        self._warned = rendered
        return Build(
            done.changed,
            shown,
            done.recomposed,
            done.written,
            unchanged=sum(1 for f in done.planned if not f.changed),
            warnings=warnings,
            ms=self._ms(started),
            timings=timings,
            initial=initial,
            recovered=recovered and not initial,
            laid_out=done.laid_out,
        )

    def _compose(
        self, manifest: Manifest, targets: list[TargetSpec], fragments: list[Fragment]
    ) -> tuple[list[tuple[ComposedTarget, object, list[SchemaFile]]], list[str], int]:
        """Compose the targets whose selected fragments changed since their outputs were written;
        also returns how many fragment sections that wrote."""
        stale: list[tuple[ComposedTarget, object, list[SchemaFile]]] = []
        recomposed: list[str] = []
        laid_out = 0
        errors: list[Diagnostic] = []
        for target in targets:
            try:
                selected = select_fragments(fragments, target)
                # What the output depends on: the manifest, and which parse trees the target
                # selects (a tree's source holds the file's path, and the manifest its name).
                schemas = list(map(attrgetter("schema"), selected))
                fingerprint = self._generation
                done = self._done.get(target.name)
                if done is not None and done[0] == fingerprint and _same(done[1], schemas):
                    continue
                recomposed.append(target.name)
                composed, sections = self._compose_target(manifest, fragments, selected, target)
                laid_out += sections
                stale.append((composed, fingerprint, schemas))
            except ComposeError as exc:
                seen = {e.message for e in errors}
                errors.extend(d for d in exc.diagnostics if d.message not in seen)
        if errors:
            raise ComposeError(errors)
        return stale, recomposed, laid_out

    def _compose_target(
        self, manifest: Manifest, fragments: list[Fragment], selected: list[Fragment], target: TargetSpec
    ) -> tuple[ComposedTarget, int]:
        """From what the target's last compose kept, when the edit allows (incremental.py); else
        in full. Also returns how many fragment sections it wrote."""
        state = self._states.get(target.name)
        if state is not None:
            again = recompose(state, manifest, fragments, selected, target)
            if again is not None:
                return again
            del self._states[target.name]  # no longer what the fragments say
        memo = self._block_memos.setdefault(target.name, {})
        composed, state = compose_recording(manifest, fragments, target, memo)
        if state is not None:
            self._states[target.name] = state
        return composed, len(composed.fragments)

    def _failure(
        self,
        started: float,
        shown: list[str],
        initial: bool,
        errors: list[Diagnostic] | None = None,
        usage_error: str | None = None,
    ) -> Build:
        rendered = [d.render() for d in errors or []] + ([usage_error] if usage_error else [])
        repeated = rendered == self._failed
        self._failed = rendered
        return Build(
            [],
            shown,
            errors=list(errors or []),
            usage_error=usage_error,
            ms=self._ms(started),
            initial=initial,
            repeated=repeated,
        )

    @staticmethod
    def _ms(started: float) -> float:
        return (time.perf_counter() - started) * 1000

    def _reload_manifest(self) -> bool:
        """Parse the manifest again if its bytes changed; True when they did. Raises ComposeError."""
        sig = file_signature(str(self.manifest_path))
        try:
            data = self.manifest_path.read_bytes()
        except OSError:
            data = None
        if data is not None and data == self._manifest_bytes and self.manifest is not None:
            self._manifest_sig = sig
            return False
        # What was read, even if it does not load: `rewritten` compares with it.
        self._manifest_sig = sig
        manifest = load_manifest(self.manifest_path)
        self.manifest = manifest
        self._manifest_bytes = data
        self._generation += 1
        self._states.clear()  # what they kept was composed under the old manifest
        self._reloader.forget()
        self._explicit = [pattern_parts(s.pattern) for s in manifest.fragments if s.kind == "path"]
        self._patterns = [pattern_parts(s.pattern) for s in manifest.fragments if s.kind != "path"]
        self._outputs = [
            (os.path.abspath(os.path.join(self.root, t.output)), t.folder) for t in manifest.targets.values()
        ]
        return True

    def rewritten(self) -> list[str]:
        """The inputs, and the manifest, written to since the last build read them (absolute
        paths): what `--poll` cannot see (`loop._SameSecond`). An input that was not read (gone,
        or never readable) is left out: the poller sees it appear."""
        paths = self.loader.modified_since_read(self._input_paths, unread=False)
        manifest = str(self.manifest_path)
        if self._manifest_sig is not None and file_signature(manifest) != self._manifest_sig:
            paths.append(manifest)
        return paths

    # -- what to watch ---------------------------------------------------------------------------

    def watch_dirs(self) -> list[str]:
        """The folders to watch (each without its subfolders), all existing."""
        if self.manifest is None:
            with contextlib.suppress(ComposeError):
                self._reload_manifest()
        root = str(self.root)
        dirs = {root}
        for folder in {parts[:-1] for parts in self._explicit}:
            add_ancestors(dirs, root, folder)
        for parts in self._patterns:
            add_pattern_dirs(dirs, root, parts)
        return sorted(dirs)

    def is_relevant(self, path: str) -> bool:
        """Can a change at `path` (file or folder) change what a build reads?"""
        path = os.path.abspath(path)
        if path == str(self.manifest_path):
            return True
        if path in self._input_paths:
            return not self._is_output(path)
        rel = os.path.relpath(path, self.root)
        parts = pattern_parts(rel.replace(os.sep, "/"))
        for explicit in self._explicit:
            # The file itself, or a folder on its way (created, deleted, renamed).
            if parts == explicit[: len(parts)]:
                return not self._is_output(path)
        for pattern in self._patterns:
            found = glob_match(pattern, parts)
            if found == FULL or (found == FOLDER and not os.path.isfile(path)):
                return not self._is_output(path)
        return False

    def _is_output(self, path: str) -> bool:
        """An output (or one of its temporary files) that a build writes itself."""
        folder, name = os.path.split(path)
        for out, is_folder in self._outputs:
            if is_folder:
                if path == out or path.startswith(out.rstrip(os.sep) + os.sep):
                    return True
            elif path == out or (
                folder == os.path.dirname(out)
                and name.startswith(f".{os.path.basename(out)}.")
                and name.endswith(".tmp")
            ):
                return True
        return False

    def settling(self, events: Iterable[str]) -> bool:
        """Did an input the last build read just vanish or become empty (a save in progress)?"""
        for path in events:
            path = os.path.abspath(path)
            if path in self._input_paths or path == str(self.manifest_path):
                sig = file_signature(path)
                if sig is None or sig[1] == 0:
                    return True
        return False


def _same(before: list[SchemaFile], now: list[SchemaFile]) -> bool:
    """The very same parse trees, in the same order (compared in C: 10,000 in well under a ms)."""
    return len(before) == len(now) and all(map(is_, before, now))


def _diagnose(exc: Exception) -> tuple[list[Diagnostic], str | None]:
    """A build's failure as (errors, usage error): bad input, or a bug, which must not end a
    watch session: it is reported and watching goes on."""
    if isinstance(exc, UsageError):
        return [], str(exc)
    if isinstance(exc, ComposeError):
        return exc.diagnostics, None
    if isinstance(exc, OSError):  # an output folder that cannot be read, say: still bad input
        where = f" `{exc.filename}`" if exc.filename else ""
        return [Diagnostic(f"cannot access{where}: {exc.strerror or exc}", None, code="E310")], None
    import traceback

    frame = traceback.extract_tb(exc.__traceback__)[-1]
    error = Diagnostic(
        f"internal error: {type(exc).__name__}: {exc} (at {frame.filename}:{frame.lineno})",
        None,
        code="E999",
        hint="please report this bug; still watching, the outputs are those of the last good build",
    )
    return [error], None
