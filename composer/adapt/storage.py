"""Scalar lists, enums and `Json` where the target has none: an error at the field, or the
target's choice (`[targets.X.adapt]`: `lists = "json"`, `enums = "string"`, `json = "string"`),
which changes the field's type and its default (`["a"]` becomes the JSON text `"[\\"a\\"]"`, an
enum value its name as a string)."""

from __future__ import annotations

import json
import re

from ..providers import SCALARS
from ..psl.render import string_literal

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..psl import Declaration, Member
    from ..psl.ast import Expr
    from .rewriter import Rewriter

# the manifest key that stores what the target lacks, and what it does (the hint of a refusal)
_ENUM_CHOICE = ('enums = "string"', "store enum values as strings")
_LIST_CHOICE = ('lists = "json"', "store lists as `Json`")
_JSON_CHOICE = ('json = "string"', "store JSON as text in a `String`")
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def enum_block(rw: Rewriter, decl: Declaration) -> None:
    """An enum on a target without enums: left out (its fields become `String`), or refused (even
    unused, Prisma refuses the block there)."""
    if rw.policy.enums == "string":
        _leave_out_keeping_comments(rw, decl)
        rw.note(
            "enums left out",
            f"enum `{decl.name}` left out: {rw.dst.name} has no enums, its fields are `String`",
            decl.name_start,
            decl.name_end,
            count=not decl.is_extend,  # an `/// @extend` block is of an enum counted at its own
        )
        return
    rw.refuse(
        f"enum `{decl.name}`: {rw.dst.name} has no enums",
        decl.name_start,
        decl.name_end,
        f'set `enums = "string"` under `[targets.{rw.target.name}.adapt]` to store '
        "enum values as strings (the enum is then left out)",
    )


def _leave_out_keeping_comments(rw: Rewriter, decl: Declaration) -> None:
    """The enum's lines left out but for the user's comments: those above it and between its
    values stay as they are, one after a value, an attribute, `{` or `}` stays on that line, alone
    (each line still maps to the fragment line it came from). Where a comment stays, the `}` line
    stays as a blank line, so no `///` among them documents the next declaration."""
    text = rw.text
    header = text.rfind("\n", 0, decl.keyword_start) + 1
    kept = False  # a comment line stays
    pos = decl.start
    while pos < header:  # the comment lines above the block, but an `/// @extend` marker
        nxt = text.find("\n", pos, header) + 1 or header
        line = text[pos:nxt].strip()
        if line.startswith("///") and line[3:].strip() == "@extend":
            rw.dropped.append((pos, nxt))
        else:
            kept = kept or bool(line)
        pos = nxt
    # (start, end) of the code on a line to leave out (a comment after it stays, indented as it was)
    lines: list[tuple[int, int]] = []
    lines.append((header, text.index("{", decl.name_end) + 1))
    for m in decl.members:
        kept = kept or m.line_start > m.start
        lines.append((m.name_start, max([m.name_end, *(a.end for a in m.attributes)])))
    close = text.rfind("\n", 0, decl.close_start) + 1
    between = text[max([decl.body_start, *(m.end for m in decl.members)]) : decl.close_start]
    kept = kept or bool(between.strip())
    close_code = decl.close_start + 1
    for start, code_end in lines:
        eol = text.find("\n", code_end)
        rest = text[code_end : len(text) if eol == -1 else eol]
        if rest.strip().startswith(("//", "/*")):
            rw.edits.append((start, code_end + len(rest) - len(rest.lstrip()), ""))
            kept = True
        else:
            rw.dropped.append((text.rfind("\n", 0, start) + 1, len(text) if eol == -1 else eol + 1))
    eol = text.find("\n", close_code)
    rest = text[close_code : len(text) if eol == -1 else eol]
    if rest.strip().startswith(("//", "/*")):
        rw.edits.append((close, close_code + len(rest) - len(rest.lstrip()), ""))
    elif kept:
        rw.edits.append((close, close_code + len(rest), ""))  # a blank line after the comments
    else:
        rw.dropped.append((close, decl.end))


