"""`.compose-state.json` beside the manifest: the checksums of header-less outputs (README
"Outputs"), which carry no checksum line of their own.

An output path maps to one digest, or to a list of them while a build that was replacing it is
unfinished (written ahead of the renames, accepting the old and the new checksum), so an
interrupted build is never mistaken for a hand edit.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import ComposeError, Diagnostic, Location, Source
from .folders import atomic_write
from .inputfiles import STATE_FILE
from .seal import digest

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (see composer/__init__.py)
if TYPE_CHECKING:
    from typing import Protocol

    class Recorded(Protocol):
        """What the state needs of a planned output (`plan.PlannedFile`)."""

        display: str
        text: str | None

        @property
        def changed(self) -> bool: ...

        @property
        def headerless(self) -> bool: ...  # a text to write, without a banner

        @property
        def text_digest(self) -> str | None: ...  # `digest(text)`, computed once


State = dict[str, tuple[str, ...]]
_CONFLICT = r"^(<{7}|={7}|>{7})(?: |$)"  # compiled where first used (`re` keeps it)


def read_state(root: Path) -> State:
    """The recorded checksums of header-less outputs: a digest, or a list of them (a write-ahead).

    A state file that cannot be read or understood (merge-conflict markers, say) is an error
    located in it: ignored, it would make every header-less output "not written by compose".
    """
    path = root / STATE_FILE
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ComposeError(
            Diagnostic(f"cannot read `{STATE_FILE}`: {exc.strerror or exc}", None, code="E305")
        ) from None
    text = data.decode("utf-8", errors="replace")
    state = parse_state(text)
    if isinstance(state, int):
        raise _unreadable(text, state)
    return state


def parse_state(text: str) -> State | int:
    """The state, or the offset in `text` where it stops making sense."""
    conflict = re.search(_CONFLICT, text, re.MULTILINE)
    if conflict is not None:
        return conflict.start()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return exc.pos
    if not isinstance(data, dict):
        return 0
    state: State = {}
    for key, value in data.items():
        digests = _digests(value)
        if digests is None:
            return max(0, text.find(json.dumps(key)))
        state[key] = digests
    return state


def _digests(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _unreadable(text: str, offset: int) -> ComposeError:
    conflict = text.startswith(("<<<<<<<", "=======", ">>>>>>>"), offset)
    what = "has merge-conflict markers" if conflict else "is not a JSON object of output paths to checksums"
    return ComposeError(
        Diagnostic(
            f"`{STATE_FILE}` {what}; compose cannot tell its header-less outputs from hand edits",
            Location(Source(STATE_FILE, text), offset),
            code="E305",
            hint="resolve the conflict in the outputs first, then delete this file and run "
            "`compose build`: it records the checksums again (an output it then calls \"not written "
            "by compose\" is taken over with `compose build --force`, which keeps a backup)"
            if conflict
            else "delete it and run `compose build`, which writes it again (an output it then calls "
            "\"not written by compose\" is taken over with `compose build --force`, which keeps a backup)",
        )
    )


def state_text(state: State) -> str:
    plain = {k: v[0] if len(v) == 1 else list(v) for k, v in state.items()}
    return json.dumps(plain, indent=2, sort_keys=True) + "\n"


def next_state(state: State, files: Iterable[Recorded], ahead: bool) -> State:
    """The state after writing `files`; `ahead`: before the renames, accepting old and new checksums."""
    state = dict(state)
    for f in files:
        if f.headerless:
            new = f.text_digest or digest(f.text)  # type: ignore[arg-type]
            old = state.get(f.display, ()) if ahead and f.changed else ()
            state[f.display] = (*(d for d in old if d != new), new)
        elif f.display in state and not ahead:
            del state[f.display]
    return state


def write_state(root: Path, files: Iterable[Recorded], ahead: bool = False) -> None:
    """Record the checksums of header-less outputs (only when there are any)."""
    before = read_state(root)
    state = next_state(before, files, ahead)
    if state != before:
        atomic_write(root / STATE_FILE, state_text(state))
