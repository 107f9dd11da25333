"""`compose lsp`: the language server (Language Server Protocol over stdio), see composer/lsp/.

Needs the `lsp` extra (`pip install 'prisma-compose[lsp]'`: pygls and lsprotocol), imported only
here. Exit codes: 0 after the client's `exit`, 2 when the extra is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path


def run(manifest: str | None = None, prisma: str = "auto", debounce_ms: int = 150) -> int:
    try:
        from ..lsp.server import build
    except ImportError as exc:
        print(
            f"compose: `compose lsp` needs pygls and lsprotocol ({exc}); "
            "install them with: pip install 'prisma-compose[lsp]'",
            file=sys.stderr,
        )
        return 2
    server = build(Path(manifest).absolute() if manifest else None, prisma, debounce_ms / 1000)
    server.start_io()
    return 0
