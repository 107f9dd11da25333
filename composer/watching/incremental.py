"""Composing a target again after an edit, redoing only what the edit touches (`compose watch`).

`compose_target` (compose.py) takes every fragment through every step: collect the declarations
and merge the `/// @extend` blocks, check the field types, find each declaration's dependencies,
order the fragments, write each fragment's section, lay the file(s) out. Watch runs the same
steps once (`compose_recording`; the first ones are one function, `compose.gather`) and keeps
their per-fragment results in a `TargetState`: the merged declarations, each fragment's
dependency edges (as the positions of the fragments it depends on), the order, each fragment's
laid-out section (a `Writer`) and the datasource and generator lines. An edit then
(`recompose`) rebuilds only the declarations it names (its own, and those its `@extend` blocks
extend, with every `@extend` of them), type-checks those, finds their fragments' edges again
(the order is sorted again only when an edge changed), writes the sections of those fragments
again, and lays the file(s) out from the kept sections.

That holds while the edit leaves every fragment's list of declarations (keyword, name, `@extend`
or not) as it was, and touches no datasource, generator or YAML entity: the names, their
keywords and homes are then those of the last compose. Anything else, or any error, takes the
full path again (`recompose` returns None), which also reports the errors exactly as
`compose build` would. `tests/test_watch_incremental.py` holds the output after every step of
random edit sequences to a cold `compose build`, byte for byte.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, is_not, itemgetter
from typing import TYPE_CHECKING, cast

from ..blocks import BlockMemo, layout, section_header
from ..compose import (
    ComposedTarget,
    Merged,
    apply_extend,
    banner_lines,
    check_types,
    compose_target,
    gather,
    merged_relations,
    write_section,
)
from ..graph import dependencies, stable_order
from ..seal import Checksum
from ..writer import ComposedFile, Writer

if TYPE_CHECKING:
    from ..manifest import Manifest, TargetSpec
    from ..psl import Declaration, SchemaFile
    from ..sources import Fragment

# More changed fragments than this in one build (a `git checkout`, a formatter run): the full
# path costs about as much, and is the one that is certainly right.
MAX_CHANGED = 32
CONFIG_KEYWORDS = frozenset(("datasource", "generator"))

Shape = tuple[tuple[str, str, bool], ...]  # (keyword, name, is `@extend`) of each declaration


def shape(schema: SchemaFile) -> Shape:
    return tuple((d.keyword, d.name, d.is_extend) for d in schema.declarations)


@dataclass
class TargetState:
    """What a target's last compose left, per fragment position in the target's selection."""

    fragments: list[Fragment]
    shapes: list[Shape]
    named: dict[str, Merged]
    home: dict[str, int]  # declared name -> position of the fragment declaring it
    extenders: dict[str, list[int]]  # name -> positions of the fragments extending it, in order
    keywords: dict[str, str]  # declared name -> its keyword
    edges: list[frozenset[int]]  # per position: the positions of the fragments it depends on
    order: list[int]
    sections: list[Writer]  # per position: its laid-out section (folder targets)
    texts: list[SectionText | None]  # per position: its section's text (single-file targets)
    config: Writer
    # Single-file targets: the datasource and generator lines as UTF-8 (never changed by an edit
    # `recompose` follows), and the output's checksum, hashed again from the first section that
    # changed (`seal.Checksum`).
    head: bytes | None = None
    checksum: Checksum | None = None


def adapts(target: TargetSpec) -> bool:
    """Does the target adapt its fragments to another provider? (`compose.adapt_fragments`.)
    Adapting makes new parse trees per target, so such a target is composed the ordinary way."""
    return "provider" in target.datasource and target.adapt is not None


def compose_recording(
    manifest: Manifest, fragments: list[Fragment], target: TargetSpec, memo: BlockMemo
) -> tuple[ComposedTarget, TargetState | None]:
    """`compose_target`, step by step, keeping what `recompose` reuses (None: nothing to keep).

    `memo` keeps laid-out merged blocks and field relations between full composes (see
    `compose_target`): a fallback after an edit that renamed something lays out again only what
    it changed."""
    if adapts(target):
        return compose_target(manifest, fragments, target, memo), None
    got = gather(fragments, target)
    selected, named = got.selected, got.named
    home: dict[str, int] = {}
    extenders: dict[str, list[int]] = {}
    position = {id(f): i for i, f in enumerate(selected)}
    for name, merged in named.items():
        home[name] = position[id(merged.fragment)]
    for i, frag in enumerate(selected):
        for decl in frag.schema.declarations:
            if decl.is_extend:
                where = extenders.setdefault(decl.name, [])
                if not where or where[-1] != i:
                    where.append(i)
    keywords = {name: merged.decl.keyword for name, merged in named.items()}
    used: BlockMemo = {}
    edges = [_edges(frag, named, home, keywords, memo, used) for frag in selected]
    order = _order(edges)
    config = got.config
    written = [write_section(frag, named, memo, used) for frag in selected]
    # A folder output is laid out from the writers; a single file from their texts alone (the
    # lines' origins, which only `validate` reads, are not kept: 80 MB at 10,000 fragments).
    sections: list[Writer] = written if target.folder else []
    texts = [] if target.folder else [section_text(f, w) for f, w in zip(selected, written, strict=True)]
    memo.clear()  # only what this compose used: a long session does not grow it
    memo.update(used)
    state = TargetState(
        list(selected), [shape(f.schema) for f in selected], named, home, extenders, keywords,
        edges, order, sections, texts, config,
    )
    if not target.folder:
        state.head, state.checksum = config_text(config), Checksum()
    return _composed(manifest, target, state), state


def recompose(
    state: TargetState,
    manifest: Manifest,
    fragments: list[Fragment],
    selected: list[Fragment],
    target: TargetSpec,
) -> tuple[ComposedTarget, int] | None:
    """The target composed again from `state` and the fragments as loaded now, updating `state`,
    and how many fragment sections that wrote again; None when the edit is not one this can
    follow (see the module's docstring): nothing changed then, and the caller takes the full path.
    `selected`: the target's fragments (`compose.select_fragments`)."""
    changed = _changed(state, selected)
    if changed is None:
        return None
    try:
        fresh = _merge_again(state, selected, fragments, changed)
        check_types(cast("dict[str, Merged]", _Checked(state.named, fresh)))
    except Exception:  # the full path reports it, exactly as `compose build` does
        return None
    named: Mapping[str, Merged] = ChainMap(fresh, state.named)
    touched = sorted({state.home[name] for name in fresh} | set(changed))
    edges = list(state.edges)
    for i in touched:
        edges[i] = _edges(selected[i], named, state.home, state.keywords, None, None)
    order = state.order if edges == state.edges else _order(edges)
    sections, texts = list(state.sections), list(state.texts)
    for i in touched:
        w = write_section(selected[i], cast("dict[str, Merged]", named), None, {})
        if target.folder:
            sections[i] = w
        else:
            texts[i] = section_text(selected[i], w)
    # Nothing failed: the state becomes this compose's.
    state.fragments = list(selected)
    state.named.update(fresh)
    state.edges, state.order, state.sections, state.texts = edges, order, sections, texts
    return _composed(manifest, target, state), len(touched)


def _changed(state: TargetState, selected: list[Fragment]) -> list[int] | None:
    """Positions whose parse tree changed, when the edit is one `recompose` follows."""
    if len(selected) != len(state.fragments):
        return None
    # Compared in C: a target of 10,000 fragments is walked in well under a millisecond.
    schema = attrgetter("schema")
    moved = map(is_not, map(schema, selected), map(schema, state.fragments))
    changed = list(compress(range(len(selected)), moved))
    if len(changed) > MAX_CHANGED:
        return None
    for i in changed:
        new, old = selected[i], state.fragments[i]
        if new.name != old.name or new.display != old.display:
            return None
        if new.generated is not None or old.generated is not None:
            return None  # entities are checked against the provider: the full path does that
        if shape(new.schema) != state.shapes[i]:
            return None
        if any(keyword in CONFIG_KEYWORDS for keyword, _, _ in state.shapes[i]):
            return None
    return changed


def _merge_again(
    state: TargetState, selected: list[Fragment], fragments: list[Fragment], changed: list[int]
) -> dict[str, Merged]:
    """The declarations the changed fragments declare or extend, merged again with every
    `@extend` of them, in the order `compose.collect` applies them (the selection's)."""
    names = {decl.name for i in changed for decl in selected[i].schema.declarations}
    fresh: dict[str, Merged] = {}
    for name in names:
        frag = selected[state.home[name]]
        merged = Merged(frag, _declared(frag.schema, name))
        for i in state.extenders.get(name, ()):
            for ext in selected[i].schema.declarations:
                if ext.is_extend and ext.name == name:
                    apply_extend(selected[i], ext, {name: merged}, selected, fragments)
        fresh[name] = merged
    return fresh


def _declared(schema: SchemaFile, name: str) -> Declaration:
    return next(d for d in schema.declarations if d.name == name and not d.is_extend)


class _Checked:
    """What `check_types` reads of a target's declarations, for some of them only: it checks
    `values()` and looks the types up among all the names."""

    def __init__(self, names: Mapping[str, Merged], some: dict[str, Merged]) -> None:
        self.names, self.some = names, some

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def values(self) -> Iterator[Merged]:
        return iter(self.some.values())


def _edges(
    frag: Fragment,
    named: Mapping[str, Merged],
    home: dict[str, int],
    keywords: dict[str, str],
    memo: BlockMemo | None,
    used: BlockMemo | None,
) -> frozenset[int]:
    """The positions of the fragments that `frag`'s declarations depend on (`compose.fragment_order`)."""
    out: set[int] = set()
    for decl in frag.schema.declarations:
        merged = named.get(decl.name)
        if merged is None or merged.decl is not decl:
            continue
        for dep in dependencies(decl.name, merged_relations(merged, memo, used), keywords):
            out.add(home[dep])
    return frozenset(out)


def _order(edges: list[frozenset[int]]) -> list[int]:
    return stable_order(len(edges), ((i, dep) for i, deps in enumerate(edges) for dep in deps))


class TextFile(ComposedFile):
    """A single-file output as `recompose` lays it out: its body as UTF-8 pieces only, most of
    them the kept sections' own bytes, and the output's `Checksum`; the text, the lines and their
    origins (what `validate` maps back) are made only if asked."""

    __slots__ = ("checksum", "chunks")

    def __init__(self, path: str, chunks: list[bytes], checksum: Checksum | None = None) -> None:
        super().__init__(path)
        self.chunks = chunks
        self.checksum = checksum

    @property
    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8")

    @property
    def body(self) -> str:
        return self.text

    def pieces(self) -> list[str]:
        return [self.text]

    def encoded(self) -> tuple[list[bytes], Checksum | None]:
        return self.chunks, self.checksum


# A section's lines joined and encoded as UTF-8, and whether its last line is blank: kept as
# bytes, so an edit encodes only the sections it changed (`seal.sealed_bytes` joins the others).
SectionText = tuple[bytes, bool]
_NL = b"\n"
# Before a section: a newline, and a blank line unless the line above is blank. One object each:
# `seal.Checksum` knows an unchanged piece by identity.
_SEPARATOR = {True: _NL, False: b"\n\n"}


def section_text(frag: Fragment, w: Writer) -> SectionText | None:
    """What `blocks.layout` writes for a fragment's section in a single file, after the blank
    line it puts before the header when the line above is not blank; None: no section."""
    if not w.lines:
        return None
    tail = w.lines[1:] if not w.lines[0] else w.lines  # `Writer.extend` drops one leading blank
    return "\n".join([section_header(frag), "", *tail]).encode("utf-8"), not tail or not tail[-1]


def config_text(config: Writer) -> bytes:
    """The datasource and generator lines of a single file as `blocks.layout` writes them."""
    head = config.clone()
    head.strip()
    return "\n".join(head.lines).encode("utf-8") if head.lines else b""


def single_file(
    target: TargetSpec, head: bytes, texts: Iterable[SectionText], checksum: Checksum | None = None
) -> TextFile:
    """`blocks.layout` of a single-file target, from section texts (`head`: `config_text`): the
    same text, as the pieces it is joined from, in order (made by C loops: 10,000 sections)."""
    texts = list(texts)
    if not texts:
        return TextFile(target.output, [head, _NL] if head else [], checksum)
    bodies = list(map(itemgetter(0), texts))
    # Before each section: a newline, and the blank line `Writer.blank` adds unless the line
    # above is blank (the config's last line is not; before the first line it adds none).
    blanks = [not head, *map(itemgetter(1), texts[:-1])]
    chunks: list[bytes] = [b""] * (2 * len(texts))
    chunks[0::2] = map(_SEPARATOR.__getitem__, blanks)
    chunks[1::2] = bodies
    if head:
        chunks.insert(0, head)
    else:
        del chunks[0]
    if texts[-1][1]:  # `Writer.trim`: the last section ends in a blank line (never above its header)
        chunks[-1] = chunks[-1].rstrip(b"\n")
    chunks.append(_NL)  # the newline at the end
    return TextFile(target.output, chunks, checksum)


def _composed(manifest: Manifest, target: TargetSpec, state: TargetState) -> ComposedTarget:
    if target.folder:
        sections = [(state.fragments[i], state.sections[i]) for i in state.order if state.sections[i].lines]
        files: list[ComposedFile] = layout(target, state.config.clone(), sections)  # it strips the config
    else:
        assert state.head is not None
        chunks = filter(None, map(state.texts.__getitem__, state.order))
        files = [single_file(target, state.head, chunks, state.checksum)]
    order = list(map(state.fragments.__getitem__, state.order))
    # The declarations as they are now: `recompose` updates the dict in place later on.
    return ComposedTarget(target, files, order, state.named, banner_lines(manifest, target))
