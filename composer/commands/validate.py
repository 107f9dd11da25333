"""`compose validate [TARGET…]`: Prisma's own validator on the composed targets, errors at fragment lines.

The targets are composed in memory and each output, exactly as `build` would write it, is given to
Prisma's schema engine (`@prisma/prisma-schema-wasm`, what `prisma validate` runs) through the Node
bridge. Every error Prisma reports is sent back through the output's source map to the fragment
line (or YAML entity line, or manifest key) that produced it. An error found in several targets
(a fragment shared by two targets) is reported once.

Which Prisma (`engine_choice.choose_engine`): the project's own (`node_modules/prisma`, or
`@prisma/prisma-schema-wasm`, in the manifest's folder or a parent; else the `prisma` range of its
package.json) so that compose agrees with the project's `prisma validate`; with no Prisma in the
project, for each target the engine shipped in this package of the major its schema needs (a
datasource `url`: 6, else 7). `--prisma 6` or `--prisma 7` picks a shipped engine;
`PRISMA_SCHEMA_WASM` names a module explicitly. One stderr line (and `engines` in JSON) says which.

Exit codes: 0 Prisma accepts every target (warnings allowed), 1 input errors or Prisma rejects a
target, 2 usage errors or no way to run Prisma (no Node.js, engine not installed).
"""

from __future__ import annotations

import gc
import sys
import time
from typing import TYPE_CHECKING

from .. import report
from ..validation import validate_project
from .errors import error_handler

if TYPE_CHECKING:
    from ..compose import ComposedTarget


def run(targets: list[str], manifest: str | None, fmt: str = "text", prisma: str = "auto") -> int:
    started = time.perf_counter()
    gc.disable()  # a one-shot run: see commands/build.py
    with error_handler("validate", fmt) as handled:
        result = validate_project(manifest, targets, prisma)
    if handled.code is not None:
        return handled.code
    comp, found, described, line = result.composition, result.diagnostics, result.engines, result.line
    warnings = comp.warnings
    errors = [d for d in found if d.severity == "error"]
    code = 1 if errors else 0
    outputs = [{"target": t.target.name, "path": f.path} for t in comp.targets for f in t.files]
    report.emit(
        [*warnings, *found], fmt, command="validate", exit_code=code, outputs=outputs, engines=described
    )
    if fmt != "json":
        summary(comp.targets, len(errors), line, started)
    return code


def summary(targets: list[ComposedTarget], errors: int, line: str, started: float) -> None:
    """The human lines on stderr: which Prisma validated, and the verdict."""
    ms = (time.perf_counter() - started) * 1000
    names = ", ".join(t.target.name for t in targets) or "no targets"
    verdict = f"rejected: {errors} error(s)" if errors else "valid"
    if targets:
        print(line, file=sys.stderr)
    print(f"compose: {names}: {verdict} ({ms:.0f} ms)", file=sys.stderr)
