"""The VS Code extension (editors/vscode/extension.js), run by Node against stand-ins for the
`vscode` and `vscode-languageclient` modules: what language client it starts for a manifest."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

SMOKE = Path(__file__).resolve().parents[1] / "editors" / "vscode" / "test" / "smoke.cjs"


def test_extension_starts_compose_lsp_for_the_manifest() -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is needed by the tests"
    done = subprocess.run([node, str(SMOKE)], capture_output=True, text=True, timeout=60, check=True)
    [client] = json.loads(done.stdout)
    # The command setting with ${workspaceFolder} expanded; `--stdio` is added by the client library.
    assert client["run"]["command"] == "/proj/.venv/bin/compose"
    assert client["run"]["args"] == ["lsp", "--manifest", "/proj/prisma.compose.toml"]
    assert client["run"]["options"] == {"cwd": "/proj"}
    assert [s["pattern"] for s in client["selector"]] == [
        "/proj/**/*.prisma", "/proj/**/*.{yaml,yml}", "/proj/prisma.compose.toml"
    ]
    assert client["init"] == {"manifest": "/proj/prisma.compose.toml"}
