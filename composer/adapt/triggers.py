"""Which fragments and blocks a rule may apply to, answered from their text.

Most blocks of a project need nothing; these tests (plain string searches first, regular
expressions after) keep adapting from building their members. They may find more than a rule
needs, never less.
"""

from __future__ import annotations

import re

from ..providers import SCALARS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..psl import Declaration
    from .rewriter import Rewriter

# Text that may need a change on some provider; a fragment without any is never looked at again.
TRIGGER = re.compile(
    r"@db\.|\[\]|@@schema|@@fulltext|\b(?:type|ops|length|clustered|map)\s*:|dbgenerated|"
    r"autoincrement|sequence\(|\bJson\b|\benum\b|\bBytes\b|@id\([^\n]*\bsort\s*:"
)
_BLOCK_TRIGGER = re.compile(
    r"@@(?:schema|fulltext)\b|@@(?:id|unique|index)\b[^\n]*\b(?:type|ops|length|clustered|map)\s*:"
    r"|@@id\b[^\n]*\bsort\s*:"
)
_FIELD_TRIGGER = re.compile(r"dbgenerated|sequence\(|\b(?:map|clustered|length)\s*:|@id\([^\n]*\bsort\s*:")
# Words that may be a field's type (of a list): they may find more than field types (a word of a
# comment), never less.
_FIELD_TYPE = re.compile(r"[ \t]([^\W\d]\w*)")
# the name and type of a field line from its start (with its `[]` or `?`), as `parser._SUMMARY`
# reads them
FIELD_HEAD = re.compile(r"[ \t]*([^\W_][\w-]*)[ \t]+([^\W_][\w-]*)(?:\[\]|\?)?")
# how a key with an `autoincrement()` is written nearly always: an `@id` line
_USUAL_KEY = "@id @default(autoincrement())"
_BIGINT_FIELD = re.compile(r"[ \t]*\w+[ \t]+BigInt\b")
# what of a line is no code: a string, a comment (from `//`, or `/* */`), the end of a `/* */`
# comment that began on a line before
_NOT_CODE = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?(?:\*/|$)|^.*?\*/', re.S)
# `@default([])` of a list: its JSON text is `"[]"` (group 1: the `[]`)
EMPTY_LIST_DEFAULT = re.compile(r"@default\([ \t]*(\[[ \t]*\])[ \t]*\)")


# What `may_change` answers.
NOTHING, NATIVE_TYPES, LISTS, MEMBERS = 0, 1, 2, 3  # in order: each asks more than the one before


def may_change(rw: Rewriter, decl: Declaration) -> int:
    """Could a rule apply to this block? NOTHING: no; NATIVE_TYPES: only native types, which
    `native_types.from_text` rewrites from the text; LISTS: those and scalar lists stored as
    `Json`, the same way; MEMBERS: build the members. Answered from the text and the field
    summary, without building the block's members."""
    text = rw.text[decl.start : decl.end]
    if decl.name in rw.default_models:
        return MEMBERS
    if _BLOCK_TRIGGER.search(text) or (decl.keyword != "enum" and _field_trigger(text)):
        return MEMBERS
    if decl.keyword == "enum":
        return NOTHING
    needs = _needs_members(rw, decl, text)
    return needs if needs else NATIVE_TYPES if "@db." in text else NOTHING


def text_level(rw: Rewriter) -> int:
    """The most any block of the fragment may need, from `may_change`'s tests over the whole
    text at once (each finds in it what it finds in any of its blocks), so that a fragment of
    plain blocks is not tested block by block: NATIVE_TYPES (`native_types_level` says which
    blocks), LISTS (native types and scalar lists: `line_need` says, line by line, whether a
    block needs its members), or MEMBERS (ask `may_change`)."""
    text = rw.text
    if rw.default_models and any(d.name in rw.default_models for d in rw.frag.schema.declarations):
        return MEMBERS
    if _BLOCK_TRIGGER.search(text) or _field_trigger(text):
        return MEMBERS
    # Whether a list of the text is one the lists rule applies to is left to each block's lines:
    # the LISTS way gives the same for a block without one (`native_types.lists_from_text`).
    bytes_id, _, autoincrement, typed = _field_rules(rw, text, lists=False)
    if bytes_id or autoincrement or typed:
        return MEMBERS
    return LISTS if rw.list_types and "[]" in text else NATIVE_TYPES


def line_need(rw: Rewriter, line: str) -> int:
    """`_needs_members`' answer for one field line of a block of a fragment at `text_level` LISTS
    (whose only rule that may need more than the text is the lists rule): LISTS, MEMBERS or
    NOTHING, as `_field_needs_change` says of the field's summary."""
    head = FIELD_HEAD.match(line)
    if head is None:
        return NOTHING
    mark = "[]" if line.startswith("[]", head.end() - 2) else ""
    return _field_needs_change(rw, head.group(2), mark, line[head.end() :].lstrip(" \t"), True, False)


def lists_in(rw: Rewriter, text: str) -> bool:
    """May the text hold a list the lists rule applies to (a `[]` after a type the target has
    no lists of)?"""
    return bool(rw.list_types) and "[]" in text and not rw.list_types.isdisjoint(_list_types(text))


