"""Defaults on the target: the target's own (`[targets.X.adapt.defaults]`), the default
constraint's name (SQL Server only), and the functions whose meaning is another database's:
`dbgenerated("…")` SQL, `sequence()`, `autoincrement()` where the target forbids it. Those are
refused with the fix; changing them silently would change what the database stores."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..diagnostics import ComposeError, Diagnostic, Source
from ..providers import SCALARS
from ..psl import parse
from .storage import stored_default

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..psl import Declaration, Member
    from ..psl.ast import Attribute, Expr
    from ..sources import Fragment
    from .rewriter import Rewriter

_KEY_ATTRIBUTES = ("id", "unique", "index", "fulltext")
# The type each default function gives (what Prisma accepts it on), and literal kinds.
_DEFAULT_FUNCTIONS = {
    "autoincrement": ("Int", "BigInt"),
    "uuid": ("String",),
    "cuid": ("String",),
    "nanoid": ("String",),
    "ulid": ("String",),
    "now": ("DateTime",),
}
_DEFAULT_LITERALS = {
    "number": ("Int", "BigInt", "Float", "Decimal"),
    "string": ("String", "Json", "Bytes", "DateTime", "Decimal"),
}


def default(
    rw: Rewriter, where: str, m: Member, attr: Attribute, *, from_enum: bool, from_list: bool
) -> None:
    value = attr.arg("value", 0)
    if value is None:
        return
    if not rw.dst.default_names:
        default_name(rw, where, attr)
    override = rw.defaults.pop(where.strip("`"), None)
    if override is not None:
        _override(rw, where, m, attr, value, override, from_enum=from_enum, from_list=from_list)
        return
    rule = _FUNCTION_RULES.get(value.value) if value.kind == "call" else None
    if rule is not None and rule(rw, where, m, value):
        return
    stored_default(rw, m, value, from_enum=from_enum, from_list=from_list)


def of_a_refused_field(rw: Rewriter, where: str, m: Member) -> None:
    """The default of a field refused for its type: a function refused on any type
    (`dbgenerated(…)`, `sequence()`) is refused with it; the rest waits for the field's type on
    the target. The target's own default is judged then too (here it is no unused key)."""
    attr = m.attribute("default")
    value = attr.arg("value", 0) if attr is not None else None
    if value is None or rw.defaults.pop(where.strip("`"), None) is not None or value.kind != "call":
        return
    if value.value in ("dbgenerated", "sequence"):
        _FUNCTION_RULES[value.value](rw, where, m, value)


def _override(
    rw: Rewriter, where: str, m: Member, attr: Attribute, value: Expr, override: str, *, from_enum: bool,
    from_list: bool,
) -> None:
    problem = _default_problem(override, m.type_name, from_enum, from_list)
    if problem is None and _is_autoincrement(override):
        refused = _autoincrement_taken(rw, where, m)  # where the target takes it, as in a fragment
        if refused is not None:
            problem = f"and {where} would then use `autoincrement()`{refused[0]}"
    if problem is not None:
        rw.errors.append(_override_refused(rw, where, override, problem))
        return
    rw.edits.append((value.start, value.end, override))
    rw.note(
        "defaults set by the target",
        f"{where}: `{rw.text[attr.start : attr.end]}` becomes `@default({override})` "
        f"(`targets.{rw.target.name}.adapt.defaults`)",
        attr.start,
        attr.end,
    )


def _override_refused(rw: Rewriter, where: str, override: str, problem: str) -> Diagnostic:
    return Diagnostic(
        f"`targets.{rw.target.name}.adapt.defaults` gives {where} the default `{override}`, {problem}",
        rw.target.key_location("adapt", "defaults", where.strip("`")),
        code="E404",
        hint='write one PSL default expression that fits the field, e.g. "uuid()", '
        '"now()", "0" or "\\"text\\""',
    )


