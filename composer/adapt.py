"""Adapting fragments to a target's own database provider.

Fragments are written for one provider (the `provider` of their datasource); a target that sets
another one (`[targets.X.datasource] provider = "sqlite"`) gets each declaration rewritten so that
Prisma accepts it there, and every change reported as an info diagnostic at the fragment line
(docs/providers.md has the rules; `composer/providers.py` the facts they use):

- native types (`@db.*`) the target has are kept, faithful equivalents are mapped, others dropped;
- scalar lists, enums and `Json` where the target lacks them: an error at the field, or what the
  target's `[targets.X.adapt]` table chooses (`lists = "json"`, `enums = "string"`,
  `json = "string"`);
- provider-only constructs (`@@schema`, `@@fulltext`, index `type:`/`ops:`/`length:`/`clustered:`,
  primary key names, the datasource's `schemas` and `extensions`) are dropped where unsupported;
- what cannot be adapted without changing its meaning (`dbgenerated("…")` SQL, `sequence()`,
  `autoincrement()` where the target forbids it, MongoDB to or from a relational provider) stops
  the build with an error at that place.

PSL is line-oriented, so an adapted fragment is the original text with some lines edited and some
dropped: a new `Source` whose `line_map` points every line back at the line it came from, parsed
again, so composing and error mapping go on as for any fragment. Fragments that need no change
(the usual case: one regular expression over the file says so) are passed through untouched.
"""

from __future__ import annotations

import dataclasses
import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from .adapt_policy import AdaptPolicy
from .diagnostics import ComposeError, Diagnostic, Location, Source
from .providers import (
    DECIMAL_LIMITS,
    EQUIVALENTS,
    LENGTH_LIMITS,
    LONGER,
    PROVIDERS,
    SAME_NAME_OTHER_TYPE,
    Provider,
)
from .psl import ATTRIBUTE_PATTERN, Declaration, Member, SchemaFile, parse
from .psl.ast import Arg, Attribute, Expr
from .psl.render import string_literal

if TYPE_CHECKING:
    from .manifest import TargetSpec
    from .sources import Fragment

# Text that may need a change on some provider; a fragment without any is never looked at again.
_TRIGGER = re.compile(
    r"@db\.|\[\]|@@schema|@@fulltext|\b(?:type|ops|length|clustered|map)\s*:|dbgenerated|"
    r"autoincrement|sequence\(|\bJson\b|\benum\b|\bBytes\b|@id\([^\n]*\bsort\s*:"
)
_KEY_ATTRIBUTES = ("id", "unique", "index")
_BLOCK_TRIGGER = re.compile(
    r"@@(?:schema|fulltext)\b|@@(?:id|unique|index)\b[^\n]*\b(?:type|ops|length|clustered|map)\s*:"
    r"|@@id\b[^\n]*\bsort\s*:"
)
_FIELD_TRIGGER = re.compile(r"dbgenerated|sequence\(|\b(?:map|clustered|length)\s*:|@id\([^\n]*\bsort\s*:")


@dataclass
class Adapted:
    fragments: list[Fragment]
    notes: list[Diagnostic] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    dropped_properties: list[str] = field(default_factory=list)  # datasource properties
    relayout: set[tuple[str, str]] = field(default_factory=set)  # (fragment, declaration) edited

    def summary(self) -> str:
        return ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items()))


