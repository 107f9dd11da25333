"""prisma-compose as a user has it, for the tests of tests/test_installed.py.

- `install(tmp)`: a wheel built from this checkout (`pip wheel --no-deps`), installed into a fresh
  venv in a temporary folder outside the repository. The package comes only from the wheel; its
  dependencies (typer-slim, PyYAML, ...) are the test environment's, reached through a `.pth` file,
  which keeps the set-up offline and a few seconds long. `pip check` proves the wheel's declared
  dependencies are all there.
- `PrismaClis(tmp)`: user projects' `node_modules` with a real `prisma` CLI of each
  major, installed the way offline machines and CI caches do: `npm ci --ignore-scripts` from the
  lockfiles in tests/npm/ (prisma 6.19.3 and 7.10.1), once per machine (installed in
  .test-npm/, ignored by git).

Both are run once per test session (fixtures `installed` and `prisma_clis` in conftest.py), at
the same time when the session has tests of both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM_PROJECTS = ROOT / "tests" / "npm"  # prisma6/, prisma7/: package.json + package-lock.json
# Where they are installed: beside the tests, not among them (node_modules holds thousands of
# files that no test may read), ignored by git like the repository's own node_modules.
NPM_INSTALLS = ROOT / ".test-npm"
PRISMA_CLI_VERSIONS = {"6": "6.19.3", "7": "7.10.1"}


@dataclass(frozen=True)
class Installed:
    """A fresh venv with prisma-compose installed from its wheel."""

    wheel: Path
    venv: Path

    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if os.name == "nt" else "bin")

    @property
    def compose(self) -> Path:
        return self.bin / "compose"

    @property
    def python(self) -> Path:
        return self.bin / "python"

    def run(
        self, cwd: Path, *args: str, path: str | None = None, timeout: float = 120, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """`compose ARGS` as a user types it, in `cwd`; PATH as given (default: the system's, which
        has Node) without the venv on it, as for a console script called by its path."""
        return self.execute([str(self.compose), *args], cwd, path, timeout, **env)

    def execute(
        self, command: list[str], cwd: Path, path: str | None = None, timeout: float = 120, **env: str
    ) -> subprocess.CompletedProcess[str]:
        """A command in a user's environment: none of the test run's variables (no PYTHONPATH to
        the checkout), the system's PATH unless `path` is given."""
        return subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**user_environment(cwd, path), **env},
        )


def user_environment(home: Path, path: str | None = None) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin") if path is None else path,
        "HOME": os.environ.get("HOME", str(home)),
        "NO_COLOR": "1",
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", ""),  # the session's, see conftest.py
    }


def _source_copy(dest: Path) -> Path:
    """What the wheel is built from, copied, so the build's own files (build/, *.egg-info) are made
    there and never in the checkout (another session may be building at the same time)."""
    src = dest / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "composer", src / "composer", ignore=skip)
    return src


def _can_build_without_isolation() -> bool:
    # setuptools >= 70.1 builds wheels by itself: no isolated build env to download and set up.
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(part) for part in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1)


def build_wheel(dest: Path) -> Path:
    src = _source_copy(dest)
    wheels = dest / "dist"
    isolation = ["--no-build-isolation"] if _can_build_without_isolation() else []
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation]
    _run([*pip, "-w", str(wheels), str(src)], "building the wheel")
    [wheel] = wheels.glob("prisma_compose-*.whl")
    return wheel


def install(dest: Path) -> Installed:
    """Build the wheel and install it into a new venv under `dest` (outside the repository)."""
    wheel = build_wheel(dest)
    venv = dest / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], "creating the venv")
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python")]
    _run([*pip, "install", "--no-deps", "--no-index", "-q", str(wheel)], "installing the wheel")
    ask = [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]
    site = Path(_run(ask, "asking the venv for its site-packages").stdout.strip())
    # The dependencies: the test environment's site-packages, after the venv's own. A directory
    # named in a .pth file is only put on sys.path; its own .pth files (an editable install of
    # this checkout among them) are not run, so `composer` can only come from the wheel.
    deps = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    (site / "zz_test_dependencies.pth").write_text("".join(f"{d}\n" for d in deps), encoding="utf-8")
    return Installed(wheel, venv)


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


class PrismaClis:
    """`node_modules` with the `prisma` CLI of each major (`npm ci --ignore-scripts` from the
    lockfiles in tests/npm/), installed in the background from the moment `start` is called, both
    at once; `wait` returns them. They are kept in .test-npm/*/node_modules (ignored by git, like
    the repository's own node_modules) and reused while the lockfile is the same, so only the
    first session on a machine pays for npm; a lock file keeps two sessions from installing into
    the same folder at once."""

    def __init__(self, root: Path = NPM_PROJECTS, work: Path = NPM_INSTALLS) -> None:
        self.root = root
        self.work = work
        self.running: dict[str, subprocess.Popen[str] | None] = {}

    def folder(self, major: str) -> Path:
        """The install folder of a major, holding a copy of its package.json and lockfile."""
        folder = self.work / f"prisma{major}"
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            data = (self.root / f"prisma{major}" / name).read_bytes()
            target = folder / name
            if not target.is_file() or target.read_bytes() != data:
                target.write_bytes(data)
        return folder

    def start(self) -> None:
        if self.running:
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on PATH: install Node.js 18+ (with npm) to run these tests")
        # What an offline machine or a CI cache does: the CLI's install scripts (engine downloads) skipped.
        quiet = ["--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel", "error"]
        for major in PRISMA_CLI_VERSIONS:
            folder = self.folder(major)
            if _installed_lock(folder) == _lock_digest(folder):
                self.running[major] = None
                continue
            # flock: another session installing here waits for this one, then finds it done.
            script = (
                'import fcntl, hashlib, subprocess, sys, pathlib\n'
                'folder = pathlib.Path(sys.argv[1])\n'
                'with open(folder / ".install.lock", "w") as lock:\n'
                '    fcntl.flock(lock, fcntl.LOCK_EX)\n'
                '    digest = hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()\n'
                '    marker = folder / "node_modules" / ".compose-test-lock"\n'
                '    if not (marker.is_file() and marker.read_text() == digest):\n'
                '        done = subprocess.run(sys.argv[2:], cwd=folder)\n'
                '        if done.returncode:\n'
                '            sys.exit(done.returncode)\n'
                '        marker.write_text(digest)\n'
            )
            self.running[major] = subprocess.Popen(
                [sys.executable, "-c", script, str(folder), npm, "ci", *quiet],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def wait(self) -> dict[str, Path]:
        self.start()
        found = {}
        for major, proc in self.running.items():
            if proc is not None:
                output, _ = proc.communicate(timeout=600)
                if proc.returncode != 0:
                    raise RuntimeError(f"npm ci of prisma {PRISMA_CLI_VERSIONS[major]} failed:\n{output}")
            found[major] = self.folder(major) / "node_modules"
        return found

    def close(self) -> None:
        for proc in self.running.values():
            if proc is not None:
                proc.communicate(timeout=600)


def _lock_digest(folder: Path) -> str:
    import hashlib

    return hashlib.sha256((folder / "package-lock.json").read_bytes()).hexdigest()


def _installed_lock(folder: Path) -> str | None:
    try:
        return (folder / "node_modules" / ".compose-test-lock").read_text()
    except OSError:
        return None


def _run(command: list[str], what: str) -> subprocess.CompletedProcess[str]:
    # Not the test run's environment: its PYTHONPATH (the checkout) would make pip take this
    # package for installed already.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed ({' '.join(command)}):\n{done.stdout}\n{done.stderr}")
    return done
