"""The fields of a whole clean file at once: their types, and which own a foreign key.

Composing asks two things of every field of every model: is its type declared (`typecheck.check_types`),
and does it make its declaration depend on another (`graph.dependencies`: a type it holds a
foreign key to, an enum, a composite type). For a file whose every line the parser's fast path
checked (`SchemaFile.clean`), the (type, rest) of its field lines answer both, instead of one
summary per declaration: the parser reads them from each body as it checks them
(`parser._BODY_LINES`), or one regular expression reads them from the whole text, whose field
lines are then the only lines that start with two names (a header `model A {` matches too,
naming its own declaration, which changes neither answer). The attributes of the field lines are
answered once per distinct text (most repeat: `@id @default(autoincrement())`, `@default(now())`).
"""

from __future__ import annotations

from operator import itemgetter
from sys import intern

from .parser import _FIELD_LINES, _FIELD_LINES_ASCII, _REST_KIND, OWNS_KEY, rest_kinds

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .ast import SchemaFile

class FileFields:
    """What `file_fields` found (read-only by convention; a plain class: one is made per file)."""

    __slots__ = ("extends", "owners", "types")

    def __init__(self, types: tuple[str, ...], owners: tuple[str, ...], extends: bool) -> None:
        self.types = types  # every field type, once (and maybe names of the file's own blocks)
        self.owners = owners  # the types that a field which is not a list holds a foreign key to
        self.extends = extends  # an `/// @extend` block is among them (its fields are another's)


def owners_of(found: list[tuple[str, str]], owning: set[str]) -> tuple[str, ...]:
    """The types of the field lines whose rest is among `owning`, once each."""
    if not owning:
        return ()
    return tuple(map(intern, {type_name for type_name, rest in found if rest in owning}))


def file_fields(
    schema: SchemaFile,
    found: list[tuple[str, str]] | None = None,
    owning: set[str] | None = None,
    types: set[str] | None = None,
) -> FileFields:
    """The `FileFields` of a clean file, from the (type, rest) of its field lines (`found`), the
    rests among theirs of a field that owns a foreign key (`owning`) and the set of the types
    (`types`): as the parser read them (the lines of the bodies), or read here (the lines of the
    whole text that start with two names)."""
    text = schema.source.text
    if found is None:
        found = (_FIELD_LINES_ASCII if text.isascii() else _FIELD_LINES).findall(text)
    if owning is None:
        rests = set(map(itemgetter(1), found))
        rest_kinds(rests)
        owning = {rest for rest in rests if _REST_KIND[rest] == OWNS_KEY}
    extends = "@extend" in text and any(d.is_extend for d in schema.declarations)
    # Kept as long as the parse tree: tuples of interned names (each the string of the block
    # that declares it) are a fraction of the size of sets of fresh strings.
    if types is None:
        types = set(map(itemgetter(0), found))
    return FileFields(tuple(map(intern, types)), owners_of(found, owning), extends)