def native_types_level(rw: Rewriter, decl: Declaration) -> int:
    """`may_change` of a block of a fragment at `text_level` NATIVE_TYPES."""
    if decl.keyword == "enum" or rw.text.find("@db.", decl.start, decl.end) == -1:
        return NOTHING
    return NATIVE_TYPES


def _field_rules(rw: Rewriter, text: str, lists: bool | None = None) -> tuple[bool, bool, bool, bool]:
    """Which field rules may apply to the text: a `Bytes` key (refused), scalar lists,
    `autoincrement()` off the key, an enum or `Json` field the target lacks. `lists`: given (the
    lists rule is not asked)."""
    dst = rw.dst
    bytes_id = not dst.bytes_ids and "Bytes" in text and "@id" in text
    cockroach = dst.name == "cockroachdb"
    autoincrement = (
        "autoincrement" in text
        and (dst.autoincrement_on != "any" or cockroach)
        and _autoincrement_elsewhere(text, cockroach)  # not each on an `@id` (a `BigInt`) line
    )
    if lists is None:
        lists = lists_in(rw, text)
    return bytes_id, lists, autoincrement, enum_typed(rw, text) or (not dst.json and "Json" in text)


def enum_typed(rw: Rewriter, text: str) -> bool:
    """May a field of the text be of an enum the target lacks? (The enum may be declared in
    another fragment: nothing else in this one says it needs a look.)"""
    return bool(rw.enum_types) and not rw.enum_types.isdisjoint(_FIELD_TYPE.findall(text))


def _needs_members(rw: Rewriter, decl: Declaration, text: str) -> int:
    """Has the model a field that the lists, enums, Json, Bytes-id or autoincrement rules change?
    MEMBERS: yes; LISTS: only scalar lists that `native_types.from_text` stores as `Json`;
    NOTHING: no."""
    bytes_id, lists, autoincrement, typed = _field_rules(rw, text)
    if bytes_id:
        return MEMBERS
    if not (lists or autoincrement or typed):
        return NOTHING
    # the strongest need of the fields (MEMBERS > LISTS > NOTHING)
    return max(
        (
            _field_needs_change(rw, type_name, mark, attrs, lists, autoincrement)
            for type_name, mark, attrs in decl.field_summary()
        ),
        default=NOTHING,
    )


def _field_needs_change(
    rw: Rewriter, type_name: str, mark: str, attrs: str, lists: bool, autoincrement: bool
) -> int:
    dst = rw.dst
    if lists and mark == "[]" and (
        type_name == "Json" or (not dst.lists and (type_name in SCALARS or type_name in rw.enums))
    ):
        return LISTS if _text_list(rw, type_name, attrs) else MEMBERS
    if (type_name in rw.enums and not dst.enums) or (type_name == "Json" and not dst.json):
        return MEMBERS
    if not autoincrement or "autoincrement" not in attrs:
        return NOTHING
    keyed = type_name == "BigInt" if dst.name == "cockroachdb" else has_id(attrs)
    return NOTHING if keyed else MEMBERS


def text_list(rw: Rewriter, type_name: str, attrs: str) -> bool:
    """Is this field a scalar list the target stores as `Json` by an edit of its line's text
    (`native_types.from_text`): no enum, `Json` there, no default but `@default([])`?"""
    return _text_list(rw, type_name, attrs) and _lacks_lists(rw, type_name)


def _lacks_lists(rw: Rewriter, type_name: str) -> bool:
    return not rw.dst.lists or (type_name == "Json" and not rw.dst.json_lists)


def _text_list(rw: Rewriter, type_name: str, attrs: str) -> bool:
    if rw.policy.lists != "json" or not rw.dst.json or type_name not in SCALARS:
        return False
    return "@default" not in attrs or EMPTY_LIST_DEFAULT.search(attrs) is not None


def _autoincrement_elsewhere(text: str, cockroach: bool) -> bool:
    """Is an `autoincrement()` of the text on a line without `@id` (SQLite, MySQL), or of a type
    other than `BigInt` (CockroachDB)?"""
    if not cockroach and text.count("autoincrement(") == text.count(_USUAL_KEY):
        return False  # each is in the usual spelling of a key (two counts: no walk of the lines)
    at = text.find("autoincrement(")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[start : len(text) if end == -1 else end]
        if not (_BIGINT_FIELD.match(line) if cockroach else has_id(line)):
            return True
        at = text.find("autoincrement(", at + 1)
    return False


def has_id(line: str) -> bool:
    """Does a field's line (or its attributes) hold `@id` as code? A comment or a string may
    hold the text too (`// not the @id`): it says nothing of the field."""
    if "@id" not in line:
        return False
    if '"' in line or "/" in line:
        line = _NOT_CODE.sub(" ", line)
    return "@id" in line


def _field_trigger(text: str) -> bool:
    """`_FIELD_TRIGGER.search(text)`, with the plain string tests first (it runs on every block)."""
    if "dbgenerated" in text or "sequence(" in text:
        return True
    words = "map" in text or "clustered" in text or "length" in text or "sort" in text
    return words and _FIELD_TRIGGER.search(text) is not None


def _list_types(text: str) -> list[str]:
    """The word before each `[]` of the text (cheaper than a regular expression over it all)."""
    words = []
    at = text.find("[]")
    while at != -1:
        end = at
        while end > 0 and text[end - 1] in " \t":
            end -= 1
        start = end
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        words.append(text[start:end])
        at = text.find("[]", at + 2)
    return words


