"""prisma-compose: build complete Prisma schema files from fragment files.

The public Python API (composer/api.py): `build`, `check`, `compose_text`, `validate`, their
result types, and the exceptions `ComposeError` (bad input, with located diagnostics) and
`UsageError` (no manifest, an unknown target, no way to run Prisma).
"""

# The one place the version is written: pyproject.toml reads it (dynamic version), `compose
# --version` prints it, and the pre-commit `rev:` in the docs is its git tag, `v` + this.
__version__ = "0.2.0"

# Not `typing.TYPE_CHECKING`: importing typing (re, functools, collections) would triple the cost
# of `import composer`, which every `compose` start pays; type checkers honour this name as well.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from .api import (
        BuildResult,
        CheckResult,
        ComposeError,
        Diagnostic,
        OutputFile,
        TargetResult,
        UsageError,
        ValidateResult,
        build,
        check,
        compose_text,
        validate,
    )

__all__ = [
    "BuildResult",
    "CheckResult",
    "ComposeError",
    "Diagnostic",
    "OutputFile",
    "TargetResult",
    "UsageError",
    "ValidateResult",
    "__version__",
    "build",
    "check",
    "compose_text",
    "validate",
]


def __getattr__(name: str) -> object:
    # Loaded on first use: the console script imports this package at every start (the version,
    # the fast paths), and the API pulls in the whole pipeline.
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
