"""`compose init`: start using compose in a project.

- With a schema (`prisma/schema.prisma`, `schema.prisma`, the `prisma.schema` entry of
  package.json, or `--schema PATH`): split it into `prisma/fragments/` (as `compose split` does),
  write `prisma.compose.toml` with one target whose output is that schema, then build it, so the
  schema is from now on generated from the fragments. The original is moved next to it, to the
  first free name of `<schema>.bak`, `<schema>.bak.1`, … (composer/backups.py: an earlier backup,
  maybe the user's own, is never replaced), and init says which. `--prisma 7` adds `url = false`
  (and the other Prisma-6-only datasource properties the schema has) to the target, as Prisma 7
  rejects them.
- In a folder without a schema: a minimal manifest and `prisma/fragments/base.prisma` (datasource
  and generator for the installed Prisma major version: Prisma 7 keeps the URL in
  `prisma.config.ts`), and the built `prisma/schema.prisma`.

Init never replaces a file the user changed, `--force` included: `--force` only lets it run in a
project that has a manifest, and replace files that hold what init itself writes (the starter
manifest and `base.prisma`). So `compose init --force --prisma 7` in a starter project switches
it to Prisma 7 while its files are untouched, and otherwise says which files stop it (E504). A
schema compose generated is never split again: in a set-up project it is simply rebuilt. Every
file is written all or nothing (composer/staging.py): a full disk, a read-only folder or a file
where a folder must go changes nothing, and so does a build that fails afterwards.

A Prisma multi-file schema folder (`prisma/schema/`) is left to `compose split`, which needs to
know where its fragments should go (docs/adoption.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import ComposeError, Diagnostic
from ..psl.render import string_literal

if TYPE_CHECKING:
    from ..staging import Written

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
            f"  provider = {string_literal(provider)}\n"
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
        f"  provider = {string_literal(provider)}\n"
        '  url      = env("DATABASE_URL")\n'
        "}\n"
        "\n"
        "generator client {\n"
        '  provider = "prisma-client-js"\n'
        "}\n"
    )


def installed_prisma_major(root: Path) -> int | None:
    """The major version of the project's Prisma: installed in node_modules, else the version
    range in package.json (engine_choice.find_project_prisma); None when neither says."""
    from ..engine_choice import find_project_prisma

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
    from .errors import error_handler

    root = Path(directory)
    code = _refused(root, directory, prisma, provider, force)
    if code is not None:
        return code
    major = None if prisma == "auto" else int(prisma)
    path = Path(schema) if schema else find_schema(root)
    with error_handler("init") as handled:
        if path is not None and _composed_here(root, path):
            if schema:
                return _not_yours(path)
            path = None  # the project's schema is compose's output: start over from the starter
        if path is None:
            return _starter(root, provider, major, build)
        code = _not_a_schema(path)
        if code is not None:
            return code
        return _adopt(root, path, by, build, major)
    return handled.code or 0


def _refused(root: Path, directory: str, prisma: str, provider: str, force: bool) -> int | None:
    """The exit code when init cannot start here (printed why), else None."""
    if not root.is_dir():
        print(f"compose: error: `{directory}` is not a folder", file=sys.stderr)
        return 2
    if (root / MANIFEST).exists() and not force:
        print(
            f"compose: error: `{(root / MANIFEST).as_posix()}` already exists; this project is set up "
            "(pass --force to start over: files you changed are never replaced)",
            file=sys.stderr,
        )
        return 1
    if prisma not in ("auto", "6", "7"):
        print("compose: error: --prisma must be auto, 6 or 7", file=sys.stderr)
        return 2
    if provider not in PROVIDERS:
        print(f"compose: error: --provider must be one of {', '.join(PROVIDERS)}", file=sys.stderr)
        return 2
    return None


def _not_yours(path: Path) -> int:
    print(
        f"compose: error: `{path.as_posix()}` is written by compose from {MANIFEST}; "
        "init splits a schema you wrote, not compose's output",
        file=sys.stderr,
    )
    return 1


def _not_a_schema(path: Path) -> int | None:
    """The exit code when `path` is a schema folder or missing (printed why), else None."""
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
    return None


def _composed_here(root: Path, path: Path) -> bool:
    """Is `path` the output of this project's compose (a set-up project started over)?"""
    return path.is_file() and (root / MANIFEST).exists() and _generated(path)


def _generated(path: Path) -> bool:
    from ..output import BANNER_PREFIX

    try:
        with open(path, "rb") as fh:
            return fh.read(len(BANNER_PREFIX)) == BANNER_PREFIX.encode()
    except OSError:
        return False


def _templates() -> set[bytes]:
    """Every text `compose init` writes by itself: replacing one of them loses nothing."""
    texts = {STARTER_MANIFEST}
    texts.update(base_fragment(provider, major) for provider in PROVIDERS for major in (6, 7))
    return {t.encode("utf-8") for t in texts}


