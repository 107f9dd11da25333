"""Native types (`@db.*`): kept where the target has them (same name, arguments that fit), mapped
where it has a faithful equivalent, dropped otherwise; a mapped type that cannot be indexed is
dropped on a field in a key, and a `Decimal` wider than the target holds is refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Set

from ..providers import DECIMAL_LIMITS, EQUIVALENTS, LENGTH_LIMITS, LONGER
from ..psl import ATTRIBUTE_PATTERN
from ..psl.ast import Attribute
from ..psl.render import string_literal
from .edits import Edit, without
from .layout import relaid_from_text
from .triggers import (
    EMPTY_LIST_DEFAULT,
    FIELD_HEAD,
    MEMBERS,
    NOTHING,
    line_need,
    lists_in,
    text_list,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..psl import Declaration
    from .rewriter import Rewriter

_KEY_ATTRIBUTES = ("id", "unique", "index", "fulltext")
_INT = re.compile(r"[0-9]+")
_KEY_LIST = re.compile(
    r"@@(?:id|unique|index|fulltext)\([ \t]*(?:fields[ \t]*:[ \t]*)?\[([^\]]*)\]"
    r"|@relation\([^)\n]*\bfields[ \t]*:[ \t]*\[([^\]]*)\]"
)
_RELATION_FIELDS = re.compile(r"\bfields[ \t]*:[ \t]*\[([^\]]*)\]")


# What `from_text` makes of one field line, the same for every line of the same text in a
# target (`Rewriter.lines`): its edits and notes (field name, message after the field's
# `Model.field`, what is counted), offsets from the line's start, and whether its type changed.
# Most lines repeat (`title String @db.VarChar(200)` in model after model): each is read once.
LineNote = tuple[str, str, str, int, int]  # (what, field, message after `Model.field`, start, end)
LineEdits = tuple[tuple[Edit, ...], tuple[LineNote, ...], bool]


def mark_fragment(rw: Rewriter, lists: bool) -> None:
    """The lines `from_text` reads in every block of the fragment (`lists`: and its scalar lists),
    found in one walk of its text: each block takes its own (`_block_marks`), in order."""
    rw.marked = _marked_lines(rw.text, 0, len(rw.text), rw.listed if lists else None)
    rw.marked_at, rw.marked_lists = 0, lists


def from_known_lines(rw: Rewriter, lists: bool) -> bool:
    """The edits and notes of every block of the fragment, when each line of its `mark_fragment`
    is one `from_text` read before in this target (`Rewriter.lines`) and none needs the block's
    members (`Rewriter.needs`): made in one walk of those lines, without a call per block; what
    `from_text` of each block in turn gives. False (nothing made): a line is new, or a block is
    not of the kinds `from_text` reads; the blocks are then taken one by one."""
    decls = rw.frag.schema.declarations
    if not all(d.lazy for d in decls) or (not rw.dst.enums and any(d.keyword == "enum" for d in decls)):
        return False  # (`Rewriter.declaration`, `storage.enum_block`)
    marked = rw.marked
    if not marked or not decls:
        return True  # no line any block reads
    texts = [line for _, line in marked]
    known = list(map(rw.lines[lists].get, texts))
    if None in known:
        return False
    if lists:  # each line's need was asked before (`lists_from_text`), and none needs members
        needed = list(map(rw.needs.get, texts))
        if None in needed or MEMBERS in needed:
            return False
    readable = ("model", "view") if not lists else None  # as `Rewriter.run` asks, at either level
    edits, counts = rw.edits, rw.result.counts
    # The notes of the lines read, kept as one entry of the fragment's lines and the block each is
    # in (`report.Notes`, built when read): no tuple per note for a build that only counts them.
    noted: list[int] = []
    models: list[str] = []
    k, count, decl, first_edit, retyped = 0, len(decls), decls[0], 0, False
    for at, ((line_start, _), got) in enumerate(zip(marked, known, strict=True)):
        while k < count and decls[k].close_start <= line_start:
            k += 1
        if k == count:
            break
        if decls[k] is not decl:  # the first line of another block
            if retyped:
                _retyped(rw, decl, first_edit)
            decl, first_edit, retyped = decls[k], len(edits), False
        if line_start < decl.body_start or decl.keyword == "enum":
            continue
        if readable is not None and decl.keyword not in readable:
            continue
        for s, e, new in got[0]:  # as `from_text` makes the lines it read before
            edits.append((line_start + s, line_start + e, new))
        if got[1]:
            for note in got[1]:
                counts[note[0]] += 1
            noted.append(at)
            models.append(decl.name)
        retyped = retyped or got[2]  # type: ignore[index]
    if retyped:
        _retyped(rw, decl, first_edit)
    if noted:
        rw.result.notes.pending().append((rw.source, rw.target, marked, known, noted, models))
    return True


def _retyped(rw: Rewriter, decl: Declaration, first_edit: int) -> None:
    """A field of the block changed type (its edits: `rw.edits[first_edit:]`)."""
    if rw.new_types is not None:
        rw.new_types = None if rw.scalar_named else ("Json",)
    if not relaid_from_text(rw, decl, first_edit):
        rw.relayout(decl)  # the type column changed width: compose lays the block out again


def _block_marks(rw: Rewriter, decl: Declaration, lists: bool) -> list[tuple[int, str]]:
    """The `_marked_lines` of the block's body, from the fragment's (`mark_fragment`) when it has
    them: the blocks ask in order, each from where the one before it left off."""
    marked = rw.marked
    if marked is None or rw.marked_lists != lists:
        return _marked_lines(rw.text, decl.body_start, decl.close_start, rw.listed if lists else None)
    first, count = rw.marked_at, len(marked)
    while first < count and marked[first][0] < decl.body_start:  # a line outside the blocks
        first += 1
    end = first
    while end < count and marked[end][0] < decl.close_start:
        end += 1
    rw.marked_at = end
    return marked[first:end]


def lists_from_text(rw: Rewriter, decl: Declaration) -> bool:
    """`from_text` of a block of a fragment at `triggers.text_level` LISTS, unless a field needs
    the block's members (`triggers.line_need`, as `may_change` would say): then False, and
    nothing is made. Only the lines `from_text` reads are looked at (not every field's summary);
    a block with no list to store as `Json` gives the edits of its native types (the lines that
    hold `[]` give the same as when they are not read)."""
    marked = _block_marks(rw, decl, True)
    if not marked:
        return True
    needs, need = rw.needs, NOTHING
    for _, line in marked:
        found = needs.get(line)
        if found is None:
            found = needs[line] = line_need(rw, line)
        if found > need:
            need = found
    if need == MEMBERS and lists_in(rw, rw.text[decl.start : decl.end]):
        return False
    from_text(rw, decl, lists=True, marked=marked)
    return True


def from_text(
    rw: Rewriter, decl: Declaration, *, lists: bool, marked: list[tuple[int, str]] | None = None
) -> None:
    """The native types and scalar lists of a block the parser's fast path accepted, rewritten
    from its text: each field line is `name type attributes [comment]`, the attributes a run of
    `ATTRIBUTE_PATTERN` matches. Nothing else in the block needs a change (`may_change`), and no
    member is built. `lists`: the block has a scalar list to store as `Json`. `marked`: the
    `_marked_lines` of the block, when read already."""
    text = rw.text
    if marked is None:
        marked = _block_marks(rw, decl, lists)
    if not marked:
        return
    keyed_names: set[str] | None = None

    def keyed(name: str) -> bool:
        nonlocal keyed_names
        if keyed_names is None:
            keyed_names = _keyed_in_text(text[decl.body_start : decl.close_start])
        return name in keyed_names

    first_edit, retyped = len(rw.edits), False
    lines = rw.lines[lists]
    edits, counts = rw.edits, rw.result.counts
    pending, source, target, model = rw.result.notes.pending(), rw.source, rw.target, decl.name
    for line_start, line in marked:
        got = lines.get(line)
        if got is None:
            got = _line_edits(rw, decl, line_start, line_start + len(line), lists, keyed)
            if got is None:  # made, but not the same on every line of this text
                continue
            lines[line] = got
        else:  # made as on the first line of this text
            for s, e, new in got[0]:
                edits.append((line_start + s, line_start + e, new))
            for what, field, message, s, e in got[1]:  # as `rw.note` keeps it, formatted when read
                counts[what] += 1
                pending.append((message, source, line_start + s, line_start + e, target, model, field))
        retyped = retyped or got[2]
    if retyped:
        _retyped(rw, decl, first_edit)


def _line_edits(
    rw: Rewriter, decl: Declaration, line_start: int, eol: int, lists: bool, keyed: Callable[[str], bool]
) -> LineEdits | None:
    """Makes the edits and notes of the field line `text[line_start:eol]`, and returns them for
    the next lines of the same text; None when they depend on more than the line (the field is
    in a key of its block, or it was refused)."""
    text = rw.text
    head = FIELD_HEAD.match(text, line_start, eol)
    if head is None:  # a comment line
        return (), (), False
    name, type_name = head.group(1), head.group(2)
    where = f"`{decl.name}.{name}`"
    first_edit, errors, retyped = len(rw.edits), len(rw.errors), False
    asked: list[bool] = []  # was `keyed` asked (which depends on the block)?

    def keyed_here() -> bool:
        asked.append(True)
        return keyed(name)

    noted = rw.recording = []
    try:
        attrs = _attributes(text, head.end(), eol)
        is_list = lists and text.startswith("[]", head.end() - 2)
        if is_list and text_list(rw, type_name, text[head.end() : eol]):
            _list_as_json(rw, where, head.start(2), head.end(), attrs)
            type_name, retyped = "Json", True
        own_key = any(a.name in ("id", "unique") for a in attrs)
        for attr in attrs:
            if attr.name.startswith("db."):
                native_type(rw, where, attr, type_name, own_key or keyed_here)
    finally:
        rw.recording = None
    if asked or len(rw.errors) != errors or not all(m.startswith(where) for _, m, _, _ in noted):
        return None
    made = tuple((s - line_start, e - line_start, new) for s, e, new in rw.edits[first_edit:])
    notes = tuple((what, name, m[len(where) :], s - line_start, e - line_start) for what, m, s, e in noted)
    return made, notes, retyped


def _marked_lines(text: str, start: int, end: int, listed: Set[str] | None) -> list[tuple[int, str]]:
    """(start, text) of each line between `start` and `end` that holds `@db.` or, with `listed`,
    whose first `[]` follows one of these types (what a field of such a list type reads `name
    type[]`: no rule reads the line of another list), in order."""
    lines: list[tuple[int, str]] = []
    find, rfind = text.find, text.rfind
    db = find("@db.", start, end)
    brackets = find("[]", start, end) if listed is not None else -1
    while db != -1 or brackets != -1:
        at = db if brackets == -1 or (db != -1 and db < brackets) else brackets
        line_start = rfind("\n", 0, at) + 1
        eol = find("\n", at, end)
        if eol == -1:
            eol = end
        if db != -1 and db < eol:
            lines.append((line_start, text[line_start:eol]))
            db = find("@db.", eol, end)
        else:  # the word before the `[]`
            word = max(rfind(" ", line_start, at), rfind("\t", line_start, at), line_start - 1) + 1
            if text[word:at] in listed:  # type: ignore[operator]
                lines.append((line_start, text[line_start:eol]))
        if brackets != -1 and brackets < eol:
            brackets = find("[]", eol, end)
    return lines


def _list_as_json(rw: Rewriter, where: str, type_start: int, type_end: int, attrs: list[Attribute]) -> None:
    """`String[]` becomes `Json` (as `storage.stored_type` does it), `@default([])` `@default("[]")`."""
    text = rw.text
    rw.edits.append((type_start, type_end, "Json"))
    original = text[type_start:type_end]
    rw.note("lists stored as Json", f"{where}: `{original}` becomes `Json`", type_start, type_end)
    for attr in attrs:
        found = EMPTY_LIST_DEFAULT.match(text, attr.start, attr.end) if attr.name == "default" else None
        if found is not None:
            rw.edits.append((found.start(1), found.end(1), string_literal("[]")))


def _attributes(text: str, pos: int, eol: int) -> list[Attribute]:
    """The attributes of a field line from `pos` (after its type), their arguments unread."""
    attrs: list[Attribute] = []
    while True:
        while pos < eol and text[pos] in " \t":
            pos += 1
        found = ATTRIBUTE_PATTERN.match(text, pos, eol)
        if found is None:
            return attrs
        attrs.append(Attribute(found.group(1), None, found.start(), found.end()))
        pos = found.end()


def native_type(
    rw: Rewriter, where: str, attr: Attribute, scalar: str, keyed: bool | Callable[[], bool]
) -> None:
    """`keyed`: is the field in a key (or a function that says, asked only when it matters)."""
    dst, text = rw.dst, rw.text
    name = attr.name[3:]
    args = text[attr.start + len(attr.name) + 1 : attr.end]
    key = (name, args, scalar)
    mapped = rw.equivalents[key] if key in rw.equivalents else rw.equivalents.setdefault(
        key, equivalent(rw, name, args, scalar)
    )
    unindexable = mapped is not None and (
        mapped.partition("(")[0] in dst.unindexable_types or mapped.lower().endswith("(max)")
    )
    if unindexable and (keyed() if callable(keyed) else keyed):
        mapped = None
        reason = (
            f"{dst.name} cannot index `{name}` columns, and the field is in a key, an index "
            "or a foreign key"
        )
    else:
        reason = f"{dst.name} has no such native type for `{scalar}`"
    original = text[attr.start : attr.end]
    if mapped is not None and _too_many_digits(rw, where, attr, mapped, original):
        return
    if mapped is None:
        rw.edits.append(without(text, attr.start, attr.end))
        rw.note("native types dropped", f"{where}: `{original}` dropped: {reason}", attr.start, attr.end)
    elif mapped != name + args:
        rw.edits.append((attr.start, attr.end, f"@db.{mapped}"))
        rw.note("native types mapped", f"{where}: `{original}` becomes `@db.{mapped}`", attr.start, attr.end)


def _too_many_digits(rw: Rewriter, where: str, attr: Attribute, mapped: str, original: str) -> bool:
    """Refuses a `Decimal(p, s)` wider than the target holds (rounding would change the data)."""
    limits = DECIMAL_LIMITS.get(rw.dst.name)
    if limits is None or not mapped.startswith("Decimal("):
        return False
    precision, _, scale = mapped[len("Decimal(") : -1].partition(",")
    if int(precision) <= limits[0] and int(scale or 0) <= limits[1]:
        return False
    rw.refuse(
        f"{where} is `{original}`, more digits than {rw.dst.name} holds "
        f"(`Decimal({limits[0]}, {limits[1]})` at most)",
        attr.start,
        attr.end,
        "give the field a precision the target holds, or leave this fragment out of the target",
    )
    return True


def equivalent(rw: Rewriter, name: str, args: str, scalar: str) -> str | None:
    """`@db.<name><args>` on the target: itself, a faithful equivalent, or None (drop it)."""
    table, provider = rw.dst.native_types, rw.dst.name
    candidates = _candidates(rw, name, args)
    if candidates is None:
        return None
    for base, base_args in candidates:
        if base not in table:
            continue
        limit = LENGTH_LIMITS.get((provider, base))
        if args_fit(table[base], base_args, scalar, limit):
            return base + base_args
        if limit is not None and args_fit(table[base], base_args, scalar):  # longer than it takes
            longer = LONGER[provider][base]
            longer_base = longer.partition("(")[0]
            return longer if args_fit(table[longer_base], longer[len(longer_base) :], scalar) else None
    return None


def _candidates(rw: Rewriter, name: str, args: str) -> list[tuple[str, str]] | None:
    """The (name, arguments) to try on the target, in order; None: nothing holds it there."""
    candidates = [(name, args)]
    written = "".join(args.split()) or "()"
    other = rw.other_types.get(name + ("(Max)" if written.lower() == "(max)" else written))
    if other is None:
        other = rw.other_types.get(name)
    if other == "":
        return None
    if other is not None:  # the same name holds something else there: not a candidate
        base, _, own = other.partition("(")
        candidates = [(base, f"({own}" if own else args), (base, "")]
    mapped = EQUIVALENTS.get(rw.dst.name, {}).get(name)
    if mapped is not None:
        base, _, own = mapped.partition("(")
        candidates += [(base, f"({own}" if own else args), (base, "")]
    return candidates


def args_fit(spec: tuple[str, frozenset[str]], args: str, scalar: str, limit: int | None = None) -> bool:
    """Does `@db.Name<args>` fit the target's definition (arguments and scalar type)?"""
    shape, scalars = spec
    if scalar not in scalars:
        return False
    inner = args[1:-1].strip() if args.startswith("(") else None
    parts = [p.strip() for p in inner.split(",")] if inner else []
    if not parts:
        return shape in ("", "?", "?M", "?2")
    if shape in ("?", "1"):
        return len(parts) == 1 and _length_fits(parts[0], limit)
    if shape in ("?M", "1M"):
        return len(parts) == 1 and (_length_fits(parts[0], limit) or parts[0].lower() == "max")
    if shape == "?2":
        return len(parts) == 2 and all(_INT.fullmatch(p) for p in parts)
    return False


def _length_fits(part: str, limit: int | None) -> bool:
    return bool(_INT.fullmatch(part)) and (limit is None or int(part) <= limit)


def _keyed_in_text(body: str) -> set[str]:
    """`keyed_fields` of a block the fast path accepted, from its text (no member is built)."""
    keyed = set()
    for found in _KEY_LIST.finditer(body):
        for item in (found.group(1) or found.group(2)).split(","):
            keyed.add(item.split("(")[0].strip())
    return keyed


def keyed_fields(decl: Declaration) -> set[str]:
    """Fields in an id, unique or index of the block, or in a relation's `fields` (a foreign key:
    MySQL indexes it, SQL Server wants the type of the key it references): they need an
    indexable column type."""
    keyed = {
        m.name
        for m in decl.members
        if m.kind == "field" and any(a.name in ("id", "unique") for a in m.attributes)
    }
    for m in decl.members:
        if m.kind == "block_attribute" and m.name in _KEY_ATTRIBUTES:
            fields = m.attributes[0].arg("fields", 0)
            if fields is not None:
                keyed.update(fields.names())
        elif m.kind == "field":
            rel = m.attribute("relation")
            if rel is not None:  # read from the text: building the arguments costs more
                found = _RELATION_FIELDS.search(decl.source.text, rel.start, rel.end)
                if found is not None:
                    keyed.update(item.strip() for item in found.group(1).split(","))
    return keyed
