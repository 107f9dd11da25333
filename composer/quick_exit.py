"""Ending a one-shot `compose` process without freeing its objects one by one.

A build of 10,000 fragments leaves millions of small objects (parse trees, fragment texts,
composed sections, source maps). Freed by reference counting when a command's `run()` returns,
and again by the interpreter's exit, they cost up to half a second after the work is done; the
operating system reclaims the whole memory at once. So the console script (`entry.script`)
`arm()`s this module before a one-shot command, the command `hold()`s its large results (they
then outlive `run()`), and the script `end()`s the process with `os._exit` once stdout and stderr
are flushed. Nothing is left to do by then: outputs, stamps and staging files are settled inside
the command, which also stops the Node process it started; compose registers no `atexit` handler.

Unarmed (tests running `entry.main()` in process, library callers), `hold()` does nothing and
nothing ends the process.
"""

from __future__ import annotations

import sys

_held: list[object] | None = None  # a list only while the console script runs a one-shot command


def arm() -> None:
    global _held
    _held = []


def hold(*objects: object) -> None:
    """Keep `objects` alive until the process ends, when armed; else nothing."""
    if _held is not None:
        _held.extend(objects)


def end(code: int) -> None:
    """Flush stdout and stderr and end the process now, with exit status `code`."""
    import os

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 120  # what the interpreter exits with when stdout cannot be flushed
    os._exit(code)
