"""Prisma's own schema validator, formatter and DMMF, through `@prisma/prisma-schema-wasm`.

Prisma ships its schema engine ("prisma-fmt") compiled to wasm; that is what `prisma validate` and
`prisma format` run. This module talks to it through a small Node script
(`composer/node/prisma_wasm.cjs`) that is started once, on first use, and then serves JSON-lines
requests, so hundreds of validations cost one Node start-up (~0.1 s) plus ~1 ms each. The process
serves every major and module (each request names its own), so it can be started before it is
known which one is needed (`spawn`, `adopt`).

Which wasm a `PrismaWasm` loads (first match wins): the `module` argument; the
`PRISMA_SCHEMA_WASM` environment variable; the engine of its Prisma major shipped in this package
(`composer/engines/prisma6`, `prisma7`: copies of the `@prisma/prisma-schema-wasm` builds pinned in
package.json, so a pip-installed compose needs nothing but Node.js). `engine_choice.choose_engine()`
decides which one a project gets: its own Prisma when it has one, else the shipped engine its
schema needs.

Offsets in diagnostics are Python string indexes (code points) into the file's text.

Used by compose: `validate`, `lint`, `completion`, `hover`, `format`, `warm`/`spawn`/`adopt`,
`info`. Used by the tests alone, through the same process the commands use: `dmmf` and `config`
(two schemas compared by what Prisma reads from them) and the bridge's `debug_panic` op (a crash
is answered, not fatal).

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
    from collections.abc import Callable
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
        one_shot: bool = False,
    ) -> None:
        self.major = str(version)
        self.node = node
        self.cwd = cwd
        self.module = module
        # `module` cannot be loaded: use the shipped engine of `version` (info()["skipped"] says why).
        self.fallback = fallback
        self.timeout = timeout
        # True: one validation, warmed up (`warm`) while the caller composes. V8 then optimises
        # the functions the warm-up ran at once, on its own threads, so that the one real call
        # runs optimised code (the bridge's `--one-shot`); a long-lived process (the language
        # server) leaves V8 to optimise what turns out hot over many calls.
        self.one_shot = one_shot
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] | None = None
        self._stderr: IO[bytes] | None = None
        self._next_id = 0
        self._pending: set[int] = set()  # requests sent by `ask` and not yet answered
        self._early: dict[int, dict[str, Any]] = {}  # their answers, read while awaiting another
        # `info` of the running process: asked by `warm`, so that the engine line a one-shot
        # command prints after validating costs no round trip behind the validation.
        self._info: tuple[subprocess.Popen[bytes], Callable[[], Any]] | None = None

    # -- public API ----------------------------------------------------------------------------

    def validate(self, files: SchemaFiles, confirm: bool = False) -> list[PrismaDiagnostic]:
        """Prisma's errors (first) and warnings for the schema; an empty list means valid and clean.

        A `str` is one file named `schema.prisma`; a list of `(name, text)` is a multi-file schema.
        Prisma's `lint` runs first; its `validate` (the same checks again, rendered as text) only
        when lint finds errors, or always with `confirm` (see opValidate in the bridge).
        """
        return self.validation(files, confirm)()

    def validation(self, files: SchemaFiles, confirm: bool = False) -> Callable[[], list[PrismaDiagnostic]]:
        """`validate` in two steps: the schema is sent now, and the function returned waits for
        the diagnostics, so that the caller works while Node validates (see `ask`)."""
        fields: dict[str, Any] = {"files": _normalise_files(files)}
        if confirm:
            fields["confirm"] = True
        answer = self.ask("validate", **fields)

        def diagnostics() -> list[PrismaDiagnostic]:
            result = answer()
            return [_diagnostic(d) for d in result["errors"]] + [_diagnostic(d) for d in result["warnings"]]

        return diagnostics

    def format(self, files: SchemaFiles, tab_size: int = 2) -> list[tuple[str, str]]:
        """`prisma format` of each file. Invalid lines may be dropped: validate first."""
        result = self.call("format", files=_normalise_files(files), tabSize=tab_size)
        return [(name, text) for name, text in result["files"]]

    def dmmf(self, files: SchemaFiles, full: bool = False) -> dict[str, Any]:
        """The DMMF: `{"datamodel": ...}` (models, enums, types, indexes); `full` adds the client schema.

        Raises PrismaSchemaError when the schema is invalid.
        """
        return self.call("dmmf", files=_normalise_files(files), full=full)

    def config(self, files: SchemaFiles) -> dict[str, Any]:
        """Prisma's `get_config`: datasources and generators as Prisma reads them (env vars unresolved)."""
        return self.call("config", files=_normalise_files(files))

    def lint(self, files: SchemaFiles) -> list[PrismaDiagnostic]:
        """Prisma's errors (first) and warnings in one pass (`validate` makes two): for editors."""
        result = self.call("lint", files=_normalise_files(files))
        return [_diagnostic(d) for d in result["errors"]] + [_diagnostic(d) for d in result["warnings"]]

    def completion(self, files: SchemaFiles, file: str, line: int, character: int) -> dict[str, Any]:
        """The engine's LSP completion (a CompletionList) at a 0-based line and UTF-16 character of `file`."""
        return self.call(
            "completion", files=_normalise_files(files), file=file, line=line, character=character
        )

    def hover(self, files: SchemaFiles, file: str, line: int, character: int) -> dict[str, Any] | None:
        """The engine's LSP hover (or None) at a 0-based line and UTF-16 character of `file`."""
        return self.call("hover", files=_normalise_files(files), file=file, line=line, character=character)

    def call(self, op: str, **fields: Any) -> Any:
        """One request of the bridge's protocol (composer/node/prisma_wasm.cjs): the op's `result`,
        or its error raised; the methods above are this with their op's fields."""
        with self._lock:
            request = self._request(op, **fields)
            self._send(request)
            response = self._receive(request["id"])
        return self._result(response)

    def ask(self, op: str, **fields: Any) -> Callable[[], Any]:
        """`call` in two steps: the request is sent now; the function returned waits for its
        answer (the op's `result`, or its error raised). Answers may be awaited in any order."""
        with self._lock:
            request = self._request(op, **fields)
            self._send(request)
            request_id = request["id"]
            self._pending.add(request_id)
            proc = self._proc

        def answer() -> Any:
            with self._lock:
                if self._proc is not proc:  # ended or restarted since: the answer is lost
                    raise PrismaWasmError("the Node process running Prisma's schema engine was stopped")
                try:
                    response = self._receive(request_id)
                finally:
                    self._pending.discard(request_id)
            return self._result(response)

        return answer

    def _result(self, response: dict[str, Any]) -> Any:
        if response.get("ok"):
            return response["result"]
        error = response.get("error") or {}
        raise _error_for(str(error.get("kind", "internal")), str(error.get("message", "")), self.major)

    def spawn(self) -> None:
        """Start the Node process now, before anything is asked, so that its start-up overlaps
        the caller's work (see `adopt`)."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()

    def adopt(self, other: PrismaWasm) -> None:
        """Take over the Node process `other` spawned and never used: the bridge serves every
        major and module, so a process can be started before it is known which one is needed."""
        with other._lock, self._lock:
            if self._proc is not None or other._proc is None or other._next_id or (
                (other.node, other.cwd, other.one_shot) != (self.node, self.cwd, self.one_shot)
            ):
                return
            self._proc, self._lines, self._stderr = other._proc, other._lines, other._stderr
            other._proc, other._lines, other._stderr = None, None, None

    def warm(self) -> None:
        """Start Node and ask it to load the engine and compile its common code (a lint of a
        schema with the usual constructs), without waiting: the next call finds it ready and
        reads the answer first. For a caller that composes meanwhile."""
        with self._lock:
            self._send(self._request("warm"))
        self._asked_info()

    def info(self) -> dict[str, Any]:
        """Which module is loaded: `package`, `version`, `module` (path), `node` version,
        `one_shot` (see `__init__`), and `skipped`: why the requested module was not used (with
        `fallback`), else empty. Asked once per process (what it loaded does not change)."""
        try:
            result = self._asked_info()()
        except BaseException:
            self._info = None  # its answer is read: ask again next time
            raise
        known = self._info
        if known is not None:
            self._info = (known[0], lambda: result)
        return result

    def _asked_info(self) -> Callable[[], Any]:
        """The answer to `version` for the running process: asked now unless asked already."""
        known, proc = self._info, self._proc
        if known is not None and proc is not None and known[0] is proc and proc.poll() is None:
            return known[1]
        answer = self.ask("version")
        assert self._proc is not None  # `ask` started it
        self._info = (self._proc, answer)
        return answer

    def close(self, kill: bool = False) -> None:
        """End the Node process; `kill`: at once, for a one-shot run (Node, left to exit on its
        own, spends ~0.4 s finishing the background compilation of the wasm first)."""
        with self._lock:
            self._stop(kill)

    @property
    def pid(self) -> int | None:
        """The Node process's id while it runs, else None."""
        proc = self._proc
        return proc.pid if proc is not None and proc.poll() is None else None

    def __enter__(self) -> PrismaWasm:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- process handling ----------------------------------------------------------------------

    def _request(self, op: str, **fields: Any) -> dict[str, Any]:
        self._next_id += 1
        request = {"id": self._next_id, "op": op, "version": self.major, "module": self.module}
        return {**request, "fallback": self.fallback, **fields}

    def _send(self, request: dict[str, Any]) -> None:
        import json

        if self._proc is None or self._proc.poll() is not None:
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        # The files go on a line of their own (`filesLine`), which the bridge hands to the engine
        # as it is, without parsing and writing out again a schema of megabytes.
        header = dict(request)
        files = header.pop("files", None)
        lines = [json.dumps(request).encode("ascii")] if files is None else [
            json.dumps({**header, "filesLine": True}).encode("ascii"),
            json.dumps(files).encode("ascii"),
        ]
        try:
            self._proc.stdin.write(b"\n".join([*lines, b""]))
            self._proc.stdin.flush()
        except OSError:
            raise self._died("while receiving a request") from None

    def _receive(self, request_id: int) -> dict[str, Any]:
        """The response to `request_id`; the answers to other requests are kept for `ask`'s
        callers that will want them (`_pending`), else dropped (`warm`'s)."""
        import json
        import queue

        early = self._early.pop(request_id, None)
        if early is not None:
            return early
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
            if not isinstance(response, dict):
                continue
            answered = response.get("id")
            if answered in (request_id, None):
                return response
            if answered in self._pending:
                self._early[answered] = response

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
                [node, str(SCRIPT), *(("--one-shot",) if self.one_shot else ())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                cwd=self.cwd,
            )
        except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
            if self.cwd is not None and not os.path.isdir(self.cwd):
                raise PrismaWasmError(f"working directory {self.cwd} does not exist") from exc
            raise NodeNotFoundError(_node_missing_message(node)) from exc
        _widen(self._proc.stdin)
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

        proc, self._proc = self._proc, None
        if proc is not None:
            if kill:
                proc.kill()
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()  # the script exits when its stdin closes
            if not _reaped(proc, 2.0):
                proc.kill()  # hung in the engine
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._lines = None
        self._info = None
        self._pending.clear()
        self._early.clear()


