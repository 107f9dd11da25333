"""What a YAML value becomes in PSL: a field's `default` (functions, literals that must fit the
field's type, JSON), and the Prisma text an entity gives verbatim (`prisma.type`, attributes),
checked by the project's PSL parser and spaced as `prisma format` spaces it.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Callable
from typing import Any

import yaml

from ..diagnostics import ComposeError, Diagnostic, Source, article
from ..psl import parse as parse_psl
from ..psl.render import number_literal, render_call, render_expr, string_literal
from .yamlnodes import MERGE, PLAIN, fail, flatten, is_null, node_location, scalar_text, scalar_value

DEFAULT_FUNCTIONS: dict[str, str] = {
    "cuid()": "string",
    "uuid()": "string",
    "now()": "datetime",
    "autoincrement()": "integer",
}
# Unquoted defaults that the format's other generators read as "no default": Python's `None`, and
# the default factories of a json or list field (`dict`, `list`: an empty value, which Prisma
# needs no `@default` for).
NO_DEFAULT = frozenset(("none", "None", "NONE"))
FACTORY_DEFAULTS: dict[str, tuple[str, ...]] = {"dict": ("json",), "list": ("json", "list")}

# RFC 3339, what Prisma accepts as a DateTime default.
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))\Z"
)
_EXPONENT = re.compile(r"[-+]?[0-9]+(?:\.[0-9]*)?[eE][-+]?[0-9]+\Z")
_CALL = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\(.*\)\Z", re.S)


def default_expr(
    source: Source, node: yaml.Node, base: str, is_list: bool, warnings: list[Diagnostic]
) -> str | None:
    """The PSL expression of a `default`; None for no default (`null`, `none`, `dict`, `list`)."""
    type_name = f"list[{base}]" if is_list else base
    if isinstance(node, yaml.ScalarNode):
        read, expr = _scalar_default(source, node, base, is_list, type_name, warnings)
        if read:
            return expr
    if is_list:
        if not isinstance(node, yaml.SequenceNode):
            raise fail(f"the default of {article(type_name)} field must be a list", source, node, "E408")
        return "[" + ", ".join(_literal(source, item, base) for item in node.value) + "]"
    return _literal(source, node, base)


def _scalar_default(
    source: Source, node: yaml.Node, base: str, is_list: bool, type_name: str, warnings: list[Diagnostic]
) -> tuple[bool, str | None]:
    """(True, the expression) for "no default", a factory or a function call; (False, None) for a
    value, which is a literal."""
    plain = node.tag == PLAIN
    if is_null(node) or (plain and node.value in NO_DEFAULT):
        return True, None
    if plain and node.value in FACTORY_DEFAULTS:
        _check_factory(source, node, "list" if is_list else base, type_name)
        return True, None
    call = node.value.strip()
    if not _CALL.match(call):
        return False, None
    return True, _function_default(source, node, call, base if not is_list else None, type_name, warnings)


def _function_default(
    source: Source, node: yaml.Node, call: str, base: str | None, type_name: str, warnings: list[Diagnostic]
) -> str:
    """A function call as the default of a `base` field (None: a list field, which takes none)."""
    wanted = DEFAULT_FUNCTIONS.get(call)
    if wanted is None:
        return _unknown_function(source, node, call, warnings)
    if wanted != base:
        message = f"`{call}` is a default for {wanted} fields, not for {type_name} fields"
        raise fail(message, source, node, "E408")
    return call


def _check_factory(source: Source, node: yaml.Node, field_kind: str, type_name: str) -> None:
    """`dict` or `list`: no default for the kinds of field they make empty, an error for others."""
    factory = FACTORY_DEFAULTS[node.value]
    if field_kind not in factory:
        fits = " or ".join(f"{kind} fields" for kind in factory)
        raise fail(
            f"`{node.value}` is the default of {fits}, not of {type_name} fields", source, node, "E408",
            hint="`dict` and `list` are Python's factories of an empty mapping and an empty list",
        )


def _unknown_function(source: Source, node: yaml.Node, call: str, warnings: list[Diagnostic]) -> str:
    # Prisma knows more functions than these (`nanoid()`, `dbgenerated("…")`, `uuid(7)`, and new
    # ones come): it judges the call, which `compose validate` shows at this line.
    expr = _default_call(source, node, call)
    warnings.append(Diagnostic(
        f"compose does not know the default function `{call}`: it is written as "
        f"`@default({expr})`, for Prisma to check",
        node_location(source, node), severity="warning", code="W401",
        hint="`compose validate` runs Prisma's check; to say it is meant, write the attribute "
        "in the field's `prisma.attributes` instead",
    ))
    return expr


def _default_call(source: Source, node: yaml.Node, call: str) -> str:
    """A function call as one `@default` argument, spaced as `prisma format` spaces it."""
    probe = f"model M {{\n  f Int @default({call})\n}}\n"
    start = probe.index(call)
    expr = _one_argument(probe) if "\n" not in call else None
    # The whole text, and nothing but one call: `f() @unique @default(g())` would smuggle attributes in.
    if expr is None or expr.kind != "call" or (expr.start, expr.end) != (start, start + len(call)):
        raise fail(f"the default `{call}` is not one function call Prisma can read", source, node, "E408",
                   hint="write the attribute in `prisma.attributes`")
    try:
        return render_expr(probe, expr)
    except ValueError as exc:
        raise fail(f"the default `{call}`: {exc}", source, node, "E408") from None


def _one_argument(probe: str) -> Any:
    """The one unnamed argument of the probe's one attribute, or None."""
    try:
        attrs = _psl_probe(probe).members[0].attributes
    except ComposeError:
        return None
    args = attrs[0].args if len(attrs) == 1 else None
    return args[0].value if args and len(args) == 1 and args[0].name is None else None


