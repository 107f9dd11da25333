"""What a manifest says, as the later stages read it: `Manifest`, `FragmentSpec`, `TargetSpec`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..adapt_policy import AdaptPolicy
from ..diagnostics import Location, Source
from ..inputfiles import posix_stem
from ..records import Record

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from .positions import _Locator


class FragmentSpec:
    """One `[[fragments]]` entry. Its `location` is found in the manifest text when first asked
    for (scanning the TOML text for positions costs more than parsing it, and only errors need it)."""

    __slots__ = ("_at", "_location", "index", "kind", "name", "pattern")

    def __init__(
        self,
        kind: str,
        pattern: str,
        name: str | None,
        index: int,
        locate: Callable[[], Location],
    ) -> None:
        self.kind = kind  # "path" | "glob" | "yaml"
        self.pattern = pattern  # as written, relative to the manifest's folder, POSIX separators
        self.name = name  # explicit `name` (kind "path" only); otherwise derived from file stems later
        self.index = index  # position among the [[fragments]] entries
        self._location: Location | None = None
        self._at = locate

    @property
    def location(self) -> Location:
        """The entry's path/glob/yaml value."""
        if self._location is None:
            self._location = self._at()
        return self._location

    def fragment_name(self, display: str) -> str:
        """The name of the fragment read from `display` (its POSIX path from the manifest's folder).

        A `path` entry: its `name`, else the file stem. A file matched by a glob (README, "The
        manifest"): the parts of its path that the pattern's wildcards matched, joined by `/`, the
        file's without its extension (`modules/*/schema/*.prisma` names
        `modules/billing/schema/invoice.prisma` `billing/invoice`, `modules/*/schema.prisma` names
        `modules/billing/schema.prisma` `billing`); with `**`, its whole path from the first
        wildcard (`prisma/**/*.prisma`: `billing/invoice` for `prisma/billing/invoice.prisma`).
        The name depends on the path and the pattern only, never on which other files exist:
        adding a file renames none. Two files of one glob always get two names, unless their
        paths differ only in the extension.
        """
        if self.kind == "path":
            return self.name or posix_stem(display)
        return glob_fragment_name(self.pattern, display)

    def __repr__(self) -> str:
        return f"FragmentSpec({self.kind!r}, {self.pattern!r}, {self.name!r}, {self.index})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FragmentSpec):
            return NotImplemented
        return (self.kind, self.pattern, self.name, self.index) == (
            other.kind, other.pattern, other.name, other.index
        )

    __hash__ = None  # type: ignore[assignment]


def glob_fragment_name(pattern: str, display: str) -> str:
    """See `FragmentSpec.fragment_name`."""
    from ..inputfiles import is_magic, pattern_parts

    parts = pattern_parts(pattern)
    path = pattern_parts(display)
    if "**" in parts:
        first = next(i for i, p in enumerate(parts) if is_magic(p))
        kept = list(path[first:])
    elif len(path) == len(parts):
        # Each component matched one of the pattern's: its literal ones are the same for every
        # match, so the wildcards' parts alone tell two matches apart.
        kept = [name for name, part in zip(path, parts, strict=True) if is_magic(part)]
        if kept and not is_magic(parts[-1]):
            return "/".join(kept)
    else:  # not a match of this pattern (cannot happen): the stem is a fair name
        kept = []
    if not kept:
        return posix_stem(display)
    return "/".join((*kept[:-1], posix_stem(kept[-1])))


_DEFAULT_POLICY = AdaptPolicy()  # immutable: one for every target that sets no `adapt`


class TargetSpec(Record):
    """One `[targets.NAME]` table.

    `generators[G] is None` (TOML `G = false`) drops generator G from the output;
    `datasource[key] is None` (TOML `key = false`) removes that datasource property.
    Other values are PSL expression text, ready to paste.
    """

    # `_locator` is neither compared nor shown.
    _attrs = (
        "name", "output", "folder", "include", "exclude", "generators", "datasource", "header", "adapt"
    )

    def __init__(
        self,
        name: str,
        output: str,  # as written, relative, POSIX separators
        folder: bool,  # output ends with "/": Prisma's multi-file layout
        include: list[str] | None,
        exclude: list[str],
        generators: dict[str, dict[str, str] | None],
        datasource: dict[str, str | None],
        header: bool,
        # How to adapt the fragments to this target's provider (composer/adapt/); None: `adapt = false`.
        adapt: AdaptPolicy | None = _DEFAULT_POLICY,
        _locator: _Locator | None = None,
    ) -> None:
        self.name = name
        self.output = output
        self.folder = folder
        self.include = include
        self.exclude = exclude
        self.generators = generators
        self.datasource = datasource
        self.header = header
        self.adapt = adapt
        self._locator = _locator

    @property
    def location(self) -> Location:
        """The [targets.NAME] table header."""
        return self.key_location()

    def key_location(self, *keys: str) -> Location:
        """Where `targets.NAME.<keys>` is written, e.g. ("generators", "client", "provider").
        Positions are found in the manifest text only when asked for (errors, source maps)."""
        assert self._locator is not None
        return self._locator.key(("targets", self.name, *keys))


class Manifest(Record):
    # `_locator` is neither compared nor shown.
    _attrs = ("path", "root", "source", "header", "fragments", "targets", "watch_run", "allow_outside")

    def __init__(
        self,
        path: Path,  # absolute
        root: Path,  # the manifest's folder: every relative path in it starts here
        source: Source,
        header: bool,
        fragments: list[FragmentSpec],
        targets: dict[str, TargetSpec],  # manifest order
        watch_run: str | None,
        _locator: _Locator | None = None,
        # `[compose] allow_outside_inputs`: inputs outside the manifest's folder show their text
        # in error frames, and globs may reach outside it.
        allow_outside: bool = False,
    ) -> None:
        self.path = path
        self.root = root
        self.source = source
        self.header = header
        self.fragments = fragments
        self.targets = targets
        self.watch_run = watch_run
        self._locator = _locator
        self.allow_outside = allow_outside

    def location_of(self, *keys: str | int) -> Location:
        """Best-effort location of a key path such as ("targets", "web", "output") or ("fragments", 2)."""
        if self._locator is None:
            return Location(self.source, 0)
        return self._locator.key(keys)
