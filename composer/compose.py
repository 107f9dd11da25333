"""Composition: the fragments of one target become the text of its output file(s).

Declarations are copied verbatim (comments included); `/// @extend` blocks are merged into the
declaration they extend; the target's generator and datasource settings are applied; fragments
are ordered by their dependencies (README "How fragments are composed"). Every output line
remembers the source line it came from, so that Prisma's errors on the output can be sent back
to the fragment. This module holds the rules (what is taken, merged, checked, in which order);
`blocks.py` writes what they decide. Over 600 lines: the merge rules of `/// @extend`
(each a small function) are kept with the ordering they feed; the type check is `typecheck.py`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from .blocks import (
    BlockMemo,
    layout,
    write_datasource,
    write_extend_comments,
    write_generators,
    write_merged,
    write_merged_memo,
    write_trailing_comments,
    write_verbatim,
)
from .diagnostics import ComposeError, Diagnostic, Location, article, did_you_mean
from .graph import dependencies, field_relations, file_dependencies, stable_order
from .psl import Declaration, Member, decode_string
from .psl.members import checked_members, field_lines_only
from .records import Record
from .typecheck import SCALARS as SCALARS  # where the language server reads it
from .typecheck import check_types, declared_in
from .writer import ComposedFile, Writer

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .adapt import Adapted
    from .manifest import Manifest, TargetSpec
    from .psl.fields import FileFields
    from .sources import Fragment


class Merged(Record):
    """A declaration of the target with what `/// @extend` blocks add to it."""

    # One per declaration of the target: no `__dict__` each.
    __slots__ = ("_added", "_own", "_signatures", "additions", "attributes", "decl", "fragment", "relayout")
    _attrs = ("fragment", "decl", "additions", "attributes", "relayout", "_added", "_own", "_signatures")

    def __init__(
        self,
        fragment: Fragment,
        decl: Declaration,
        # What `@extend` blocks add, in order: a list from the first addition on (most
        # declarations of a project have none: no two empty lists each). An addition is a field
        # (or value) of an `@extend` block, or (member None) every line of a checked block of
        # fields only, whose members are not built for merging (`add_block`; `fields` lists them
        # one by one).
        additions: Sequence[tuple[Fragment, Declaration, Member | None]] = (),
        attributes: Sequence[tuple[Fragment, Declaration, Member]] = (),
        relayout: bool = False,  # adapted to the target's provider: columns are aligned again
    ) -> None:
        self.fragment = fragment
        self.decl = decl
        self.additions = additions
        self.attributes = attributes
        self.relayout = relayout
        # What `apply_extend` merges against: the additions by name (from the ninth on: a few
        # are looked through, not kept in a dict each), and (found when first needed) the
        # declaration's own field names and the signatures of every block attribute.
        self._added: dict[str, tuple[Declaration, Member | None]] | None = None
        self._own: set[str] | None = None
        self._signatures: set[str] | None = None

    @property
    def fields(self) -> Sequence[tuple[Fragment, Declaration, Member]]:
        """Every added field (or value), one by one, in order: the members of a block added whole
        are built now (what merging reads of them is read from `additions`)."""
        adds = self.additions
        if all(m is not None for _, _, m in adds):
            return adds  # type: ignore[return-value]
        self.additions = [
            (frag, ext, m)
            for frag, ext, one in adds
            for m in ([one] if one is not None else [m for m in ext.members if m.kind != "block_attribute"])
        ]
        return self.additions  # type: ignore[return-value]

    def members(self) -> Iterator[Member]:
        yield from self.decl.members
        for _, _, m in self.fields:
            yield m
        for _, _, m in self.attributes:
            yield m

    def defined(self, name: str) -> tuple[Declaration, Member] | None:
        """Where field (or value) `name` is defined so far: by an addition, or by the declaration
        itself; None: nowhere."""
        added = self._added
        hit = None
        if added is not None:
            hit = added.get(name)
        else:
            for _, ext, m in self.additions:
                if (m.name == name) if m is not None else name in field_lines_only(ext):  # type: ignore[operator]
                    hit = ext, m
                    break
        if hit is not None:
            return hit if hit[1] is not None else (hit[0], own_member(hit[0], name))  # type: ignore[return-value]
        if not self.has_own(name):
            return None
        return self.decl, own_member(self.decl, name)

    def has_own(self, name: str) -> bool:
        decl = self.decl
        if decl.checked and decl.source.text.find(name, decl.body_start, decl.close_start) == -1:
            return False  # the usual case, answered without reading the block's lines
        if self._own is None:
            self._own = (
                set(checked_members(decl)[0]) if decl.checked
                else {m.name for m in decl.members if m.kind != "block_attribute"}
            )
        return name in self._own

    def add_field(self, frag: Fragment, ext: Declaration, m: Member) -> None:
        self._add(frag, ext, m, (m.name,))

    def add_block(self, frag: Fragment, ext: Declaration, names: list[str]) -> None:
        """Every line of checked block `ext`, each a field (or value) named in `names`."""
        self._add(frag, ext, None, names)

    def _add(self, frag: Fragment, ext: Declaration, m: Member | None, names: Sequence[str]) -> None:
        if not self.additions:
            self.additions = []
        self.additions.append((frag, ext, m))  # type: ignore[attr-defined]
        if self._added is not None:
            self._added.update(dict.fromkeys(names, (ext, m)))
        elif len(self.additions) > 8:
            self._added = {}
            for _, e, one in self.additions:
                self._added.update(
                    dict.fromkeys((one.name,) if one is not None else field_lines_only(e), (e, one))  # type: ignore[arg-type]
                )

    def added_relations(self) -> list[tuple[str, bool]]:
        """`graph.field_relations` of the additions (a block added whole: from its summary)."""
        out: list[tuple[str, bool]] = []
        for _, ext, m in self.additions:
            out += field_relations(ext) if m is None else field_relations(ext, [m])
        return out

    def added_types(self) -> list[str]:
        """The type names of the added fields (a block added whole: from its summary)."""
        out: list[str] = []
        for _, ext, m in self.additions:
            if m is None:
                out += [t for t, _, _ in ext.field_summary()]
            elif m.kind == "field":
                out.append(m.type_name)
        return out

    def add_attribute(self, frag: Fragment, ext: Declaration, m: Member) -> None:
        """Block attribute `m` of `ext`, unless the declaration has the same one already."""
        if self._signatures is None:
            decl = self.decl
            if decl.checked:  # from the text: the members need not be built
                self._signatures = {line_signature(line) for line in checked_members(decl)[1]}
            else:
                own = (m for m in decl.members if m.kind == "block_attribute")
                self._signatures = {member_signature(decl, m) for m in own}
        sig = member_signature(ext, m)
        if sig not in self._signatures:
            self._signatures.add(sig)
            if not self.attributes:
                self.attributes = []
            self.attributes.append((frag, ext, m))  # type: ignore[attr-defined]


class ComposedTarget(Record):
    _attrs = ("target", "files", "fragments", "declarations", "banner", "warnings", "notes", "adapted")

    def __init__(
        self,
        target: TargetSpec,
        files: list[ComposedFile],
        fragments: list[Fragment],  # in output order
        declarations: dict[str, Merged],
        banner: list[str],
        warnings: list[Diagnostic] | None = None,
        notes: list[Diagnostic] | None = None,
        adapted: str | None = None,
    ) -> None:
        self.target = target
        self.files = files
        self.fragments = fragments
        self.declarations = declarations
        self.banner = banner
        self.warnings: list[Diagnostic] = [] if warnings is None else warnings
        # What adapting to the target's provider changed (info diagnostics), and a one-line summary.
        self.notes: list[Diagnostic] = [] if notes is None else notes
        self.adapted = adapted


def banner_lines(manifest: Manifest, target: TargetSpec) -> list[str]:
    if not target.header:
        return []
    return [
        f"// DO NOT EDIT: generated by compose from {manifest.path.name} (target {target.name})",
        f"// Edit the fragments instead, then run `compose build {target.name}` to regenerate.",
    ]


class Gathered(Record):
    """What every compose of a target starts from (`gather`): its fragments (adapted to its
    provider), their declarations with the `@extend` additions merged and type-checked, and its
    datasource and generators written."""

    _attrs = ("selected", "named", "config", "adapted", "touched")

    def __init__(
        self,
        selected: list[Fragment],
        named: dict[str, Merged],
        config: Writer,
        adapted: Adapted | None,
        touched: set[int],  # `extended_in(named)`
    ) -> None:
        self.selected = selected
        self.named = named
        self.config = config
        self.adapted = adapted
        self.touched = touched


def gather(fragments: list[Fragment], target: TargetSpec) -> Gathered:
    """The first steps of composing `target`, shared by `compose_target` and watch's
    `compose_recording`, so that both check and write exactly the same."""
    selected = select_fragments(fragments, target)
    taken = {id(f) for f in selected}
    left_out = [f for f in fragments if id(f) not in taken]  # for "declared in a fragment left out"
    selected, overrides, adapted = adapt_fragments(selected, target)
    datasources, generators, named, extends = collect_all(selected, fragments)
    check_types(named, left_out, target, selected, extended=bool(extends))
    datasource = one_datasource(datasources, target)
    if adapted is not None:
        for merged in named.values():
            merged.relayout = (merged.fragment.name, merged.decl.name) in adapted.relayout
    else:
        check_entities(selected, datasource_provider(datasource, overrides))
    config = Writer()
    if datasource is not None:
        write_datasource(config, datasource, overrides, target)
    write_generators(config, generators, target)
    # No `@extend` block and nothing laid out again: no declaration is touched (and the walk of
    # every declaration that `extended_in` makes is spared).
    touched = extended_in(named) if extends or adapted is not None else set()
    return Gathered(selected, named, config, adapted, touched)


def compose_target(
    manifest: Manifest, fragments: list[Fragment], target: TargetSpec, memo: BlockMemo | None = None
) -> ComposedTarget:
    """Compose one target. `memo` (one dict per target, kept by the caller across builds, as
    `watch` does) reuses the laid-out lines of every declaration whose parse tree and `@extend`
    additions are the same objects as last time: the parse cache keeps unchanged files' trees."""
    got = gather(fragments, target)
    named = got.named
    used: BlockMemo = {}
    touched = got.touched
    order = fragment_order(got.selected, named, memo, used, touched)
    sections: list[tuple[Fragment, Writer]] = []
    for frag in order:
        w = section(frag, named, memo, used, touched)
        if not w.empty:
            sections.append((frag, w))
    if memo is not None:
        # Keep only what this build used, so a long watch session does not grow the memo.
        memo.clear()
        memo.update(used)
    files = layout(target, got.config, sections)
    composed = ComposedTarget(target, files, order, named, banner_lines(manifest, target))
    if got.adapted is not None:
        composed.notes, composed.adapted = got.adapted.notes, got.adapted.summary()
    return composed


