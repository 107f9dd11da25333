"""Reading the manifest: its bytes, UTF-8, TOML (with the limits tomllib does not keep), then
`validation`."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from ..diagnostics import ComposeError, Location, Source, error
from ..inputfiles import decode_manifest
from .model import Manifest
from .plain_toml import plain_toml
from .positions import _Locator
from .shape import E_READ, E_SYNTAX
from .validation import _Validator

# The patterns of this module serve manifests beyond the plain subset (`plain_toml`) only: each
# is compiled where it is used (`re` keeps it), not by every start.
_TOML_POSITION = r"\s*\(at line (\d+), column (\d+)\)\s*$"
_TOML_AT_END = r"\s*\(at end of document\)\s*$"


def load_manifest(path: Path, display: str | None = None) -> Manifest:
    """Read and validate the manifest at `path`; raises ComposeError."""
    path = Path(os.path.abspath(path))
    shown = display if display is not None else _display_name(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read manifest `{shown}`: {exc.strerror or exc}", None, code=E_READ) from None
    try:
        text = decode_manifest(data)  # as the nothing-changed check decodes it
    except UnicodeDecodeError as exc:
        source = Source(shown, data.decode("utf-8", errors="replace"), str(path))
        offset = len(data[: exc.start].decode("utf-8", errors="replace"))
        raise error(
            "the manifest is not valid UTF-8; expected a UTF-8 encoded TOML file",
            Location(source, offset, offset + 1),
            code=E_READ,
        ) from None
    return _parse(text, path, shown)


def parse_manifest(text: str, path: Path, display: str | None = None) -> Manifest:
    """Validate manifest `text` as if read from `path` (tests, watch); raises ComposeError."""
    path = Path(os.path.abspath(path))
    if text.startswith("\ufeff"):  # editors on Windows add a BOM, which TOML does not allow
        text = text[1:]
    return _parse(text, path, display if display is not None else _display_name(path))


def _parse(text: str, path: Path, display: str) -> Manifest:
    source = Source(display, text, str(path))
    data = _parse_toml(source)
    return _Validator(source, _Locator(source), path).manifest(data)


def _display_name(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except (ValueError, OSError):
        return path.name


# Arrays and inline tables nested deeper than this are refused before tomllib sees them: it
# recurses once per level (a RecursionError near 1,000), and so do the checks after it.
MAX_TOML_NESTING = 64


# A line that is a table header of bare keys (`[[fragments]]`, `[targets.web]`) nests nothing: as
# a header it is at depth 0, inside a string it is text, inside an array or inline table it is no
# value, and tomllib stops there. Its brackets are left out of the count that decides whether
# the nesting must be scanned (10,000 `[[fragments]]` would otherwise always be).
_HEADER = r"^\[\[?[A-Za-z0-9_.-]+\]\]?$"


def _may_nest_too_deep(text: str) -> bool:
    brackets = text.count("[") + text.count("{")
    if brackets <= MAX_TOML_NESTING:
        return False
    headers = sum(2 if line.startswith("[[") else 1 for line in re.findall(_HEADER, text, re.MULTILINE))
    return brackets - headers > MAX_TOML_NESTING


def _parse_toml(source: Source) -> dict[str, object]:
    text = source.text
    plain = plain_toml(text)
    if plain is not None:
        return plain
    # Imported only now: most manifests never need it (importing it costs more than reading them).
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    if _may_nest_too_deep(text):
        problem = _toml_limits(text, digits=False)
        if problem is not None:
            raise _limit_error(source, *problem)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, source) from None
    except Exception as exc:  # e.g. ValueError: an integer beyond Python's digit limit
        problem = _toml_limits(text, digits=True)
        if problem is not None:
            raise _limit_error(source, *problem) from None
        raise error(f"invalid TOML: {type(exc).__name__}", Location(source, 0), code=E_SYNTAX) from None


def _limit_error(source: Source, start: int, end: int, message: str) -> ComposeError:
    return error(f"invalid TOML: {message}", Location(source, start, end), code=E_SYNTAX)


# What the limit scan looks at: comments and strings (skipped whole), brackets, digit runs.
_LIMIT_TOKEN = (
    r'#[^\n]*|"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\']|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|[\[\]{}]|[0-9][0-9_]*'
)


def _toml_limits(text: str, digits: bool) -> tuple[int, int, str] | None:
    """(start, end, message) of the first array or inline table nested too deep or, with
    `digits`, of the first integer too long for Python's `int`; None when there is none.

    A scan that skips strings and comments, nothing more: tomllib checks the rest.
    """
    max_digits = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 0
    depth = 0
    for match in re.finditer(_LIMIT_TOKEN, text, re.DOTALL):
        token = match.group()
        char = token[0]
        if char in "[{":
            depth += 1
            if depth > MAX_TOML_NESTING:
                return match.start(), match.end(), (
                    f"arrays or inline tables nested more than {MAX_TOML_NESTING} deep; expected a "
                    "flatter value"
                )
        elif char in "]}":
            depth = max(0, depth - 1)
        elif digits and max_digits and char.isdigit():
            count = len(token) - token.count("_")
            if count > max_digits:
                return match.start(), match.end(), (
                    f"an integer of {count:,} digits; expected at most {max_digits:,} digits"
                )
    return None


def _syntax_error(exc: ValueError, source: Source) -> ComposeError:
    """tomllib's error with its position turned into a Location (3.11 only has it in the text)."""
    text = str(exc)
    message: str | None = getattr(exc, "msg", None)  # tomli >= 2.1 and Python >= 3.14
    offset: int | None = getattr(exc, "pos", None)
    if match := re.search(_TOML_POSITION, text):
        message = message or text[: match.start()]
        if offset is None:
            offset = source.offset_of(int(match[1]), int(match[2]))
    elif match := re.search(_TOML_AT_END, text):
        message = message or text[: match.start()]
        if offset is None:
            offset = len(source.text.rstrip("\r\n"))
    offset = max(0, min(offset or 0, len(source.text)))
    return error(
        f"invalid TOML: {message or text}",
        Location(source, offset),
        code=E_SYNTAX,
        hint="the manifest must be valid TOML (https://toml.io)",
    )
