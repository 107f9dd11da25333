"""Keys, indexes and provider-only block attributes: `@@schema` and `@@fulltext` dropped where
the target has none, the arguments of `@id`/`@unique`/`@@id`/`@@unique`/`@@index` it refuses
(`type:`, `ops:`, `length:`, `clustered:`, a primary key's `map:` and `sort:`) cut, and a `Bytes`
primary key refused on SQL Server."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..psl import Declaration, Member
    from ..psl.ast import Arg, Attribute, Expr
    from .rewriter import Rewriter

_KEY_ATTRIBUTES = ("id", "unique", "index")


def bytes_ids(rw: Rewriter, decl: Declaration) -> None:
    """A `Bytes` field in the primary key, which the target refuses (SQL Server): changing the
    key's type would change the data, so this is an error at the field."""
    ids = {m.name for m in decl.members if m.kind == "field" and m.attribute("id") is not None}
    for m in decl.members:
        if m.kind == "block_attribute" and m.name == "id":
            fields = m.attributes[0].arg("fields", 0)
            if fields is not None:
                ids.update(fields.names())
    for m in decl.members:
        if m.kind == "field" and m.name in ids and m.type_name == "Bytes":
            rw.refuse(
                f"`{decl.name}.{m.name}` is `Bytes` in the primary key, which {rw.dst.name} refuses",
                m.type_start,
                m.type_end,
                "use another type for the key (a `String` or an `Int`), or leave this fragment out "
                "of the target",
            )


def key_arguments(rw: Rewriter, where: str, attr: Attribute, *, is_id: bool) -> None:
    args = attr.args or []
    drop = {a.name for a in args if a.name is not None and not _allowed(rw, a, is_id)}
    if drop:
        _rewrite(rw, attr, args, drop, where, is_id)


def _allowed(rw: Rewriter, arg: Arg, is_id: bool) -> bool:
    dst = rw.dst
    if arg.name == "type":
        return arg.value is not None and arg.value.value in dst.index_types
    allowed = {
        "clustered": dst.clustered,
        "length": dst.index_length,
        "ops": dst.operator_classes,
        "map": dst.primary_key_names if is_id else True,
        "sort": dst.primary_key_sort if is_id else True,
    }
    return allowed.get(arg.name, True)  # type: ignore[arg-type]


def block_attribute(rw: Rewriter, decl: Declaration, m: Member) -> None:
    if (m.name == "schema" and not rw.dst.multi_schema) or (m.name == "fulltext" and not rw.dst.fulltext):
        _drop_block_attribute(rw, decl, m)
        return
    if m.name not in _KEY_ATTRIBUTES:
        return
    attr = m.attributes[0]
    args = attr.args or []
    is_id = m.name == "id"
    drop = {a.name for a in args if a.name is not None and not _allowed(rw, a, is_id)}
    if "type" not in drop and rw.dst.name == "cockroachdb" and _gin_of_other_fields(decl, args):
        drop.add("type")
    if drop or _field_arguments_dropped(rw, args, is_id):
        _rewrite(rw, attr, args, drop, f"`{decl.name}`", is_id)


def _gin_of_other_fields(decl: Declaration, args: list[Arg]) -> bool:
    """A `type: Gin` index of a field that is neither `Json` nor a list: PostgreSQL's Gin takes
    any column with an operator class (`gin_trgm_ops` on a text), CockroachDB's is an inverted
    index of JSON and arrays alone (Prisma refuses it on others), where the index is a BTree."""
    kind = next((a.value for a in args if a.name == "type"), None)
    fields = next((a.value for a in args if a.name in (None, "fields")), None)
    if kind is None or kind.value != "Gin" or fields is None or fields.kind != "array":
        return False
    typed = {m.name: m for m in decl.members if m.kind == "field"}
    for item in fields.items:
        m = typed.get(item.value)
        if m is not None and not m.is_list and m.type_name != "Json":
            return True
    return False


def _field_arguments_dropped(rw: Rewriter, args: list[Arg], is_id: bool) -> bool:
    """Does a field of the key's list (`[title(ops: …)]`) carry an argument the target refuses?"""
    fields = next((a.value for a in args if a.name in (None, "fields")), None)
    if fields is None or fields.kind != "array":
        return False
    return any(
        a.name is not None and not _allowed(rw, a, is_id)
        for item in fields.items
        if item.kind == "call"
        for a in item.args
    )


def _drop_block_attribute(rw: Rewriter, decl: Declaration, m: Member) -> None:
    """`@@schema`/`@@fulltext` left out: its line, or only the attribute when a comment follows
    (the user's comment stays, on a line of its own)."""
    text, attr = rw.text, m.attributes[0]
    eol = text.find("\n", attr.end)
    rest = text[attr.end : len(text) if eol == -1 else eol]
    if rest.strip().startswith(("//", "/*")):
        rw.edits.append((attr.start, attr.end + len(rest) - len(rest.lstrip()), ""))
        rw.relayout(decl)
    else:
        rw.dropped.append((m.line_start, m.end))
    rw.note(
        f"@@{m.name} dropped",
        f"`{decl.name}`: `@@{m.name}` dropped: {rw.dst.name} has none",
        attr.start,
        attr.end,
    )


def _rewrite(
    rw: Rewriter, attr: Attribute, args: list[Arg], drop: set[str | None], where: str, is_id: bool = False
) -> None:
    text = rw.text
    kept: list[str] = []
    for a in args:
        if a.name in drop:
            continue
        if a.value is not None and a.value.kind == "array" and a.name in (None, "fields"):
            rendered = "[" + ", ".join(_render_item(rw, item, is_id) for item in a.value.items) + "]"
            kept.append(rendered if a.name is None else f"{a.name}: {rendered}")
        else:
            kept.append(text[a.start : a.end])
    prefix = text[attr.start : attr.start + 1 + len(attr.name) + (1 if text[attr.start + 1] == "@" else 0)]
    new = prefix + ("(" + ", ".join(kept) + ")" if kept else "")
    original = text[attr.start : attr.end]
    if new != original:
        rw.edits.append((attr.start, attr.end, new))
        rw.note(
            "index and key arguments dropped",
            f"{where}: `{original}` becomes `{new}`: {rw.dst.name} does not support "
            f"{', '.join(sorted(n for n in drop if n)) or 'per-field index arguments'} there",
            attr.start,
            attr.end,
        )


def _render_item(rw: Rewriter, item: Expr, is_id: bool) -> str:
    text = rw.text
    if item.kind != "call":
        return text[item.start : item.end]
    kept = [text[a.start : a.end] for a in item.args if a.name is None or _allowed(rw, a, is_id)]
    return item.value + ("(" + ", ".join(kept) + ")" if kept else "")