def adapt_fragments(
    selected: list[Fragment], target: TargetSpec
) -> tuple[list[Fragment], dict[str, str | None], Adapted | None]:
    """The fragments adapted to the provider the target sets (docs/providers.md), the datasource
    settings with the properties the provider drops (or the adapt table sets), and what adapting
    did (None: nothing)."""
    overrides = target.datasource
    if "provider" not in overrides or target.adapt is None:
        return selected, overrides, None
    found = [d for f in selected for d in f.schema.declarations if d.keyword == "datasource"]
    if len(found) != 1:  # with more, `one_datasource` says so
        return selected, overrides, None
    from .adapt import adapt_target

    adapted = adapt_target(selected, found[0], datasource_provider(found[0], overrides), target.adapt, target)
    if adapted is None:
        return selected, overrides, None
    dropped = dict.fromkeys(adapted.dropped_properties)
    return adapted.fragments, {**overrides, **dropped, **adapted.set_properties}, adapted


def one_datasource(datasources: list[tuple[Fragment, Declaration]], target: TargetSpec) -> Declaration | None:
    if len(datasources) > 1:
        (_, d1), (_, d2) = datasources[0], datasources[1]
        raise ComposeError(
            Diagnostic(
                f"target `{target.name}` has more than one datasource: `{d1.name}` and `{d2.name}`",
                d2.location,
                code="E205",
                notes=[("the first one is declared here", d1.location)],
                hint="keep one datasource, or leave one fragment out of this target with `exclude`",
            )
        )
    return datasources[0][1] if datasources else None