# A pipe holds 64 KiB: a composed schema of 2 MiB then goes to Node in 32 turns, the writer waking
# the reader and waiting to be woken in turn, each turn a trip through the scheduler (on a busy
# machine, tens of ms each). 1 MiB is what Linux lets any user ask for (`fs.pipe-max-size`).
PIPE_SIZE = 1 << 20


def _widen(pipe: IO[bytes] | None) -> None:
    """Let the pipe to Node hold `PIPE_SIZE` bytes, where the system allows it (Linux)."""
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # type: ignore[union-attr]
    except (ImportError, AttributeError, OSError):
        pass  # no such call, or refused (a user's pipe quota spent): the default size works too


def _reaped(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Wait up to `timeout` s for `proc` to end; False if it did not. Where the system has
    pidfds (Linux), the wait ends the moment the process does: `Popen.wait(timeout)` polls with
    growing sleeps (1, 2, 4, ... ms), which finds a Node process that took 10 ms to die only
    after 15 ms, one that took 16 ms after 31 — time every one-shot command spent after its answer."""
    import subprocess

    if proc.returncode is not None:
        return True  # reaped already: its pid may be another process's by now
    try:
        import select

        fd = os.pidfd_open(proc.pid)
    except (AttributeError, ImportError, OSError):  # no pidfds (or already reaped): Popen's own wait
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        if not poller.poll(timeout * 1000):
            return False
    finally:
        os.close(fd)
    proc.wait()  # it has ended: this only collects its status
    return True


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
