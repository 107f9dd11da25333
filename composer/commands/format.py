"""`compose format [--check]`: format the fragment files in place with Prisma's own formatter.

Every hand-written fragment of the manifest (`path` and `glob` entries; YAML entities are laid
out by compose already) goes through `prisma format`'s engine (`@prisma/prisma-schema-wasm`).
Outputs are made of fragments, and compose lays out what it changes (merged `/// @extend` blocks,
datasource settings) the way Prisma does, so after `compose format` + `compose build` the outputs
are themselves a fixed point of `prisma format`.

Only layout is changed. `prisma format` also *adds* things when it sees a schema that validates
(missing back-relation fields, `@relation` arguments): on a lone fragment that would put fields
in the wrong file (the back-relation usually comes from an `@extend` in another fragment). So the
fragments are formatted together as one multi-file schema with an extra file that makes the
schema invalid on purpose (a duplicated model), which turns those additions off; and each result
is parsed again and compared with the original: the same declarations and members, or nothing
is written.

`--check` writes nothing: exit 1 with a diff when a fragment is not formatted (CI, pre-commit).
Fragments are read as UTF-8; a BOM and CRLF line endings are kept.
Exit codes: 0 ok, 1 a fragment has a syntax error or is not formatted (`--check`), 2 usage or no
way to run Prisma.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pipeline, report
from ..diagnostics import ComposeError, Diagnostic, Location, Source, use_color

# Two models with one name: a schema that parses but never validates (see the module docstring).
GUARD_NAME = "__compose_format_guard__.prisma"
GUARD_TEXT = "model ComposeFormatGuard {\n  id Int @id\n}\n\nmodel ComposeFormatGuard {\n  id Int @id\n}\n"


@dataclass
class FragmentFile:
    path: Path
    display: str
    text: str  # newlines normalised to \n, no BOM
    bom: bool
    crlf: bool
    formatted: str | None = None

    def encoded(self, text: str) -> str:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ("\ufeff" if self.bom else "") + text


def fragment_files(manifest: Any) -> list[FragmentFile]:
    """The hand-written fragment files of the manifest, in manifest order, each once."""
    from ..sources import expand_glob, never_inputs, read_text, rel_display

    root = manifest.root
    files: list[FragmentFile] = []
    seen: set[Path] = set()
    for spec in manifest.fragments:
        if spec.kind == "path":
            paths = [root / spec.pattern]
        elif spec.kind == "glob":
            paths = expand_glob(root, spec.pattern, never_inputs(manifest))  # outputs are no fragments
        else:
            continue
        for path in paths:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            display = rel_display(path, root)
            text = read_text(path, display, spec.location)
            raw = path.read_bytes()
            files.append(FragmentFile(path, display, text, raw.startswith(b"\xef\xbb\xbf"), b"\r\n" in raw))
    return files


def shape(text: str, display: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """What formatting must not change: declarations and their members, in order."""
    from ..psl import parse

    schema = parse(Source(display, text))
    return [
        (d.keyword, d.name, [(m.kind, m.name) for m in d.members]) for d in schema.declarations
    ]


def format_files(files: list[FragmentFile], engine: Any) -> list[Diagnostic]:
    """Set `formatted` on each file; diagnostics for syntax errors or a formatter that changed content."""
    from ..psl import parse

    errors: list[Diagnostic] = []
    for f in files:
        try:
            parse(Source(f.display, f.text, str(f.path)))
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
    if errors or not files:
        return errors
    # Unique names for Prisma (display paths are unique; the guard's name is not a path).
    results = dict(engine.wasm.format([*((f.display, f.text) for f in files), (GUARD_NAME, GUARD_TEXT)]))
    for f in files:
        formatted = results.get(f.display, f.text)
        try:
            same = shape(formatted, f.display) == shape(f.text, f.display)
        except ComposeError:
            same = False
        if not same:
            errors.append(
                Diagnostic(
                    f"Prisma's formatter would change the content of `{f.display}`, not only its layout; "
                    "it was left as it is",
                    Location(Source(f.display, f.text, str(f.path)), 0),
                    code="E631",
                    hint="run `compose validate` to see what Prisma objects to",
                )
            )
            continue
        f.formatted = formatted
    return errors


def run(manifest: str | None, check: bool = False, fmt: str = "text", prisma: str = "auto") -> int:
    from ..manifest import load_manifest
    from ..output import atomic_write
    from ..prisma_wasm import PrismaWasmError
    from .check import colour_diff
    from .validate import EngineUnavailable, open_engine

    started = time.perf_counter()
    engine = None
    try:
        path = pipeline.locate_manifest(manifest)
        loaded = load_manifest(path)
        files = fragment_files(loaded)
        engine = open_engine(loaded.root, prisma)
        problems = format_files(files, engine)
    except pipeline.UsageError as exc:
        return report.usage_error(str(exc), fmt, "format")
    except (EngineUnavailable, PrismaWasmError) as exc:
        return report.usage_error(f"cannot run Prisma's formatter: {exc}", fmt, "format")
    except ComposeError as exc:
        report.emit(exc.diagnostics, fmt, command="format", exit_code=1)
        return 1
    finally:
        if engine is not None:
            engine.close()
    changed = [f for f in files if f.formatted is not None and f.formatted != f.text]
    outputs: list[dict[str, Any]] = []
    diffs: list[str] = []
    for f in files:
        entry: dict[str, Any] = {"path": f.display, "status": "formatted", "diff": None}
        if f.formatted is None:
            entry["status"] = "error"
        elif f in changed:
            entry["status"] = "unformatted" if check else "reformatted"
            if check:
                diff = _diff(f)
                entry["diff"] = diff
                diffs.append(diff)
                problems.append(
                    Diagnostic(
                        f"`{f.display}` is not formatted",
                        Location(Source(f.display, f.text), _first_difference(f.text, f.formatted or "")),
                        code="E630",
                        hint="run `compose format`",
                    )
                )
        outputs.append(entry)
    if problems:
        if fmt == "text":
            colour = use_color(sys.stdout)
            for diff in diffs:
                sys.stdout.write(colour_diff(diff) if colour else diff)
        report.emit(problems, fmt, command="format", exit_code=1, outputs=outputs)
        if fmt != "json":
            what = "fragment(s) not formatted" if all(d.code == "E630" for d in problems) else "problem(s)"
            print(f"compose: {len(problems)} {what}; nothing written", file=sys.stderr)
        return 1
    if not check:
        for f in changed:
            try:
                atomic_write(f.path, f.encoded(f.formatted or f.text))
            except OSError as exc:
                failure = Diagnostic(f"cannot write `{f.display}`: {exc.strerror or exc}", None, code="E304")
                report.emit([failure], fmt, command="format", exit_code=1, outputs=outputs)
                return 1
    if fmt == "json":
        report.emit([], fmt, command="format", exit_code=0, outputs=outputs)
        return 0
    if not check:
        for f in changed:
            print(f"formatted {f.display}", file=sys.stderr)
    ms = (time.perf_counter() - started) * 1000
    verb = "would change" if check else "reformatted"
    tail = "; run `compose build` to update the outputs" if changed and not check else ""
    print(f"compose: {len(files)} fragment(s), {len(changed)} {verb} ({ms:.0f} ms){tail}", file=sys.stderr)
    return 0


def _diff(f: FragmentFile) -> str:
    import difflib

    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in difflib.unified_diff(
            f.text.splitlines(keepends=True),
            (f.formatted or "").splitlines(keepends=True),
            f"a/{f.display}",
            f"b/{f.display}",
        )
    )


def _first_difference(old: str, new: str) -> int:
    from .check import first_difference

    return first_difference(old, new)
