"""Formatting fragment files with Prisma's own formatter, layout only (`compose format`, and the
language server's formatting of a buffer).

Only layout is changed. `prisma format` also *adds* things when it sees a schema that validates
(missing back-relation fields, `@relation` arguments): on a lone fragment that would put fields
in the wrong file (the back-relation usually comes from an `@extend` in another fragment). So the
fragments are formatted together as one multi-file schema with an extra file that makes the
schema invalid on purpose (a duplicated model), which turns those additions off; and each result
is compared with the original token by token, comments included (`composer/tokens.py`): only
white space may differ (and attributes come in Prisma's order), or the file is refused (E631, at
the first token that differs). A comment on a block's opening line, which Prisma's formatter
deletes, is first moved to the block's first line (`lift_opening_comments`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import ComposeError, Diagnostic, Location, Source

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
    from .inputfiles import decode
    from .sources import expand_glob, never_inputs, read_text, rel_display

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
    from .tokens import tokenize

    tokens = tokenize(text)
    cuts: list[int] = []
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind != "punct":
            continue
        if token.key == "{":
            depth += 1
            if depth == 1 and _comment_follows(text, tokens, i):
                cuts.append(token.end)
        elif token.key == "}":
            depth = max(0, depth - 1)
    for cut in reversed(cuts):
        rest = text[cut:]
        text = text[:cut] + "\n" + rest[len(rest) - len(rest.lstrip(" \t")) :]
    return text


def _comment_follows(text: str, tokens: list[Any], i: int) -> bool:
    """Is token `i` followed by a comment on the same line?"""
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if after is None or after.kind not in ("comment", "block"):
        return False
    return "\n" not in text[tokens[i].end : after.start]


def content_change(f: FragmentFile, formatted: str) -> Diagnostic | None:
    """None when `formatted` has every token and comment of the fragment, in order; else an
    error at the first one that differs."""
    from .tokens import first_difference

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
    from .psl import parse

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
