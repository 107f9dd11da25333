"""The `compose` command line: a thin layer over `composer.commands.*`.

Command modules (and everything heavy they need) are imported only when their command runs:
the CLI starts from npm scripts and pre-commit hooks, where every millisecond of start-up counts.
"""

from __future__ import annotations

import sys
from typing import Optional

# typer renders help with rich when rich is importable, which costs ~80 ms at every start;
# plain click help is what a build tool needs.
sys.modules.setdefault("rich", None)  # type: ignore[arg-type]

import typer  # noqa: E402

app = typer.Typer(
    name="compose",
    help="Build complete Prisma schema files from fragment files (prisma.compose.toml).",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

TargetsArg = typer.Argument(None, help="Targets to act on (default: all targets of the manifest).")
ManifestOpt = typer.Option(
    None, "--manifest", "-m", help="Path of prisma.compose.toml (default: found upwards)."
)
FormatOpt = typer.Option("text", "--format", help="Diagnostics format: text, json or github.")


@app.callback()
def _root() -> None:
    """Build complete Prisma schema files from fragment files (prisma.compose.toml)."""


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json", "github"):
        raise typer.BadParameter("expected text, json or github", param_hint="--format")


@app.command()
def build(
    targets: Optional[list[str]] = TargetsArg,  # noqa: UP045 (typer reads the annotation at runtime)
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    force: bool = typer.Option(False, "--force", help="Overwrite hand-edited outputs, keeping a .bak copy."),
    fmt: str = FormatOpt,
) -> None:
    """Compose the targets and write their outputs."""
    _check_format(fmt)
    from .commands import build as command

    raise typer.Exit(command.run(targets or [], manifest, force=force, fmt=fmt))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