def check_entities(selected: list[Fragment], provider: str | None) -> None:
    """The YAML entity fragments fit the target's provider; the problems of every entity file,
    not only the first one's."""
    problems: list[Diagnostic] = []
    for frag in selected:
        if frag.generated is not None:
            from .entities import check_provider

            try:
                check_provider(frag.generated, provider)
            except ComposeError as exc:
                problems.extend(exc.diagnostics)
    if problems:
        raise ComposeError(problems)


def section(
    frag: Fragment, named: dict[str, Merged], memo: BlockMemo | None, used: BlockMemo, touched: set[int]
) -> Writer:
    """A fragment's section of the output (`touched`: see `extended_in`)."""
    if plain_fields(frag, touched) is not None:
        return write_plain_section(frag, named)
    return write_section(frag, named, memo, used)


def plain_fields(frag: Fragment, touched: set[int]) -> FileFields | None:
    """The fields of a clean fragment that holds no `@extend` block and none of whose
    declarations is extended or laid out again (`touched`), read a file at a time; else None."""
    fields = frag.schema.fields()
    if fields is None or fields.extends or id(frag) in touched:
        return None
    return fields


def write_section(
    frag: Fragment, named: dict[str, Merged], memo: BlockMemo | None, used: BlockMemo
) -> Writer:
    """A fragment's section of the output: its declarations, merged or as written."""
    w = Writer()
    run: list[Declaration] = []  # declarations written as they are, one after the other
    tidy: bool | None = None  # no line of the fragment ends in white space (found when needed)
    for decl in frag.schema.declarations:
        merged = named.get(decl.name)
        if merged is None or merged.decl is not decl:  # written elsewhere, or an `@extend`
            if run:
                write_verbatim(w, run)
                run = []
            if decl.is_extend:
                write_extend_comments(w, decl)
            continue
        if not merged.additions and not merged.attributes and not merged.relayout:
            if run and run[-1].end == decl.start:  # no blank line between: one is added
                write_verbatim(w, run)
                run = []
            run.append(decl)
            continue
        if run:
            write_verbatim(w, run)
            run = []
        if memo is None:
            if tidy is None:
                text = decl.source.text
                tidy = " \n" not in text and "\t\n" not in text
            write_merged(w, merged, tidy)
        else:
            write_merged_memo(w, merged, memo, used)
    write_verbatim(w, run)
    write_trailing_comments(w, frag.schema, named)
    return w


