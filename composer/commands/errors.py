"""The one place where a command turns an exception into its exit code and its report.

    with error_handler("check", fmt) as handled:
        comp = pipeline.load(manifest, targets)
        handled.warnings = comp.warnings      # printed before the errors, should any follow
        ...
    if handled.code is not None:
        return handled.code

A usage problem (`UsageError`: no manifest, an unknown target; `EngineUnavailable`: no way to run
Prisma) is exit 2, reported by `report.usage_error`; bad input (`ComposeError`) is exit 1, its
located diagnostics reported in the command's format after the warnings gathered so far. Any other
exception is a bug and propagates (a traceback is what a bug report needs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..diagnostics import ComposeError, Diagnostic
from ..pipeline import UsageError
from ..records import Record


class Handled(Record):
    _attrs = ("warnings", "code")

    def __init__(self, warnings: list[Diagnostic] | None = None, code: int | None = None) -> None:
        self.warnings: list[Diagnostic] = [] if warnings is None else warnings
        self.code = code  # set when the block ended with an error: the command's exit code


@contextmanager
def error_handler(command: str, fmt: str = "text", engine_use: str = "validator") -> Iterator[Handled]:
    """`engine_use`: what the command runs Prisma's engine for, in "cannot run Prisma's …"."""
    handled = Handled()
    try:
        yield handled
    except ComposeError as exc:
        from .. import report  # here: a command that succeeds reports through it no error

        report.emit([*handled.warnings, *exc.diagnostics], fmt, command=command, exit_code=1)
        handled.code = 1
    except Exception as exc:
        message = _usage_message(exc, engine_use)
        if message is None:
            raise
        from .. import report

        handled.code = report.usage_error(message, fmt, command)


def _usage_message(exc: Exception, engine_use: str) -> str | None:
    """The exit-2 message of a usage problem; None for anything else."""
    from ..prisma_wasm import PrismaWasmError
    from ..validation import EngineUnavailable

    # Checked before UsageError: EngineUnavailable is one, with a message of its own.
    if isinstance(exc, (EngineUnavailable, PrismaWasmError)):
        return f"cannot run Prisma's {engine_use}: {exc}"
    if isinstance(exc, UsageError):
        return str(exc)
    return None