def stored_type(rw: Rewriter, decl: Declaration, m: Member, where: str) -> tuple[str, bool, bool] | None:
    """The field's type on the target, and whether it came from an enum or a list; None: the
    field is refused. A changed type is an edit of the field's type cell. A refused enum is
    judged on as the `String` its choice makes it (the lists rule takes it as it takes the enum),
    so that a `Role[]` is refused for both at once; after a refused list, what the field is
    stored as depends on the choice, so nothing more is said."""
    dst, policy = rw.dst, rw.policy
    type_name, is_list = m.type_name, m.is_list
    from_enum = type_name in rw.enums and not dst.enums
    refused = False
    if from_enum:
        message = f"{where} is an enum, and {dst.name} has no enums"
        refused = _refused(rw, m, policy.enums != "string", message, *_ENUM_CHOICE)
        type_name = "String"
    from_list = is_list and _list_lacking(rw, type_name)
    if from_list:
        what = "scalar lists" if not dst.lists else "lists of `Json`"
        message = f"{where} is a list, and {dst.name} has no {what}"
        if _refused(rw, m, policy.lists != "json", message, *_LIST_CHOICE):
            return None
        type_name, is_list = "Json", False
    from_json = type_name == "Json" and not dst.json
    if from_json:
        message = f"{where} is `Json`, and {dst.name} has no `Json` type"
        if _refused(rw, m, policy.json != "string", message, *_JSON_CHOICE):
            return None
        type_name = "String"
    if refused:
        return None
    if from_enum or from_list or from_json:
        mark = "[]" if is_list else "?" if m.optional and not from_list else ""
        _retype(rw, decl, m, where, type_name + mark, _CHANGE[from_list, from_enum])
    return type_name, from_enum, from_list


# (from a list, from an enum) -> the count of the build's summary line
_CHANGE = {
    (True, True): "lists stored as Json",
    (True, False): "lists stored as Json",
    (False, True): "enum fields stored as String",
    (False, False): "Json stored as String",
}


def _list_lacking(rw: Rewriter, type_name: str) -> bool:
    """Is a list of `type_name` (a scalar or an enum) one the target cannot hold?"""
    dst = rw.dst
    if type_name not in SCALARS and type_name not in rw.enums:
        return False  # a relation list
    return not dst.lists or (type_name == "Json" and not dst.json_lists)


def _refused(rw: Rewriter, m: Member, refuse: bool, message: str, choice: str, does: str) -> bool:
    if refuse:
        hint = f"set `{choice}` under `[targets.{rw.target.name}.adapt]` to {does}"
        rw.refuse(message, m.type_start, m.type_end, hint)
    return refuse


def _retype(rw: Rewriter, decl: Declaration, m: Member, where: str, new: str, what: str) -> None:
    rw.edits.append((m.type_start, m.type_end, new))
    rw.relayout(decl)  # the type column changed width
    original = rw.text[m.type_start : m.type_end]
    rw.note(what, f"{where}: `{original}` becomes `{new}`", m.type_start, m.type_end)


def stored_default(rw: Rewriter, m: Member, value: Expr, *, from_enum: bool, from_list: bool) -> None:
    """The default of a field stored as `Json` (a list) or `String` (an enum value)."""
    if from_list and value.kind == "array":
        literal = json_literal(value, rw.text, items_are_json=m.type_name == "Json")
        rw.edits.append((value.start, value.end, literal))
    elif from_enum and value.kind == "path":
        rw.edits.append((value.start, value.end, string_literal(value.value)))


def json_literal(value: Expr, text: str, *, items_are_json: bool = False) -> str:
    """A PSL list default (`["a", 1, true, ENUM]`) as the string literal of the JSON array. The
    items of a `Json[]` default are JSON texts (`["{}"]`): the array holds their values (`[{}]`).
    Numbers keep their digits as written (a `Decimal` or `BigInt` is no float)."""
    items: list[str] = []  # each item as JSON text
    for item in value.items:
        if item.kind == "string" and items_are_json:
            try:
                items.append(json.dumps(json.loads(item.value), separators=(",", ":")))
            except ValueError:  # not JSON: Prisma would refuse it on PostgreSQL; kept as text
                items.append(json.dumps(item.value))
        elif item.kind == "string":
            items.append(json.dumps(item.value))
        elif (item.kind == "number" and _JSON_NUMBER.fullmatch(item.value)) or (
            item.kind == "path" and item.value in ("true", "false")
        ):
            items.append(item.value)
        else:
            items.append(json.dumps(text[item.start : item.end]))
    return string_literal("[" + ",".join(items) + "]")
