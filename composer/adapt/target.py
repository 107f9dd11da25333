"""One target's fragments adapted to its provider: the entry point compose calls."""

from __future__ import annotations

from collections.abc import Set

from ..diagnostics import ComposeError, Diagnostic, Location
from ..providers import PROVIDERS, SAME_NAME_OTHER_TYPE, SCALARS, Provider
from . import defaults as default_rules
from .report import Adapted, note
from .rewriter import Rewriter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..adapt_policy import AdaptPolicy
    from ..manifest import TargetSpec
    from ..psl import Declaration
    from ..sources import Fragment


def adapt_target(
    selected: list[Fragment],
    datasource: Declaration | None,
    target_provider: str | None,
    policy: AdaptPolicy | None,
    target: TargetSpec,
) -> Adapted | None:
    """The target's fragments rewritten for `target_provider`, or None when nothing is to adapt
    (no override of the provider, the same provider, adapting switched off, an unknown one)."""
    from ..compose import datasource_provider  # here: compose imports this package lazily

    written_for = datasource_provider(datasource, {})
    if policy is None or written_for is None or target_provider is None or written_for == target_provider:
        return None
    if "mongodb" in (written_for, target_provider):
        raise ComposeError(_mongodb_refused(target, written_for, target_provider))
    dst = PROVIDERS.get(target_provider)
    if dst is None and written_for in PROVIDERS:  # Prisma would refuse the output
        raise ComposeError(_unknown_provider(target, target_provider))
    if dst is None or written_for not in PROVIDERS:
        return None
    enums = {
        d.name for f in selected for d in f.schema.declarations if d.keyword == "enum" and not d.is_extend
    }
    # A declaration named like a scalar type would make the scalars a field's type changes
    # between matter to composing (`edits.rewritten_fragment`'s `new_types`).
    scalar_named = not SCALARS.isdisjoint(d.name for f in selected for d in f.schema.declarations)
    list_types, enum_types = _types_to_look_at(dst, enums)
    listed = SCALARS | enums
    result = Adapted([])
    errors: list[Diagnostic] = []
    defaults = dict(policy.defaults)  # each used once; what is left names no field
    rewriter = Rewriter(dst, policy, enums, target, result, errors, defaults)
    rewriter.other_types = SAME_NAME_OTHER_TYPE.get((written_for, dst.name), {})
    rewriter.list_types, rewriter.enum_types = list_types, enum_types
    rewriter.scalar_named, rewriter.listed = scalar_named, listed
    rewriter.selected = selected
    result.fragments.extend(map(rewriter.run, selected))
    default_rules.one_per_merged_model(rewriter, selected)
    errors.extend(_unused_defaults(defaults, target))
    _datasource_properties(datasource, dst, target, result)
    if dst.name == "sqlserver":  # with the refusals above too: the relations are as written
        from . import referential_actions, relation_arguments  # SQL Server's own rules

        relation_arguments.sqlserver(result, target)
        errors.extend(referential_actions.check(result, datasource, target, policy))
    if errors:
        raise ComposeError(errors)
    return result


def _mongodb_refused(target: TargetSpec, written_for: str, target_provider: str) -> Diagnostic:
    return Diagnostic(
        f"target `{target.name}` switches the provider from `{written_for}` to "
        f"`{target_provider}`: MongoDB and relational databases model data differently "
        "(`@db.ObjectId`, `_id`, composite types, relations), which compose does not adapt",
        target.key_location("datasource", "provider"),
        code="E401",
        hint="keep the fragments' provider in this target, or set `adapt = false` to take "
        "the output as it is",
    )


def _unknown_provider(target: TargetSpec, target_provider: str) -> Diagnostic:
    from ..diagnostics import did_you_mean

    known = [*PROVIDERS, "mongodb"]
    return Diagnostic(
        f"target `{target.name}` sets the provider `{target_provider}`, which Prisma does not know, "
        "so its fragments cannot be adapted to it",
        target.key_location("datasource", "provider"),
        code="E401",
        hint=did_you_mean(target_provider, known) or f"one of {', '.join(f'`{p}`' for p in known)}",
    )


def _types_to_look_at(dst: Provider, enums: set[str]) -> tuple[Set[str], Set[str]]:
    """What a field's type must look like for the lists and enums rules to apply: blocks whose
    text has neither skip the field summary (a model's relation lists, `Post[]`, are no scalar
    lists)."""
    list_types = (SCALARS | enums) if not dst.lists else {"Json"} if not dst.json_lists else frozenset()
    enum_types = enums if not dst.enums else frozenset()
    return list_types, enum_types


def _unused_defaults(defaults: dict[str, str], target: TargetSpec) -> list[Diagnostic]:
    return [
        Diagnostic(
            f"`targets.{target.name}.adapt.defaults` sets the default of `{key}`, which is no field "
            "with a `@default` in this target",
            target.key_location("adapt", "defaults", key),
            code="E404",
        )
        for key in defaults
    ]


def _datasource_properties(
    datasource: Declaration | None, dst: Provider, target: TargetSpec, result: Adapted
) -> None:
    """`schemas` and `extensions` left out of the datasource where the provider has none (unless
    the target sets them itself)."""
    if datasource is None:
        return
    for prop, allowed in (("schemas", dst.multi_schema), ("extensions", dst.extensions)):
        member = datasource.member(prop)
        if member is None or allowed or prop in target.datasource:
            continue
        result.dropped_properties.append(prop)
        result.counts[f"datasource `{prop}` dropped"] += 1
        result.notes.append(
            note(
                f"`{prop}` dropped from the datasource: {dst.name} has no {prop}",
                Location(datasource.source, member.name_start, member.name_end),  # type: ignore[arg-type]
                target,
            )
        )
