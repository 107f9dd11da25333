"""Prisma's own schema validator, formatter and DMMF, through `@prisma/prisma-schema-wasm`.

Prisma ships its schema engine ("prisma-fmt") compiled to wasm; that is what `prisma validate` and
`prisma format` run. This module talks to it through a small Node script
(`composer/node/prisma_wasm.cjs`) that is started once, on first use, and then serves JSON-lines
requests, so hundreds of validations cost one Node start-up (~0.1 s) plus ~1 ms each.

Which wasm a `PrismaWasm` loads (first match wins): the `module` argument; the
`PRISMA_SCHEMA_WASM` environment variable; the engine of its Prisma major shipped in this package
(`composer/engines/prisma6`, `prisma7`: copies of the `@prisma/prisma-schema-wasm` builds pinned in
package.json, so a pip-installed compose needs nothing but Node.js). `choose_engine()` decides which
one a project gets: its own Prisma when it has one, else the shipped engine its schema needs.

Offsets in diagnostics are Python string indexes (code points) into the file's text.

This module is imported lazily by the CLI: keep module-level imports to the cheap stdlib ones.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Not `typing.TYPE_CHECKING`: importing typing alone costs a few ms of CLI start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import queue
    import subprocess
    from typing import IO, Any

SCRIPT = Path(__file__).with_name("node") / "prisma_wasm.cjs"
ENGINES = Path(__file__).with_name("engines")  # the shipped engines: engines/prisma6, engines/prisma7
DEFAULT_FILE_NAME = "schema.prisma"
WASM_PACKAGE = "@prisma/prisma-schema-wasm"

# A schema text (one file named `schema.prisma`) or (file name, text) pairs of a multi-file schema.
SchemaFiles = str | Iterable[tuple[str, str]]


class PrismaWasmError(Exception):
    """Prisma's schema engine could not be run or did not answer.

    `kind` is the bridge's error kind (`wasm_panic`, `incompatible_module`, `schema_invalid`, ...).
    """

    default_kind = "internal"

    def __init__(self, message: str, kind: str | None = None) -> None:
        super().__init__(message)
        self.kind = kind or self.default_kind


class NodeNotFoundError(PrismaWasmError):
    """No usable Node.js executable."""

    default_kind = "node_not_found"


class WasmNotInstalledError(PrismaWasmError):
    """`@prisma/prisma-schema-wasm` is not installed where it is looked for."""

    default_kind = "module_not_found"


class PrismaSchemaError(PrismaWasmError):
    """The schema is invalid, so the operation (dmmf) has no result.

    The message is Prisma's rendered error text; use `PrismaWasm.validate` for structured errors.
    """

    default_kind = "schema_invalid"


@dataclass(frozen=True)
class PrismaDiagnostic:
    """An error or warning from Prisma. `start`/`end` are code-point offsets into `file`'s text."""

    file: str
    start: int
    end: int
    message: str
    severity: str = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def line_col(self, text: str) -> tuple[int, int]:
        """1-based line and column of `start` in `text` (the content of `file`)."""
        offset = max(0, min(self.start, len(text)))
        line = text.count("\n", 0, offset) + 1
        return line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    def render(self, text: str) -> str:
        """`file:line:col: severity: message`, the source line and a caret, like Prisma's errors."""
        line, col = self.line_col(text)
        lines = text.splitlines()
        source = lines[line - 1] if line <= len(lines) else ""
        width = max(1, min(self.end, len(text)) - self.start)
        width = min(width, max(1, len(source) - col + 1))
        return (
            f"{self.file}:{line}:{col}: {self.severity}: {self.message}\n"
            f"  {source}\n  {' ' * (col - 1)}{'^' * width}"
        )


def render_diagnostics(diagnostics: Iterable[PrismaDiagnostic], files: SchemaFiles) -> str:
    """All diagnostics rendered against the files they point into, separated by blank lines."""
    texts = dict(_normalise_files(files))
    return "\n\n".join(d.render(texts.get(d.file, "")) for d in diagnostics)