def _write(root: Path, files: dict[str, str], prisma7: bool) -> Written:
    """Write init's files, all or nothing, never over a file the user has changed (E504)."""
    from ..diagnostics import Location, Source
    from ..splitting import write_files

    own = _templates()
    problems = []
    for rel, text in files.items():
        try:
            old = (root / rel).read_bytes()
        except OSError:
            continue
        if old != text.encode("utf-8") and old not in own:
            shown = old.decode("utf-8", errors="replace").lstrip("\ufeff")
            problems.append(
                Diagnostic(
                    f"`{rel}` exists and is not what `compose init` writes: init never replaces a file "
                    "you changed; nothing was written",
                    Location(Source(rel, shown, str(root / rel)), 0),
                    code="E504",
                )
            )
    if problems:
        problems[-1].hint = (
            "to switch these fragments to Prisma 7, delete `url` (and `directUrl`, `shadowDatabaseUrl`) "
            "from their datasource by hand (Prisma 7 reads the URL from prisma.config.ts), then run "
            "`compose build`; to start over, move these files away first"
            if prisma7
            else "to start over, move these files away first"
        )
        raise ComposeError(problems)
    return write_files(root, files, force=True, backup=False).done


def _starter(root: Path, provider: str, prisma: int | None, build: bool) -> int:
    major = prisma or installed_prisma_major(root) or 6
    files = {MANIFEST: STARTER_MANIFEST, f"{FRAGMENTS_DIR}/base.prisma": base_fragment(provider, major)}
    done = _write(root, files, major >= 7)
    written = {c.display for c in done.written}
    for rel in files:
        print(f"{'wrote' if rel in written else 'unchanged'} {rel}", file=sys.stderr)
    if prisma is None and installed_prisma_major(root) is None:
        print(
            "compose: no Prisma installation found: base.prisma is written for Prisma 6 "
            "(`url` in the datasource); run `compose init --force --prisma 7` for Prisma 7 (it replaces "
            "these two files while you have not changed them)",
            file=sys.stderr,
        )
    if not build:
        return 0
    code = _build(root)
    if code != 0:
        done.undo()
        print("compose: init changed nothing", file=sys.stderr)
    return code


# Datasource properties Prisma 7 rejects in a schema file (they moved to prisma.config.ts).
PRISMA6_ONLY = ("url", "directUrl", "shadowDatabaseUrl")


def _for_prisma7(manifest: str, target: str, schemas: list[object]) -> str:
    """The manifest with the Prisma-6-only datasource properties of the schema removed from the
    target (`url = false`, README "The manifest"); the fragments keep the schema as it was."""
    present = [
        key
        for schema in schemas
        for decl in getattr(schema, "declarations", [])
        if decl.keyword == "datasource"
        for member in decl.members
        for key in PRISMA6_ONLY
        if member.name == key
    ]
    if not present:
        return manifest
    lines = [
        f"[targets.{target}.datasource]  # Prisma 7 reads the connection URLs from prisma.config.ts",
        *(f"{key} = false" for key in dict.fromkeys(present)),
    ]
    return manifest.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


def _adopt(root: Path, schema: Path, by: str | None, build: bool, prisma: int | None) -> int:
    import os

    from ..backups import free_backup_path
    from ..splitting import split_path

    rel = Path(os.path.relpath(schema.resolve(), root.resolve())).as_posix()
    if rel.startswith("../"):
        print(f"compose: error: `{schema.as_posix()}` is outside `{root.as_posix()}`", file=sys.stderr)
        return 2
    result = split_path(schema, root, by, None, FRAGMENTS_DIR, rel)
    files = dict(result.files)
    if prisma == 7:
        files[MANIFEST] = _for_prisma7(files[MANIFEST], result.target, result.schemas)
    done = _write(root, files, prisma == 7)
    for frag in result.fragments:
        print(f"wrote {frag.path}  ({frag.summary() or 'comments only'})", file=sys.stderr)
    print(f"wrote {MANIFEST}  (target `{result.target}` → {rel})", file=sys.stderr)
    if not build:
        print(
            f"compose: next: `compose build --force` regenerates {rel} from the fragments "
            "(keeping the current file as a .bak copy)",
            file=sys.stderr,
        )
        return 0
    # The original moves aside first (to a backup name nobody uses yet), so the build writes a
    # new file and no copy of the schema is ever overwritten; a failed build puts it back.
    backup = free_backup_path(schema)
    bak = Path(os.path.relpath(backup, root)).as_posix()
    try:
        os.rename(schema, backup)
    except OSError as exc:
        done.undo()
        raise ComposeError(_cannot_move(rel, bak, exc)) from None
    code = 1
    try:
        code = _build(root)
    finally:
        if code != 0:
            if not os.path.lexists(schema):
                os.rename(backup, schema)
            done.undo()
    if code == 0:
        print(
            f"compose: {rel} is now generated from {FRAGMENTS_DIR}/ (the original is kept as {bak}); "
            "edit the fragments and run `compose build`",
            file=sys.stderr,
        )
    else:
        print(f"compose: init changed nothing ({rel} is as it was)", file=sys.stderr)
    return code


def _cannot_move(rel: str, bak: str, exc: OSError) -> list[Diagnostic]:
    message = f"cannot move `{rel}` to `{bak}`: {exc.strerror or exc}; nothing was changed"
    return [Diagnostic(message, None, code="E504")]


def _build(root: Path) -> int:
    """`compose build` in the new project: its report and exit code, as the command gives them."""
    import time

    from .. import building
    from .errors import error_handler

    started = time.perf_counter()
    with error_handler("build") as handled:
        built = building.build([], str(root / MANIFEST), handled)
    if handled.code is not None:
        return handled.code
    building.show(built.comp, built.written, handled.warnings, "text", built.engines, started)
    return 0
