"""Which Prisma schema engine validates and formats a project: its own Prisma, else a shipped one.

`choose_engine(root, needs, prisma)` is the one place that decides (see its docstring); the
result, an `EngineChoice`, opens the `PrismaWasm` bridge (composer/prisma_wasm.py) and writes the
engine line. `schema_needs` tells the Prisma major a schema is written for. Standard library only,
imported lazily like the bridge.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .prisma_wasm import ENGINES, WASM_PACKAGE

# Not `typing.TYPE_CHECKING`: importing typing alone costs a few ms of CLI start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .prisma_wasm import PrismaWasm

@dataclass(frozen=True)
class ProjectPrisma:
    """The Prisma a project uses, as found by `find_project_prisma`."""

    kind: str  # "cli" (node_modules/prisma), "wasm" (node_modules/@prisma/prisma-schema-wasm), "package.json"
    version: str  # the installed version, or the package.json range (`^6.19.0`)
    path: Path  # the package folder, or the package.json
    wasm_package: Path | None = None  # an @prisma/prisma-schema-wasm beside the CLI

    @property
    def major(self) -> str | None:
        import re

        found = re.search(r"\d+", self.version)
        return found.group(0) if found else None

    def shown(self, root: Path) -> str:
        """`prisma 6.19.3 (node_modules/prisma)`, the path relative to the project."""
        name = "prisma" if self.kind != "wasm" else WASM_PACKAGE
        version = self.version.split("-")[0] if self.kind != "package.json" else self.version
        return f"{name} {version} ({_relative(self.path, root)})"


@dataclass(frozen=True)
class EngineChoice:
    """Which Prisma schema engine runs for a project, and why: see `choose_engine`."""

    major: str  # the shipped engine (and glue) of this major is used, or is the fallback
    module: str | None = None  # what the bridge loads instead of the shipped engine (None: shipped)
    origin: str = "shipped"  # "shipped", "project" (the project's own engine) or "env"
    reason: str = ""  # for the engine line: why this one
    project: str | None = None  # the project's Prisma, `prisma 6.19.3 (node_modules/prisma)`
    by_schema: bool = False  # no Prisma in the project: the major follows the schema (schema_needs)

    def open(self, cwd: str | None = None, one_shot: bool = False) -> PrismaWasm:
        """The bridge running this engine (`one_shot`: see `PrismaWasm`)."""
        from .prisma_wasm import PrismaWasm

        # A project's module that cannot be loaded falls back to the shipped engine of the major.
        fallback = self.origin == "project"
        return PrismaWasm(self.major, cwd=cwd, module=self.module, fallback=fallback, one_shot=one_shot)

    def describe(self, info: dict[str, Any] | None) -> dict[str, Any]:
        """The engine that ran (`info` from `PrismaWasm.info()`, None if it never started), for
        `--format json`; its `label` is the one line said on stderr."""
        info = info or {}
        version = str(info.get("version") or "")
        short = version.split("-")[0] or self.major
        skipped = [str(s) for s in info.get("skipped") or []]
        origin = "shipped" if skipped else self.origin
        detail = self._skipped(skipped[0]) if skipped else self._detail()
        return {
            "prisma": short,
            "build": version or None,
            "source": origin,
            "module": info.get("module"),
            "project": self.project,
            "label": f"Prisma {short} ({detail})",
        }

    def _skipped(self, why: str) -> str:
        why = why.strip().splitlines()[0] if why.strip() else "it could not be loaded"
        return f"shipped engine; project has {self.project}, whose engine cannot be used: {why}"

    def _detail(self) -> str:
        if self.origin == "shipped":
            return "; ".join(part for part in ("shipped engine", self.reason) if part)
        if self.origin == "env":
            return "PRISMA_SCHEMA_WASM"
        return self.reason or "the project's own engine"


SHIPPED_MAJORS = ("6", "7")
# No schema to look at (an API caller that passes no `needs`): Prisma 6, as before engines
# followed the schema.
UNKNOWN_SCHEMA_MAJOR = "6"


def shipped_engine(major: str) -> Path:
    """The folder of the engine shipped in this package for a Prisma major ("6" or "7")."""
    return ENGINES / f"prisma{major}"


def schema_needs(texts: Iterable[str]) -> str:
    """The Prisma major a schema is written for: "6" when a datasource has a `url` (Prisma 7
    rejects it: the URL moved to prisma.config.ts), else "7" (Prisma 6 requires the `url`)."""
    return "6" if any(datasource_needs(text) == "6" for text in texts) else "7"


def datasource_needs(text: str) -> str | None:
    """What `schema_needs` says of the datasource blocks in `text`, or None when it has none."""
    import re

    # Each `datasource` word is found with str.find and tried as a block only at a line's start:
    # a line-anchored regex would try every line of a composed schema (~15 ms at 80,000 lines).
    block = re.compile(r"datasource[ \t]+\w+[ \t]*\{([^}]*)\}")
    url = re.compile(r"^[ \t]*url[ \t]*=", re.M)
    found = None
    at = text.find("datasource")
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        match = block.match(text, at) if not text[line_start:at].strip(" \t") else None
        if match is None:
            at = text.find("datasource", at + 1)
            continue
        if url.search(match.group(1)):
            return "6"
        found = "7"
        at = text.find("datasource", match.end())
    return found


def find_project_prisma(project_root: Path) -> ProjectPrisma | None:
    """The Prisma the project uses: installed in `node_modules` of the project's folder or a parent
    (like Node's resolution; the nearest wins, the `prisma` CLI before `@prisma/prisma-schema-wasm`),
    else the `prisma` range of the nearest `package.json` that lists it (dependencies or
    devDependencies). Install scripts skipped (`npm i --ignore-scripts`) make no difference: the CLI
    package carries its engine."""
    root = Path(project_root).resolve()
    levels = (root, *root.parents)
    for directory in levels:
        modules = directory / "node_modules"
        if not modules.is_dir():
            continue
        cli = modules / "prisma"
        package = modules / "@prisma" / "prisma-schema-wasm"
        cli_version = _installed_version(cli)
        package_version = _installed_version(package)
        if cli_version is not None:
            return ProjectPrisma("cli", cli_version, cli, package if package_version else None)
        if package_version is not None:
            return ProjectPrisma("wasm", package_version, package)
    for directory in levels:
        manifest = directory / "package.json"
        wanted = _declared_prisma(manifest)
        if wanted is not None:
            return ProjectPrisma("package.json", wanted, manifest)
    return None


def choose_engine(project_root: Path, needs: str | None = None, prisma: str = "auto") -> EngineChoice:
    """The one place that decides which Prisma schema engine validates and formats a project.

    1. `prisma` "6" or "7" (`--prisma`): the shipped engine of that major.
    2. `PRISMA_SCHEMA_WASM`: that module.
    3. The project's own Prisma (`find_project_prisma`), so compose agrees with its `prisma
       validate`, the exact build where possible: an installed `@prisma/prisma-schema-wasm` of the
       CLI's major.minor; else the shipped engine when it is byte for byte the CLI's; else the
       wasm the CLI bundles (`node_modules/prisma/build/`), run by the shipped glue of its major
       when their interfaces match, and otherwise, cleanly, the shipped engine of that major. A
       major without a shipped engine gets the nearest shipped one; a package.json range (not
       installed) gets the shipped engine of its major.
    4. No Prisma in the project: the shipped engine of the major the schema needs (`needs`, from
       `schema_needs`; `by_schema` tells the caller it may choose per target).
    """
    if prisma in SHIPPED_MAJORS:
        return EngineChoice(prisma, reason=f"--prisma {prisma}")
    env = os.environ.get("PRISMA_SCHEMA_WASM")
    if env:
        return _env_choice(env, needs)
    root = Path(project_root).resolve()
    project = find_project_prisma(root)
    if project is None:
        major = needs or UNKNOWN_SCHEMA_MAJOR
        why = "the datasource has a `url`" if major == "6" else "no datasource `url`"
        reason = f"no Prisma in the project; {why}" if needs else "no Prisma in the project"
        return EngineChoice(major, reason=reason, by_schema=True)
    return _project_choice(project, root, _nearest_shipped(project.major) or needs or UNKNOWN_SCHEMA_MAJOR)


def _env_choice(env: str, needs: str | None) -> EngineChoice:
    # A package folder, its entry point, or a CLI's build/prisma_schema_build_bg.wasm: the
    # nearest package.json says the major (whose glue runs a bare wasm).
    found = Path(env).resolve()
    versions = (_installed_version(folder) for folder in (found, *list(found.parents)[:3]))
    major = _nearest_shipped(_major_of(next((v for v in versions if v), None)))
    return EngineChoice(major or needs or UNKNOWN_SCHEMA_MAJOR, module=env, origin="env")


def _project_choice(project: ProjectPrisma, root: Path, major: str) -> EngineChoice:
    """Step 3 of `choose_engine`: the project's own Prisma, run by the engine of `major`."""
    shown = project.shown(root)
    where = _relative(project.path, root)
    if project.kind == "package.json":
        wanted = f"project's package.json wants prisma {project.version}, not installed"
        return EngineChoice(major, reason=wanted, project=shown)
    if project.kind == "wasm":
        return EngineChoice(major, str(project.path), "project", where, shown)
    beside = _wasm_package_of_the_cli(project)
    if beside is not None:
        return EngineChoice(major, str(beside), "project", _relative(beside, root), shown)
    if project.major != major:
        return EngineChoice(major, reason=f"project has {shown}, nearest shipped major", project=shown)
    bundled = project.path / "build" / "prisma_schema_build_bg.wasm"
    if not bundled.is_file():
        return EngineChoice(major, reason=f"project has {shown}, without build/{bundled.name}", project=shown)
    if _same_bytes(bundled, shipped_engine(major) / "src" / bundled.name):
        return EngineChoice(major, reason=f"project has {shown}, the same engine build", project=shown)
    return EngineChoice(major, str(bundled), "project", f"the engine of the project's {where}", shown)


def _wasm_package_of_the_cli(project: ProjectPrisma) -> Path | None:
    """An `@prisma/prisma-schema-wasm` installed beside the CLI, of the CLI's major.minor."""
    if project.wasm_package is None:
        return None
    cli_minor = project.version.split("-")[0].split(".")[:2]
    package_version = _installed_version(project.wasm_package) or ""
    return project.wasm_package if package_version.split("-")[0].split(".")[:2] == cli_minor else None


def _relative(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")


def _installed_version(package: Path) -> str | None:
    import json

    try:
        version = json.loads((package / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError, AttributeError):
        return None
    return str(version) if version else None


def _declared_prisma(manifest: Path) -> str | None:
    import json

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for key in ("devDependencies", "dependencies"):
        table = data.get(key) if isinstance(data, dict) else None
        if isinstance(table, dict) and isinstance(table.get("prisma"), str):
            return str(table["prisma"])
    return None


def _major_of(version: str | None) -> str | None:
    return ProjectPrisma("cli", version, Path()).major if version else None


def _nearest_shipped(major: str | None) -> str | None:
    if major is None:
        return None
    return major if major in SHIPPED_MAJORS else (SHIPPED_MAJORS[0] if int(major) < 6 else SHIPPED_MAJORS[-1])


def _same_bytes(a: Path, b: Path) -> bool:
    import filecmp

    try:
        return filecmp.cmp(a, b, shallow=False)
    except OSError:
        return False
