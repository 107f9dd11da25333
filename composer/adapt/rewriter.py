"""The edits one fragment needs for the target's provider: which block each rule looks at, and
the rewritten fragment. The rules live in their own modules (`native_types`, `storage`,
`defaults`, `keys`); they take the rewriter, which holds the fragment's text, the target and the
edits so far."""

from __future__ import annotations

from collections.abc import Set

from ..diagnostics import Diagnostic, Location
from ..providers import SCALARS
from . import defaults, keys, native_types, storage
from .edits import Edit, rewritten_fragment
from .triggers import (
    LISTS,
    MEMBERS,
    NATIVE_TYPES,
    TRIGGER,
    enum_typed,
    may_change,
    native_types_level,
    text_level,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from ..adapt_policy import AdaptPolicy
    from ..manifest import TargetSpec
    from ..providers import Provider
    from ..psl import Declaration, Member
    from ..sources import Fragment
    from .layout import Cells
    from .native_types import LineEdits
    from .report import Adapted


class Rewriter:
    """The edits each fragment needs for the target's provider: one for the target (its rules'
    facts and memos), `run` for each fragment in turn."""

    def __init__(
        self,
        dst: Provider,
        policy: AdaptPolicy,
        enums: set[str],
        target: TargetSpec,
        result: Adapted,
        errors: list[Diagnostic],
        defaults: dict[str, str],
    ) -> None:
        self.dst = dst
        self.policy = policy
        self.enums = enums
        self.target = target
        self.result = result
        self.errors = errors
        self.defaults = defaults
        self.other_types: dict[str, str] = {}  # SAME_NAME_OTHER_TYPE from the fragments' provider
        # `native_types.equivalent` by (name, arguments, scalar): the same for every fragment
        self.equivalents: dict[tuple[str, str, str], str | None] = {}
        self.list_types: Set[str] = frozenset()  # types whose lists the target lacks
        self.enum_types: Set[str] = frozenset()  # enums the target lacks
        # the types whose lists `native_types.from_text` reads: scalars and enums (`adapt_target`
        # adds these, once for every fragment)
        self.listed: Set[str] = SCALARS
        self.scalar_named = False  # a declaration of the target is named like a scalar type
        # `native_types.from_text`'s edits of each field line text, without and with the lists
        # rule: the same for every fragment
        self.lines: tuple[dict[str, LineEdits], dict[str, LineEdits]] = ({}, {})
        # `layout.relaid_from_text`'s cells of each body line text, and each field line laid out
        # in columns of given widths: the same for every fragment
        self.cells: dict[str, Cells] = {}
        self.needs: dict[str, int] = {}  # `triggers.line_need` of each field line text
        self.laid: dict[tuple[int, int], dict[str, str]] = {}  # by the widths of the columns
        self.recording: list[tuple[str, str, int, int]] | None = None  # the notes, while not None
        # the models with a block that takes its `autoincrement()` off an `@id` field
        # (`defaults.one_per_merged_model` asks whether another block takes one too)
        self.autoincrement_models: set[str] = set()
        self.selected: list[Fragment] = []  # the target's fragments, as written
        # `defaults.leading_key_fields` of a model's blocks together, by model (when asked)
        self.merged_keys: dict[str, tuple[set[str], str | None]] = {}
        self._start(None)

    def _start(self, frag: Fragment | None) -> None:
        """The state of one fragment: its text, and its edits so far."""
        if frag is not None:
            self.frag = frag
            self.source = frag.schema.source
            self.text = self.source.text
        # the models a default of the adapt table names, of those no fragment used yet
        self.default_models = {key.partition(".")[0] for key in self.defaults} if self.defaults else set()
        self.autoincrement_keys: tuple[set[str], str | None] = (set(), None)  # of the block at hand
        self.autoincrement_field: str | None = None  # the block's `Model.field` with `autoincrement()`
        self.edits: list[Edit] = []
        self.dropped: list[tuple[int, int]] = []  # [start, end) of whole lines to leave out
        # the fragment holds none of the text `layout.relaid_from_text` leaves to compose (None:
        # not asked yet)
        self.plain_text: bool | None = None
        # the lines `native_types.from_text` reads in the fragment's blocks, when found at once
        # (`native_types.mark_fragment`): from which one the next block's start, and whether the
        # lists rule's lines are among them
        self.marked: list[tuple[int, str]] | None = None
        self.marked_at, self.marked_lists = 0, False
        # the types edits of field lines gave (`edits.rewritten_fragment`); None: not only scalars
        # where no declaration is named like one
        self.new_types: tuple[str, ...] | None = ()

    # -- reporting ------------------------------------------------------------------------------

    def note(self, what: str, message: str, start: int, end: int, *, count: bool = True) -> None:
        """An info diagnostic at [start, end), counted under `what` in the build's summary line
        (unless not `count`: a change the summary counts once, noted at each of its places)."""
        if self.recording is not None:
            self.recording.append((what, message, start, end))
        if count:
            self.result.counts[what] += 1
        self.result.notes.defer(message, self.source, start, end, self.target)

    def refuse(self, message: str, start: int, end: int, hint: str) -> None:
        self.errors.append(
            Diagnostic(
                f"target `{self.target.name}` ({self.dst.name}): {message}",
                Location(self.source, start, end),
                code="E402",
                hint=hint,
            )
        )

    def relayout(self, decl: Declaration) -> None:
        """The block's columns are laid out again when composed (a cell changed width)."""
        self.result.relayout.add((self.frag.name, decl.name))

    # -- the fragment -----------------------------------------------------------------------------

    def run(self, frag: Fragment) -> Fragment:
        """`frag` rewritten for the target (itself when nothing changes)."""
        text = frag.schema.source.text
        # `@db.` and `[]` are of TRIGGER's kinds: found by a plain search, they save the
        # expression's walk over the text up to its first match (most fragments hold one); a
        # field of an enum the target lacks may be of one that another fragment declares
        plain = "@db." not in text and "[]" not in text and not TRIGGER.search(text)
        if plain and not enum_typed(self, text):
            return frag
        self._start(frag)
        most = text_level(self)
        if most != MEMBERS:
            native_types.mark_fragment(self, lists=most == LISTS)
            if native_types.from_known_lines(self, lists=most == LISTS):
                return self._rewritten()
        self._by_blocks(most)
        return self._rewritten()

    def _by_blocks(self, most: int) -> None:
        """Each block of the fragment asked in turn which rules apply (`text_level`: `most`)."""
        level_of = native_types_level if most == NATIVE_TYPES else may_change
        for decl in self.frag.schema.declarations:
            if decl.keyword == "enum" and not self.dst.enums:
                storage.enum_block(self, decl)
            elif most == LISTS and decl.keyword != "enum" and decl.lazy:
                if not native_types.lists_from_text(self, decl):
                    self.declaration(decl)
            elif decl.keyword in ("model", "view", "enum"):
                level = level_of(self, decl)
                if level in (NATIVE_TYPES, LISTS) and decl.lazy:
                    native_types.from_text(self, decl, lists=level == LISTS)
                elif level:
                    self.declaration(decl)

    def _rewritten(self) -> Fragment:
        if not self.edits and not self.dropped:
            return self.frag
        return self.frag.with_schema(
            rewritten_fragment(self.frag.schema, self.edits, self.dropped, new_types=self.new_types)
        )

    def declaration(self, decl: Declaration) -> None:
        keyed = native_types.keyed_fields(decl)
        self.autoincrement_keys = defaults.leading_key_fields(decl)
        self.autoincrement_field = None
        dropped = len(self.dropped)
        if not self.dst.bytes_ids:
            keys.bytes_ids(self, decl)
        for m in decl.members:
            if m.kind == "field" and decl.keyword != "enum":
                self.field(decl, m, keyed)
            elif m.kind == "block_attribute":
                keys.block_attribute(self, decl, m)
        if len(self.dropped) != dropped:  # a line left out may leave a blank line before `}`
            self.relayout(decl)

    def field(self, decl: Declaration, m: Member, keyed: set[str]) -> None:
        where = f"`{decl.name}.{m.name}`"
        stored = storage.stored_type(self, decl, m, where)
        if stored is None:  # refused
            defaults.of_a_refused_field(self, where, m)
            return
        type_name, from_enum, from_list = stored
        for attr in m.attributes:
            if attr.name.startswith("db."):
                native_types.native_type(self, where, attr, type_name, m.name in keyed)
            elif attr.name == "default":
                defaults.default(self, where, m, attr, from_enum=from_enum, from_list=from_list)
            elif attr.name in ("id", "unique"):
                keys.key_arguments(self, where, attr, is_id=attr.name == "id")
