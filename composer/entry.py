"""The `compose` console script: the common command lines first, then the CLI.

Kept apart from `cli.py` so that the commands that run most often, from npm scripts, pre-commit
hooks and CI — a plain `compose build [TARGET…] [-m PATH]` or `compose check [TARGET…] [-m PATH]`
(or `compose validate …` in the same form) — never import the CLI framework: `build` first tries
the nothing-changed check (composer/stamp.py), then each runs its command module directly.
Neither does `compose --version`. Any other command line, and these with any other option (or
`--help`), goes through the full CLI.

`script()` is what the console script and `python -m composer` run: `main()`, and then, after a
one-shot command, an immediate exit (see `script`). Tests and library code call `main()`.
"""

from __future__ import annotations

import sys

# Commands that run once over the whole project and exit: the ones that leave a large object
# graph behind (parse trees, composed text, source maps) when they finish.
ONE_SHOT = frozenset({"build", "check", "validate"})


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in ("--version", "-V") and len(sys.argv) == 2:
        from . import __version__

        print(f"compose {__version__}")
        return
    if command in ("build", "check", "validate"):
        _plain(command)  # exits when the command line is a plain one
    from .cli import main as cli_main

    cli_main()


def _plain(command: str) -> None:
    """A plain `compose build|check|validate [TARGET…] [-m PATH]`: the nothing-changed check (build), then
    the command module itself; returns for any other command line."""
    from .stamp import build_arguments, fast_build

    if command == "build":
        code = fast_build(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    parsed = build_arguments(sys.argv[2:])
    if parsed is None:
        return
    if command == "build":
        from .commands import build as module
    elif command == "validate":
        from .commands import validate as module  # type: ignore[no-redef]
    else:
        from .commands import check as module  # type: ignore[no-redef]
    try:
        sys.exit(module.run(parsed[1], parsed[0]))
    except KeyboardInterrupt:
        sys.exit(130)


def script() -> None:
    """The `compose` console script: `main()`; after a one-shot command the process ends at once,
    its objects unfreed, once stdout and stderr are flushed (composer/quick_exit.py). Only here,
    never in `main()`: tests and other callers run `main()` in their own process."""
    if len(sys.argv) < 2 or sys.argv[1] not in ONE_SHOT:
        main()
        return
    if sys.argv[1] == "build":
        import gc

        # Off from the start, not only once `commands/build.py` turns it off for the build: the
        # imports before it make tens of thousands of objects that collections would walk for nothing.
        gc.disable()
    from . import quick_exit

    quick_exit.arm()
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:  # `sys.exit("message")`: printed on stderr, exit status 1, as the interpreter does
            print(exc.code, file=sys.stderr)
            code = 1
    quick_exit.end(code)
