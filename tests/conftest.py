"""Shared fixtures.

Prisma engines: `prisma6` / `prisma7` are one long-lived Prisma schema engine each (Prisma 6.19 and
7.9, pinned in package.json and shipped in composer/engines/). They need Node.js; without it the
tests that use them fail loudly instead of skipping, because CI installs it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings

# Build stamps (composer/stamp.py) go to a cache folder of this test session, not the user's; the
# CLI subprocesses inherit it.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="compose-test-cache-")

from composer.prisma_wasm import PrismaDiagnostic, PrismaWasm, PrismaWasmError, SchemaFiles

from .prisma_checks import render_diagnostics

# No timing assertions in tests (docs/ARCHITECTURE.md), hypothesis' included: its default 200 ms
# deadline per example fails a test whose example happened to be descheduled on a loaded machine
# ("Unreliable test timings", FlakyFailure). Loaded before the test modules build their settings,
# so a test's own `@settings(max_examples=…)` inherits it.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")

# -- Prisma's own validator ---------------------------------------------------------------------


def _started_engine(version: str) -> Iterator[PrismaWasm]:
    engine = PrismaWasm(version)
    try:
        engine.info()  # start it now, so a missing Node or package is reported here, once
        problem = None
    except PrismaWasmError as exc:
        engine.close()
        problem = str(exc)
    if problem is not None:  # failed outside the except block: no "during handling" noise
        pytest.fail(
            f"Prisma {version} schema engine unavailable: {problem}\n"
            "Install Node.js 18+ (the engines are shipped in composer/engines/).",
            pytrace=False,
        )
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def prisma6() -> Iterator[PrismaWasm]:
    yield from _started_engine("6")


@pytest.fixture(scope="session")
def prisma7() -> Iterator[PrismaWasm]:
    yield from _started_engine("7")


@pytest.fixture
def assert_prisma_valid(request: pytest.FixtureRequest) -> Callable[..., list[PrismaDiagnostic]]:
    """`assert_prisma_valid(text_or_files, version="6")`: fail with Prisma's errors, if any.

    Returns the diagnostics (warnings only, then) for further checks.
    """

    def check(files: SchemaFiles, version: str = "6") -> list[PrismaDiagnostic]:
        engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
        files = files if isinstance(files, str) else list(files)
        diagnostics = engine.validate(files)
        errors = [d for d in diagnostics if d.is_error]
        if errors:
            pytest.fail(
                f"Prisma {version} rejects the schema:\n{render_diagnostics(errors, files)}",
                pytrace=False,
            )
        return diagnostics

    return check


# -- the example project --------------------------------------------------------------------------


@pytest.fixture
def example(tmp_path):  # type: ignore[no-untyped-def]
    """A copy of the example project at the repository root (manifest, fragments, entities)."""
    import shutil
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "prisma.compose.toml", tmp_path)
    for folder in ("fragments", "entities"):
        shutil.copytree(root / "prisma" / folder, tmp_path / "prisma" / folder)
    return tmp_path


# -- prisma-compose as a user installs it (tests/installed.py) ------------------------------------


@pytest.fixture(scope="session")
def _prisma_cli_installs():  # type: ignore[no-untyped-def]
    from .installed import PrismaClis

    clis = PrismaClis()
    yield clis
    clis.close()


@pytest.fixture(scope="session")
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """prisma-compose built as a wheel and installed into a fresh venv outside the repository."""
    from .installed import install

    if any("prisma_clis" in getattr(item, "fixturenames", ()) for item in request.session.items):
        # npm works while the wheel is built: both are needed by this session
        request.getfixturevalue("_prisma_cli_installs").start()
    return install(tmp_path_factory.mktemp("installed"))


@pytest.fixture(scope="session")
def prisma_clis(_prisma_cli_installs):  # type: ignore[no-untyped-def]
    """{"6": node_modules, "7": node_modules}: the real `prisma` CLI (6.19.3, 7.10.1), installed
    with `npm ci --ignore-scripts`, to link into user projects."""
    return _prisma_cli_installs.wait()