def adapt_target(
    selected: list[Fragment],
    datasource: Declaration | None,
    target_provider: str | None,
    policy: AdaptPolicy | None,
    target: TargetSpec,
) -> Adapted | None:
    """The target's fragments rewritten for `target_provider`, or None when nothing is to adapt
    (no override of the provider, the same provider, adapting switched off, an unknown one)."""
    from .compose import datasource_provider  # here: compose imports this module lazily

    written_for = datasource_provider(datasource, {})
    if policy is None or written_for is None or target_provider is None or written_for == target_provider:
        return None
    if "mongodb" in (written_for, target_provider):
        raise ComposeError(
            Diagnostic(
                f"target `{target.name}` switches the provider from `{written_for}` to "
                f"`{target_provider}`: MongoDB and relational databases model data differently "
                "(`@db.ObjectId`, `_id`, composite types, relations), which compose does not adapt",
                target.key_location("datasource", "provider"),
                code="E401",
                hint="keep the fragments' provider in this target, or set `adapt = false` to take "
                "the output as it is",
            )
        )
    dst = PROVIDERS.get(target_provider)
    if dst is None or written_for not in PROVIDERS:
        return None
    enums = {
        d.name for f in selected for d in f.schema.declarations if d.keyword == "enum" and not d.is_extend
    }
    # What a field's type must look like for the lists and enums rules to apply: blocks whose text
    # has neither skip the field summary (a model's relation lists, `Post[]`, are no scalar lists).
    list_types = (_SCALARS | enums) if not dst.lists else {"Json"} if not dst.json_lists else frozenset()
    enum_types = enums if not dst.enums else frozenset()
    result = Adapted([])
    errors: list[Diagnostic] = []
    defaults = dict(policy.defaults)  # each used once; what is left names no field
    for frag in selected:
        rewriter = _Rewriter(frag, dst, policy, enums, target, result, errors, defaults)
        rewriter.other_types = SAME_NAME_OTHER_TYPE.get((written_for, dst.name), {})
        rewriter.list_types, rewriter.enum_types = list_types, enum_types
        result.fragments.append(rewriter.run())
    for key in defaults:
        errors.append(
            Diagnostic(
                f"`targets.{target.name}.adapt.defaults` sets the default of `{key}`, which is no field "
                "with a `@default` in this target",
                target.key_location("adapt", "defaults", key),
                code="E404",
            )
        )
    for prop, allowed in (("schemas", dst.multi_schema), ("extensions", dst.extensions)):
        member = datasource.member(prop) if datasource is not None else None
        if member is not None and not allowed and prop not in target.datasource:
            result.dropped_properties.append(prop)
            result.counts[f"datasource `{prop}` dropped"] += 1
            result.notes.append(
                _note(
                    f"`{prop}` dropped from the datasource: {dst.name} has no {prop}",
                    Location(datasource.source, member.name_start, member.name_end),  # type: ignore[union-attr]
                    target,
                )
            )
    if not errors and dst.name == "sqlserver":
        paths = _relation_mode(datasource, target) != "prisma"
        errors.extend(_cascade_conflicts(result.fragments, target, multiple_paths=paths))
    if errors:
        raise ComposeError(errors)
    return result


def _relation_mode(datasource: Declaration | None, target: TargetSpec) -> str | None:
    value = target.datasource.get("relationMode")
    if value is not None:
        return value.strip('"')
    prop = datasource.member("relationMode") if datasource is not None else None
    return prop.value.value if prop is not None and prop.value is not None else None


def _cascade_conflicts(
    fragments: list[Fragment], target: TargetSpec, multiple_paths: bool
) -> list[Diagnostic]:
    """SQL Server refuses foreign keys whose referential actions (other than `NoAction`; an
    implicit `onUpdate` is `Cascade`) form a cycle or, unless Prisma emulates the relations
    (`relationMode = "prisma"`), reach a table by two paths; Prisma's validator says so too.
    Changing an action would change what a delete does, so this is an error with the ways out."""
    edges: dict[str, list[tuple[str, Location]]] = {}  # referenced model -> (referencing, where)
    for frag in fragments:
        for decl in frag.schema.declarations:
            if decl.keyword != "model":
                continue
            for m in decl.members:
                rel = m.attribute("relation") if m.kind == "field" else None
                if rel is None or rel.arg("fields") is None:
                    continue
                actions = {name: rel.arg(name) for name in ("onDelete", "onUpdate")}
                on_delete = (
                    actions["onDelete"].value
                    if actions["onDelete"]
                    else ("SetNull" if m.optional else "NoAction")
                )
                on_update = actions["onUpdate"].value if actions["onUpdate"] else "Cascade"
                if on_delete == on_update == "NoAction":
                    continue
                edges.setdefault(m.type_name, []).append(
                    (decl.name, Location(decl.source, rel.start, rel.end))
                )
    problems: list[Diagnostic] = []
    no_action = "give one relation of the path `onDelete: NoAction, onUpdate: NoAction`"
    hint = (
        f'set `relationMode = "prisma"` under `[targets.{target.name}.datasource]` (Prisma then '
        f"carries out the referential actions itself), or {no_action}"
    )
    for start in sorted(edges):
        paths: dict[str, int] = {}
        stack = [(start, (start,))]
        while stack and not problems:
            model, path = stack.pop()
            for child, where in edges.get(model, []):
                if child in path:
                    kind = "a self-relation" if child == model else "a cycle"
                    problems.append(
                        Diagnostic(
                            f"target `{target.name}` (sqlserver): the referential actions of this relation "
                            f"form {kind} ({' → '.join((*path, child))}), which SQL Server refuses",
                            where,
                            code="E403",
                            hint=no_action,
                        )
                    )
                    break
                paths[child] = paths.get(child, 0) + 1
                if paths[child] > 1 and multiple_paths:
                    problems.append(
                        Diagnostic(
                            f"target `{target.name}` (sqlserver): deleting or updating a `{start}` cascades "
                            f"to `{child}` along more than one path, which SQL Server refuses",
                            where,
                            code="E403",
                            hint=hint,
                        )
                    )
                    break
                stack.append((child, (*path, child)))
        if problems:
            break
    return problems


def _note(message: str, location: Location, target: TargetSpec) -> Diagnostic:
    return Diagnostic(f"target `{target.name}`: {message}", location, severity="info", code="I401")


Edit = tuple[int, int, str]  # replace text[start:end] (within one line) with the string


