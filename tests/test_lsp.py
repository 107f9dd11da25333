"""`compose lsp`: a real LSP client (pytest-lsp) talking to the real server over stdio.

One server per module, on a copy of the example project (hand-written fragments with
`/// @extend` blocks, two YAML entities, two targets, the web target without `sync`) plus a glob
entry. The tests run in order on that one server; each leaves the buffers as it found them.
`settle()` waits for the analysis of the buffers as they are: a hover request is answered only
after it, and the diagnostics of a run are sent before the answer.
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities, make_test_lsp_client

ROOT = Path(__file__).resolve().parents[1]
DEBOUNCE_MS = 50  # the server's `--debounce`: short, so that the tests do not wait long
pytestmark = pytest.mark.asyncio(loop_scope="module")

GLOB_ENTRY = '\n[[fragments]]\nglob = "prisma/modules/*.prisma"\n'
AUDIT = """/// Who changed what.
model AuditEntry {
  id     String @id @default(cuid())
  userId String
  user   User   @relation(fields: [userId], references: [id])
}

/// @extend
model User {
  auditEntries AuditEntry[]
}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "project"
    root.mkdir()
    manifest = (ROOT / "prisma.compose.toml").read_text() + GLOB_ENTRY
    (root / "prisma.compose.toml").write_text(manifest)
    shutil.copytree(ROOT / "prisma" / "fragments", root / "prisma" / "fragments")
    shutil.copytree(ROOT / "prisma" / "entities", root / "prisma" / "entities")
    (root / "prisma" / "modules").mkdir()
    (root / "prisma" / "modules" / "audit.prisma").write_text(AUDIT)
    return root


def make_client() -> LanguageClient:
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations = params.registrations  # type: ignore[attr-defined]

    return client


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(project: Path) -> AsyncIterator[LanguageClient]:
    config = ClientServerConfig(
        server_command=[sys.executable, "-m", "composer", "lsp", "--debounce", str(DEBOUNCE_MS), "--stdio"],
        server_env={**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
        client_factory=make_client,
    )
    client = await config.start()
    root_uri = from_fs_path(str(project))
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=root_uri,
            workspace_folders=[types.WorkspaceFolder(root_uri, "project")],
        )
    )
    client.project = project  # type: ignore[attr-defined]
    client.versions = {}  # type: ignore[attr-defined]
    yield client
    await client.shutdown_session()
    await client.stop()


def uri(project: Path, rel: str) -> str:
    return from_fs_path(str(project / rel))


def every_file(project: Path) -> list[Path]:
    return sorted(
        [
            *project.glob("prisma/**/*.prisma"),
            *project.glob("prisma/**/*.yaml"),
            project / "prisma.compose.toml",
        ]
    )


async def settle(client: LanguageClient) -> None:
    await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(uri(client.project, "prisma.compose.toml")),  # type: ignore[attr-defined]
            types.Position(0, 0),
        )
    )


def open_file(client: LanguageClient, path: Path) -> None:
    language = {".prisma": "prisma", ".yaml": "yaml", ".toml": "toml"}[path.suffix]
    client.versions[str(path)] = 1  # type: ignore[attr-defined]
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(from_fs_path(str(path)), language, 1, path.read_text())
        )
    )


def edit(client: LanguageClient, rel: str, text: str) -> None:
    """Replace the whole buffer (unsaved); the file is opened first if this test is the first to
    edit it (a change to a document the editor never opened is not a buffer)."""
    path = client.project / rel  # type: ignore[attr-defined]
    if str(path) not in client.versions:  # type: ignore[attr-defined]
        open_file(client, path)
    version = client.versions[str(path)] = client.versions.get(str(path), 1) + 1  # type: ignore[attr-defined]
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=from_fs_path(str(path)), version=version),
            [types.TextDocumentContentChangeWholeDocument(text)],
        )
    )


def errors(client: LanguageClient, rel: str | None = None) -> list[tuple[str, int, str]]:
    """(file, 1-based line, message) of every error (or of one file's)."""
    out = []
    for u, diagnostics in client.diagnostics.items():
        name = os.path.relpath(u.removeprefix("file://"), client.project)  # type: ignore[attr-defined]
        if rel is not None and name != rel:
            continue
        for d in diagnostics:
            if d.severity == types.DiagnosticSeverity.Error:
                out.append((name, d.range.start.line + 1, d.message))
    return out


