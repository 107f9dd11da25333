"""Watch mode: keep a project's outputs up to date while its inputs change (`compose watch`).

In the spirit of watchfiles, the engine is a generator of builds:

    from composer.watch import Project, watch

    project = Project(Path("prisma.compose.toml"), targets=["web"])
    for build in watch(project):          # the first build, then one per relevant change
        if not build.quiet:
            print(build.changed, build.targets, build.written, build.errors, build.ms)

The engine lives in `composer/watching/`: `project` (a project and one incremental build),
`incremental` (a target composed again from what its last compose kept), `reload` (only the
edited fragment files read again), `globs` (what to watch, which paths matter), `loop` (the
`watchfiles.watch` loop, the idle garbage collection) and `runner` (the `[watch] run` command).
This module is their public face.
"""

from __future__ import annotations

from .watching.globs import FOLDER, FULL, NO, glob_match
from .watching.loop import (
    DEBOUNCE_MS,
    IDLE_GC_MS,
    SETTLE_MS,
    STEP_MS,
    StopEvent,
    _Collector,
    default_force_polling,
    watch,
)
from .watching.project import Build, Project
from .watching.runner import CommandRunner

__all__ = [
    "DEBOUNCE_MS",
    "FOLDER",
    "FULL",
    "IDLE_GC_MS",
    "NO",
    "SETTLE_MS",
    "STEP_MS",
    "Build",
    "CommandRunner",
    "Project",
    "StopEvent",
    "_Collector",
    "default_force_polling",
    "glob_match",
    "watch",
]