class _Rewriter:
    """The edits one fragment needs for the target's provider."""

    def __init__(
        self,
        frag: Fragment,
        dst: Provider,
        policy: AdaptPolicy,
        enums: set[str],
        target: TargetSpec,
        result: Adapted,
        errors: list[Diagnostic],
        defaults: dict[str, str],
    ) -> None:
        self.frag = frag
        self.source = frag.schema.source
        self.text = self.source.text
        self.dst = dst
        self.policy = policy
        self.enums = enums
        self.target = target
        self.result = result
        self.errors = errors
        self.defaults = defaults
        self.autoincrement_keys: tuple[set[str], str | None] = (set(), None)  # of the block at hand
        self.other_types: dict[str, str] = {}  # SAME_NAME_OTHER_TYPE from the fragments' provider
        self.list_types: Set[str] = frozenset()  # types whose lists the target lacks
        self.enum_types: Set[str] = frozenset()  # enums the target lacks
        self.default_models = {key.partition(".")[0] for key in defaults}
        self.edits: list[Edit] = []
        self.dropped: list[tuple[int, int]] = []  # [start, end) of whole lines to leave out

    # -- reporting ------------------------------------------------------------------------------

    def note(self, what: str, message: str, start: int, end: int) -> None:
        self.result.counts[what] += 1
        self.result.notes.append(_note(message, Location(self.source, start, end), self.target))

    def refuse(self, message: str, start: int, end: int, hint: str) -> None:
        self.errors.append(
            Diagnostic(
                f"target `{self.target.name}` ({self.dst.name}): {message}",
                Location(self.source, start, end),
                code="E402",
                hint=hint,
            )
        )

    # -- the fragment -----------------------------------------------------------------------------

    def run(self) -> Fragment:
        if not _TRIGGER.search(self.text):
            return self.frag
        for decl in self.frag.schema.declarations:
            if decl.keyword == "enum" and not self.dst.enums and self.policy.enums == "string":
                self.dropped.append((decl.start, decl.end))
                self.note(
                    "enums stored as String",
                    f"enum `{decl.name}` left out: {self.dst.name} has no enums, its fields are `String`",
                    decl.name_start,
                    decl.name_end,
                )
            elif decl.keyword == "enum" and not self.dst.enums:
                # even unused, Prisma refuses the block where the provider has no enums
                self.refuse(
                    f"enum `{decl.name}`: {self.dst.name} has no enums",
                    decl.name_start,
                    decl.name_end,
                    f'set `enums = "string"` under `[targets.{self.target.name}.adapt]` to store '
                    "enum values as strings (the enum is then left out)",
                )
            elif decl.keyword in ("model", "view", "enum"):
                level = self.may_change(decl)
                if level == 1 and decl.lazy:
                    self.native_types_only(decl)
                elif level:
                    self.declaration(decl)
        if not self.edits and not self.dropped:
            return self.frag
        source = self.rewritten()
        schema = self.frag.schema
        if self.dropped or not all(d.lazy for d in schema.declarations):
            return dataclasses.replace(self.frag, schema=parse(source))
        # Only text inside field lines changed, in blocks whose members were never built: the
        # same blocks, moved by what the edits before them added or removed (no second parse).
        edits = sorted(self.edits)
        ends = [end for _, end, _ in edits]
        shifts = list(accumulate(len(new) - (end - start) for start, end, new in edits))

        def moved(offset: int) -> int:
            i = bisect_right(ends, offset)
            return offset + (shifts[i - 1] if i else 0)

        decls = [
            Declaration(
                d.keyword, d.name, source, moved(d.start), moved(d.keyword_start), moved(d.name_start),
                moved(d.name_end), moved(d.body_start), moved(d.close_start), moved(d.end), None, d.doc,
                d.is_extend, d._build,
            )
            for d in schema.declarations
        ]
        return dataclasses.replace(self.frag, schema=SchemaFile(source, decls, moved(schema.trailing)))

    def may_change(self, decl: Declaration) -> int:
        """Could a rule apply to this block? 0: no; 1: only native types, which `native_types_only`
        rewrites from the text; 2: build the members. Answered from the text and the field
        summary, without building the block's members (most blocks of a project need nothing)."""
        text = self.text[decl.start : decl.end]
        if decl.name in self.default_models:
            return 2
        if _BLOCK_TRIGGER.search(text) or (decl.keyword != "enum" and _field_trigger(text)):
            return 2
        if decl.keyword == "enum":
            return 0
        dst, enums = self.dst, self.enums
        if not dst.bytes_ids and "Bytes" in text and "@id" in text:
            return 2
        autoincrement = "autoincrement" in text and (
            dst.autoincrement_on != "any" or dst.name == "cockroachdb"
        )
        lists = bool(self.list_types) and "[]" in text and not self.list_types.isdisjoint(_list_types(text))
        enum_typed = bool(self.enum_types) and _any_type(_FIELD_TYPE, text, self.enum_types)
        if autoincrement and not _autoincrement_elsewhere(text, dst.name == "cockroachdb"):
            autoincrement = False  # each `autoincrement()` is on an `@id` line (a `BigInt` one)
        if lists or autoincrement or enum_typed or (not dst.json and "Json" in text):
            for type_name, mark, attrs in decl.field_summary():
                if (
                    (
                        lists
                        and mark == "[]"
                        and (
                            type_name == "Json"
                            or (not dst.lists and (type_name in _SCALARS or type_name in enums))
                        )
                    )
                    or (type_name in enums and not dst.enums)
                    or (type_name == "Json" and not dst.json)
                ):
                    return 2
                if autoincrement and "autoincrement" in attrs and not (
                    type_name == "BigInt" if dst.name == "cockroachdb" else "@id" in attrs
                ):
                    return 2
        return 1 if "@db." in text else 0

    def rewritten(self) -> Source:
        """The fragment's text with the edits made and the dropped lines left out; each line
        maps to the line of the fragment it came from."""
        text, source = self.text, self.source
        pieces: list[str] = []
        cursor = 0
        for start, end, new in sorted(self.edits):
            if start >= cursor:  # an edit inside a dropped line, or one already covered, is skipped
                pieces += (text[cursor:start], new)
                cursor = end
        pieces.append(text[cursor:])
        edited = "".join(pieces)
        line_map = list(range(1, edited.count("\n") + 2))
        if self.dropped:
            edited, line_map = _drop_lines(text, sorted(self.edits), sorted(self.dropped))
        origin, mapping = source, line_map
        if source.origin is not None and source.line_map:
            origin = source.origin
            mapping = [source.line_map[min(n, len(source.line_map)) - 1] for n in line_map]
        return Source(source.display, edited, source.path, origin=origin, line_map=mapping)

    # -- declarations ----------------------------------------------------------------------------

    def declaration(self, decl: Declaration) -> None:
        keyed = _keyed_fields(decl)
        self.autoincrement_keys = _leading_key_fields(decl)
        dropped = len(self.dropped)
        if not self.dst.bytes_ids:
            self.bytes_ids(decl)
        for m in decl.members:
            if m.kind == "field" and decl.keyword != "enum":
                self.field(decl, m, keyed)
            elif m.kind == "block_attribute":
                self.block_attribute(decl, m)
        if len(self.dropped) != dropped:  # a line left out may leave a blank line before `}`
            self.result.relayout.add((self.frag.name, decl.name))

    def bytes_ids(self, decl: Declaration) -> None:
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
                self.refuse(
                    f"`{decl.name}.{m.name}` is `Bytes` in the primary key, which {self.dst.name} refuses",
                    m.type_start,
                    m.type_end,
                    "use another type for the key (a `String` or an `Int`), or leave this fragment out "
                    "of the target",
                )

    def native_types_only(self, decl: Declaration) -> None:
        """The native types of a block the parser's fast path accepted, rewritten from its text:
        each field line is `name type attributes [comment]`, the attributes a run of
        `ATTRIBUTE_PATTERN` matches. Nothing else in the block needs a change (`may_change`)."""
        text = self.text
        keyed_names: set[str] | None = None

        def keyed(name: str) -> bool:
            nonlocal keyed_names
            if keyed_names is None:
                keyed_names = _keyed_in_text(text[decl.body_start : decl.close_start])
            return name in keyed_names

        at = text.find("@db.", decl.body_start, decl.close_start)
        while at != -1:
            line_start = text.rfind("\n", 0, at) + 1
            eol = text.find("\n", at, decl.close_start)
            eol = decl.close_start if eol == -1 else eol
            head = _FIELD_HEAD.match(text, line_start, eol)
            at = text.find("@db.", eol, decl.close_start)
            if head is None:  # a comment line
                continue
            name, type_name = head.group(1), head.group(2)
            attrs: list[Attribute] = []
            pos = head.end()
            while True:
                while pos < eol and text[pos] in " \t":
                    pos += 1
                found = ATTRIBUTE_PATTERN.match(text, pos, eol)
                if found is None:
                    break
                attrs.append(Attribute(found.group(1), None, found.start(), found.end()))
                pos = found.end()
            own_key = any(a.name in ("id", "unique") for a in attrs)
            where = f"`{decl.name}.{name}`"
            for attr in attrs:
                if attr.name.startswith("db."):
                    self.native_type(where, attr, type_name, own_key or (lambda n=name: keyed(n)))

    def field(self, decl: Declaration, m: Member, keyed: set[str]) -> None:
        dst, policy = self.dst, self.policy
        where = f"`{decl.name}.{m.name}`"
        type_name, is_list = m.type_name, m.is_list
        from_enum = from_list = from_json = False
        if type_name in self.enums and not dst.enums:
            if policy.enums != "string":
                self.refuse(
                    f"{where} is an enum, and {dst.name} has no enums",
                    m.type_start,
                    m.type_end,
                    f'set `enums = "string"` under `[targets.{self.target.name}.adapt]` to store '
                    "enum values as strings",
                )
                return
            type_name, from_enum = "String", True
        scalar = type_name in _SCALARS or type_name in self.enums
        if is_list and scalar and (not dst.lists or (type_name == "Json" and not dst.json_lists)):
            if policy.lists != "json":
                what = "scalar lists" if not dst.lists else "lists of `Json`"
                self.refuse(
                    f"{where} is a list, and {dst.name} has no {what}",
                    m.type_start,
                    m.type_end,
                    f'set `lists = "json"` under `[targets.{self.target.name}.adapt]` '
                    "to store lists as `Json`",
                )
                return
            type_name, is_list, from_list = "Json", False, True
        if type_name == "Json" and not dst.json:
            if policy.json != "string":
                self.refuse(
                    f"{where} is `Json`, and {dst.name} has no `Json` type",
                    m.type_start,
                    m.type_end,
                    f'set `json = "string"` under `[targets.{self.target.name}.adapt]` '
                    "to store JSON as text in a `String`",
                )
                return
            type_name, from_json = "String", True
        if from_enum or from_list or from_json:
            mark = "[]" if is_list else "?" if m.optional and not from_list else ""
            self.edits.append((m.type_start, m.type_end, type_name + mark))
            self.result.relayout.add((self.frag.name, decl.name))  # the type column changed width
            what = (
                "lists stored as Json"
                if from_list
                else "enums stored as String"
                if from_enum
                else "Json stored as String"
            )
            self.note(
                what,
                f"{where}: `{self.text[m.type_start : m.type_end]}` becomes `{type_name + mark}`",
                m.type_start,
                m.type_end,
            )
        for attr in m.attributes:
            if attr.name.startswith("db."):
                self.native_type(where, attr, type_name, m.name in keyed)
            elif attr.name == "default":
                self.default(where, m, attr, from_enum=from_enum, from_list=from_list)
            elif attr.name in ("id", "unique"):
                self.key_arguments(where, attr, is_id=attr.name == "id")

    def native_type(
        self, where: str, attr: Attribute, scalar: str, keyed: bool | Callable[[], bool]
    ) -> None:
        """`keyed`: is the field in a key (or a function that says, asked only when it matters)."""
        name = attr.name[3:]
        args = self.text[attr.start + len(attr.name) + 1 : attr.end]
        mapped = self.native_equivalent(name, args, scalar)
        unindexable = mapped is not None and (
            mapped.partition("(")[0] in self.dst.unindexable_types or mapped.lower().endswith("(max)")
        )
        if unindexable and (keyed() if callable(keyed) else keyed):
            mapped = None
            reason = (
                f"{self.dst.name} cannot index `{name}` columns, and the field is in a key, an index "
                "or a foreign key"
            )
        else:
            reason = f"{self.dst.name} has no such native type for `{scalar}`"
        original = self.text[attr.start : attr.end]
        limits = DECIMAL_LIMITS.get(self.dst.name)
        if mapped is not None and limits is not None and mapped.startswith("Decimal("):
            precision, _, scale = mapped[len("Decimal(") : -1].partition(",")
            if int(precision) > limits[0] or int(scale or 0) > limits[1]:
                self.refuse(
                    f"{where} is `{original}`, more digits than {self.dst.name} holds "
                    f"(`Decimal({limits[0]}, {limits[1]})` at most)",
                    attr.start,
                    attr.end,
                    "give the field a precision the target holds, or leave this fragment out of the target",
                )
                return
        if mapped is None:
            self.edits.append(_without(self.text, attr.start, attr.end))
            self.note(
                "native types dropped", f"{where}: `{original}` dropped: {reason}", attr.start, attr.end
            )
        elif mapped != name + args:
            self.edits.append((attr.start, attr.end, f"@db.{mapped}"))
            self.note(
                "native types mapped", f"{where}: `{original}` becomes `@db.{mapped}`", attr.start, attr.end
            )

    def native_equivalent(self, name: str, args: str, scalar: str) -> str | None:
        """`@db.<name><args>` on the target: itself, a faithful equivalent, or None (drop it)."""
        table, provider = self.dst.native_types, self.dst.name
        candidates = [(name, args)]
        written = "".join(args.split()) or "()"
        other = self.other_types.get(name + ("(Max)" if written.lower() == "(max)" else written))
        if other is None:
            other = self.other_types.get(name)
        if other == "":
            return None
        if other is not None:  # the same name holds something else there: not a candidate
            base, _, own = other.partition("(")
            candidates = [(base, f"({own}" if own else args), (base, "")]
        equivalent = EQUIVALENTS.get(provider, {}).get(name)
        if equivalent is not None:
            base, _, own = equivalent.partition("(")
            candidates += [(base, f"({own}" if own else args), (base, "")]
        for base, base_args in candidates:
            if base not in table:
                continue
            limit = LENGTH_LIMITS.get((provider, base))
            if _args_fit(table[base], base_args, scalar, limit):
                return base + base_args
            if limit is not None and _args_fit(table[base], base_args, scalar):  # longer than it takes
                longer = LONGER[provider][base]
                return (
                    longer
                    if _args_fit(
                        table[longer.partition("(")[0]], longer[len(longer.partition("(")[0]) :], scalar
                    )
                    else None
                )
        return None

    def default(self, where: str, m: Member, attr: Attribute, *, from_enum: bool, from_list: bool) -> None:
        value = attr.arg("value", 0)
        if value is None:
            return
        if not self.dst.default_names:
            self.default_name(where, attr)
        override = self.defaults.pop(where.strip("`"), None)
        if override is not None:
            problem = _default_problem(override, m.type_name, from_enum, from_list)
            if problem is not None:
                self.errors.append(
                    Diagnostic(
                        f"`targets.{self.target.name}.adapt.defaults` gives {where} the default "
                        f"`{override}`, {problem}",
                        self.target.key_location("adapt", "defaults", where.strip("`")),
                        code="E404",
                        hint='write one PSL default expression that fits the field, e.g. "uuid()", '
                        '"now()", "0" or "\"text\""',
                    )
                )
                return
            self.edits.append((value.start, value.end, override))
            self.note(
                "defaults set by the target",
                f"{where}: `{self.text[attr.start : attr.end]}` becomes `@default({override})` "
                f"(`targets.{self.target.name}.adapt.defaults`)",
                attr.start,
                attr.end,
            )
            return
        if value.kind == "call" and value.value == "dbgenerated" and value.args:
            self.refuse(
                f"{where} has a default computed by SQL of another database "
                f"(`{self.text[value.start : value.end]}`)",
                value.start,
                value.end,
                "use a portable default (`uuid()`, `cuid()`, `now()`, `autoincrement()`) in the "
                f'fragment, or set one for this target: `[targets.{self.target.name}.adapt.defaults]` '
                f'`"{where.strip("`")}" = "uuid()"`',
            )
            return
        if value.kind == "call" and value.value == "sequence" and self.dst.name != "cockroachdb":
            self.refuse(
                f"{where} uses `sequence()`, which only CockroachDB has",
                value.start,
                value.end,
                "use `autoincrement()` where the target takes it (docs/providers.md), or set a default "
                f'for this target: `[targets.{self.target.name}.adapt.defaults]` `"{where.strip("`")}" = '
                '"autoincrement()"`',
            )
            return
        if value.kind == "call" and value.value == "autoincrement":
            if self.dst.name == "cockroachdb" and m.type_name != "BigInt":
                self.refuse(
                    f"{where} uses `autoincrement()` on `{m.type_name}`, which CockroachDB allows only "
                    "on `BigInt`",
                    value.start,
                    value.end,
                    "make the field `BigInt`, or use `sequence()`",
                )
                return
            allowed = self.dst.autoincrement_on
            has = {a.name for a in m.attributes}
            leading, sole_id = self.autoincrement_keys
            ok = (
                allowed == "any"
                or "id" in has
                or m.name == sole_id
                or (allowed == "id_or_unique" and ("unique" in has or m.name in leading))
            )
            if not ok:
                place = (
                    "an `@id` field"
                    if allowed == "id"
                    else "a key (`@id`, `@unique`, or the first field of an `@@id`, `@@unique` or index)"
                )
                self.refuse(
                    f"{where} uses `autoincrement()`, which {self.dst.name} allows only on {place}",
                    value.start,
                    value.end,
                    "make the field the id, or use another default",
                )
            return
        if from_list and value.kind == "array":
            literal = _json_literal(value, self.text, items_are_json=m.type_name == "Json")
            self.edits.append((value.start, value.end, literal))
        elif from_enum and value.kind == "path":
            self.edits.append((value.start, value.end, string_literal(value.value)))

    def default_name(self, where: str, attr: Attribute) -> None:
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
            self.edits.append((start, end, ""))
            self.note(
                "default names dropped",
                f"{where}: `{self.text[arg.start : arg.end]}` dropped from `@default`: {self.dst.name} "
                "does not name default constraints",
                arg.start,
                arg.end,
            )

    def key_arguments(self, where: str, attr: Attribute, *, is_id: bool) -> None:
        args = attr.args or []
        drop = {a.name for a in args if a.name is not None and not self.allowed_argument(a, is_id)}
        if drop:
            self.rewrite_attribute(attr, args, drop, where, is_id)

    def allowed_argument(self, arg: Arg, is_id: bool) -> bool:
        dst = self.dst
        if arg.name == "clustered":
            return dst.clustered
        if arg.name == "length":
            return dst.index_length
        if arg.name == "map" and is_id:
            return dst.primary_key_names
        if arg.name == "sort" and is_id:
            return dst.primary_key_sort
        if arg.name == "type":
            return arg.value is not None and arg.value.value in dst.index_types
        if arg.name == "ops":
            return dst.operator_classes
        return True

    def block_attribute(self, decl: Declaration, m: Member) -> None:
        attr = m.attributes[0]
        where = f"`{decl.name}`"
        if (m.name == "schema" and not self.dst.multi_schema) or (
            m.name == "fulltext" and not self.dst.fulltext
        ):
            eol = self.text.find("\n", attr.end)
            rest = self.text[attr.end : len(self.text) if eol == -1 else eol]
            if rest.strip().startswith("//"):  # the user's comment stays, on a line of its own
                self.edits.append((attr.start, attr.end + len(rest) - len(rest.lstrip()), ""))
                self.result.relayout.add((self.frag.name, decl.name))
            else:
                self.dropped.append((m.line_start, m.end))
            self.note(
                f"@@{m.name} dropped",
                f"{where}: `@@{m.name}` dropped: {self.dst.name} has none",
                attr.start,
                attr.end,
            )
            return
        if m.name not in _KEY_ATTRIBUTES:
            return
        args = attr.args or []
        is_id = m.name == "id"
        drop = {a.name for a in args if a.name is not None and not self.allowed_argument(a, is_id)}
        fields = next((a.value for a in args if a.name in (None, "fields")), None)
        inner = bool(
            fields is not None
            and fields.kind == "array"
            and any(
                a.name is not None and not self.allowed_argument(a, is_id)
                for item in fields.items
                if item.kind == "call"
                for a in item.args
            )
        )
        if drop or inner:
            self.rewrite_attribute(attr, args, drop, where, is_id)

    def rewrite_attribute(
        self, attr: Attribute, args: list[Arg], drop: set[str | None], where: str, is_id: bool = False
    ) -> None:
        text = self.text
        kept: list[str] = []
        for a in args:
            if a.name in drop:
                continue
            if a.value is not None and a.value.kind == "array" and a.name in (None, "fields"):
                items = [self.render_item(item, is_id) for item in a.value.items]
                rendered = "[" + ", ".join(items) + "]"
                kept.append(rendered if a.name is None else f"{a.name}: {rendered}")
            else:
                kept.append(text[a.start : a.end])
        prefix = text[
            attr.start : attr.start + 1 + len(attr.name) + (1 if text[attr.start + 1] == "@" else 0)
        ]
        new = prefix + ("(" + ", ".join(kept) + ")" if kept else "")
        original = text[attr.start : attr.end]
        if new != original:
            self.edits.append((attr.start, attr.end, new))
            self.note(
                "index and key arguments dropped",
                f"{where}: `{original}` becomes `{new}`: {self.dst.name} does not support "
                f"{', '.join(sorted(n for n in drop if n)) or 'per-field index arguments'} there",
                attr.start,
                attr.end,
            )

    def render_item(self, item: Expr, is_id: bool) -> str:
        text = self.text
        if item.kind != "call":
            return text[item.start : item.end]
        kept = [text[a.start : a.end] for a in item.args if a.name is None or self.allowed_argument(a, is_id)]
        return item.value + ("(" + ", ".join(kept) + ")" if kept else "")