# The default the hint of a refused `dbgenerated(…)` offers, by the field's type: one that
# `[targets.X.adapt.defaults]` takes on that type on every provider (`_default_problem`).
_PORTABLE_DEFAULTS = {
    "String": "uuid()",
    "DateTime": "now()",
    "Int": "0",
    "BigInt": "0",
    "Float": "0",
    "Decimal": "0",
    "Boolean": "false",
}


def _dbgenerated(rw: Rewriter, where: str, m: Member, value: Expr) -> bool:
    if not value.args:
        return False
    example = (None if m.is_list else _PORTABLE_DEFAULTS.get(m.type_name)) or "…"
    rw.refuse(
        f"{where} has a default computed by SQL of another database (`{rw.text[value.start : value.end]}`)",
        value.start,
        value.end,
        "use a portable default (`uuid()`, `cuid()`, `now()`, `autoincrement()`) in the "
        f'fragment, or set one for this target: `[targets.{rw.target.name}.adapt.defaults]` '
        f'`"{where.strip("`")}" = "{example}"`',
    )
    return True


def _sequence(rw: Rewriter, where: str, m: Member, value: Expr) -> bool:
    if rw.dst.name == "cockroachdb":
        return False
    # the target's own default to suggest: `autoincrement()` where it takes it on this field
    example = "autoincrement()" if _autoincrement_problem(rw, where, m) is None else "0"
    rw.refuse(
        f"{where} uses `sequence()`, which only CockroachDB has",
        value.start,
        value.end,
        "use `autoincrement()` where the target takes it (docs/providers.md), or set a default "
        f'for this target: `[targets.{rw.target.name}.adapt.defaults]` `"{where.strip("`")}" = '
        f'"{example}"`',
    )
    return True


def _autoincrement(rw: Rewriter, where: str, m: Member, value: Expr) -> bool:
    problem = _autoincrement_taken(rw, where, m)
    if problem is not None:
        rw.refuse(f"{where} uses `autoincrement()`{problem[0]}", value.start, value.end, problem[1])
    return True


def _autoincrement_taken(rw: Rewriter, where: str, m: Member) -> tuple[str, str] | None:
    """`_autoincrement_problem`, and the field counted as the block's when the target takes it."""
    problem = _autoincrement_problem(rw, where, m)
    if problem is None:
        rw.autoincrement_field = where.strip("`")
        if m.attribute("id") is None:  # see `one_per_merged_model`
            rw.autoincrement_models.add(rw.autoincrement_field.partition(".")[0])
    return problem


def _autoincrement_problem(rw: Rewriter, where: str, m: Member) -> tuple[str, str] | None:
    """Why the target refuses `autoincrement()` on field `m` (the message after "uses
    `autoincrement()`", and the fix), or None."""
    dst = rw.dst
    if dst.name == "cockroachdb" and m.type_name != "BigInt":
        return (
            f" on `{m.type_name}`, which CockroachDB allows only on `BigInt`",
            "make the field `BigInt`, or use `sequence()`",
        )
    allowed = dst.autoincrement_on
    has = {a.name for a in m.attributes}

    def keyed(keys: tuple[set[str], str | None]) -> bool:
        leading, sole_id = keys
        return m.name == sole_id or (allowed == "id_or_unique" and m.name in leading)

    ok = (
        allowed == "any"
        or "id" in has
        or (allowed == "id_or_unique" and "unique" in has)
        or keyed(rw.autoincrement_keys)
        or keyed(_merged_keys(rw, where.strip("`").partition(".")[0]))  # a key in another block
    )
    if not ok:
        place = (
            "an `@id` field"
            if allowed == "id"
            else "a key (`@id`, `@unique`, or the first field of an `@@id`, `@@unique` or index)"
        )
        return f", which {dst.name} allows only on {place}", "make the field the id, or use another default"
    first = rw.autoincrement_field
    if first is not None and not dst.autoincrement_multiple:
        return _second(rw, where, first)
    return None


def _second(rw: Rewriter, where: str, first: str) -> tuple[str, str]:
    """`_autoincrement_problem` of a second `autoincrement()` in a model, `first` the model's."""
    return (
        f" as `{first}` does, and {rw.dst.name} allows one per model",
        f"keep `autoincrement()` on `{first}` alone, and give {where} another default",
    )


