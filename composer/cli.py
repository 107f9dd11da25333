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
PrismaOpt = typer.Option(
    "auto",
    "--prisma",
    help="Prisma engine: auto (the project's own Prisma, else the shipped one its schema needs), 6 or 7.",
)


def _print_version(value: bool) -> None:
    # `compose --version` alone never gets here (composer/entry.py answers it without typer).
    if value:
        from . import __version__

        print(f"compose {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", "-V", help="Print the version and exit.", is_eager=True, callback=_print_version
    ),
) -> None:
    """Build complete Prisma schema files from fragment files (prisma.compose.toml)."""


def _check_format(fmt: str) -> None:
    if fmt not in ("text", "json", "github"):
        raise typer.BadParameter("expected text, json or github", param_hint="--format")


@app.command()
def build(
    targets: Optional[list[str]] = TargetsArg,  # noqa: UP045 (typer reads the annotation at runtime)
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    force: bool = typer.Option(False, "--force", help="Overwrite hand-edited outputs, keeping backups."),
    fmt: str = FormatOpt,
    validate: bool = typer.Option(
        False, "--validate", help="Run Prisma's validator on the composed targets; write nothing if it fails."
    ),
    prisma: str = PrismaOpt,
) -> None:
    """Compose the targets and write their outputs."""
    _check_format(fmt)
    from .commands import build as command

    code = command.run(targets or [], manifest, force=force, fmt=fmt, validate=validate, prisma=prisma)
    raise typer.Exit(code)


@app.command()
def check(
    targets: Optional[list[str]] = TargetsArg,  # noqa: UP045
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    fmt: str = FormatOpt,
) -> None:
    """Exit 1 with a diff when an output is missing, stale or edited by hand; writes nothing."""
    _check_format(fmt)
    from .commands import check as command

    raise typer.Exit(command.run(targets or [], manifest, fmt=fmt))


