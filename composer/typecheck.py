"""Every field type of a target is a scalar or one of the target's declarations.

`check_types` says which field's type is not, and when the type is declared in a fragment the
target leaves out, says that (`left_out_type`). A clean fragment (`SchemaFile.fields`) is
answered a file at a time; the others, and any fragment with an unknown type, a declaration at a
time (`type_problems`), so that each problem is located at its field.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import filterfalse
from operator import itemgetter

from .diagnostics import ComposeError, Diagnostic, Location, did_you_mean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .compose import Merged
    from .manifest import TargetSpec
    from .psl import Declaration, Member
    from .sources import Fragment

_fragment = itemgetter(0)  # of an addition (fragment, block, member)

SCALARS = frozenset(
    ("String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes", "Unsupported")
)


def check_types(
    named: dict[str, Merged],
    left_out: list[Fragment] | None = None,
    target: TargetSpec | None = None,
    selected: list[Fragment] | None = None,
    extended: bool = True,
) -> None:
    """Every field type is a scalar or a declaration of the target; `left_out`: the fragments the
    target does not take, to say so when the missing type is declared in one of them. With
    `selected` (the target's fragments), the clean ones are answered a file at a time.
    `extended=False`: no `@extend` block added a field to any of `named`."""
    checked = known_fragments(selected, named) if selected is not None else set()
    if checked is None:  # an unknown type in a clean file: each declaration says where
        checked = set()
    problems: list[Diagnostic] = []
    for merged in _unchecked(named, selected, checked) if not extended else named.values():
        if merged.decl.keyword == "enum":
            continue
        # (`issuperset` of a `map`: C-level loops, asked of every declaration of the target)
        if id(merged.fragment) in checked and checked.issuperset(map(id, map(_fragment, merged.additions))):
            continue
        problems.extend(type_problems(merged, named, left_out or [], target))
    if problems:
        raise ComposeError(problems)


def _unchecked(
    named: dict[str, Merged], selected: list[Fragment] | None, checked: set[int]
) -> Iterator[Merged]:
    """The declarations of `named` that are not in a `checked` fragment, in the order of `named`,
    when none has fields from another fragment (no `@extend`): found from the fragments."""
    if selected is None:
        yield from named.values()
        return
    for frag in selected:
        if id(frag) in checked:
            continue
        for decl in frag.schema.declarations:
            merged = named.get(decl.name)
            if merged is not None and merged.decl is decl:
                yield merged


def known_fragments(selected: list[Fragment], named: dict[str, Merged]) -> set[int] | None:
    """The ids of the clean fragments (`SchemaFile.fields`) whose every field type is a scalar or
    declared in `named`; None when a clean fragment's field has another type."""
    checked: set[int] = set()
    for frag in selected:
        fields = frag.schema.fields()
        if fields is None:
            continue
        if not SCALARS.issuperset(filterfalse(named.__contains__, fields.types)):  # (C loops)
            return None
        checked.add(id(frag))
    return checked


def type_problems(
    merged: Merged, named: dict[str, Merged], left_out: list[Fragment], target: TargetSpec | None
) -> list[Diagnostic]:
    """The fields of `merged` (its `@extend` additions included) whose type is not declared."""
    if merged.decl.lazy and all(t in SCALARS or t in named for t in field_types(merged)):
        return []  # all is well, without building the members
    problems = []
    for frag_decl, m in member_owners(merged):
        if m.kind != "field" or m.type_name in SCALARS or m.type_name in named:
            continue
        where = Location(frag_decl.source, m.type_start, m.type_start + len(m.type_name))
        home = declared_in(m.type_name, left_out)
        if home is not None and target is not None:
            problems.append(left_out_type(merged.decl, m, where, home, target))
            continue
        problems.append(
            Diagnostic(
                f"type `{m.type_name}` of `{merged.decl.name}.{m.name}` is not a model, enum or "
                "composite type in this target",
                where,
                code="E206",
                hint=did_you_mean(m.type_name, set(named) | SCALARS),
            )
        )
    return problems


def left_out_type(
    decl: Declaration, m: Member, where: Location, home: Fragment, target: TargetSpec
) -> Diagnostic:
    """The type of `decl.m` is declared in fragment `home`, which `target` does not take."""
    key = "exclude" if target.include is None else "include"
    takes, change = ("excludes", "remove {} from") if key == "exclude" else ("does not include", "add {} to")
    return Diagnostic(
        f"type `{m.type_name}` of `{decl.name}.{m.name}` is declared in fragment `{home.name}`, which "
        f"target `{target.name}` {takes}",
        where,
        code="E206",
        notes=[(f"the target's `{key}`", target.key_location(key))],
        hint=change.format(f"`{home.name}`") + f" `targets.{target.name}.{key}`, or move the field to "
        f"fragment `{home.name}`, in a `/// @extend` block of `{decl.name}`: then only targets with that "
        "fragment have it",
    )


def declared_in(name: str, fragments: list[Fragment]) -> Fragment | None:
    for frag in fragments:
        if any(d.name == name and not d.is_extend for d in frag.schema.declarations):
            return frag
    return None


def field_types(merged: Merged) -> list[str]:
    """The type names of a declaration's fields, its `@extend` additions' included, read from its
    summary (a lazy declaration's members are not built for this)."""
    types = [t for t, _, _ in merged.decl.field_summary()]
    if merged.additions:
        types += merged.added_types()
    return types


def member_owners(merged: Merged) -> Iterator[tuple[Declaration, Member]]:
    for m in merged.decl.members:
        yield merged.decl, m
    for _, d, m in merged.fields:
        yield d, m
