"""The `compose` console script: `build`'s fast paths, then the CLI.

Kept apart from `cli.py` so that the commonest command, a plain `compose build [TARGET…]
[-m PATH]` (npm scripts, pre-commit hooks, CI), never imports the CLI framework: first the
nothing-changed check (composer/stamp.py), then the build itself. Every other command line, and
`build` with any other option (or `--help`), goes through the full CLI.
"""

from __future__ import annotations

import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "build":
        from .stamp import build_arguments, fast_build

        code = fast_build(sys.argv[2:])
        if code is not None:
            sys.exit(code)
        parsed = build_arguments(sys.argv[2:])
        if parsed is not None:
            from .commands import build

            try:
                sys.exit(build.run(parsed[1], parsed[0]))
            except KeyboardInterrupt:
                sys.exit(130)
    from .cli import main as cli_main

    cli_main()