def write_plain_section(frag: Fragment, named: dict[str, Merged]) -> Writer:
    """The section of a clean fragment none of whose declarations is merged: each as written, in
    runs from one declaration to the next, but where two touch (a blank line is added between)."""
    w = Writer()
    decls = frag.schema.declarations
    first = 0
    for k in range(1, len(decls)):
        if decls[k - 1].end == decls[k].start:
            write_verbatim(w, decls[first:k])
            first = k
    write_verbatim(w, decls[first:])
    write_trailing_comments(w, frag.schema, named)
    return w


# -- selection and collection -------------------------------------------------------------------


def select_fragments(fragments: list[Fragment], target: TargetSpec) -> list[Fragment]:
    if target.include is None and not target.exclude:
        return list(fragments)  # every fragment (watch asks after each edit: 10,000 names unchecked)
    names = {f.name for f in fragments}
    for key in ("include", "exclude"):
        for name in getattr(target, key) or []:
            if name not in names:
                raise ComposeError(
                    Diagnostic(
                        f"`targets.{target.name}.{key}` names `{name}`, which is no fragment",
                        target.key_location(key),
                        code="E201",
                        hint=did_you_mean(name, names) or f"fragments are: {', '.join(sorted(names))}",
                    )
                )
    if target.include is not None:
        wanted = set(target.include)
        return [f for f in fragments if f.name in wanted]
    excluded = set(target.exclude)
    return [f for f in fragments if f.name not in excluded]


