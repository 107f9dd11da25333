"""Small helpers shared by the tests: write a project, run the real CLI."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
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


def run_cli(cwd: Path, *args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess (`python -m composer`), without colours; `env` adds variables."""
    base = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        # the session's cache folder for build stamps (conftest.py), not the user's
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", ""),
    }
    return subprocess.run(
        [sys.executable, "-m", "composer", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, **env},
    )


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