def _without(text: str, start: int, end: int) -> Edit:
    """The edit that removes `text[start:end]` from its line with the white space that separated
    it: the run after it when more follows on the line (the columns stay aligned), else the run
    before it (no trailing white space)."""
    after = end
    while after < len(text) and text[after] in " \t":
        after += 1
    if after < len(text) and text[after] != "\n":
        return (start, after, "")
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return (start, after, "")


def _drop_lines(text: str, edits: list[Edit], dropped: list[tuple[int, int]]) -> tuple[str, list[int]]:
    """`text` with `edits` made and the whole lines of `dropped` left out, and for each line of the
    result the 1-based line of `text` it came from."""
    out: list[str] = []
    line_map: list[int] = []
    pos, line_no, e, d = 0, 0, 0, 0
    while pos < len(text):
        eol = text.find("\n", pos)
        end = len(text) if eol == -1 else eol + 1
        line_no += 1
        while d < len(dropped) and dropped[d][1] <= pos:
            d += 1
        if d < len(dropped) and dropped[d][0] <= pos:
            while e < len(edits) and edits[e][0] < end:
                e += 1
            pos = end
            continue
        piece, cursor = [], pos
        while e < len(edits) and edits[e][0] < end:
            start, stop, new = edits[e]
            if start >= cursor:
                piece += (text[cursor:start], new)
                cursor = stop
            e += 1
        piece.append(text[cursor:end])
        out.append("".join(piece))
        line_map.append(line_no)
        pos = end
    return "".join(out), line_map


