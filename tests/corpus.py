"""The Prisma schema corpus the tests carry in `tests/corpus/` (sources and licences: SOURCES.md).

Tests read their real-world inputs only through these helpers, so that no test reaches outside
the repository and a new test needs no path of its own.
"""

from __future__ import annotations

from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"


def all_schemas() -> list[Path]:
    """Every `.prisma` file of the corpus, multi-file fragments included."""
    return sorted(CORPUS.rglob("*.prisma"))


def real_world_schemas() -> list[Path]:
    """Single-file schemas of public applications (`real-world/`)."""
    return sorted((CORPUS / "real-world").glob("*.prisma"))


def real_world_schema(prefix: str) -> Path:
    """The one real-world schema whose file name starts with `prefix` (e.g. `epicweb-dev__epic-stack`)."""
    (found,) = [p for p in real_world_schemas() if p.name.startswith(prefix)]
    return found


def engine_files() -> list[Path]:
    """Prisma's own parser test files (`prisma-engines/`, `prisma-engines-index-extras/`)."""
    folders = (CORPUS / "prisma-engines", CORPUS / "prisma-engines-index-extras")
    return sorted(p for folder in folders for p in folder.rglob("*.prisma"))


def multi_file_projects() -> list[Path]:
    """Folders that hold one valid multi-file schema (every `.prisma` file below a folder).

    `multi-file/*` are real-world schemas cut into files (see SOURCES.md), one with a nested
    `models/` folder; the `*.reformatted` cases of Prisma's multi-file formatter tests are its
    expected outputs, valid schemas (their inputs lack back-relations on purpose).
    """
    own = [p for p in (CORPUS / "multi-file").iterdir() if p.is_dir()]
    engine = (CORPUS / "prisma-engines" / "reformatter_multi_file").glob("*.reformatted")
    return sorted([*own, *engine])


def multi_file_project(name: str) -> Path:
    """A folder of `multi-file/` by name, e.g. `hoppscotch__hoppscotch` (nested `models/`)."""
    path = CORPUS / "multi-file" / name
    if not path.is_dir():
        raise FileNotFoundError(path)
    return path