def buffer(client: LanguageClient, rel: str) -> str:
    return (client.project / rel).read_text()  # type: ignore[attr-defined]


def line_of(text: str, needle: str) -> int:
    """0-based line of the first line holding `needle`."""
    return next(i for i, line in enumerate(text.split("\n")) if needle in line)


# -- diagnostics ---------------------------------------------------------------------------------


async def test_every_file_open_no_error(client: LanguageClient) -> None:
    """The done-when: `@extend` blocks, references to other fragments and YAML models are fine."""
    for path in every_file(client.project):  # type: ignore[attr-defined]
        open_file(client, path)
    await settle(client)
    assert errors(client) == []


async def test_unknown_type_in_unsaved_buffer(client: LanguageClient) -> None:
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    broken = text.replace("  fullName  String\n", "  fullName  String\n  avatar    Picture\n")
    edit(client, rel, broken)
    await settle(client)
    found = errors(client)
    assert [(f, line) for f, line, _ in found] == [(rel, line_of(broken, "Picture") + 1)]
    assert "Picture" in found[0][2]
    edit(client, rel, text)  # fixed again
    await settle(client)
    assert errors(client) == []


async def test_incremental_change(client: LanguageClient) -> None:
    """Editors send ranges, not whole buffers: the server applies them before analysing."""
    rel = "prisma/fragments/user.prisma"
    path = client.project / rel  # type: ignore[attr-defined]
    text = buffer(client, rel)
    at = line_of(text, "  fullName  String")

    def change(rng: types.Range, new: str) -> None:
        version = client.versions[str(path)] = client.versions[str(path)] + 1  # type: ignore[attr-defined]
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(uri=from_fs_path(str(path)), version=version),
                [types.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )

    edit(client, rel, text)
    change(types.Range(types.Position(at + 1, 0), types.Position(at + 1, 0)), "  avatar    Picture\n")
    await settle(client)
    assert [(f, line) for f, line, _ in errors(client)] == [(rel, at + 2)]
    change(types.Range(types.Position(at + 1, 0), types.Position(at + 2, 0)), "")
    await settle(client)
    assert errors(client) == []


async def test_prisma_validation_error_at_fragment_line(client: LanguageClient) -> None:
    rel = "prisma/fragments/contact.prisma"
    text = buffer(client, rel)
    broken = text.replace(
        "  @@index([userId, deletedAt])\n", "  @@index([userId, deletedAt])\n  @@index([nope])\n"
    )
    edit(client, rel, broken)
    await settle(client)
    found = errors(client)
    assert [(f, line) for f, line, _ in found] == [(rel, line_of(broken, "[nope]") + 1)]
    assert "nope" in found[0][2] and client.diagnostics[uri(client.project, rel)][0].source == "Prisma"
    edit(client, rel, text)
    await settle(client)
    assert errors(client) == []


async def test_error_of_one_target_says_which(client: LanguageClient) -> None:
    """`sync` is left out of the web target: a reference to its model fails there only."""
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    broken = text.replace("  fullName  String\n", "  fullName  String\n  syncThing SyncStatus?\n")
    edit(client, rel, broken)
    await settle(client)
    found = errors(client)
    assert len(found) == 1 and found[0][:2] == (rel, line_of(broken, "syncThing") + 1)
    assert found[0][2].split("\n")[0].endswith("(target web)")
    edit(client, rel, text)
    await settle(client)
    assert errors(client) == []


async def test_broken_syntax_then_fixed(client: LanguageClient) -> None:
    rel = "prisma/fragments/calendar.prisma"
    text = buffer(client, rel)
    lines = text.split("\n")
    at = line_of(text, "model ")
    broken = "\n".join([*lines[: at + 1], "  oops oops oops = {", *lines[at + 1 :]])
    edit(client, rel, broken)
    await settle(client)
    assert [(f, line) for f, line, _ in errors(client)] == [(rel, at + 2)]
    edit(client, rel, text)
    await settle(client)
    assert errors(client) == []


async def test_yaml_entity_edited(client: LanguageClient) -> None:
    rel = "prisma/entities/note.yaml"
    text = buffer(client, rel)
    broken = text.replace("      type: Contact\n", "      type: Contcat\n")
    edit(client, rel, broken)
    await settle(client)
    found = errors(client)
    # At the YAML field the generated line came from.
    assert [(f, line) for f, line, _ in found] == [(rel, broken.split("\n").index("  - name: contact") + 1)]
    assert "Contact" in found[0][2]  # did you mean
    edit(client, rel, text)
    await settle(client)
    assert errors(client) == []