_SCALARS = frozenset(("String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"))
_INT = re.compile(r"[0-9]+")


def _args_fit(spec: tuple[str, frozenset[str]], args: str, scalar: str, limit: int | None = None) -> bool:
    """Does `@db.Name<args>` fit the target's definition (arguments and scalar type)?"""
    shape, scalars = spec
    if scalar not in scalars:
        return False
    inner = args[1:-1].strip() if args.startswith("(") else None
    parts = [p.strip() for p in inner.split(",")] if inner else []
    if shape == "":
        return not parts
    if shape in ("?", "1"):
        return (not parts and shape == "?") or (
            len(parts) == 1 and bool(_INT.fullmatch(parts[0])) and (limit is None or int(parts[0]) <= limit)
        )
    if shape in ("?M", "1M"):
        return (not parts and shape == "?M") or (
            len(parts) == 1
            and (
                (bool(_INT.fullmatch(parts[0])) and (limit is None or int(parts[0]) <= limit))
                or parts[0].lower() == "max"
            )
        )
    if shape == "?2":
        return not parts or (len(parts) == 2 and all(_INT.fullmatch(p) for p in parts))
    return False


_FIELD_HEAD = re.compile(r"^[ \t]*([^\W_][\w-]*)[ \t]+([^\W_][\w-]*)(?:\[\]|\?)?", re.MULTILINE)
_KEY_LIST = re.compile(
    r"@@(?:id|unique|index|fulltext)\([ \t]*(?:fields[ \t]*:[ \t]*)?\[([^\]]*)\]"
    r"|@relation\([^)\n]*\bfields[ \t]*:[ \t]*\[([^\]]*)\]"
)