def collect(
    selected: list[Fragment], everything: list[Fragment]
) -> tuple[list[tuple[Fragment, Declaration]], dict[str, tuple[Fragment, Declaration]], dict[str, Merged]]:
    """The datasources, the generators by name and the declarations by name (`@extend` blocks
    merged) of the `selected` fragments."""
    datasources, generators, named, _ = collect_all(selected, everything)
    return datasources, generators, named


def collect_all(
    selected: list[Fragment], everything: list[Fragment]
) -> tuple[
    list[tuple[Fragment, Declaration]],
    dict[str, tuple[Fragment, Declaration]],
    dict[str, Merged],
    list[tuple[Fragment, Declaration]],
]:
    """`collect`, and the `@extend` blocks it merged."""
    datasources: list[tuple[Fragment, Declaration]] = []
    generators: dict[str, tuple[Fragment, Declaration]] = {}
    named: dict[str, Merged] = {}
    extends: list[tuple[Fragment, Declaration]] = []
    for frag in selected:
        for decl in frag.schema.declarations:
            keyword = decl.keyword
            if keyword == "datasource":
                datasources.append((frag, decl))
            elif keyword == "generator":
                if decl.name in generators:
                    raise duplicate(decl, generators[decl.name][1])
                generators[decl.name] = (frag, decl)
            elif decl.is_extend:
                extends.append((frag, decl))
            else:
                merged = Merged(frag, decl)
                first = named.setdefault(decl.name, merged)  # one lookup per declaration
                if first is not merged:
                    raise duplicate(decl, first.decl)
    for frag, ext in extends:
        apply_extend(frag, ext, named, selected, everything)
    return datasources, generators, named, extends


def duplicate(decl: Declaration, first: Declaration) -> ComposeError:
    where = [("first declared here", first.location)]
    if decl.source.path == first.source.path:  # one fragment: `/// @extend` is no way out
        return ComposeError(Diagnostic(
            f"`{decl.name}` is declared twice in the same fragment `{decl.source.display}`: as "
            f"{article(first.keyword)} on line {first.location.line} and as {article(decl.keyword)} "
            f"on line {decl.location.line}",
            decl.location, code="E202", notes=where, hint="remove or rename one of them",
        ))
    extendable = decl.keyword == first.keyword and decl.keyword in ("model", "enum")
    return ComposeError(
        Diagnostic(
            f"`{decl.name}` is declared twice: as {article(first.keyword)} in `{first.source.display}` "
            f"and as {article(decl.keyword)} in `{decl.source.display}`",
            decl.location,
            code="E202",
            notes=where,
            hint="to add fields to a declaration from another fragment, put `/// @extend` above the block"
            if extendable else "rename one of them, or leave one fragment out of this target with `exclude`",
        )
    )


def member_signature(decl: Declaration, m: Member) -> str:
    return line_signature(decl.source.text[m.line_start : m.end])


def line_signature(text: str) -> str:
    """A member's line without its comment and with its spaces normalised: two definitions with the
    same signature are the same definition."""
    comment = text.find("//")
    if comment != -1 and '"' not in text[:comment]:
        text = text[:comment]
    return " ".join(text.split())


def apply_extend(
    frag: Fragment,
    ext: Declaration,
    named: dict[str, Merged],
    selected: list[Fragment],
    everything: list[Fragment],
) -> None:
    base = extended(ext, named, selected, everything)
    if ext.lazy and ext.keyword != "enum":
        # The usual block: every line a field none of the others defines, added as it is (its
        # members are not built).
        names = field_lines_only(ext)
        if names is not None and (
            base.defined(names[0]) is None if len(names) == 1  # the usual one: no generator
            else all(base.defined(name) is None for name in names)
        ):
            base.add_block(frag, ext, names)
            return
    for m in ext.members:
        if m.kind == "block_attribute":
            base.add_attribute(frag, ext, m)
            continue
        prior = base.defined(m.name)
        if prior is None:
            base.add_field(frag, ext, m)
        elif member_signature(*prior) != member_signature(ext, m):
            raise defined_twice(ext, m, *prior)


