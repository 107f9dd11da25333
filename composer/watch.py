"""Watch mode: keep a project's outputs up to date while its inputs change (`compose watch`).

In the spirit of watchfiles, the engine is a generator of builds:

    from composer.watch import Project, watch

    project = Project(Path("prisma.compose.toml"), targets=["web"])
    for build in watch(project):          # the first build, then one per relevant change
        if not build.quiet:
            print(build.changed, build.targets, build.written, build.errors, build.ms)

`Project.build()` is one incremental build: only files whose stat signature changed (or that a
file event named) are read again, only new texts are parsed (`sources.Loader`), only targets
whose selected fragments changed are composed again, and only outputs whose text changed are
written. A build that fails (bad input, a hand-edited output) writes nothing and leaves the last
good outputs in place; the next good save recovers by itself.

`watch()` watches folders, not files: editors save by renaming a new file over the old one, which
ends a watch on the file itself. The folders are those of the manifest, of every fragment and YAML
file, and every folder a glob may match in, each watched on its own (not recursively, so a glob
under the project root does not watch `node_modules`). When the set of folders changes (a folder
created or deleted, the manifest edited) the watcher is started again and one more build catches
whatever happened in between.
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import output
from .compose import ComposedTarget, compose_target, select_fragments
from .diagnostics import ComposeError, Diagnostic
from .inputfiles import SKIPPED_FOLDERS, component_match, is_magic, pattern_parts, walk_folders
from .lock import project_lock
from .manifest import Manifest, TargetSpec, load_manifest
from .pipeline import UsageError, pick_targets
from .sources import Loader, file_signature, rel_display

if TYPE_CHECKING:
    from .psl import SchemaFile
    from .sources import Fragment

# Grouping file events (milliseconds). watchfiles' Rust loop sleeps `step`, then returns the
# events it has once a whole step passed without a new (change, path) pair: a save returns after
# one to two steps. 30 ms groups the burst of an editor's save (temporary file, rename, chmod:
# well under 5 ms apart) and keeps the wait far below the latency budget (watchfiles' default
# debounce of 1,600 ms alone would blow it); waking up 33 times a second costs nothing measurable.
# `debounce` only caps a burst that keeps bringing new paths (a `git checkout`, a formatter run
# over every file): 200 ms of them make one build instead of several.
STEP_MS = 30
DEBOUNCE_MS = 200
# An input that just vanished or became empty is most likely being saved (deleted then written
# again, truncated then written): wait this long for the rest of the save before building.
SETTLE_MS = 150
# Cyclic garbage is collected when nothing happened for this long, never during a build.
IDLE_GC_MS = 1000


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


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
        self._inputs: dict[str, SchemaFile] = {}  # display path -> parse tree, of the last good build
        self._input_paths: set[str] = set()  # absolute paths of the last good build's input files
        # target -> (fingerprint of what its outputs were composed from, the parse trees it names:
        # kept alive so that the `id()`s in the fingerprint cannot be reused by new objects).
        self._done: dict[str, tuple[object, list[SchemaFile]]] = {}
        self._block_memos: dict[str, dict] = {}  # per target: laid-out declarations to reuse
        self._builds = 0
        self._failed: list[str] | None = None  # rendered errors of the last build, if it failed
        self._warned: list[str] = []
        self._explicit: list[tuple[str, ...]] = []  # `path` entries, as path components
        self._patterns: list[tuple[str, ...]] = []  # `glob` and `yaml` entries, as path components
        self._outputs: list[tuple[str, bool]] = []  # (absolute path, is a folder) of every target

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
        events = sorted(set(events))
        self.loader.invalidate(events)
        shown = [rel_display(Path(p), self.root) for p in events]
        initial = self._builds == 0
        self._builds += 1
        # One writer per project (lock.py): held from reading the inputs to the last rename, so
        # a `compose build` run beside the watcher waits for it, and the other way round.
        locked = contextlib.ExitStack()
        try:
            locked.enter_context(project_lock(self.root))
            manifest_changed = self._reload_manifest()
            assert self.manifest is not None
            manifest = self.manifest
            targets = pick_targets(manifest, self.target_names)
            loaded = self.loader.load(manifest)
            timings = {"load": self._ms(started)}
            inputs: dict[str, SchemaFile] = {}
            paths: dict[str, str] = {}
            for frag in loaded.fragments:
                inputs[frag.display] = frag.schema
                gen = frag.generated
                paths[frag.display] = gen.yaml_source.path if gen is not None else frag.source.path
            changed = [d for d, schema in inputs.items() if self._inputs.get(d) is not schema]
            changed += [d for d in self._inputs if d not in inputs]
            if manifest_changed:
                changed.insert(0, rel_display(self.manifest_path, self.root))
            stale, recomposed = self._compose(manifest, targets, loaded.fragments)
            timings["compose"] = self._ms(started) - timings["load"]
            # A changed input written to again while we worked was read half-saved, maybe: write
            # nothing, the event of that write is on its way and builds again.
            moving = self.loader.modified_since_read(paths[d] for d in changed if d in paths)
            if manifest_changed and file_signature(str(self.manifest_path)) != self._manifest_sig:
                moving.append(str(self.manifest_path))
            if moving:
                self._builds -= initial  # the first real build is still to come
                return Build(changed, shown, superseded=True, ms=self._ms(started))
            state = output.read_state(self.root)
            planned = [f for composed, _, _ in stale for f in output.plan(self.root, composed, state)]
            written = output.apply(planned, self.force, self.root)
            timings["write"] = self._ms(started) - timings["load"] - timings["compose"]
        except UsageError as exc:
            return self._failure(started, shown, initial, usage_error=str(exc))
        except ComposeError as exc:
            return self._failure(started, shown, initial, errors=exc.diagnostics)
        except OSError as exc:  # an output folder that cannot be read, say: still bad input
            where = f" `{exc.filename}`" if exc.filename else ""
            error = Diagnostic(f"cannot access{where}: {exc.strerror or exc}", None, code="E310")
            return self._failure(started, shown, initial, errors=[error])
        except Exception as exc:  # a bug must not end a watch session: report it, keep watching
            import traceback

            frame = traceback.extract_tb(exc.__traceback__)[-1]
            error = Diagnostic(
                f"internal error: {type(exc).__name__}: {exc} (at {frame.filename}:{frame.lineno})",
                None,
                code="E999",
                hint="please report this bug; still watching, the outputs are those of the last good build",
            )
            return self._failure(started, shown, initial, errors=[error])
        finally:
            locked.close()
        for composed, fingerprint, keep in stale:
            self._done[composed.target.name] = (fingerprint, keep)
        for name in list(self._done):
            if name not in manifest.targets:
                del self._done[name]
        self._inputs = inputs
        self._input_paths = {os.path.abspath(p) for p in loaded.files}
        recovered = self._failed is not None
        self._failed = None
        rendered = [w.render() for w in loaded.warnings]
        warnings = loaded.warnings if rendered != self._warned else []
        self._warned = rendered
        return Build(
            changed,
            shown,
            recomposed,
            written,
            unchanged=sum(1 for f in planned if not f.changed),
            warnings=warnings,
            ms=self._ms(started),
            timings=timings,
            initial=initial,
            recovered=recovered and not initial,
        )

    def _compose(
        self, manifest: Manifest, targets: list[TargetSpec], fragments: list[Fragment]
    ) -> tuple[list[tuple[ComposedTarget, object, list[SchemaFile]]], list[str]]:
        """Compose the targets whose selected fragments changed since their outputs were written."""
        stale: list[tuple[ComposedTarget, object, list[SchemaFile]]] = []
        recomposed: list[str] = []
        errors: list[Diagnostic] = []
        for target in targets:
            try:
                selected = select_fragments(fragments, target)
                # What the output depends on: the manifest, and which parse trees the target selects.
                fingerprint = (self._generation, [(f.name, f.display, id(f.schema)) for f in selected])
                done = self._done.get(target.name)
                if done is not None and done[0] == fingerprint:
                    continue
                recomposed.append(target.name)
                memo = self._block_memos.setdefault(target.name, {})
                composed = compose_target(manifest, fragments, target, memo)
                stale.append((composed, fingerprint, [f.schema for f in selected]))
            except ComposeError as exc:
                seen = {e.message for e in errors}
                errors.extend(d for d in exc.diagnostics if d.message not in seen)
        if errors:
            raise ComposeError(errors)
        return stale, recomposed

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
        manifest = load_manifest(self.manifest_path)
        self.manifest = manifest
        self._manifest_bytes = data
        self._manifest_sig = sig
        self._generation += 1
        self._explicit = [_parts(s.pattern) for s in manifest.fragments if s.kind == "path"]
        self._patterns = [_parts(s.pattern) for s in manifest.fragments if s.kind != "path"]
        self._outputs = [
            (os.path.abspath(os.path.join(self.root, t.output)), t.folder) for t in manifest.targets.values()
        ]
        return True

    # -- what to watch ---------------------------------------------------------------------------

    def watch_dirs(self) -> list[str]:
        """The folders to watch (each without its subfolders), all existing."""
        if self.manifest is None:
            with contextlib.suppress(ComposeError):
                self._reload_manifest()
        root = str(self.root)
        dirs = {root}
        for folder in {parts[:-1] for parts in self._explicit}:
            _add_ancestors(dirs, root, folder)
        for parts in self._patterns:
            _add_pattern_dirs(dirs, root, parts)
        return sorted(dirs)

    def is_relevant(self, path: str) -> bool:
        """Can a change at `path` (file or folder) change what a build reads?"""
        path = os.path.abspath(path)
        if path == str(self.manifest_path):
            return True
        if path in self._input_paths:
            return not self._is_output(path)
        rel = os.path.relpath(path, self.root)
        parts = _parts(rel.replace(os.sep, "/"))
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


# -- globs ----------------------------------------------------------------------------------------

NO, FOLDER, FULL = 0, 1, 2
_parts = pattern_parts  # tests import it by this name


def glob_match(pattern: Sequence[str], parts: Sequence[str]) -> int:
    """Match a path against a glob (both as components), with `glob.glob(recursive=True)` rules.

    FULL: the path matches; FOLDER: the path is a folder on the way to matches (a new or deleted
    folder there adds or removes matches); NO otherwise.
    """

    def match(i: int, j: int) -> int:
        while True:
            if j == len(parts):
                if all(p == "**" for p in pattern[i:]):
                    return FULL if i < len(pattern) or j > 0 else NO
                return FOLDER
            if i == len(pattern):
                return NO
            p = pattern[i]
            if p == "**":
                here = match(i + 1, j)  # `**` matches no folder
                if here == FULL or parts[j].startswith(".") or parts[j] in SKIPPED_FOLDERS:
                    return here
                return max(here, match(i, j + 1))  # or one more
            if not component_match(p, parts[j]) or (is_magic(p) and parts[j] in SKIPPED_FOLDERS):
                return NO
            i += 1
            j += 1

    return match(0, 0)


def _add_ancestors(dirs: set[str], root: str, parts: Sequence[str]) -> str | None:
    """Add root/parts[0]/… as deep as it exists; return the deepest when it all exists."""
    here = root
    for part in parts:
        nxt = os.path.normpath(os.path.join(here, part))
        if not os.path.isdir(nxt):
            return None
        dirs.add(nxt)
        here = nxt
    return here


def _add_pattern_dirs(dirs: set[str], root: str, parts: Sequence[str]) -> None:
    """Add every existing folder a glob can match files in, or folders on the way to them."""
    folders = parts[:-1]
    static = 0
    while static < len(folders) and not is_magic(folders[static]):
        static += 1
    base = _add_ancestors(dirs, root, folders[:static])
    if base is None:
        return
    level = [base]
    for part in folders[static:]:
        nxt: list[str] = []
        for folder in level:
            if part == "**":  # the folders the glob walks (inputfiles.py): no symlink, no cycle
                nxt.extend(current for current, _ in walk_folders(folder))
            else:
                with contextlib.suppress(OSError):
                    for entry in os.scandir(folder):
                        if (
                            component_match(part, entry.name)
                            and entry.name not in SKIPPED_FOLDERS
                            and entry.is_dir()
                        ):
                            nxt.append(entry.path)
        dirs.update(nxt)
        level = nxt


# -- the watch loop -------------------------------------------------------------------------------


def watch(
    project: Project,
    *,
    step_ms: int = STEP_MS,
    debounce_ms: int = DEBOUNCE_MS,
    settle_ms: int = SETTLE_MS,
    force_polling: bool | None = None,
    poll_delay_ms: int = 100,
    stop_event: StopEvent | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Iterator[Build]:
    """Build, then build again after every relevant change; yields every build (see `Build.quiet`).

    Runs until `stop_event` is set; Ctrl-C (SIGINT) raises KeyboardInterrupt. The cyclic garbage
    collector is off while this runs (see `_Collector`).
    """
    from watchfiles._rust_notify import RustNotify, WatchfilesRustInternalError

    notice = on_notice or (lambda message: None)
    polling = default_force_polling() if force_polling is None else force_polling
    collector = _Collector()
    first = True
    rescan = False
    try:
        while True:
            dirs = project.watch_dirs()
            try:
                notify = RustNotify(dirs, False, polling, poll_delay_ms, False, True)
            except FileNotFoundError:  # a folder vanished since it was listed: list them again
                time.sleep(step_ms / 1000)
                continue
            except Exception as exc:  # e.g. out of inotify watches: polling still works
                if polling:
                    notice(f"cannot watch the project's folders ({exc}); trying again in 1 s")
                    time.sleep(1)
                else:
                    notice(f"cannot watch with file system events ({exc}); polling instead")
                    polling = True
                continue
            with notify:
                if first or rescan:
                    # Watching starts before building, so nothing saved meanwhile is missed.
                    first = rescan = False
                    yield project.build()
                    collector.built()
                pending: set[str] = set()
                settle_until = retry_at = None
                while True:
                    now = time.monotonic()
                    deadlines = [d for d in (settle_until, retry_at, collector.due()) if d is not None]
                    timeout = max(1, int((min(deadlines) - now) * 1000)) if deadlines else 0
                    try:
                        raw = notify.watch(debounce_ms, step_ms, timeout, stop_event)
                    except WatchfilesRustInternalError as exc:
                        notice(f"file watcher error ({exc}); watching again")
                        rescan = True
                        break
                    if raw == "signal":
                        raise KeyboardInterrupt
                    if raw == "stop":
                        return
                    now = time.monotonic()
                    if raw == "timeout":
                        if pending:
                            if settle_until is not None and now < settle_until:
                                continue
                        elif retry_at is None or now < retry_at:
                            collector.idle()
                            continue
                    else:
                        pending.update(path for _, path in raw if project.is_relevant(path))
                        if not pending:
                            continue
                        if settle_until is None and project.settling(pending):
                            settle_until = now + settle_ms / 1000
                        if settle_until is not None and now < settle_until and project.settling(pending):
                            continue
                    settle_until = retry_at = None
                    build = project.build(pending)
                    pending = set()
                    if build.superseded:
                        retry_at = time.monotonic() + settle_ms / 1000
                    yield build
                    collector.built()
                    if project.watch_dirs() != dirs:
                        rescan = True
                        break
    finally:
        collector.close()


def default_force_polling() -> bool:
    """Poll where file system events do not work: as watchfiles, `WATCHFILES_FORCE_POLLING` or WSL."""
    env = os.environ.get("WATCHFILES_FORCE_POLLING")
    if env:
        return env.lower() not in ("false", "disable", "disabled")
    return "microsoft-standard" in platform.uname().release.lower()


class _Collector:
    """The cyclic garbage collector, run when idle instead of in the middle of a build.

    A 1,000-fragment project keeps ~500k objects alive (parse trees); each automatic full
    collection walks them all (~0.4 s), and a compose of 5,000 models triggers several: up to
    four times the compose time. They form no reference cycles (freed by reference counting as
    soon as unused), so: no automatic collection; after a build, once idle, collect what is new
    and freeze the survivors (`gc.freeze`), so the next collections skip them. Every 20 idle
    collections, everything is unfrozen and collected once, in case something frozen since
    became cyclic garbage.
    """

    FULL_EVERY = 20

    def __init__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()
        self.pending = False
        self.last = time.monotonic()
        self.count = 0

    def built(self) -> None:
        self.pending = True
        self.last = time.monotonic()

    def due(self) -> float | None:
        return self.last + IDLE_GC_MS / 1000 if self.pending else None

    def idle(self) -> None:
        if not self.pending or time.monotonic() < self.last + IDLE_GC_MS / 1000:
            return
        self.pending = False
        self.count += 1
        if self.count % self.FULL_EVERY == 0:
            gc.unfreeze()
        gc.collect()
        gc.freeze()

    def close(self) -> None:
        gc.unfreeze()
        if self.enabled:
            gc.enable()


# -- the `[watch] run` command --------------------------------------------------------------------


class CommandRunner:
    """Runs a shell command after builds that changed an output, never two at once.

    A request while the command runs queues one more run (for the newest outputs), however many
    builds happen meanwhile. The command's output goes straight to the terminal; its stdin is
    empty. A failure is reported through `report` and changes nothing else.

    The command runs in a process group of its own, and `close` ends the whole group: the shell
    and whatever it started (`npx` starts node, a script starts more), also a process that
    ignores SIGTERM (SIGKILL after `timeout`). Ending only the shell would leave its children
    running, adopted by init, after the watcher stopped.
    """

    def __init__(self, command: str, cwd: Path, report: Callable[[str], None]) -> None:
        self.command = command
        self.cwd = cwd
        self.report = report
        self._lock = threading.Lock()
        self._pending = False
        self._running = False
        self._closed = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.runs = 0

    @property
    def busy(self) -> bool:
        """A run is in progress, or requested and about to start."""
        return self._running

    def request(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending = True
            if self._running:
                return
            self._running = True
            self._thread = threading.Thread(target=self._loop, name="compose-run", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._pending or self._closed:
                    self._running = False
                    return
                self._pending = False
            self._run_once()

    def _run_once(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.report(f"running `{self.command}`")
            started = time.perf_counter()
            self.runs += 1
            try:
                proc = self._proc = subprocess.Popen(
                    self.command,
                    shell=True,
                    cwd=self.cwd,
                    stdin=subprocess.DEVNULL,
                    start_new_session=os.name == "posix",
                )
            except OSError as exc:
                self.report(f"cannot run `{self.command}`: {exc.strerror or exc}")
                return
        code = proc.wait()
        seconds = time.perf_counter() - started
        if self._closed:
            return
        if code == 0:
            self.report(f"`{self.command}` done ({seconds:.1f} s)")
        else:
            why = f"exit code {code}" if code > 0 else f"signal {-code}"
            self.report(f"`{self.command}` failed ({why}, {seconds:.1f} s); still watching")

    def close(self, timeout: float = 3.0) -> None:
        """Stop: a running command is terminated (then killed if it does not stop in time)."""
        with self._lock:
            self._closed = True
            proc = self._proc
        if proc is not None:
            if os.name == "posix":
                _end_group(proc, timeout)
            elif proc.poll() is None:
                with contextlib.suppress(OSError):
                    proc.terminate()
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(OSError):
                        proc.kill()
                    proc.wait()
        if self._thread is not None:
            self._thread.join(timeout)


def _end_group(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM to the process group led by `proc`, SIGKILL to what is left after `timeout`.

    Also when the shell itself has exited: a child it left in the background is still in the
    group. The group's id is the shell's pid, which is not reused while `proc` is not reaped;
    after that, a group with that id is ours until its last member is gone.
    """
    import signal

    pgid = proc.pid

    def alive() -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # a member changed its user: still there, not ours to signal
            return False
        return True

    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None and not alive():
            return
        time.sleep(0.02)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    proc.wait()