def _literal(source: Source, node: yaml.Node, base: str) -> str:
    """The PSL literal of a YAML value for a field of type `base`; a value that does not fit is an error."""
    if base == "json":
        return _json_literal(source, node)
    value = scalar_value(source, node, "`default`")
    if base == "float" and isinstance(value, str) and node.tag == PLAIN and _EXPONENT.match(value):
        value = float(value)  # `1e-7`: YAML 1.1 wants a dot to make it a number; YAML 1.2 and people do not
    if base == "float" and isinstance(value, float) and not math.isfinite(value):
        raise fail("a float default must be a finite number", source, node, "E408")
    written = _LITERALS[base](value)
    if written is not None:
        return written
    hint = {
        "string": "quote it to make it a string",
        "datetime": "write an RFC 3339 date-time such as 2024-01-31T12:00:00Z, or now()",
    }.get(base)
    message = f"the default `{node.value}` does not fit {article(base)} field"
    raise fail(message, source, node, "E408", hint=hint)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# Each entity type's literal of a YAML value, or None when the value does not fit the type.
_LITERALS: dict[str, Callable[[Any], str | None]] = {
    "boolean": lambda v: ("true" if v else "false") if isinstance(v, bool) else None,
    "string": lambda v: string_literal(v) if isinstance(v, str) else None,
    "integer": lambda v: str(v) if isinstance(v, int) and not isinstance(v, bool) else None,
    "float": lambda v: number_literal(v) if _number(v) else None,
    "datetime": lambda v: string_literal(v) if isinstance(v, str) and _is_rfc3339(v) else None,
}


def _is_rfc3339(text: str) -> bool:
    m = _DATETIME.match(text)
    if m is None:
        return False
    year, month, day, hour, minute, second, off_hour, off_minute = (int(g or 0) for g in m.groups())
    try:
        datetime.datetime(year, month, day, hour, minute, min(second, 59))  # :60 is a leap second
    except ValueError:
        return False
    return second <= 60 and off_hour <= 23 and off_minute <= 59


