"""The watch loop: file events from `watchfiles.watch`, grouped, filtered and turned into builds.

Folders are watched, not files: editors save by renaming a new file over the old one, which
ends a watch on the file itself. The folders are those of the manifest, of every fragment and YAML
file, and every folder a glob may match in, each watched on its own (not recursively, so a glob
under the project root does not watch `node_modules`). When the set of folders changes (a folder
created or deleted, the manifest edited) the watcher is started again and one more build catches
whatever happened in between.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import platform
import time
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .project import Build, Project

# Grouping file events (milliseconds). watchfiles' Rust loop sleeps `step`, then returns the
# events it has once a whole step passed without a new (change, path) pair: a save returns after
# one to two steps. 10 ms still groups the burst of an editor's save (temporary file, rename,
# chmod: well under 5 ms apart), and a save split in two anyway is caught by `SETTLE_MS` and by
# the build's own check that nothing it read moved meanwhile; the wait is the larger part of a
# one-fragment edit's latency once the build itself is incremental. The sleeping is Rust's, not
# Python's. `debounce` only caps a burst that keeps bringing new paths (a `git checkout`, a
# formatter run over every file): 200 ms of them make one build instead of several.
STEP_MS = 10
DEBOUNCE_MS = 200
# An input that just vanished or became empty is most likely being saved (deleted then written
# again, truncated then written): wait this long for the rest of the save before building.
SETTLE_MS = 150
# How often the loop looks at its deadlines (settling, a retry, idle garbage collection) when no
# event comes: `watchfiles.watch` returns an empty set this often (`yield_on_timeout`).
TICK_MS = 50
# Cyclic garbage is collected when nothing happened for this long, never during a build.
IDLE_GC_MS = 1000


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


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
    notice = on_notice or (lambda message: None)
    events = _Events(step_ms, debounce_ms, poll_delay_ms, stop_event, notice, force_polling)
    collector = _Collector()
    first = True
    try:
        while True:
            dirs = project.watch_dirs()
            changes = events.start(dirs)
            if changes is None:
                continue
            with contextlib.closing(changes):
                unseen = _SameSecond(events.polling)
                again = yield from _follow(
                    project, dirs, changes, collector, settle_ms, first, notice, unseen
                )
            first = False
            if not again:
                return
    finally:
        collector.close()


class _Events:
    """`watchfiles.watch` on a list of folders, started again when the list changes."""

    def __init__(
        self,
        step_ms: int,
        debounce_ms: int,
        poll_delay_ms: int,
        stop_event: StopEvent | None,
        notice: Callable[[str], None],
        force_polling: bool | None,
    ) -> None:
        self.step_ms, self.debounce_ms, self.poll_delay_ms = step_ms, debounce_ms, poll_delay_ms
        self.stop_event, self.notice = stop_event, notice
        self.polling = default_force_polling() if force_polling is None else force_polling

    def start(self, dirs: list[str]) -> Iterator[set[str]] | None:
        """The watcher's batches of changed paths (an empty one every `TICK_MS` without events),
        once it watches; None when it could not start (tried again by the caller)."""
        import watchfiles

        changes = watchfiles.watch(
            *dirs,
            watch_filter=None,
            debounce=self.debounce_ms,
            step=self.step_ms,
            stop_event=self.stop_event,
            rust_timeout=TICK_MS,
            yield_on_timeout=True,
            debug=False,
            raise_interrupt=True,
            force_polling=self.polling,
            poll_delay_ms=self.poll_delay_ms,
            recursive=False,
            ignore_permission_denied=True,
        )
        # The watcher starts on the first `next`: only then do the folders count as watched, so
        # that nothing saved before the first build is missed (what came meanwhile is in it).
        try:
            first = next(changes, None)
        except FileNotFoundError:  # a folder vanished since it was listed: list them again
            time.sleep(self.step_ms / 1000)
            return None
        except Exception as exc:  # e.g. out of inotify watches: polling still works
            if self.polling:
                self.notice(f"cannot watch the project's folders ({exc}); trying again in 1 s")
                time.sleep(1)
            else:
                self.notice(f"cannot watch with file system events ({exc}); polling instead")
                self.polling = True
            return None
        return _paths(first, changes)


def _paths(first: set | None, changes: Iterator[set]) -> Iterator[set[str]]:
    """The changed paths of each batch; ends when the watcher stops (`stop_event`)."""
    if first is None:
        return
    try:
        yield {path for _, path in first}
        for batch in changes:
            yield {path for _, path in batch}
    finally:
        close = getattr(changes, "close", None)
        if close is not None:
            close()


def _follow(
    project: Project,
    dirs: list[str],
    changes: Iterator[set[str]],
    collector: _Collector,
    settle_ms: int,
    first: bool,
    notice: Callable[[str], None],
    same_second: _SameSecond,
) -> Generator[Build, None, bool]:
    """Builds from one watcher's events; returns True when the watcher must be started again
    (the folders to watch changed, or it failed), False when it stopped."""
    schedule = _Schedule(project, settle_ms / 1000)
    started = False
    try:
        for batch in changes:
            if batch or not started:
                same_second.looked()
            relevant = {path for path in batch if project.is_relevant(path)}
            relevant.update(same_second.unseen(project))
            if not started:
                # The first build, or the one after a restart, reads everything: the events that
                # came while the watcher started only tell the read cache what to read again.
                started = True
                build = project.build(relevant) if not first else project.build()
            elif schedule.due(relevant):
                build = project.build(schedule.take())
                schedule.built(build)
            else:
                if schedule.idle():
                    collector.idle()
                continue
            yield build
            collector.built()
            if project.watch_dirs() != dirs:
                return True
    except RuntimeError as exc:  # watchfiles' internal error (WatchfilesRustInternalError): watch again
        notice(f"file watcher error ({exc}); watching again")
        return True
    return False


class _SameSecond:
    """What `--poll` misses: watchfiles' poller keeps each file's modification time in whole
    seconds, so a save in the same second as the last change it saw of that file (or as its
    first look) goes unseen, and the output would keep the first save's text. Until the clock
    has left the second of the poller's last look, each batch (an empty one every `TICK_MS`)
    also compares the inputs' stat signatures with what the last build read (`Project.rewritten`);
    once more just after. File system events see every write: then this does nothing."""

    # The kernel stamps files from a clock that can lag the wall clock by a few milliseconds.
    MARGIN = 0.05

    def __init__(self, polling: bool) -> None:
        self.polling = polling
        self.until: float | None = None

    def looked(self) -> None:
        """The poller has just looked at the folders (it reported a change, or it started)."""
        if self.polling:
            end = math.floor(time.time()) + 1 + self.MARGIN
            self.until = end if self.until is None else max(self.until, end)

    def unseen(self, project: Project) -> list[str]:
        if self.until is None:
            return []
        if time.time() > self.until:
            self.until = None  # this is the last look: whatever came later has a later second
        return project.rewritten()


class _Schedule:
    """When the relevant changes seen so far make a build: at once, unless an input is in the
    middle of a save (`Project.settling`: up to `settle` seconds more), and `settle` seconds
    after a superseded build even without a new event."""

    def __init__(self, project: Project, settle: float) -> None:
        self.project, self.settle = project, settle
        self.pending: set[str] = set()
        self.settle_until: float | None = None
        self.retry_at: float | None = None

    def due(self, relevant: set[str]) -> bool:
        now = time.monotonic()
        if relevant:
            self.pending |= relevant
            if self.settle_until is None and self.project.settling(self.pending):
                self.settle_until = now + self.settle
            waiting = self.settle_until is not None and now < self.settle_until
            return not (waiting and self.project.settling(self.pending))
        if self.pending:
            return self.settle_until is None or now >= self.settle_until
        return self.retry_at is not None and now >= self.retry_at

    def idle(self) -> bool:
        return not self.pending and self.retry_at is None

    def take(self) -> set[str]:
        pending, self.pending = self.pending, set()
        self.settle_until = self.retry_at = None
        return pending

    def built(self, build: Build) -> None:
        if build.superseded:
            self.retry_at = time.monotonic() + self.settle


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
    became cyclic garbage. The first build's objects are frozen as soon as it is done, without
    a collection: walking them all (seconds at 10,000 fragments) a second later would delay the
    edit saved then.
    """

    FULL_EVERY = 20

    def __init__(self) -> None:
        self.enabled = gc.isenabled()
        gc.disable()
        self.pending = False
        self.last = time.monotonic()
        self.count = 0
        self.builds = 0

    def built(self) -> None:
        self.builds += 1
        if self.builds == 1:
            gc.freeze()
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
