"""TOML values of `[targets.NAME.generators.G]` and `[targets.NAME.datasource]` as PSL expression
text, so that later stages only paste text (README "The manifest"); written by `psl.render`."""

from __future__ import annotations

from collections.abc import Callable

from ..diagnostics import Location, did_you_mean, error
from ..psl.on_use import PatternOnUse
from ..psl.render import number_literal, string_literal
from .shape import E_INVALID, E_UNKNOWN_KEY, KeyPath, key_text, kind_of

# Compiled on first use: most manifests hold no number.
_PSL_INT_RE = PatternOnUse(r"-?[0-9]+")
_PSL_NUMBER_RE = PatternOnUse(r"-?[0-9]+(?:\.[0-9]+)?")


def psl_value(value: object, keypath: str, path: KeyPath, locate: Callable[[KeyPath], Location]) -> str:
    """A TOML value as PSL expression text.

    string -> string literal; `{ env = "NAME" }` -> `env("NAME")`; array -> `[a, b]`;
    booleans -> `true`/`false`; numbers as written; `{ raw = '...' }` -> the text verbatim.
    (`false` meaning "remove" is decided by the caller: here it is just `false`.)
    Raises ComposeError naming `keypath` (at `locate(path)` of the offending part) for anything else.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, int | float):
        return _psl_number(value, keypath, locate(path))
    if isinstance(value, list):
        items = (psl_value(item, f"{keypath}[{i}]", (*path, i), locate) for i, item in enumerate(value))
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        return _psl_function(value, keypath, path, locate)
    raise error(
        f'{keypath}: expected a string, number, boolean, array, {{ env = "NAME" }} or '
        f"{{ raw = '...' }}, found {kind_of(value)}",
        locate(path),
        code=E_INVALID,
    )


def _psl_number(value: int | float, keypath: str, location: Location) -> str:
    if isinstance(value, float):
        import math  # here: a manifest seldom holds a float, and the import costs every start

        if not math.isfinite(value):
            raise error(f"{keypath}: expected a finite number, found {value}", location, code=E_INVALID)
    # "As written" when the literal is already PSL syntax (keeps `1.50`); TOML-only spellings
    # such as `1_000`, `0x1f` or `1e3` are normalised to plain decimals.
    written = location.source.text[location.start : location.end] if location.end is not None else ""
    pattern = _PSL_INT_RE if isinstance(value, int) else _PSL_NUMBER_RE
    if pattern.fullmatch(written) and (int(written) if isinstance(value, int) else float(written)) == value:
        return written
    return number_literal(value)


def _psl_function(
    value: dict[str, object], keypath: str, path: KeyPath, locate: Callable[[KeyPath], Location]
) -> str:
    expected = "`{ env = \"NAME\" }` or `{ raw = '...' }`"
    for key in value:
        if key not in ("env", "raw"):
            raise error(
                f"{keypath}.{key_text(key)}: unknown key; expected {expected}",
                locate((*path, key)),
                code=E_UNKNOWN_KEY,
                hint=did_you_mean(key, ["env", "raw"]),
            )
    if len(value) != 1:
        found = "both `env` and `raw`" if value else "an empty table"
        raise error(f"{keypath}: expected {expected}, found {found}", locate(path), code=E_INVALID)
    ((key, inner),) = value.items()
    if not isinstance(inner, str) or not inner.strip():
        what = "the name of an environment variable" if key == "env" else "a PSL expression"
        raise error(
            f"{keypath}.{key}: expected {what} (a non-empty string), found {kind_of(inner)}",
            locate((*path, key)),
            code=E_INVALID,
        )
    return f"env({string_literal(inner)})" if key == "env" else inner