def defined_twice(ext: Declaration, m: Member, other: Declaration, first: Member) -> ComposeError:
    what = "value" if m.kind == "value" else "field"
    return ComposeError(
        Diagnostic(
            f"{what} `{ext.name}.{m.name}` is defined twice with different definitions",
            Location(ext.source, m.name_start, m.name_end),
            code="E204",
            notes=[("the other definition", other.loc(first.name_start, first.name_end))],
        )
    )


def extended(
    ext: Declaration, named: dict[str, Merged], selected: list[Fragment], everything: list[Fragment]
) -> Merged:
    """The declaration `/// @extend` block `ext` extends."""
    base = named.get(ext.name)
    if base is None:
        home = declared_in(ext.name, [f for f in everything if f not in selected])
        where = (
            f"; it is declared in fragment `{home.name}`, which this target leaves out"
            if home is not None
            else " in any fragment"
        )
        raise ComposeError(
            Diagnostic(
                f"`/// @extend` of `{ext.name}`, which is not declared{where}",
                ext.location,
                code="E203",
                hint=did_you_mean(ext.name, set(named)),
            )
        )
    if base.decl.keyword != ext.keyword:
        raise ComposeError(
            Diagnostic(
                f"`/// @extend {ext.keyword} {ext.name}` extends {article(base.decl.keyword)}",
                ext.location,
                code="E203",
                notes=[("declared here", base.decl.location)],
            )
        )
    return base


def own_member(decl: Declaration, name: str) -> Member:
    """The field or value `name` of `decl` (the last one, should the block define it twice)."""
    return next(m for m in reversed(decl.members) if m.kind != "block_attribute" and m.name == name)


def fragment_order(
    selected: list[Fragment],
    named: dict[str, Merged],
    memo: BlockMemo | None = None,
    used: BlockMemo | None = None,
    touched: set[int] | None = None,
) -> list[Fragment]:
    """The fragments in output order (`graph.stable_order` of their dependencies). `touched`:
    the ids of the fragments holding a declaration that `@extend` blocks add to (`extended_in`)."""
    position = {id(f): i for i, f in enumerate(selected)}
    keywords = {name: merged.decl.keyword for name, merged in named.items()}
    touched = extended_in(named) if touched is None else touched
    edges: list[tuple[int, int]] = []
    free: dict[int, bool] = {}  # `no_dependencies` of each `@extend` block, by id: asked twice
    for i, frag in enumerate(selected):
        deps = fragment_dependencies(frag, named, keywords, touched, memo, used, free)
        edges.extend([(i, position[id(named[dep].fragment)]) for dep in deps])
    return [selected[i] for i in stable_order(len(selected), edges)]


def extended_in(named: dict[str, Merged]) -> set[int]:
    """The ids of the fragments that hold a declaration whose text is not written as it is: one
    that `@extend` blocks add to, or that adapting lays out again."""
    return {id(m.fragment) for m in named.values() if m.additions or m.attributes or m.relayout}


def fragment_dependencies(
    frag: Fragment,
    named: dict[str, Merged],
    keywords: dict[str, str],
    touched: set[int],
    memo: BlockMemo | None,
    used: BlockMemo | None,
    free: dict[int, bool] | None = None,
) -> list[str]:
    """The names the declarations of `frag` depend on: of a plain fragment (`plain_fields`; an
    `@extend` block's fields count for the declaration it extends), those of its fields, read
    from the whole file at once. `free`: see `extended_file_dependencies`."""
    fields = plain_fields(frag, touched)
    if fields is not None:
        return file_dependencies(fields.types, fields.owners, keywords)
    if memo is None:  # a cold build (watch keeps each declaration's relations instead)
        found = extended_file_dependencies(frag, named, keywords, {} if free is None else free)
        if found is not None:
            return found
    deps: list[str] = []
    for decl in frag.schema.declarations:
        merged = named.get(decl.name)
        if merged is not None and merged.decl is decl:
            deps.extend(dependencies(decl.name, merged_relations(merged, memo, used), keywords))
    return deps


