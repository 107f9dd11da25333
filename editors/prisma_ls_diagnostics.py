"""Does Prisma's language server keep quiet with `prisma.enableDiagnostics = false`? (docs/editors.md)

    npm install --prefix /tmp/prisma-ls @prisma/language-server
    python editors/prisma_ls_diagnostics.py /tmp/prisma-ls/node_modules/.bin/prisma-language-server

Starts Prisma's language server on this repository's example project, answers its
`workspace/configuration` request for the `prisma` section with `enableDiagnostics` true, then
false, opens two fragments and prints the diagnostics it publishes: with true, the false errors
of a folder of fragments ("The model "User" cannot be defined because a model with that name
already exists" on every `/// @extend` block); with false, none.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parents[1]


async def published(server: str, enable: bool) -> dict[str, list[str]]:
    client = LanguageClient("prisma-ls-check", "1")
    found: dict[str, list[str]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        found[params.uri.rsplit("/", 1)[-1]] = [d.message.split("\n")[0] for d in params.diagnostics]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def on_register(params: types.RegistrationParams) -> None:
        return None

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        return None

    @client.feature(types.WORKSPACE_CONFIGURATION)
    def on_configuration(params: types.ConfigurationParams) -> list[dict[str, bool]]:
        return [{"enableDiagnostics": enable} for _ in params.items]

    await client.start_io(server, "--stdio", cwd=str(ROOT))
    capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(configuration=True))
    params = types.InitializeParams(capabilities=capabilities, root_uri=from_fs_path(str(ROOT)))
    await client.initialize_async(params)
    client.initialized(types.InitializedParams())
    for name in ("contact.prisma", "user.prisma"):
        path = ROOT / "prisma" / "fragments" / name
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(from_fs_path(str(path)), "prisma", 1, path.read_text())
        ))
    await asyncio.sleep(6)  # Prisma's server answers a didOpen with its diagnostics within a second
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return found


def main() -> None:
    server = sys.argv[1] if len(sys.argv) > 1 else "prisma-language-server"
    for enable in (True, False):
        print(f"prisma.enableDiagnostics = {str(enable).lower()}:")
        for name, messages in sorted(asyncio.run(published(server, enable)).items()):
            print(f"  {name}: {len(messages)} diagnostic(s)" + (f", e.g. {messages[0]}" if messages else ""))


if __name__ == "__main__":
    main()
