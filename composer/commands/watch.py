"""`compose watch [TARGET…]`: build, then rebuild on every change until Ctrl-C (docs/watch.md).

The engine is `composer.watch`; this module prints: one status line per build that did something
(what changed, which targets, what was written, milliseconds), the diagnostics of a failed build
(the last good outputs stay), and runs the `[watch] run` command after a build that changed an
output. Bad input never ends the process; Ctrl-C (or SIGTERM) ends it with exit code 0.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Sequence
from types import FrameType

from .. import pipeline, report
from ..watch import Build, CommandRunner, Project, watch


class Printer:
    """Status lines on stderr, one at a time (the command runner reports from its thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def line(self, text: str, stamp: bool = True) -> None:
        prefix = time.strftime("%H:%M:%S ") if stamp else ""
        with self.lock:
            print(f"{prefix}{text}", file=sys.stderr, flush=True)

    def build(self, build: Build) -> None:
        if build.quiet:
            return
        with self.lock:
            if build.warnings:
                report.emit(build.warnings, "text")
            if build.errors:
                report.emit(build.errors, "text")
            sys.stderr.flush()
        self.line(status(build))


def status(build: Build) -> str:
    """`user.prisma changed → web, engine: wrote prisma/schema.prisma (12 ms)`, and the like."""
    ms = f"({build.ms:.0f} ms)"
    about = build.changed or build.events
    if build.usage_error or build.errors:
        what = f"{names(about)}: " if about and not build.initial else ""
        if build.usage_error:
            return f"{what}error: {build.usage_error}; outputs kept as they were {ms}"
        count = len(build.errors)
        return f"{what}{count} error{'s' * (count != 1)}; outputs kept as they were {ms}"
    if build.initial:
        what = "built"
    elif build.changed:
        what = f"{names(build.changed)} changed"
    elif build.recovered and about:
        what = f"{names(about)} fixed"
    else:
        what = "rebuilt"
    if not build.targets:
        result = "no target uses it" if build.changed and not build.initial else "outputs up to date"
        return f"{what}: {result} {ms}"
    if build.written:
        files = ", ".join(
            ("removed " if f.removal else "")
            + f.display
            + (f" (the file it replaced kept as {f.backup})" if f.backup else "")
            for f in build.written
        )
        result = f"wrote {files}"
    else:
        result = "outputs unchanged"
    fixed = " (fixed)" if build.recovered and build.changed else ""
    return f"{what} → {', '.join(build.targets)}: {result} {ms}{fixed}"


def names(paths: Sequence[str], most: int = 3) -> str:
    if len(paths) <= most:
        return ", ".join(paths)
    return ", ".join(paths[:most]) + f" and {len(paths) - most} more"


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(
    targets: list[str],
    manifest: str | None,
    run_command: str | None = None,
    force: bool = False,
    poll: bool = False,
) -> int:
    try:
        path = pipeline.locate_manifest(manifest)
    except pipeline.UsageError as exc:
        print(f"compose: error: {exc}", file=sys.stderr)
        return 2
    project = Project(path, targets, force=force)
    printer = Printer()
    runner: CommandRunner | None = None
    # Ctrl-C stops watching even when started as `compose watch &` from a script (`sh` starts
    # background jobs with SIGINT ignored: Ctrl-C on `compose watch & next dev` would leave this
    # running). `kill`, `docker stop`, a process manager: stop as cleanly as on Ctrl-C.
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        first = True
        for build in watch(project, force_polling=True if poll else None, on_notice=printer.line):
            if first and build.usage_error and build.initial:
                print(f"compose: error: {build.usage_error}", file=sys.stderr)
                return 2
            printer.build(build)
            command = run_command if run_command is not None else project.run_command
            if runner is not None and runner.command != command:
                runner.close()
                runner = None
            if command and runner is None:
                runner = CommandRunner(command, project.root, printer.line)
            if build.written and runner is not None:
                runner.request()
            if first:
                first = False
                dirs = len(project.watch_dirs())
                printer.line(
                    f"watching {project.input_count} input file(s) and the manifest in {dirs} folder(s) "
                    "(Ctrl-C to stop)",
                )
    except KeyboardInterrupt:
        pass
    finally:
        # A second Ctrl-C while the command is being stopped must not end in a traceback.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, previous)
        if runner is not None:
            runner.close()
    printer.line("stopped")
    signal.signal(signal.SIGINT, previous_int)
    return 0
