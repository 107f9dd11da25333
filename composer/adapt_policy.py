"""`[targets.X.adapt]`: a target's choices for what its provider cannot hold (composer/adapt.py).

Kept apart from `adapt` so that reading the manifest imports no parser.
"""

from __future__ import annotations

from dataclasses import dataclass

# Each key's allowed values; the first is the default.
CHOICES = {"lists": ("error", "json"), "enums": ("error", "string"), "json": ("error", "string")}


@dataclass(frozen=True)
class AdaptPolicy:
    lists: str = "error"  # scalar lists where the provider has none: "error" | "json"
    enums: str = "error"  # enums where the provider has none: "error" | "string"
    json: str = "error"  # `Json` where the provider has none: "error" | "string"
    # `[targets.X.adapt.defaults]`: "Model.field" -> the PSL expression of its default in this
    # target (`"uuid()"` for a `dbgenerated("gen_random_uuid()")`), as (key, expression) pairs.
    defaults: tuple[tuple[str, str], ...] = ()