async def test_manifest_error(client: LanguageClient) -> None:
    rel = "prisma.compose.toml"
    text = buffer(client, rel)
    broken = text.replace('exclude = ["sync"]', 'exclude = ["sink"]')
    edit(client, rel, broken)
    await settle(client)
    found = errors(client)
    assert [(f, line) for f, line, _ in found] == [(rel, line_of(broken, '"sink"') + 1)]
    edit(client, rel, text)
    await settle(client)
    assert errors(client) == []


async def test_new_fragment_under_glob(client: LanguageClient) -> None:
    """A file created under the manifest's glob joins the project: its model can be referenced."""
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    using = text.replace("  fullName  String\n", "  fullName  String\n  badge     Badge?\n")
    edit(client, rel, using)
    await settle(client)
    assert [f for f, _, _ in errors(client)] == [rel]
    path = client.project / "prisma/modules/badge.prisma"  # type: ignore[attr-defined]
    path.write_text(
        "model Badge {\n  id     String @id\n  userId String @unique\n"
        "  user   User   @relation(fields: [userId], references: [id])\n}\n"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(from_fs_path(str(path)), types.FileChangeType.Created)]
        )
    )
    open_file(client, path)
    await settle(client)
    assert errors(client) == []
    edit(client, rel, text)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(from_fs_path(str(path))))
    )
    path.unlink()
    await settle(client)
    assert errors(client) == []


async def test_keystrokes_are_debounced_never_queued(client: LanguageClient) -> None:
    """Twenty keystrokes in a row: one or two analyses (one may be running already), not twenty.

    That is owed while at most one pause between keystrokes is as long as the debounce: a burst
    this process sent with more (descheduled on a loaded machine) proves nothing, and is sent
    again. A pause counts from half the debounce (the server reads the keystrokes a little later
    than they are sent, not always equally late)."""
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    for _attempt in range(5):
        await settle(client)
        before = len(runs(client))
        sent = [time.monotonic()]
        for n in range(20):
            edit(client, rel, text.replace("  fullName  String\n", f"  fullName  String\n  f{n} Strin\n"))
            sent.append(time.monotonic())
        edit(client, rel, text)
        sent.append(time.monotonic())
        pauses = sum(b - a >= DEBOUNCE_MS / 2000 for a, b in itertools.pairwise(sent))
        await settle(client)
        if pauses <= 1:
            assert 1 <= len(runs(client)) - before <= 2
            break
    else:
        pytest.fail(f"every burst of keystrokes paused {DEBOUNCE_MS / 2} ms twice: the machine is too busy")
    assert errors(client) == []


def runs(client: LanguageClient) -> list[str]:
    return [m.message for m in client.log_messages if m.message.startswith("compose: analysis")]


# -- navigation ----------------------------------------------------------------------------------


async def test_definition_with_extend_blocks(client: LanguageClient) -> None:
    rel = "prisma/entities/note.yaml"
    text = buffer(client, rel)
    at = line_of(text, "type: Contact")
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            types.TextDocumentIdentifier(uri(client.project, rel)),
            types.Position(at, text.split("\n")[at].index("Contact") + 2),
        )
    )
    assert result is not None
    places = [(os.path.basename(loc.uri), loc.range.start.line) for loc in result]
    contact = buffer(client, "prisma/fragments/contact.prisma")
    assert places == [
        ("contact.prisma", line_of(contact, "model Contact {")),
        (
            "contact.prisma",
            contact.split("\n").index("model Contact {", line_of(contact, "model Contact {") + 1),
        ),
    ]


async def test_definition_of_yaml_model(client: LanguageClient) -> None:
    rel = "prisma/fragments/contact.prisma"
    text = buffer(client, rel)
    at = line_of(text, "notes Note[]")
    result = await client.text_document_definition_async(
        types.DefinitionParams(
            types.TextDocumentIdentifier(uri(client.project, rel)),
            types.Position(at, text.split("\n")[at].index("Note[]") + 1),
        )
    )
    assert result is not None
    note = buffer(client, "prisma/entities/note.yaml")
    assert [(os.path.basename(loc.uri), loc.range.start.line) for loc in result] == [
        ("note.yaml", line_of(note, "name: Note"))
    ]