def _json_literal(source: Source, node: yaml.Node) -> str:
    """A YAML value, or a YAML string holding JSON text, as the PSL string Prisma wants for Json."""
    try:
        value = _plain(source, node)
        if isinstance(value, str):
            json.loads(value)
            return string_literal(value)
        return string_literal(json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
    except (ValueError, RecursionError):
        raise fail(
            "the default of a json field must be a YAML value or a string holding JSON text",
            source,
            node,
            "E408",
            hint="write the value (`default: {}`), or quote JSON text (`default: '\"text\"'`)",
        ) from None


def _plain(source: Source, node: yaml.Node) -> Any:
    """A whole YAML value as plain Python data."""
    if isinstance(node, yaml.SequenceNode):
        return [_plain(source, item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        if any(key.tag == MERGE for key, _ in node.value):
            flatten(source, node, "a mapping")
        return {str(_plain(source, k)): _plain(source, v) for k, v in node.value}
    return scalar_value(source, node, "`default`")


def _psl_probe(text: str) -> Any:
    """The model declaration of `text`, parsed by the project's PSL parser."""
    return parse_psl(Source("<prisma>", text)).declarations[0]


def prisma_type(source: Source, node: yaml.Node) -> str:
    text = (scalar_text(source, node, "`prisma.type`") or "").strip()
    bad = fail(
        f"`prisma.type` must be one Prisma type, such as `String`, `Int?`, `String[]` or "
        f"`Unsupported(\"…\")`, not `{text}`", source, node, "E409",
        hint="attributes go in `prisma.attributes`",
    )
    if not text or "\n" in text:
        raise bad
    try:
        member = _psl_probe(f"model M {{\n  f {text}\n}}\n").members[0]
    except ComposeError:
        raise bad from None
    if member.attributes or member.type_end - member.type_start != len(text):
        raise bad
    return text


def field_attributes(source: Source, node: yaml.Node) -> list[str]:
    """The field attributes in one `prisma.attributes` item (it may hold several), canonically spaced."""
    text = _attribute_text(source, node, "a field attribute (`@…`)", block=False)
    probe = f"model M {{\n  f Int {text}\n}}\n"
    attrs = _probe_attributes(source, node, text, probe).members[0].attributes
    if not attrs or attrs[-1].end != probe.index(text) + len(text):
        raise fail(f"invalid attribute `{text}`", source, node, "E409")
    return ["@" + _render_attribute(source, node, probe, a) for a in attrs]


def block_attribute(source: Source, node: yaml.Node) -> str:
    text = _attribute_text(source, node, "a block attribute (`@@…`)", block=True)
    probe = f"model M {{\n  f Int\n  {text}\n}}\n"
    members = _probe_attributes(source, node, text, probe).members
    if len(members) != 2:
        raise fail(f"invalid attribute `{text}`", source, node, "E409")
    return "@@" + _render_attribute(source, node, probe, members[1].attributes[0])


def _attribute_text(source: Source, node: yaml.Node, what: str, block: bool) -> str:
    text = (scalar_text(source, node, "an attribute") or "").strip()
    if not text.startswith("@") or text.startswith("@@") != block or "\n" in text:
        raise fail(f"`{text}` is not {what}", source, node, "E409")
    return text


def _probe_attributes(source: Source, node: yaml.Node, text: str, probe: str) -> Any:
    try:
        return _psl_probe(probe)
    except ComposeError as exc:
        message = exc.diagnostics[0].message
        raise fail(f"invalid attribute `{text}`: {message}", source, node, "E409") from None


def _render_attribute(source: Source, node: yaml.Node, probe: str, attr: Any) -> str:
    try:
        return render_call(probe, attr.name, attr.args)
    except ValueError as exc:
        raise fail(f"invalid attribute `@{attr.name}`: {exc}", source, node, "E409") from None