class PrismaWasm:
    """One long-lived Node process running Prisma's schema engine of one Prisma major version.

    Started on first use, restarted if it died, shared safely between threads (requests are
    serialised). Use as a context manager or call `close()`.
    """

    def __init__(
        self,
        version: str = "6",
        node: str | None = None,
        cwd: str | None = None,
        *,
        module: str | None = None,
        fallback: bool = False,
        timeout: float = 120.0,
    ) -> None:
        self.major = str(version)  # not `self.version`: that is the method
        self.node = node
        self.cwd = cwd
        self.module = module
        # `module` cannot be loaded: use the shipped engine of `version` (info()["skipped"] says why).
        self.fallback = fallback
        self.timeout = timeout
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] | None = None
        self._stderr: IO[bytes] | None = None
        self._next_id = 0

    # -- public API ----------------------------------------------------------------------------

    def validate(self, files: SchemaFiles, confirm: bool = False) -> list[PrismaDiagnostic]:
        """Prisma's errors (first) and warnings for the schema; an empty list means valid and clean.

        A `str` is one file named `schema.prisma`; a list of `(name, text)` is a multi-file schema.
        Prisma's `lint` runs first; its `validate` (the same checks again, rendered as text) only
        when lint finds errors, or always with `confirm` (see opValidate in the bridge).
        """
        fields: dict[str, Any] = {"files": _normalise_files(files)}
        if confirm:
            fields["confirm"] = True
        result = self._call("validate", **fields)
        return [_diagnostic(d) for d in result["errors"]] + [_diagnostic(d) for d in result["warnings"]]

    def errors(self, files: SchemaFiles) -> list[PrismaDiagnostic]:
        return [d for d in self.validate(files) if d.is_error]

    def format(self, files: SchemaFiles, tab_size: int = 2) -> list[tuple[str, str]]:
        """`prisma format` of each file. Invalid lines may be dropped: validate first."""
        result = self._call("format", files=_normalise_files(files), tabSize=tab_size)
        return [(name, text) for name, text in result["files"]]

    def dmmf(self, files: SchemaFiles, full: bool = False) -> dict[str, Any]:
        """The DMMF: `{"datamodel": ...}` (models, enums, types, indexes); `full` adds the client schema.

        Raises PrismaSchemaError when the schema is invalid.
        """
        return self._call("dmmf", files=_normalise_files(files), full=full)

    def config(self, files: SchemaFiles) -> dict[str, Any]:
        """Prisma's `get_config`: datasources and generators as Prisma reads them (env vars unresolved)."""
        return self._call("config", files=_normalise_files(files))

    def lint(self, files: SchemaFiles) -> list[PrismaDiagnostic]:
        """Prisma's errors (first) and warnings in one pass (`validate` makes two): for editors."""
        result = self._call("lint", files=_normalise_files(files))
        return [_diagnostic(d) for d in result["errors"]] + [_diagnostic(d) for d in result["warnings"]]

    def completion(self, files: SchemaFiles, file: str, line: int, character: int) -> dict[str, Any]:
        """The engine's LSP completion (a CompletionList) at a 0-based line and UTF-16 character of `file`."""
        return self._call(
            "completion", files=_normalise_files(files), file=file, line=line, character=character
        )

    def hover(self, files: SchemaFiles, file: str, line: int, character: int) -> dict[str, Any] | None:
        """The engine's LSP hover (or None) at a 0-based line and UTF-16 character of `file`."""
        return self._call("hover", files=_normalise_files(files), file=file, line=line, character=character)

    def warm(self) -> None:
        """Start Node and ask it to load the engine and compile its common code (a lint of a
        schema with the usual constructs), without waiting: the next call finds it ready and
        reads the answer first. For a caller that composes meanwhile."""
        with self._lock:
            self._send(self._request("warm"))

    def version(self) -> str:
        """Version of the loaded engine package, e.g. `6.19.0-26.<engine commit>`."""
        return str(self.info()["version"])

    def info(self) -> dict[str, Any]:
        """Which module is loaded: `package`, `version`, `module` (path), `node` version, and
        `skipped`: why the requested module was not used (with `fallback`), else empty."""
        return self._call("version")

    def close(self, kill: bool = False) -> None:
        """End the Node process; `kill`: at once, for a one-shot run (Node, left to exit on its
        own, spends ~0.4 s finishing the background compilation of the wasm first)."""
        with self._lock:
            self._stop(kill)

    def __enter__(self) -> PrismaWasm:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- process handling ----------------------------------------------------------------------

    def _request(self, op: str, **fields: Any) -> dict[str, Any]:
        self._next_id += 1
        request = {"id": self._next_id, "op": op, "version": self.major, "module": self.module}
        return {**request, "fallback": self.fallback, **fields}

    def _call(self, op: str, **fields: Any) -> Any:
        with self._lock:
            request = self._request(op, **fields)
            self._send(request)
            response = self._receive(request["id"])
        if response.get("ok"):
            return response["result"]
        error = response.get("error") or {}
        raise _error_for(str(error.get("kind", "internal")), str(error.get("message", "")), self.major)

    def _send(self, request: dict[str, Any]) -> None:
        import json

        if self._proc is None or self._proc.poll() is not None:
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(request).encode("ascii") + b"\n")
            self._proc.stdin.flush()
        except OSError:
            raise self._died("while receiving a request") from None

    def _receive(self, request_id: int) -> dict[str, Any]:
        """The response to `request_id`; the answers to earlier requests (`warm`) are dropped."""
        import json
        import queue

        assert self._lines is not None
        while True:
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                self._stop(kill=True)
                message = f"Prisma's schema engine did not answer in {self.timeout:g} s"
                raise PrismaWasmError(message) from None
            if line is None:
                raise self._died("while handling a request")
            try:
                response = json.loads(line)
            except ValueError:
                continue  # not a response: something else wrote to stdout
            if isinstance(response, dict) and response.get("id") in (request_id, None):
                return response

    def _start(self) -> None:
        import queue
        import subprocess
        import tempfile

        self._stop()
        node = _find_node(self.node)
        # Lives as long as the process: its content explains a crash (see _died).
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                [node, str(SCRIPT)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=self.cwd,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            if self.cwd is not None and not os.path.isdir(self.cwd):
                raise PrismaWasmError(f"working directory {self.cwd} does not exist") from exc
            raise NodeNotFoundError(_node_missing_message(node)) from exc
        self._lines = queue.Queue()
        reader = threading.Thread(
            target=_pump_lines, args=(self._proc.stdout, self._lines), name="prisma-wasm-reader", daemon=True
        )
        reader.start()

    def _died(self, when: str) -> PrismaWasmError:
        import subprocess

        proc, stderr = self._proc, self._stderr
        try:
            code = proc.wait(timeout=5) if proc is not None else None
        except subprocess.TimeoutExpired:
            code = None
        detail = ""
        if stderr is not None:
            stderr.seek(0)
            detail = stderr.read().decode("utf-8", "replace").strip()
        self._stop()
        message = f"the Node process running Prisma's schema engine exited (code {code}) {when}"
        return PrismaWasmError(f"{message}:\n{detail}" if detail else message)

    def _stop(self, kill: bool = False) -> None:
        import contextlib
        import subprocess

        proc, self._proc = self._proc, None
        if proc is not None:
            if kill:
                proc.kill()
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the script exits when its stdin closes
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()  # hung in the engine
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._lines = None


def _pump_lines(stream: IO[bytes] | None, lines: queue.Queue[bytes | None]) -> None:
    # A reader thread, so that a hung engine can time out instead of blocking readline() forever.
    if stream is not None:
        try:
            for line in iter(stream.readline, b""):
                lines.put(line)
        except (OSError, ValueError):
            pass  # stream closed by _stop()
    lines.put(None)


def _find_node(node: str | None) -> str:
    import shutil

    name = node or os.environ.get("PRISMA_COMPOSE_NODE") or "node"
    if os.sep in name or (os.altsep and os.altsep in name):
        return name  # a path: Popen reports whether it exists
    found = shutil.which(name)
    if found is None:
        raise NodeNotFoundError(_node_missing_message(name))
    return found


def _node_missing_message(node: str) -> str:
    return (
        f"Node.js is needed for Prisma validation: install Node 18+ (https://nodejs.org) and put it on "
        f"PATH, or pass the path of the node executable (tried {node!r})."
    )


def _error_for(kind: str, message: str, version: str) -> PrismaWasmError:
    if kind == "module_not_found":
        return WasmNotInstalledError(
            f"Prisma's schema engine for Prisma {version} was not found ({message}). prisma-compose "
            f"ships Prisma 6 and 7 engines in composer/engines/: reinstall it if they are missing, or "
            f"set PRISMA_SCHEMA_WASM to an installed {WASM_PACKAGE} package.",
            kind,
        )
    if kind == "node_too_old":
        return NodeNotFoundError(f"{_node_missing_message('node')}\n{message}", kind)
    if kind == "schema_invalid":
        return PrismaSchemaError(message, kind)
    return PrismaWasmError(f"{kind}: {message}", kind)


def _normalise_files(files: SchemaFiles) -> list[list[str]]:
    if isinstance(files, str):
        return [[DEFAULT_FILE_NAME, files]]
    pairs = [list(pair) for pair in files]
    if not pairs or not all(len(p) == 2 and isinstance(p[0], str) and isinstance(p[1], str) for p in pairs):
        raise ValueError("files must be a schema text or a non-empty list of (name, text) pairs")
    return pairs


def _diagnostic(raw: dict[str, Any]) -> PrismaDiagnostic:
    return PrismaDiagnostic(
        file=raw["file"],
        start=int(raw["start"]),
        end=int(raw["end"]),
        message=raw["message"],
        severity=raw.get("severity", "error"),
    )


# -- DMMF comparison ---------------------------------------------------------------------------


def normalize_datamodel(dmmf: dict[str, Any]) -> dict[str, Any]:
    """The DMMF datamodel with declaration order removed, for comparing two schemas.

    Sorted: models, enums and composite types by name, indexes by (model, type, name, fields).
    Kept as they are: the order of fields within a model and of values within an enum (it is the
    column order and the client's field order), doc comments (`documentation`), defaults, native
    types, relation names, `@map`/`@@map` names. Whitespace and comments other than `///` never
    reach the DMMF. Not covered: datasource and generator blocks (compare `PrismaWasm.config`).
    Accepts a whole DMMF or its `datamodel`.
    """
    datamodel = dmmf.get("datamodel", dmmf)

    def by_name(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(items, key=lambda item: item["name"])

    def index_key(index: dict[str, Any]) -> tuple[str, str, str, str]:
        fields = ",".join(str(sorted(f.items())) for f in index.get("fields", []))
        return (index.get("model", ""), index.get("type", ""), str(index.get("dbName") or ""), fields)

    return {
        "models": by_name(datamodel.get("models", [])),
        "enums": by_name(datamodel.get("enums", [])),
        "types": by_name(datamodel.get("types", [])),
        "indexes": sorted(datamodel.get("indexes", []), key=index_key),
    }


# -- which engine: the project's own Prisma, else a shipped one ---------------------------------


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
        where = os.path.relpath(self.path, root).replace(os.sep, "/")
        return f"{name} {version} ({where})"


@dataclass(frozen=True)
class EngineChoice:
    """Which Prisma schema engine runs for a project, and why: see `choose_engine`."""

    major: str  # the shipped engine (and glue) of this major is used, or is the fallback
    module: str | None = None  # what the bridge loads instead of the shipped engine (None: shipped)
    origin: str = "shipped"  # "shipped", "project" (the project's own engine) or "env"
    reason: str = ""  # for the engine line: why this one
    project: str | None = None  # the project's Prisma, `prisma 6.19.3 (node_modules/prisma)`
    by_schema: bool = False  # no Prisma in the project: the major follows the schema (schema_needs)

    def open(self, cwd: str | None = None) -> PrismaWasm:
        # A project's module that cannot be loaded falls back to the shipped engine of the major.
        return PrismaWasm(self.major, cwd=cwd, module=self.module, fallback=self.origin == "project")

    def describe(self, info: dict[str, Any] | None) -> dict[str, Any]:
        """The engine that ran (`info` from `PrismaWasm.info()`, None if it never started), for
        `--format json`; its `label` is the one line said on stderr."""
        info = info or {}
        version = str(info.get("version") or "")
        short = version.split("-")[0] or self.major
        skipped = [str(s) for s in info.get("skipped") or []]
        origin = "shipped" if skipped else self.origin
        if skipped:
            why = skipped[0].strip().splitlines()[0] if skipped[0].strip() else "it could not be loaded"
            detail = f"shipped engine; project has {self.project}, whose engine cannot be used: {why}"
        elif origin == "shipped":
            detail = "; ".join(part for part in ("shipped engine", self.reason) if part)
        elif origin == "env":
            detail = "PRISMA_SCHEMA_WASM"
        else:
            detail = self.reason or "the project's own engine"
        return {
            "prisma": short,
            "build": version or None,
            "source": origin,
            "module": info.get("module"),
            "project": self.project,
            "label": f"Prisma {short} ({detail})",
        }


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
    import re

    block = re.compile(r"^[ \t]*datasource[ \t]+\w+[ \t]*\{([^}]*)\}", re.M)
    url = re.compile(r"^[ \t]*url[ \t]*=", re.M)
    for text in texts:
        if any(url.search(found.group(1)) for found in block.finditer(text)):
            return "6"
    return "7"


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
    root = Path(project_root).resolve()
    env = os.environ.get("PRISMA_SCHEMA_WASM")
    if env:
        # A package folder, its entry point, or a CLI's build/prisma_schema_build_bg.wasm: the
        # nearest package.json says the major (whose glue runs a bare wasm).
        found = Path(env).resolve()
        versions = (_installed_version(folder) for folder in (found, *list(found.parents)[:3]))
        major = _nearest_shipped(_major_of(next((v for v in versions if v), None)))
        return EngineChoice(major or needs or UNKNOWN_SCHEMA_MAJOR, module=env, origin="env")
    project = find_project_prisma(root)
    if project is None:
        major = needs or UNKNOWN_SCHEMA_MAJOR
        why = "the datasource has a `url`" if major == "6" else "no datasource `url`"
        reason = f"no Prisma in the project; {why}" if needs else "no Prisma in the project"
        return EngineChoice(major, reason=reason, by_schema=True)
    shown = project.shown(root)
    where = os.path.relpath(project.path, root).replace(os.sep, "/")
    major = _nearest_shipped(project.major) or needs or UNKNOWN_SCHEMA_MAJOR
    if project.kind == "package.json":
        wanted = f"project's package.json wants prisma {project.version}, not installed"
        return EngineChoice(major, reason=wanted, project=shown)
    if project.kind == "wasm":
        return EngineChoice(major, str(project.path), "project", where, shown)
    if project.wasm_package is not None:
        cli_minor = project.version.split("-")[0].split(".")[:2]
        package_version = _installed_version(project.wasm_package) or ""
        if package_version.split("-")[0].split(".")[:2] == cli_minor:
            beside = os.path.relpath(project.wasm_package, root).replace(os.sep, "/")
            return EngineChoice(major, str(project.wasm_package), "project", beside, shown)
    if project.major != major:
        return EngineChoice(major, reason=f"project has {shown}, nearest shipped major", project=shown)
    bundled = project.path / "build" / "prisma_schema_build_bg.wasm"
    if not bundled.is_file():
        return EngineChoice(major, reason=f"project has {shown}, without build/{bundled.name}", project=shown)
    if _same_bytes(bundled, shipped_engine(major) / "src" / bundled.name):
        return EngineChoice(major, reason=f"project has {shown}, the same engine build", project=shown)
    return EngineChoice(major, str(bundled), "project", f"the engine of the project's {where}", shown)


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