@app.command()
def watch(
    targets: Optional[list[str]] = TargetsArg,  # noqa: UP045
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    run: Optional[str] = typer.Option(  # noqa: UP045
        None, "--run", help='Command to run after a build that changed an output ([watch] run; "" for none).'
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite hand-edited outputs, keeping backups."),
    poll: bool = typer.Option(False, "--poll", help="Poll for changes (network drives, Docker volumes)."),
) -> None:
    """Build, then rebuild on every change of the manifest, fragments and YAML (Ctrl-C to stop)."""
    from .commands import watch as command

    raise typer.Exit(command.run(targets or [], manifest, run_command=run, force=force, poll=poll))


@app.command()
def validate(
    targets: Optional[list[str]] = TargetsArg,  # noqa: UP045
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    fmt: str = FormatOpt,
    prisma: str = PrismaOpt,
) -> None:
    """Run Prisma's own validator on the composed targets; errors point at fragment lines."""
    _check_format(fmt)
    from .commands import validate as command

    raise typer.Exit(command.run(targets or [], manifest, fmt=fmt, prisma=prisma))


@app.command(name="format")
def format_(
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    check: bool = typer.Option(
        False, "--check", help="Write nothing; exit 1 with a diff if a fragment is not formatted."
    ),
    fmt: str = FormatOpt,
    prisma: str = PrismaOpt,
) -> None:
    """Format the fragment files in place with Prisma's own formatter."""
    _check_format(fmt)
    from .commands import format as command

    raise typer.Exit(command.run(manifest, check=check, fmt=fmt, prisma=prisma))


@app.command()
def split(
    schema: str = typer.Argument(..., help="The schema file, or a multi-file schema folder, to split."),
    out: str = typer.Option(..., "--out", help="Folder for the manifest and the fragments."),
    by: Optional[str] = typer.Option(  # noqa: UP045
        None, "--by", help="Grouping: related (default; file for a folder), model, prefix, file, map."
    ),
    map_file: Optional[str] = typer.Option(  # noqa: UP045
        None, "--map", help="TOML or YAML file mapping models to fragments (implies --by map)."
    ),
    fragments_dir: str = typer.Option(
        "prisma/fragments", "--fragments-dir", help="Where the fragments go, relative to --out."
    ),
    output: Optional[str] = typer.Option(  # noqa: UP045
        None, "--output", help="The target's output, relative to --out (default prisma/schema.prisma)."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite files that already exist in --out."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the fragments; write nothing."),
) -> None:
    """Cut an existing schema into fragments plus a prisma.compose.toml that builds it back."""
    from .commands import split as command

    if by is not None and by not in command.BY_CHOICES:
        raise typer.BadParameter("expected " + ", ".join(command.BY_CHOICES), param_hint="--by")
    code = command.run(schema, out, by, map_file, fragments_dir, output, force=force, dry_run=dry_run)
    raise typer.Exit(code)


@app.command()
def graph(
    target: Optional[str] = typer.Argument(None, help="Target to draw (default: every fragment)."),  # noqa: UP045
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    fmt: Optional[str] = typer.Option(None, "--format", help="mermaid (default) or dot."),  # noqa: UP045
    level: Optional[str] = typer.Option(  # noqa: UP045
        None, "--level", help="fragment (default): fragments and dependencies; model: models and relations."
    ),
    into: Optional[str] = typer.Option(  # noqa: UP045
        None, "--into", help="Markdown file: replace the diagram between <!-- compose:graph --> markers."
    ),
) -> None:
    """Print the dependency graph of the fragments or models (Mermaid or Graphviz DOT)."""
    if fmt is not None and fmt not in ("mermaid", "dot"):
        raise typer.BadParameter("expected mermaid or dot", param_hint="--format")
    if level is not None and level not in ("fragment", "model"):
        raise typer.BadParameter("expected fragment or model", param_hint="--level")
    from .commands import graph as command

    raise typer.Exit(command.run(target, manifest, fmt=fmt, level=level, into=into))


@app.command()
def init(
    directory: str = typer.Argument(".", help="Project folder (default: the current folder)."),
    schema: Optional[str] = typer.Option(  # noqa: UP045
        None,
        "--schema",
        help="Schema to split (default: package.json's prisma.schema, else prisma/schema.prisma).",
    ),
    by: Optional[str] = typer.Option(None, "--by", help="Grouping for the split, as in `compose split`."),  # noqa: UP045
    provider: str = typer.Option("postgresql", "--provider", help="Database provider of a new base.prisma."),
    prisma: str = typer.Option("auto", "--prisma", help="Prisma version of a new base.prisma: auto, 6, 7."),
    build: bool = typer.Option(True, "--build/--no-build", help="Build the target right away."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing manifest and fragments."),
) -> None:
    """Set up compose: split the project's schema into fragments, or start a new manifest."""
    from .commands import init as command

    if by is not None and by not in ("related", "model", "prefix"):
        raise typer.BadParameter("expected related, model or prefix", param_hint="--by")
    raise typer.Exit(
        command.run(directory, schema, by, provider=provider, prisma=prisma, build=build, force=force)
    )


@app.command()
def schema(
    name: str = typer.Argument(..., help="manifest (prisma.compose.toml) or entity (YAML entity files)."),
    output: Optional[str] = typer.Option(None, "--output", "-o", help="Write to this file."),  # noqa: UP045
) -> None:
    """Print a JSON Schema for editors: `manifest` or `entity`."""
    from .commands import schema as command

    raise typer.Exit(command.run(name, output))


@app.command()
def lsp(
    manifest: Optional[str] = ManifestOpt,  # noqa: UP045
    prisma: str = PrismaOpt,
    debounce: int = typer.Option(
        150, "--debounce", help="Milliseconds of quiet after a keystroke before checking."
    ),
    stdio: bool = typer.Option(True, "--stdio", help="Talk LSP over stdin/stdout (the only transport)."),
) -> None:
    """Run the language server (LSP over stdio) for editors; needs `pip install 'prisma-compose[lsp]'`."""
    from .commands import lsp as command

    raise typer.Exit(command.run(manifest, prisma=prisma, debounce_ms=debounce))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