def one_per_merged_model(rw: Rewriter, selected: list[Fragment]) -> None:
    """A second `autoincrement()` that an `/// @extend` block adds to a model: the rules judge
    each block alone, the target takes one per model as merged (its block, then its `@extend`
    blocks in fragment order), so a later block's is refused as a second one in a block is.
    Two blocks with one each but neither off an `@id` field would make two ids (which Prisma
    refuses as such): one of them is off it, so its block was read by the rules, which noted its
    model (`rw.autoincrement_models`). Only those models' blocks that hold an `autoincrement(`
    (or the target's own) are read again, and none at all in the usual project."""
    if rw.dst.autoincrement_multiple or not rw.autoincrement_models:
        return
    given = dict(rw.policy.defaults)
    overridden = {key.partition(".")[0] for key, to in given.items() if _is_autoincrement(to)}
    blocks: dict[str, list[Declaration]] = {}
    for decl in _with_autoincrement(selected, overridden, rw.autoincrement_models):
        blocks.setdefault(decl.name, []).append(decl)
    for found in blocks.values():
        found.sort(key=lambda d: d.is_extend)  # stable: as merged
        if len(found) > 1 and found[1].is_extend:  # one block of the model (a second is E202)
            _one_per_model(rw, found, given)


def _with_autoincrement(
    selected: list[Fragment], overridden: set[str], names: set[str]
) -> Iterator[Declaration]:
    """The models and views of `names` whose text holds an `autoincrement(` (or of `overridden`:
    the target's defaults give one an `autoincrement()`), in fragment order."""
    for frag in selected:
        text = frag.schema.source.text
        if "autoincrement(" not in text and not overridden:
            continue
        for decl in frag.schema.declarations:
            if (
                decl.name in names
                and decl.keyword in ("model", "view")
                and (decl.name in overridden or text.find("autoincrement(", decl.start, decl.end) != -1)
            ):
                yield decl


def _one_per_model(rw: Rewriter, blocks: list[Declaration], given: dict[str, str]) -> None:
    first: str | None = None  # the model's field with its `autoincrement()`
    seen: set[str] = set()  # the fields of the blocks before (an `@extend` may repeat one as it is)
    for decl in blocks:
        rw.source = decl.source  # where `refuse` locates the error
        rw.autoincrement_keys = leading_key_fields(decl)
        names = [m.name for m in decl.members if m.kind == "field"]
        for m in decl.members:
            if m.kind != "field":
                continue
            where = f"`{decl.name}.{m.name}`"
            override = given.get(where.strip("`"))
            attr = m.attribute("default")
            value = attr.arg("value", 0) if attr is not None else None
            written = value is not None and value.kind == "call" and value.value == "autoincrement"
            if not (_is_autoincrement(override) if override is not None else written):
                continue
            rw.autoincrement_field = None
            if _autoincrement_problem(rw, where, m) is not None:  # refused where it stands
                continue
            # the block's own: its others were judged against it
            if first is None:
                first = where.strip("`")
            elif m.name in seen:  # the field of a block before, written again as it was
                pass
            elif override is not None:
                problem = f"and {where} would then use `autoincrement()`{_second(rw, where, first)[0]}"
                rw.errors.append(_override_refused(rw, where, override, problem))
            elif value is not None:
                message, hint = _second(rw, where, first)
                rw.refuse(f"{where} uses `autoincrement()`{message}", value.start, value.end, hint)
            break
        seen.update(names)


def _is_autoincrement(expression: str) -> bool:
    return expression.partition("(")[0].strip() == "autoincrement"


_FUNCTION_RULES: dict[str, Callable[[Rewriter, str, Member, Expr], bool]] = {
    "dbgenerated": _dbgenerated,
    "sequence": _sequence,
    "autoincrement": _autoincrement,
}


