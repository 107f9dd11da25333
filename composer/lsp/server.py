"""The language server: documents in, diagnostics out, requests answered from the last analysis.

Every change of an open document updates the overlay and (re)starts a debounce timer; when it
fires, one analysis runs in the worker thread. Changes that arrive meanwhile only bump a
generation number: when the run ends, one more run starts if the buffers moved on. So there is
at most one run and one pending timer, never a queue. Requests that need the buffers as they are
now (definition, hover, engine completion, formatting) wait for the run that includes them;
type-name completion answers at once from the last analysis.
"""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .analysis import Analyzer, Snapshot
from .workspace import MANIFEST_NAME, Overlay, find_project, key

VERSION = "0.1.0"
DEBOUNCE = 0.15  # seconds after the last keystroke
# On a large project, seconds of quiet after the focused lint before the lint of the whole output
# (which cannot be interrupted once started): see Analyzer.run.
FULL_PAUSE = 0.5


class ComposeServer(LanguageServer):
    def __init__(
        self, manifest: Path | None = None, prisma: str = "auto", debounce: float = DEBOUNCE
    ) -> None:
        super().__init__("prisma-compose", VERSION)
        self.manifest_option = manifest
        self.prisma = prisma
        self.debounce = debounce
        self.overlay = Overlay()
        self.analyzer: Analyzer | None = None
        self.engine: Any = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="compose-lsp")
        self.generation = 0
        self.snapshot: Snapshot | None = None
        self.roots: list[Path] = []
        self._timer: asyncio.TimerHandle | None = None
        self._running = False
        self._waiters: list[tuple[int, asyncio.Future[Snapshot]]] = []
        self._published: set[str] = set()
        from ..watch import _Collector

        # As in `compose watch`: no automatic collection in the middle of a run (a 1,000-fragment
        # project keeps ~500k objects alive), a collection when idle instead.
        self.collector = _Collector()

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    # -- the project ----------------------------------------------------------------------------

    def ensure_project(self, near: Path | None = None) -> Analyzer | None:
        if self.analyzer is not None:
            return self.analyzer
        candidates = [p for p in (self.manifest_option, near, *self.roots, Path.cwd()) if p is not None]
        found = self.manifest_option if self.manifest_option and self.manifest_option.is_file() else None
        found = found or find_project(candidates)
        if found is None:
            return None
        from ..validation import EngineUnavailable, open_engine, warm

        try:
            self.engine = open_engine(found.parent, self.prisma, needs=_schema_needs(found))
            warm(self.engine)
        except EngineUnavailable as exc:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, str(exc)))
            self.engine = None
        self.analyzer = Analyzer(found, self.engine, self.encoding)
        return self.analyzer

    # -- scheduling -----------------------------------------------------------------------------

    def changed(self) -> None:
        """The buffers (or files) changed: analyse once they have been still for `debounce` s."""
        self.generation += 1
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self.debounce, self._kick)

    def _kick(self) -> None:
        self._timer = None
        if self._running or self.analyzer is None:
            return  # the run in progress starts the next one when it ends
        self._running = True
        generation = self.generation
        overlay = self.overlay.snapshot()
        loop = asyncio.get_running_loop()

        def early(snap: Snapshot) -> None:  # in the worker thread: published from the loop
            loop.call_soon_threadsafe(self.publish, snap)

        def newer() -> bool:
            return self.generation > generation

        run = self.analyzer.run
        future = loop.run_in_executor(self.executor, run, overlay, generation, True, early, newer, FULL_PAUSE)
        future.add_done_callback(self._done)

    def _done(self, future: asyncio.Future[Snapshot]) -> None:
        self._running = False
        try:
            snap = future.result()
        except Exception as exc:  # a bug must not kill the server: say it, keep serving
            import traceback

            traceback.print_exc(file=sys.stderr)
            self.window_log_message(
                types.LogMessageParams(types.MessageType.Error, f"analysis failed: {exc}")
            )
            snap = Snapshot(self.generation)
        self.snapshot = snap
        self.publish(snap)
        stages = ", ".join(f"{stage} {seconds * 1000:.0f} ms" for stage, seconds in snap.timings.items())
        self.window_log_message(
            types.LogMessageParams(types.MessageType.Log, f"compose: analysis {snap.generation}: {stages}")
        )
        waiting, self._waiters = self._waiters, []
        for generation, waiter in waiting:
            if generation <= snap.generation:
                if not waiter.done():
                    waiter.set_result(snap)
            else:
                self._waiters.append((generation, waiter))
        if self.generation > snap.generation and self._timer is None:
            self._kick()  # changed while running, and the debounce already expired
        from ..watch import IDLE_GC_MS

        self.collector.built()
        asyncio.get_running_loop().call_later(IDLE_GC_MS / 1000 + 0.05, self._idle)

    def _idle(self) -> None:
        if not self._running:
            self.collector.idle()  # a no-op until IDLE_GC_MS passed without a run

    async def fresh(self) -> Snapshot | None:
        """The analysis of the buffers as they are now (waits for it, without the debounce)."""
        if self.analyzer is None:
            return None
        if self.snapshot is not None and self.snapshot.generation >= self.generation:
            return self.snapshot
        waiter: asyncio.Future[Snapshot] = asyncio.get_running_loop().create_future()
        self._waiters.append((self.generation, waiter))
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._running:
            self._kick()
        return await waiter

    def publish(self, snap: Snapshot) -> None:
        now = set(snap.diagnostics)
        for path in sorted(now | self._published):
            uri = from_fs_path(path) or path
            params = types.PublishDiagnosticsParams(uri, snap.diagnostics.get(path, []))
            self.text_document_publish_diagnostics(params)
        self._published = now

    async def in_worker(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def text_of(self, uri: str) -> str:
        from .workspace import editor_text

        return editor_text(self.workspace.get_text_document(uri).source)


def path_of(uri: str) -> str:
    return key(to_fs_path(uri) or uri)


def build(manifest: Path | None = None, prisma: str = "auto", debounce: float = DEBOUNCE) -> ComposeServer:
    server = ComposeServer(manifest, prisma, debounce)

    @server.feature(types.INITIALIZE)
    def initialize(ls: ComposeServer, params: types.InitializeParams) -> None:
        options = params.initialization_options if isinstance(params.initialization_options, dict) else {}
        if options.get("manifest") and ls.manifest_option is None:  # --manifest wins
            ls.manifest_option = Path(str(options["manifest"])).expanduser().absolute()
        if isinstance(options.get("debounce"), (int, float)):
            ls.debounce = float(options["debounce"]) / 1000
        for folder in params.workspace_folders or []:
            ls.roots.append(Path(path_of(folder.uri)))
        if params.root_uri:
            ls.roots.append(Path(path_of(params.root_uri)))

    @server.feature(types.INITIALIZED)
    def initialized(ls: ComposeServer, params: types.InitializedParams) -> None:
        if ls.ensure_project() is not None:
            ls.changed()  # diagnostics for the files on disk, before anything is opened
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched is not None and watched.dynamic_registration:
            pattern = "**/{*.prisma,*.yaml,*.yml," + MANIFEST_NAME + "}"
            options = types.DidChangeWatchedFilesRegistrationOptions([types.FileSystemWatcher(pattern)])
            ls.client_register_capability(
                types.RegistrationParams(
                    [types.Registration("compose-watch", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)]
                )
            )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ComposeServer, params: types.DidOpenTextDocumentParams) -> None:
        path = path_of(params.text_document.uri)
        ls.overlay.set(path, params.text_document.text)
        if ls.ensure_project(Path(path)) is not None:
            ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ComposeServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.overlay.set(path_of(uri), ls.workspace.get_text_document(uri).source)
        ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ComposeServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.overlay.drop(path_of(params.text_document.uri))  # the file on disk counts again
        ls.changed()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: ComposeServer, params: types.DidChangeWatchedFilesParams) -> None:
        if ls.analyzer is not None:
            ls.analyzer.loader.invalidate(path_of(c.uri) for c in params.changes)
        ls.changed()

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    async def definition(ls: ComposeServer, params: types.DefinitionParams) -> list[types.Location] | None:
        from .navigation import definition as find
        from .navigation import word_at

        snap = await ls.fresh()
        name = word_at(ls.text_of(params.text_document.uri), params.position, ls.encoding)
        if snap is None or name is None:
            return None
        return find(snap, name, ls.encoding) or None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ComposeServer, params: types.HoverParams) -> types.Hover | None:
        from .navigation import engine_hover, word_at
        from .navigation import hover as describe

        snap = await ls.fresh()
        text = ls.text_of(params.text_document.uri)
        name = word_at(text, params.position, ls.encoding)
        if snap is None:
            return None
        path = path_of(params.text_document.uri)
        ours = describe(snap, name, path) if name is not None else None
        prisma = await ls.in_worker(engine_hover, snap, ls.engine, path, text, params.position, ls.encoding)
        if ours is None:
            return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, prisma)) if prisma else None
        # Prisma's hover on a relation field adds what compose does not say: the relation's kind.
        extra = [part.strip() for part in (prisma or "").split("___") if part.strip() and "```" not in part]
        if extra:
            ours.contents.value += "\n\n" + "\n\n".join(extra)  # type: ignore[union-attr]
        return ours

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=["@", ".", "(", " ", ","]),
    )
    async def completion(ls: ComposeServer, params: types.CompletionParams) -> types.CompletionList | None:
        from .completion import engine_items, local_items

        uri = params.text_document.uri
        path = path_of(uri)
        text = ls.text_of(uri)
        snap = ls.snapshot or await ls.fresh()
        if snap is None or ls.analyzer is None:
            return None
        if path.endswith(".prisma"):
            items = local_items(snap, text, params.position, ls.encoding)
            if items is None:
                items = await ls.in_worker(
                    engine_items, ls.analyzer, ls.overlay.snapshot(), path, params.position, ls.encoding
                )
        elif path.endswith((".yaml", ".yml")):
            from .completion import type_names

            items = type_names(snap)  # a YAML entity's `prisma: type:`
        else:
            return None
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    async def formatting(
        ls: ComposeServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit] | None:
        from .formatting import format_buffer

        path = path_of(params.text_document.uri)
        snap = await ls.fresh()
        frag = snap.fragment_of(path) if snap is not None else None
        if frag is None or frag.generated is not None or ls.engine is None:
            return None  # only hand-written fragments of the project are formatted
        return await ls.in_worker(
            format_buffer, path, frag.display, ls.text_of(params.text_document.uri), ls.engine
        )

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: ComposeServer, params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        from .navigation import symbols

        path = path_of(params.text_document.uri)
        if not path.endswith(".prisma"):
            return []
        return symbols(ls.text_of(params.text_document.uri), os.path.basename(path), ls.encoding)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: ComposeServer, params: None) -> None:
        if ls.engine is not None:
            ls.engine.close()
            ls.engine = None

    return server


def _schema_needs(manifest: Path) -> str | None:
    """The Prisma major the fragments are written for (a datasource `url` means 6), for a project
    without a Prisma of its own; None when the manifest cannot be read yet (its diagnostics say
    why), and the engine's default applies."""
    from ..diagnostics import ComposeError
    from ..engine_choice import schema_needs
    from ..formatter import fragment_files
    from ..manifest import load_manifest

    try:
        return schema_needs(f.text for f in fragment_files(load_manifest(manifest)))
    except (ComposeError, OSError):
        return None
