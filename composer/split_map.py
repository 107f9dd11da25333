"""The `--map FILE` of `compose split --by map`: `Model = "fragment"` entries, or
`fragment = ["Model", …]` lists, in TOML or YAML; every bad entry is reported (E502), located at
the model's name in the file.
"""

from __future__ import annotations

import json
from pathlib import Path

from .clustering import CONFIG_KEYWORDS, MODEL_KEYWORDS, NAME_OK, Item
from .diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean, error


def load_map(path: Path, items: list[Item]) -> dict[str, str]:
    """`Model = "fragment"` entries, or `fragment = ["Model", …]` lists (TOML or YAML)."""
    source, data = _read_map(path)
    mapping: dict[str, str] = {}
    problems: list[Diagnostic] = []
    declared = {item.name for item in items if item.keyword not in CONFIG_KEYWORDS}
    for model, fragment in _map_pairs(data):
        message, hint, keep = _check_entry(model, fragment, declared, mapping)
        if message is not None:
            at = max(source.text.find(model), 0)
            where = Location(source, at, at + len(model))
            problems.append(Diagnostic(message, where, code="E502", hint=hint))
        if keep:
            mapping[model] = fragment  # type: ignore[assignment]
    problems.extend(_unmapped(source, items, mapping))
    if problems:
        raise ComposeError(problems)
    return mapping


def _unmapped(source: Source, items: list[Item], mapping: dict[str, str]) -> list[Diagnostic]:
    missing = [i.name for i in items if i.keyword in MODEL_KEYWORDS and i.name not in mapping]
    if not missing:
        return []
    return [Diagnostic(
        f"the map `{source.display}` leaves out {len(missing)} model(s): {', '.join(missing)}",
        Location(source, 0, 0),
        code="E502",
        hint="map every model and view (enums and types follow the models that use them)",
    )]


def _read_map(path: Path) -> tuple[Source, dict[object, object]]:
    from .sources import read_text

    display = path.as_posix()
    text = read_text(path, display, None)
    source = Source(display, text, str(path))
    try:
        if path.suffix.lower() == ".toml":
            import tomllib

            data = tomllib.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # tomllib.TOMLDecodeError, yaml.YAMLError
        raise error(f"cannot read the map `{display}`: {exc}", Location(source, 0, 0), code="E502") from None
    if not isinstance(data, dict):
        raise error(
            f"the map `{display}` must map model names to fragment names",
            Location(source, 0, 0),
            code="E502",
            hint='e.g. `User = "user"`, or `user = ["User", "Account"]`',
        )
    return source, data


def _map_pairs(data: dict[object, object]) -> list[tuple[str, object]]:
    """(model, fragment) of each entry, in the file's order."""
    pairs: list[tuple[str, object]] = []
    for key, value in data.items():
        if isinstance(value, list):
            pairs.extend((str(model), key) for model in value)
        else:
            pairs.append((str(key), value))
    return pairs


def _check_entry(
    model: str, fragment: object, declared: set[str], mapping: dict[str, str]
) -> tuple[str | None, str | None, bool]:
    """What is wrong with mapping `model` to `fragment` (message and hint, or None), and whether the
    entry is kept (a model mapped twice: the last one, reported)."""
    if not isinstance(fragment, str) or not NAME_OK.fullmatch(fragment):
        shown = json.dumps(fragment)
        message = f"`{model}` maps to {shown}: expected a fragment name (letters, digits, `_` and `-`)"
        return message, None, False
    if model not in declared:
        message = f"`{model}` is no model, view, enum or type of the schema"
        return message, did_you_mean(model, declared), False
    if mapping.get(model, fragment) != fragment:
        return f"`{model}` is mapped to two fragments: `{mapping[model]}` and `{fragment}`", None, True
    return None, None, True
