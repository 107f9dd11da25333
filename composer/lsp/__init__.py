"""`compose lsp`: a Language Server Protocol server that sees the composed schema.

Modules: `server` (the pygls wiring: documents, debounce, requests), `workspace` (the manifest
and the unsaved buffers of open documents, an overlay the `Loader` reads before the disk),
`analysis` (one run: load, compose every target, Prisma's lint; diagnostics per file), `positions`
(offsets ↔ LSP positions), `navigation` (definition, hover, document symbols), `completion`,
`formatting`. pygls and lsprotocol are imported only here (`pip install 'prisma-compose[lsp]'`).
"""