async def test_hover_shows_fields_from_extend(client: LanguageClient) -> None:
    rel = "prisma/entities/calendar_event.yaml"
    text = buffer(client, rel)
    at = line_of(text, "type: User")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(uri(client.project, rel)),
            types.Position(at, text.split("\n")[at].index("User") + 1),
        )
    )
    assert hover is not None
    value = hover.contents.value  # type: ignore[union-attr]
    assert "model User {" in value and "email" in value  # declared in user.prisma
    assert "contacts" in value and "auditEntries" in value  # added by contact.prisma and audit.prisma
    assert "A person who signs in to the app." in value
    assert "`prisma/fragments/user.prisma`" in value and "`prisma/fragments/contact.prisma`" in value


async def test_hover_adds_prismas_relation_kind(client: LanguageClient) -> None:
    """On a relation field's type, Prisma's own hover (asked on the composed output) adds its kind."""
    rel = "prisma/fragments/contact.prisma"
    text = buffer(client, rel)
    at = line_of(text, "  user                 User ")
    hover = await client.text_document_hover_async(
        types.HoverParams(
            types.TextDocumentIdentifier(uri(client.project, rel)),
            types.Position(at, text.split("\n")[at].index("User ") + 1),
        )
    )
    assert hover is not None
    value = hover.contents.value  # type: ignore[union-attr]
    assert "model User {" in value and "one-to-many" in value


async def test_document_symbols(client: LanguageClient) -> None:
    rel = "prisma/fragments/contact.prisma"
    result = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri(client.project, rel)))
    )
    assert result is not None
    outline = [(s.name, s.detail) for s in result]  # type: ignore[union-attr]
    assert outline == [
        ("Contact", "model"),
        ("User", "@extend"),
        ("IntegrationAccount", "@extend"),
        ("Contact", "@extend"),
    ]
    assert "externalId" in [c.name for c in result[0].children or []]  # type: ignore[union-attr]


# -- completion ----------------------------------------------------------------------------------


async def complete(client: LanguageClient, rel: str, text: str, line: int, character: int) -> list[str]:
    edit(client, rel, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            types.TextDocumentIdentifier(uri(client.project, rel)), types.Position(line, character)
        )
    )
    assert isinstance(result, types.CompletionList)
    return [item.label for item in result.items]


async def test_completion_of_type_names_includes_yaml_models(client: LanguageClient) -> None:
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    typing = text.replace("  fullName  String\n", "  fullName  String\n  lastNote  No\n")
    at = line_of(typing, "lastNote")
    labels = await complete(client, rel, typing, at, len("  lastNote  No"))
    assert {"Note", "CalendarEvent", "Contact", "String", "DateTime", "AuditEntry"} <= set(labels)
    edit(client, rel, text)


async def test_completion_from_prismas_engine(client: LanguageClient) -> None:
    """Referential actions come from Prisma's engine, asked on the composed text."""
    rel = "prisma/fragments/contact.prisma"
    text = buffer(client, rel)
    relation = "  user                 User               @relation(fields: [userId], references: [id], "
    old = relation + "onDelete: Cascade)"
    new = relation + "onDelete: )"
    typing = text.replace(old, new)  # the editor closed the parenthesis
    at = line_of(typing, new)
    labels = await complete(client, rel, typing, at, len(new) - 1)
    assert {"Cascade", "Restrict", "SetNull"} <= set(labels)
    edit(client, rel, text)


async def test_completion_of_attributes(client: LanguageClient) -> None:
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    typing = text.replace("  fullName  String\n", "  fullName  String\n  nick      String @\n")
    at = line_of(typing, "nick")
    labels = await complete(client, rel, typing, at, len("  nick      String @"))
    assert {"@unique", "@default", "@map"} <= set(labels)
    edit(client, rel, text)
    await settle(client)


# -- formatting ----------------------------------------------------------------------------------


async def test_formatting_like_compose_format(client: LanguageClient) -> None:
    rel = "prisma/fragments/user.prisma"
    text = buffer(client, rel)
    messy = text.replace("  email     String   @unique", "  email String @unique")
    edit(client, rel, messy)
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            types.TextDocumentIdentifier(uri(client.project, rel)), types.FormattingOptions(2, True)
        )
    )
    assert edits is not None and len(edits) == 1
    assert edits[0].new_text == text
    edit(client, rel, text)
    already = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            types.TextDocumentIdentifier(uri(client.project, rel)), types.FormattingOptions(2, True)
        )
    )
    assert already is not None and list(already) == []
    await settle(client)
    assert errors(client) == []