def extended_file_dependencies(
    frag: Fragment, named: dict[str, Merged], keywords: dict[str, str], free: dict[int, bool]
) -> list[str] | None:
    """`fragment_dependencies` of a clean fragment that holds `@extend` blocks or declarations
    they add to: those of the whole file's fields (read at once, as for a plain fragment), and
    those of the fields added to its declarations; None when that is not the same thing (an
    `@extend` block whose own fields would count here, not for the declaration it extends).
    `free`: `no_dependencies` of the `@extend` blocks seen so far, by id (each block is asked
    about in its own fragment and in the one of the declaration it extends)."""
    fields = frag.schema.fields()
    if fields is None:
        return None
    deps = file_dependencies(fields.types, fields.owners, keywords)
    for decl in frag.schema.declarations:
        if decl.is_extend:
            # Its header names the declaration it extends, which counts as a field type of the
            # file: harmless for a model or view, not for an enum or a composite type.
            if decl.keyword not in ("model", "view") or not no_dependencies(decl, keywords, free):
                return None
            continue
        merged = named.get(decl.name)
        if merged is None or merged.decl is not decl or not merged.additions:
            continue
        # Blocks added whole whose fields depend on nothing add nothing (the usual back-relation
        # lists): their relations are not read again.
        for _, ext, m in merged.additions:
            if m is not None or not no_dependencies(ext, keywords, free):
                deps.extend(dependencies(decl.name, merged.added_relations(), keywords))
                break
    return deps


def no_dependencies(ext: Declaration, keywords: dict[str, str], free: dict[int, bool]) -> bool:
    """Do the fields of `/// @extend` block `ext` depend on no declaration (`graph.dependencies`
    of none, not even the one it extends)? Kept in `free` by id."""
    found = free.get(id(ext))
    if found is None:
        # From its summary while its members are not built.
        found = free[id(ext)] = not dependencies("", field_relations(ext), keywords)
    return found


def merged_relations(
    merged: Merged, memo: BlockMemo | None, used: BlockMemo | None
) -> list[tuple[str, bool]]:
    """`graph.field_relations` of a declaration with its `@extend` additions. They depend on the
    fields alone, so `memo` keeps them across builds, keyed like the laid-out blocks (what the
    types are is looked up every time, by `graph.dependencies`)."""
    if memo is None:
        return relations_of(merged)
    key = (-1, id(merged.decl), *(id(m) for _, _, m in merged.fields))
    hit = memo.get(key)
    if hit is None:
        hit = (relations_of(merged), merged)  # `merged` keeps the ids' objects alive
    if used is not None:
        used[key] = hit
    return hit[0]


def relations_of(merged: Merged) -> list[tuple[str, bool]]:
    """The declaration's own field relations (from its summary while its members are not built),
    then its additions'."""
    own = field_relations(merged.decl)
    return own + merged.added_relations() if merged.additions else own


# Another name Prisma takes for a provider (psl-core's connector registry): the same database.
# Here, not in providers.py, which the plain build never imports.
_PROVIDER_ALIASES = {"postgres": "postgresql"}


def datasource_provider(datasource: Declaration | None, overrides: dict[str, str | None]) -> str | None:
    """The provider a target ends up with: the manifest's override, else the fragments' own
    (their datasource's `provider` string; `overrides={}` asks for that alone), by its one name
    (`postgres` is `postgresql`)."""
    value = overrides.get("provider")
    if value is not None and value.startswith('"'):
        name = decode_string(value)
        return _PROVIDER_ALIASES.get(name, name)
    if datasource is None:
        return None
    prop = datasource.member("provider")
    if prop is not None and prop.value is not None and prop.value.kind == "string":
        return _PROVIDER_ALIASES.get(prop.value.value, prop.value.value)
    return None