_RELATION_FIELDS = re.compile(r"\bfields[ \t]*:[ \t]*\[([^\]]*)\]")


def _keyed_in_text(body: str) -> set[str]:
    """`_keyed_fields` of a block the fast path accepted, from its text (no member is built)."""
    keyed = set()
    for found in _KEY_LIST.finditer(body):
        for item in (found.group(1) or found.group(2)).split(","):
            keyed.add(item.split("(")[0].strip())
    return keyed


def _keyed_fields(decl: Declaration) -> set[str]:
    """Fields in an id, unique or index of the block, or in a relation's `fields` (a foreign key:
    MySQL indexes it, SQL Server wants the type of the key it references): they need an
    indexable column type."""
    keyed = {
        m.name
        for m in decl.members
        if m.kind == "field" and any(a.name in ("id", "unique") for a in m.attributes)
    }
    for m in decl.members:
        if m.kind == "block_attribute" and m.name in (*_KEY_ATTRIBUTES, "fulltext"):
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
        and field_type in _SCALARS
        and field_type not in _DEFAULT_LITERALS[value.kind]
    ):
        return f"and a {value.kind} is no default of a `{field_type}`"
    return None


# Words that may be a field's type (of a list); a pre-filter for `may_change`: they may find more
# than field types (a word of a comment), never less.
_FIELD_TYPE = re.compile(r"[ \t]([^\W\d]\w*)")
_BIGINT_FIELD = re.compile(r"[ \t]*\w+[ \t]+BigInt\b")


