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
is compared with the original token by token, comments included (`composer/tokens.py`): only
white space may differ (and attributes come in Prisma's order), or nothing is written (E631, at
the first token that differs). A comment on a block's opening line, which Prisma's formatter
deletes, is first moved to the block's first line (`lift_opening_comments`).

Files are replaced through `composer/staging.py`: each one is read again just before its rename
and left alone when it changed since it was formatted (an editor's save; E632, exit 1); symlinks
are written through, hard-linked files refused.

`--check` writes nothing: exit 1 with a diff when a fragment is not formatted (CI, pre-commit).
Fragments are read as UTF-8; a BOM and CRLF line endings are kept.
Exit codes: 0 ok, 1 a fragment has a syntax error, is not formatted (`--check`), would change
content, changed meanwhile or cannot be written, 2 usage or no way to run Prisma.
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
    raw: bytes  # the file as read: it must still be this just before it is replaced
    formatted: str | None = None

    def encoded(self, text: str) -> str:
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return ("\ufeff" if self.bom else "") + text


def fragment_files(manifest: Any) -> list[FragmentFile]:
    """The hand-written fragment files of the manifest, in manifest order, each once."""
    from ..inputfiles import decode
    from ..sources import expand_glob, never_inputs, read_text, rel_display

    root = manifest.root
    files: list[FragmentFile] = []
    seen: set[Path] = set()
    for spec in manifest.fragments:
        if spec.kind == "path":
            paths = [root / spec.pattern]
        elif spec.kind == "glob":
            paths = [Path(p) for p in expand_glob(root, spec.pattern, never_inputs(manifest))]  # no outputs
        else:
            continue
        for path in paths:
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            display = rel_display(path, root)
            text = read_text(path, display, spec.location)  # located errors (missing, not UTF-8…)
            raw = path.read_bytes()
            try:
                text = decode(raw)  # what is compared before the write: these very bytes
            except UnicodeDecodeError:
                text = read_text(path, display, spec.location)
            files.append(
                FragmentFile(path, display, text, raw.startswith(b"\xef\xbb\xbf"), b"\r\n" in raw, raw)
            )
    return files


def lift_opening_comments(text: str) -> str:
    """`model User { // note` → the comment on its own line as the block's first line.

    Prisma's formatter deletes a comment on a block's opening line. Moved to the next line it is
    kept, and the tokens (what `format_files` compares) stay the same and in the same order.
    A `///` there is left alone (it would become the first field's documentation): the token
    comparison then refuses the file."""
    from ..tokens import tokenize

    tokens = tokenize(text)
    cuts: list[int] = []
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.key == "{":
            depth += 1
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if (
                depth == 1
                and after is not None
                and after.kind in ("comment", "block")
                and "\n" not in text[token.end : after.start]
            ):
                cuts.append(token.end)
        elif token.key == "}":
            depth = max(0, depth - 1)
    for cut in reversed(cuts):
        rest = text[cut:]
        text = text[:cut] + "\n" + rest[len(rest) - len(rest.lstrip(" \t")) :]
    return text


def content_change(f: FragmentFile, formatted: str) -> Diagnostic | None:
    """None when `formatted` has every token and comment of the fragment, in order; else an
    error at the first one that differs."""
    from ..tokens import first_difference

    diff = first_difference(f.text, formatted)
    if diff is None:
        return None
    hint = "run `compose validate` to see what Prisma objects to"
    if diff.removed is not None and diff.removed.startswith("///"):
        hint = (
            "a `///` comment where Prisma's formatter drops it: move it onto its own line above "
            "what it documents"
        )
    return Diagnostic(
        f"Prisma's formatter would {diff.describe()} in `{f.display}`, not only change its layout; "
        "the file was left as it is",
        Location(Source(f.display, f.text, str(f.path)), diff.offset, diff.end),
        code="E631",
        hint=hint,
    )


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
    results = dict(
        engine.wasm.format(
            [*((f.display, lift_opening_comments(f.text)) for f in files), (GUARD_NAME, GUARD_TEXT)]
        )
    )
    for f in files:
        formatted = results.get(f.display, f.text)
        problem = content_change(f, formatted)
        if problem is not None:
            errors.append(problem)
            continue
        f.formatted = formatted
    return errors


def run(manifest: str | None, check: bool = False, fmt: str = "text", prisma: str = "auto") -> int:
    from ..diffs import colour_diff
    from ..manifest import load_manifest
    from ..prisma_wasm import schema_needs
    from ..validation import open_engine
    from .errors import error_handler

    started = time.perf_counter()
    engine = None
    try:
        with error_handler("format", fmt, engine_use="formatter") as handled:
            path = pipeline.locate_manifest(manifest)
            loaded = load_manifest(path)
            files = fragment_files(loaded)
            # The project's Prisma, else the shipped engine of the major the fragments are written for.
            engine = open_engine(loaded.root, prisma, needs=schema_needs(f.text for f in files))
            problems = format_files(files, engine)
            described = [{**engine.describe(), "targets": []}]
            if fmt != "json":
                verb = "checked the layout" if check else "formatted"
                print(f"compose: {verb} with {described[0]['label']}", file=sys.stderr)
    finally:
        if engine is not None:
            engine.close()
    if handled.code is not None:
        return handled.code
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
        report.emit(problems, fmt, command="format", exit_code=1, outputs=outputs, engines=described)
        if fmt != "json":
            what = "fragment(s) not formatted" if all(d.code == "E630" for d in problems) else "problem(s)"
            print(f"compose: {len(problems)} {what}; nothing written", file=sys.stderr)
        return 1
    if not check and changed:
        from ..staging import Change, write_all

        changes = [Change(f.path, f.encoded(f.formatted or f.text), f.display, f.raw) for f in changed]
        try:
            done = write_all(changes, all_or_nothing=False)
        except ComposeError as exc:
            report.emit(exc.diagnostics, fmt, command="format", exit_code=1, outputs=outputs)
            return 1
        if done.skipped:
            skipped = {c.display for c in done.skipped}
            for entry in outputs:
                if entry["path"] in skipped:
                    entry["status"] = "changed on disk"
            report.emit(
                [
                    Diagnostic(
                        f"`{c.display}` changed on disk while Prisma's formatter ran; it was left as it is "
                        "(with that change)",
                        None,
                        code="E632",
                        hint="run `compose format` again",
                    )
                    for c in done.skipped
                ],
                fmt,
                command="format",
                exit_code=1,
                outputs=outputs,
            )
            if fmt != "json":
                for c in done.written:
                    print(f"formatted {c.display}", file=sys.stderr)
            return 1
    if fmt == "json":
        report.emit([], fmt, command="format", exit_code=0, outputs=outputs, engines=described)
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
    from ..diffs import unified_diff

    return unified_diff(f.text, f.formatted or "", f"a/{f.display}", f"b/{f.display}")


def _first_difference(old: str, new: str) -> int:
    from ..diffs import first_difference

    return first_difference(old, new)
