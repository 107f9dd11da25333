"""The public Python API: what the commands do, as functions that return results and raise.

    import composer

    result = composer.build()                 # like `compose build`, from the cwd's manifest
    for f in result.files:
        print(f.status, f.path)               # written / removed / unchanged
    composer.check("prisma.compose.toml").ok  # like `compose check`: nothing written
    composer.compose_text(targets=["engine"])["engine"]["engine/prisma/schema.prisma"]

Every function takes `manifest` (a path to `prisma.compose.toml`, or None: searched upwards from
the current folder, as the CLI does) and `targets` (target names; None or empty: all of them).
Bad input raises `ComposeError`, whose `diagnostics` are located (`file:line:col`); a usage
problem (no manifest, an unknown target, no way to run Prisma) raises `UsageError`. Either way
nothing is written. Warnings are returned, not printed: the API prints nothing (but the notice on
stderr while `build` waits for another compose writing the same project).

The functions call the same library code as the commands (`pipeline`, `output`, `diffs`,
`validation`), so a result says what the command would have reported.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .diagnostics import ComposeError, Diagnostic
from .pipeline import UsageError

if TYPE_CHECKING:
    from .diffs import CheckedFile
    from .pipeline import Composition

__all__ = [
    "BuildResult",
    "CheckResult",
    "ComposeError",
    "Diagnostic",
    "OutputFile",
    "TargetResult",
    "UsageError",
    "ValidateResult",
    "build",
    "check",
    "compose_text",
    "validate",
]

Manifest = str | os.PathLike[str] | None


@dataclass(frozen=True)
class OutputFile:
    """One output file of a build: `path` relative to the project (as `compose build` prints it)."""

    target: str
    path: str
    status: str  # "written", "removed" or "unchanged"


@dataclass(frozen=True)
class TargetResult:
    """One composed target: `adapted` summarises what adapting it to its provider changed (None
    when nothing was), `notes` lists each change as an info diagnostic at the fragment line."""

    name: str
    output: str
    adapted: str | None
    notes: list[Diagnostic]


@dataclass
class BuildResult:
    targets: list[TargetResult]
    files: list[OutputFile]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def written(self) -> list[OutputFile]:
        """The files this build wrote or removed."""
        return [f for f in self.files if f.status != "unchanged"]


@dataclass
class CheckResult:
    """`files`: each output's `status` (fresh, missing, stale, hand-edited, leftover), with a
    git-style `diff` and a located `diagnostic` for each one not fresh."""

    files: list[CheckedFile]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.fresh for f in self.files)

    @property
    def problems(self) -> list[Diagnostic]:
        return [f.diagnostic for f in self.files if f.diagnostic is not None]


@dataclass
class ValidateResult:
    """`diagnostics`: Prisma's errors and warnings, at the fragment lines they come from;
    `engines`: each Prisma engine that ran (`label`, `prisma`, `targets`, …)."""

    diagnostics: list[Diagnostic]
    engines: list[dict[str, Any]]
    warnings: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def ok(self) -> bool:
        """Does Prisma accept every target (warnings allowed)?"""
        return not self.errors


def _option(manifest: Manifest) -> str | None:
    return os.fspath(manifest) if manifest is not None else None


def _names(targets: Sequence[str] | None) -> list[str] | None:
    if isinstance(targets, str):
        # build("engine") would otherwise ask for targets e, n, g, ...
        raise UsageError(f"targets: a list of target names, not the string `{targets}`")
    return list(targets) if targets else None


def _compose(manifest: Manifest, targets: Sequence[str] | None) -> Composition:
    from . import pipeline

    return pipeline.load(_option(manifest), _names(targets))


@dataclass
class _Warnings:
    warnings: list[Diagnostic] = field(default_factory=list)


def build(
    manifest: Manifest = None, targets: Sequence[str] | None = None, force: bool = False
) -> BuildResult:
    """Compose the targets and write their outputs, as `compose build [TARGET…] [--force]`: the
    same build, holding the project's lock as `compose build` and `compose watch` do (a second
    writer waits), so that two builds never interleave their writes.

    An output edited by hand raises ComposeError unless `force` (then the old file is kept as
    `NAME.bak`). Outputs are written atomically and only when they change.
    """
    from .building import build as build_project

    built = build_project(_names(targets) or [], _option(manifest), _Warnings(), force)
    comp = built.comp
    return BuildResult(
        [TargetResult(t.target.name, t.target.output, t.adapted, list(t.notes)) for t in comp.targets],
        [OutputFile(f.target, f.display, state) for f, state in built.written.statuses()],
        list(comp.warnings),
    )


def check(manifest: Manifest = None, targets: Sequence[str] | None = None) -> CheckResult:
    """Are the outputs on disk what `build` would write? As `compose check`; writes nothing."""
    from . import pipeline
    from .diffs import compare

    comp = _compose(manifest, targets)
    return CheckResult(compare(pipeline.plan_outputs(comp), comp.manifest), list(comp.warnings))


def compose_text(
    manifest: Manifest = None, targets: Sequence[str] | None = None
) -> dict[str, dict[str, str]]:
    """Target name → output path (relative to the project) → the text `build` would write there.

    Nothing is read from or written to the outputs. Warnings are dropped: `check` returns them.
    """
    from .output import seal

    comp = _compose(manifest, targets)
    return {t.target.name: {f.path: seal(t.banner, f.body) for f in t.files} for t in comp.targets}


def validate(
    manifest: Manifest = None, targets: Sequence[str] | None = None, prisma: str = "auto"
) -> ValidateResult:
    """Prisma's own validator on the composed targets, as `compose validate`; writes nothing.

    `prisma`: "auto" (the project's own Prisma, else the shipped engine its schema needs), "6" or
    "7". Needs Node.js 18+; without it (or with a Prisma that cannot be run) raises UsageError.
    Prisma rejecting a target is no exception: see `ValidateResult.ok` and `.errors`.
    """
    from .validation import validate_project

    done = validate_project(_option(manifest), _names(targets), prisma)
    return ValidateResult(done.diagnostics, done.engines, list(done.composition.warnings))