def default_name(rw: Rewriter, where: str, attr: Attribute) -> None:
    """`@default(0, map: "DF_x")` names SQL Server's default constraint; elsewhere Prisma
    refuses the name. Only the argument is cut, so an edit of the value still applies."""
    args = attr.args or []
    for i, arg in enumerate(args):
        if arg.name != "map":
            continue
        if i > 0:
            start, end = args[i - 1].end, arg.end
        elif len(args) > 1:
            start, end = arg.start, args[1].start
        else:
            start, end = arg.start, arg.end
        rw.edits.append((start, end, ""))
        rw.note(
            "default names dropped",
            f"{where}: `{rw.text[arg.start : arg.end]}` dropped from `@default`: {rw.dst.name} "
            "does not name default constraints",
            arg.start,
            arg.end,
        )


def _default_problem(expression: str, type_name: str, from_enum: bool, from_list: bool) -> str | None:
    """Why `@default(<expression>)` from the manifest cannot stand on a field of `type_name` (as
    the field is in the target), or None. It is the user's text spliced into a fragment: it must
    be one PSL expression, or it would change (or break) the line around it."""
    if "\n" in expression or "\r" in expression:
        return "which is not one PSL expression on one line"
    probe = f"model X {{\n  f X @default({expression})\n}}\n"
    try:
        member = parse(Source("default", probe, None)).declarations[0].members[0]
    except ComposeError:
        return "which is no PSL expression"
    value = member.attribute("default").arg("value", 0) if len(member.attributes) == 1 else None
    if value is None or probe[value.start : value.end] != expression or len(member.attributes[0].args) != 1:
        return "which is not one PSL expression"
    field_type = "Json" if from_list else "String" if from_enum else type_name
    if value.kind == "call" and value.value in _DEFAULT_FUNCTIONS:
        allowed = _DEFAULT_FUNCTIONS[value.value]
        if field_type not in allowed:
            return f"and `{value.value}()` gives no `{field_type}` (it is for `{'`, `'.join(allowed)}`)"
    elif (
        value.kind in _DEFAULT_LITERALS
        and field_type in SCALARS
        and field_type not in _DEFAULT_LITERALS[value.kind]
    ):
        return f"and a {value.kind} is no default of a `{field_type}`"
    elif value.kind == "path" and field_type in SCALARS:  # `true`, `false`, or an enum's value
        if value.value in ("true", "false"):
            return None if field_type == "Boolean" else f"and a boolean is no default of a `{field_type}`"
        stored = " (the enum is stored as a `String` here: write its value as a string)" if from_enum else ""
        return f"and `{value.value}` is no default of a `{field_type}`{stored}"
    return None


def _merged_keys(rw: Rewriter, model: str) -> tuple[set[str], str | None]:
    """`leading_key_fields` of the model as merged: of its blocks in every fragment of the target
    (its `/// @extend` blocks may key a field of another). Asked only where the block's own keys
    leave an `autoincrement()` off the key, once per model."""
    keys = rw.merged_keys.get(model)
    if keys is None:
        leading: set[str] = set()
        sole_id = None
        for frag in rw.selected:
            if model not in frag.schema.source.text:
                continue
            for decl in frag.schema.declarations:
                if decl.name == model and decl.keyword in ("model", "view"):
                    more, one = leading_key_fields(decl)
                    leading |= more
                    sole_id = sole_id or one
        keys = rw.merged_keys[model] = (leading, sole_id)
    return keys


def leading_key_fields(decl: Declaration) -> tuple[set[str], str | None]:
    """The first field of each `@@id`/`@@unique`/`@@index`/`@@fulltext` (MySQL takes
    `autoincrement()` there), and the field of a one-field `@@id` (SQLite takes it there)."""
    leading: set[str] = set()
    sole_id = None
    for m in decl.members:
        if m.kind == "block_attribute" and m.name in _KEY_ATTRIBUTES:
            fields = m.attributes[0].arg("fields", 0)
            names = fields.names() if fields is not None else []
            if names:
                leading.add(names[0])
            if m.name == "id" and len(names) == 1:
                sole_id = names[0]
    return leading, sole_id
