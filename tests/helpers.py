"""Small helpers shared by the tests: write a project, run the CLI (in this process, or the real one
in a subprocess where the process boundary is what is tested)."""

from __future__ import annotations

import contextlib
import gc
import io
import os
import subprocess
import sys
import textwrap
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from composer.manifest import load_manifest
from composer.pipeline import Composition, compose_project
from composer.sources import Loader


def write_project(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def compose(root: Path, targets: list[str] | None = None) -> Composition:
    return compose_project(load_manifest(root / "prisma.compose.toml"), targets, Loader())


def cli_env(**env: str) -> dict[str, str]:
    """The environment the CLI runs with in the tests, without colours; `env` adds variables."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        # the session's cache folder for build stamps (conftest.py), not the user's
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", ""),
    }
    return {**base, **env}


def run_cli(cwd: Path, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (`python -m composer`): for what the process boundary decides
    (exit codes of the real entry point, signals, a tty, the console script). Else use
    `run_cli_inprocess`, which behaves the same at a fraction of the cost."""
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=cli_env(**env),
    )


@contextlib.contextmanager
def _process_state(cwd: Path, argv: list[str], env: dict[str, str]) -> Iterator[None]:
    """What a fresh process would have: its cwd, argv and environment, an empty stdin; all of it,
    and the cyclic garbage collector (`build` turns it off for its short process), put back after."""
    saved_cwd, saved_argv, saved_env, saved_stdin = os.getcwd(), sys.argv, dict(os.environ), sys.stdin
    collecting = gc.isenabled()
    os.chdir(cwd)
    sys.argv, sys.stdin = argv, io.StringIO()
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.argv, sys.stdin = saved_argv, saved_stdin
        os.chdir(saved_cwd)
        if collecting:
            gc.enable()


def run_cli_inprocess(
    cwd: Path, *args: str, timeout: float | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`compose ARGS` in this process, as the console script runs it (`composer.entry.main()`; the
    script's `os._exit` after a one-shot command, `entry.script()`, is left out),
    with `run_cli`'s environment and result: SystemExit gives the exit code, and an exception
    escaping `main()` is what Python would print as a traceback (exit 1). `timeout` is accepted
    for the same signature and ignored."""
    from composer import entry

    out, err = io.StringIO(), io.StringIO()
    code = 0
    state = _process_state(cwd, ["compose", *args], cli_env(**env))
    with state, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            entry.main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if isinstance(exc.code, str):
                err.write(exc.code + "\n")  # as the interpreter prints `sys.exit("message")`
        except Exception:
            err.write(traceback.format_exc())
            code = 1
    return subprocess.CompletedProcess(["compose", *args], code, out.getvalue(), err.getvalue())


BASE = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}
"""


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "1m") -> Iterator[Path]:
    """A real, small file system mounted at `where` (a full disk, or read-only with
    `remount_readonly`): we may run as root, whom file modes do not stop. Skips the test when
    mounting is not possible (not root, or no mount namespace for us)."""
    import pytest

    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip() or 'mount failed'}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def remount_readonly(where: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(where)], check=True, capture_output=True)


def fill_disk(where: Path) -> None:
    """Fill the file system of `where` to the last block."""
    fd = os.open(where / ".filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 512)
    except OSError:
        pass
    finally:
        os.close(fd)


def stat_calls(work: Callable[[], object]) -> int:
    """How many `os.stat`/`os.lstat` calls `work()` makes (the n-versus-2n tests of lookups)."""
    calls = [0]
    real = os.stat, os.lstat

    def counted(call: Callable[..., os.stat_result]) -> Callable[..., os.stat_result]:
        def wrapper(*args: object, **kwargs: object) -> os.stat_result:
            calls[0] += 1
            return call(*args, **kwargs)

        return wrapper

    os.stat, os.lstat = counted(real[0]), counted(real[1])
    try:
        work()
    finally:
        os.stat, os.lstat = real
    return calls[0]
