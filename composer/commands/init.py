"""`compose init`: start using compose in a project.

- With a schema (`prisma/schema.prisma`, `schema.prisma`, the `prisma.schema` entry of
  package.json, or `--schema PATH`): split it into `prisma/fragments/` (as `compose split` does),
  write `prisma.compose.toml` with one target whose output is that schema, then build it, so the
  schema is from now on generated from the fragments. The original is kept next to it as
  `<schema>.bak` (compose never silently loses a file it did not write).
- In a folder without a schema: a minimal manifest and `prisma/fragments/base.prisma` (datasource
  and generator for the installed Prisma major version: Prisma 7 keeps the URL in
  `prisma.config.ts`), and the built `prisma/schema.prisma`.

A Prisma multi-file schema folder (`prisma/schema/`) is left to `compose split`, which needs to
know where its fragments should go (docs/adoption.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..diagnostics import ComposeError

MANIFEST = "prisma.compose.toml"
FRAGMENTS_DIR = "prisma/fragments"
PROVIDERS = ("postgresql", "mysql", "sqlite", "sqlserver", "cockroachdb", "mongodb")

STARTER_MANIFEST = """\
# prisma-compose manifest: the fragments are the single source of truth; `compose build` writes
# one complete schema per target. `compose schema manifest` prints this file's JSON Schema.

[compose]
header = true

[[fragments]]
path = "prisma/fragments/base.prisma"

# Add one fragment per domain, e.g.:
# [[fragments]]
# path = "prisma/fragments/user.prisma"
# or every file of a folder:
# [[fragments]]
# glob = "prisma/fragments/*.prisma"

[targets.schema]
output = "prisma/schema.prisma"
"""


def base_fragment(provider: str, prisma_major: int) -> str:
    if prisma_major >= 7:
        return (
            "// The database and the client. Prisma 7 reads the connection URL from prisma.config.ts.\n"
            "// Targets in prisma.compose.toml may replace the generator or set datasource fields.\n"
            "\n"
            "datasource db {\n"
            f'  provider = "{provider}"\n'
            "}\n"
            "\n"
            "generator client {\n"
            '  provider = "prisma-client"\n'
            '  output   = "../generated/prisma"\n'
            "}\n"
        )
    return (
        "// The database and the client.\n"
        "// Targets in prisma.compose.toml may replace the generator or set datasource fields.\n"
        "\n"
        "datasource db {\n"
        f'  provider = "{provider}"\n'
        '  url      = env("DATABASE_URL")\n'
        "}\n"
        "\n"
        "generator client {\n"
        '  provider = "prisma-client-js"\n'
        "}\n"
    )


def installed_prisma_major(root: Path) -> int | None:
    """The major version of the project's Prisma: installed in node_modules, else the version
    range in package.json (prisma_wasm.find_project_prisma); None when neither says."""
    from ..prisma_wasm import find_project_prisma

    found = find_project_prisma(root)
    major = found.major if found is not None else None
    return int(major) if major else None


def _package_json(root: Path) -> dict[str, object]:
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def find_schema(root: Path) -> Path | None:
    """The project's schema: package.json's `prisma.schema`, else the places Prisma looks."""
    prisma = _package_json(root).get("prisma")
    if isinstance(prisma, dict) and isinstance(prisma.get("schema"), str):
        configured = root / str(prisma["schema"])
        if configured.exists():
            return configured
    for rel in ("prisma/schema.prisma", "schema.prisma", "prisma/schema"):
        candidate = root / rel
        if candidate.is_file() or (candidate.is_dir() and any(candidate.rglob("*.prisma"))):
            return candidate
    return None


def run(
    directory: str = ".",
    schema: str | None = None,
    by: str | None = None,
    provider: str = "postgresql",
    prisma: str = "auto",
    build: bool = True,
    force: bool = False,
) -> int:
    from .. import report

    root = Path(directory)
    if not root.is_dir():
        print(f"compose: error: `{directory}` is not a folder", file=sys.stderr)
        return 2
    if (root / MANIFEST).exists() and not force:
        print(
            f"compose: error: `{(root / MANIFEST).as_posix()}` already exists; this project is set up "
            "(pass --force to start over)",
            file=sys.stderr,
        )
        return 1
    if prisma not in ("auto", "6", "7"):
        print("compose: error: --prisma must be auto, 6 or 7", file=sys.stderr)
        return 2
    if provider not in PROVIDERS:
        print(f"compose: error: --provider must be one of {', '.join(PROVIDERS)}", file=sys.stderr)
        return 2
    path = Path(schema) if schema else find_schema(root)
    try:
        if path is None:
            return _starter(root, provider, None if prisma == "auto" else int(prisma), build, force)
        if path.is_dir():
            print(
                f"compose: error: `{path.as_posix()}` is a multi-file schema folder; split it with\n"
                f"    compose split {path.as_posix()} --out .\n"
                'then point Prisma at the output (docs/adoption.md, "From prismaSchemaFolder")',
                file=sys.stderr,
            )
            return 1
        if not path.is_file():
            print(f"compose: error: `{path.as_posix()}` does not exist", file=sys.stderr)
            return 2
        return _adopt(root, path, by, build, force)
    except ComposeError as exc:
        report.emit(exc.diagnostics)
        return 1


def _starter(root: Path, provider: str, prisma: int | None, build: bool, force: bool) -> int:
    from .split import write_files

    major = prisma or installed_prisma_major(root) or 6
    files = {MANIFEST: STARTER_MANIFEST, f"{FRAGMENTS_DIR}/base.prisma": base_fragment(provider, major)}
    write_files(root, files, force)
    for rel in files:
        print(f"wrote {rel}", file=sys.stderr)
    if prisma is None and installed_prisma_major(root) is None:
        print(
            "compose: no Prisma installation found: base.prisma is written for Prisma 6 "
            "(`url` in the datasource); run `compose init --force --prisma 7` for Prisma 7",
            file=sys.stderr,
        )
    return _build(root, force=False) if build else 0


def _adopt(root: Path, schema: Path, by: str | None, build: bool, force: bool) -> int:
    import os

    from .split import split_path, write_files

    rel = Path(os.path.relpath(schema.resolve(), root.resolve())).as_posix()
    if rel.startswith("../"):
        print(f"compose: error: `{schema.as_posix()}` is outside `{root.as_posix()}`", file=sys.stderr)
        return 2
    result = split_path(schema, root, by, None, FRAGMENTS_DIR, rel)
    write_files(root, result.files, force)
    for frag in result.fragments:
        print(f"wrote {frag.path}  ({frag.summary() or 'comments only'})", file=sys.stderr)
    print(f"wrote {MANIFEST}  (target `{result.target}` → {rel})", file=sys.stderr)
    if not build:
        print(
            f"compose: next: `compose build --force` regenerates {rel} from the fragments "
            f"(the current file is kept as {rel}.bak)",
            file=sys.stderr,
        )
        return 0
    code = _build(root, force=True)
    if code == 0:
        print(
            f"compose: {rel} is now generated from {FRAGMENTS_DIR}/ (the original is kept as {rel}.bak); "
            "edit the fragments and run `compose build`",
            file=sys.stderr,
        )
    return code


def _build(root: Path, force: bool) -> int:
    from . import build

    return build.run([], str(root / MANIFEST), force=force)