def _autoincrement_elsewhere(text: str, cockroach: bool) -> bool:
    """Is an `autoincrement()` of the text on a line without `@id` (SQLite, MySQL), or of a type
    other than `BigInt` (CockroachDB)? (Plain string search: these run on every block.)"""
    at = text.find("autoincrement(")
    while at != -1:
        start = text.rfind("\n", 0, at) + 1
        end = text.find("\n", at)
        line = text[start : len(text) if end == -1 else end]
        if not (_BIGINT_FIELD.match(line) if cockroach else "@id" in line):
            return True
        at = text.find("autoincrement(", at + 1)
    return False


def _field_trigger(text: str) -> bool:
    """`_FIELD_TRIGGER.search(text)`, with the plain string tests first (it runs on every block)."""
    if "dbgenerated" in text or "sequence(" in text:
        return True
    words = ("map", "clustered", "length", "sort")
    return any(w in text for w in words) and _FIELD_TRIGGER.search(text) is not None


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


def _any_type(pattern: re.Pattern[str], text: str, names: Set[str]) -> bool:
    return not names.isdisjoint(pattern.findall(text))


def _leading_key_fields(decl: Declaration) -> tuple[set[str], str | None]:
    """The first field of each `@@id`/`@@unique`/`@@index`/`@@fulltext` (MySQL takes
    `autoincrement()` there), and the field of a one-field `@@id` (SQLite takes it there)."""
    leading: set[str] = set()
    sole_id = None
    for m in decl.members:
        if m.kind == "block_attribute" and m.name in (*_KEY_ATTRIBUTES, "fulltext"):
            fields = m.attributes[0].arg("fields", 0)
            names = fields.names() if fields is not None else []
            if names:
                leading.add(names[0])
            if m.name == "id" and len(names) == 1:
                sole_id = names[0]
    return leading, sole_id


_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def _json_literal(value: Expr, text: str, *, items_are_json: bool = False) -> str:
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
