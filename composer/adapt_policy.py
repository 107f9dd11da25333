"""`[targets.X.adapt]`: a target's choices for what its provider cannot hold (composer/adapt/).

Kept apart from `adapt` so that reading the manifest imports no parser.
"""

from __future__ import annotations

from .records import FrozenRecord


class AdaptPolicy(FrozenRecord):
    # The allowed values are those of the manifest's JSON Schema (`manifest.shape.ADAPT_CHOICES`,
    # its first value of each is the default here; tests/test_manifest.py checks the two agree).
    __slots__ = ("defaults", "enums", "json", "lists", "referential_actions")
    _attrs = ("lists", "enums", "json", "referential_actions", "defaults")
    lists: str
    enums: str
    json: str
    referential_actions: str
    defaults: tuple[tuple[str, str], ...]

    def __init__(
        self,
        lists: str = "error",  # scalar lists where the provider has none: "error" | "json"
        enums: str = "error",  # enums where the provider has none: "error" | "string"
        json: str = "error",  # `Json` where the provider has none: "error" | "string"
        # referential actions SQL Server refuses (cycles, several cascade paths): "error" | "emulate"
        # (`relationMode = "prisma"` on the target) | "no_action" (`NoAction` where they conflict)
        referential_actions: str = "error",
        # `[targets.X.adapt.defaults]`: "Model.field" -> the PSL expression of its default in this
        # target (`"uuid()"` for a `dbgenerated("gen_random_uuid()")`), as (key, expression) pairs.
        defaults: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self._set(
            lists=lists, enums=enums, json=json, referential_actions=referential_actions, defaults=defaults
        )
