"""Regular expressions compiled on first use.

Compiling is part of every start-up: a pattern that a plain build never needs (the full
parser's, the attribute grammar's) costs milliseconds for nothing when compiled at import.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Any


class PatternOnUse:
    """Stands for `re.compile(source, flags)`, compiled when one of its attributes is first
    asked for. Each attribute (`match`, `finditer`, …) is then kept on the instance, so later
    look-ups are plain attribute reads, and calls go straight to the compiled pattern."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self._source, self._flags)  # (`re` keeps it compiled)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never compile for a copy or pickle probe
            raise AttributeError(name)
        value = getattr(self.compiled(), name)
        setattr(self, name, value)
        return value
