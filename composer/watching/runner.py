"""The `[watch] run` command: run after builds that changed an output, never two at once, in a
process group of its own that stopping the watcher ends (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path


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
