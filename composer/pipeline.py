"""The data flow of every command: manifest → sources → parsed fragments → composed targets."""

from __future__ import annotations

from pathlib import Path

from .diagnostics import ComposeError, Diagnostic, did_you_mean
from .inputfiles import manifest_path
from .manifest import Manifest, TargetSpec, load_manifest
from .records import Record
from .sources import Loader, LoadResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .compose import ComposedTarget
    from .plan import PlannedFile


class UsageError(Exception):
    """Bad command-line usage (exit 2): an unknown target, no manifest found."""


class Composition(Record):
    _attrs = ("manifest", "loaded", "targets", "warnings")

    def __init__(
        self,
        manifest: Manifest,
        loaded: LoadResult,
        targets: list[ComposedTarget],
        warnings: list[Diagnostic] | None = None,
    ) -> None:
        self.manifest = manifest
        self.loaded = loaded
        self.targets = targets
        self.warnings: list[Diagnostic] = [] if warnings is None else warnings


def locate_manifest(option: str | None) -> Path:
    """The manifest a command line names (as the nothing-changed check finds it); UsageError."""
    found = manifest_path(option)
    if found is None and option:
        raise UsageError(f"manifest `{option}` not found")
    if found is None:
        raise UsageError(
            "no prisma.compose.toml in this folder or any parent; run `compose init` to create one, "
            "or pass --manifest PATH"
        )
    return found


def pick_targets(manifest: Manifest, names: list[str] | None) -> list[TargetSpec]:
    if not names:
        return list(manifest.targets.values())
    picked = []
    for name in names:
        if name not in manifest.targets:
            hint = did_you_mean(name, set(manifest.targets)) or "targets: " + ", ".join(manifest.targets)
            # Where the targets are defined, so that a typo in the manifest is as easy to find.
            where = manifest.location_of("targets", next(iter(manifest.targets), ""))
            raise UsageError(f"unknown target `{name}` ({hint}); targets are defined at {where}")
        picked.append(manifest.targets[name])
    return picked


def compose_project(
    manifest: Manifest, target_names: list[str] | None = None, loader: Loader | None = None
) -> Composition:
    # Imported here, not with this module: `validate` starts Node before composing, and the
    # composer's modules are the bulk of what it imports.
    from .compose import compose_target

    targets = pick_targets(manifest, target_names)
    loaded = (loader or Loader()).load(manifest)
    composed: list[ComposedTarget] = []
    errors: list[Diagnostic] = []
    for target in targets:
        try:
            composed.append(compose_target(manifest, loaded.fragments, target))
        except ComposeError as exc:
            for d in exc.diagnostics:
                if d.message not in {e.message for e in errors}:
                    errors.append(d)
    if errors:
        raise ComposeError(errors)
    return Composition(manifest, loaded, composed, list(loaded.warnings))


def load(
    manifest_option: str | None, target_names: list[str] | None = None, loader: Loader | None = None
) -> Composition:
    return compose_project(load_manifest(locate_manifest(manifest_option)), target_names, loader)


def plan_outputs(comp: Composition) -> list[PlannedFile]:
    """Every output file of the composed targets, with what is on disk now (nothing written)."""
    from .plan import plan
    from .statefile import read_state

    root = comp.manifest.root
    state = read_state(root)
    return [f for t in comp.targets for f in plan(root, t, state)]


class Written(Record):
    """What a build did to the outputs: every planned file, and those it wrote or removed."""

    _attrs = ("planned", "touched")

    def __init__(self, planned: list[PlannedFile], touched: list[PlannedFile]) -> None:
        self.planned = planned
        self.touched = touched

    def statuses(self) -> list[tuple[PlannedFile, str]]:
        """Each planned file with `written`, `removed` or `unchanged`."""
        done = {id(f) for f in self.touched}
        return [
            (f, ("removed" if f.text is None else "written") if id(f) in done else "unchanged")
            for f in self.planned
        ]


def write_outputs(
    comp: Composition, force: bool = False, planned: list[PlannedFile] | None = None
) -> Written:
    """Write the composed targets' outputs (atomically, only those that changed: output.apply);
    `planned`: their plan, when the caller made it (`plan_outputs`)."""
    from . import output

    planned = plan_outputs(comp) if planned is None else planned
    return Written(planned, output.apply(planned, force, comp.manifest.root))
