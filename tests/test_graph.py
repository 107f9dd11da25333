"""`compose graph`: fragment and model graphs (Mermaid, DOT), cycles, and `--into` markers.

The example project's graphs are snapshots in `__snapshots__/test_graph/` (one file each, so they
can be previewed as they are).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from composer.commands import graph
from composer.diagnostics import ComposeError, Source
from composer.manifest import load_manifest
from composer.sources import Loader

from .fuzzing import run_in_process
from .helpers import BASE, remount_readonly, run_cli, run_cli_inprocess, tmpfs, write_project

ROOT = Path(__file__).resolve().parents[1]


class TextSnapshot(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "txt"



CYCLIC = {
    "prisma.compose.toml": """
        [[fragments]]
        path = "base.prisma"
        [[fragments]]
        path = "people.prisma"
        [[fragments]]
        path = "media.prisma"
        [[fragments]]
        path = "tags.prisma"

        [targets.app]
        output = "schema.prisma"
    """,
    "base.prisma": BASE,
    # User and Image hold foreign keys to each other: a cycle of models and of fragments.
    "people.prisma": """
        model User {
          id       Int     @id
          avatarId Int?    @unique
          avatar   Image?  @relation("avatar", fields: [avatarId], references: [id])
          images   Image[] @relation("owner")
          manager  User?   @relation("reports", fields: [managerId], references: [id])
          managerId Int?
          reports  User[]  @relation("reports")
        }
    """,
    "media.prisma": """
        enum Format {
          PNG
          JPEG
        }

        model Image {
          id      Int    @id
          ownerId Int
          owner   User   @relation("owner", fields: [ownerId], references: [id])
          avatarOf User? @relation("avatar")
          format  Format
          tags    Tag[]
        }
    """,
    "tags.prisma": """
        model Tag {
          id     Int     @id
          images Image[]
        }
    """,
}


def text(root: Path, level: str, fmt: str, target: str | None = None) -> str:
    return graph.graph_text(load_manifest(root / "prisma.compose.toml"), level, fmt, target)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("level", ["fragment", "model"])
def test_example_graphs(example: Path, level: str, fmt: str, snapshot) -> None:
    assert text(example, level, fmt) == snapshot(extension_class=TextSnapshot)


def test_example_graph_of_one_target(example: Path, snapshot) -> None:
    out = text(example, "model", "mermaid", "web")
    assert "SyncState" not in out  # the web target leaves the sync fragment out
    assert out == snapshot(extension_class=TextSnapshot)


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
@pytest.mark.parametrize("level", ["fragment", "model"])
def test_cycles_are_marked(tmp_path: Path, level: str, fmt: str, snapshot) -> None:
    write_project(tmp_path, CYCLIC)
    out = text(tmp_path, level, fmt)
    assert out == snapshot(extension_class=TextSnapshot)
    if fmt == "mermaid":
        cycle = "User ⇄ Image" if level == "model" else "people ⇄ media"
        assert f"%% cycle: {cycle}" in out
        assert "classDef cycle" in out
    else:
        assert "// cycle:" in out
        assert 'color="#dd3333"' in out


def test_model_edges(tmp_path: Path) -> None:
    write_project(tmp_path, CYCLIC)
    out = text(tmp_path, "model", "mermaid")
    assert '  m_User ==>|"avatar"| m_Image\n' in out  # in the cycle: thick
    assert '  m_Image ==>|"owner"| m_User\n' in out
    assert '  m_User -->|"manager"| m_User\n' in out  # a self-relation is no cycle
    assert "  m_Image -.-> e_Format\n" in out  # enum use
    assert out.count("<-->") == 1  # the implicit many-to-many Image <-> Tag, drawn once
    assert "linkStyle 1,2 stroke:#d33" in out  # the indexes of the two cycle edges


def test_node_ids_are_safe(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "prisma.compose.toml": '[[fragments]]\npath = "end.prisma"\n'
            '[[fragments]]\npath = "my-stuff.prisma"\n'
            '[targets.app]\noutput = "schema.prisma"\n',
            "end.prisma": "model end {\n  id Int @id\n}\n",
            "my-stuff.prisma": "model Thing {\n  id Int @id\n  endId Int\n"
            "  end end @relation(fields: [endId], references: [id])\n}\n",
        },
    )
    out = text(tmp_path, "fragment", "mermaid")
    assert 'f_end["end<br/>1 model"]' in out
    assert "f_my_stuff --> f_end" in out


# -- markers -----------------------------------------------------------------------------------

README = """\
# Project

```md
<!-- compose:graph -->
```

<!-- compose:graph -->
<!-- /compose:graph -->

Models:

<!-- compose:graph level=model target=web -->
old text
<!-- /compose:graph -->
"""


def fill(root: Path, text: str, overrides: dict[str, str] | None = None) -> str:
    manifest = load_manifest(root / "prisma.compose.toml")
    source = Source("README.md", text)
    filled, _ = graph.fill_markdown(source, graph.renderer(manifest, Loader(), source), overrides)
    return filled


def test_markers_are_filled_and_idempotent(example: Path) -> None:
    once = fill(example, README)
    assert fill(example, once) == once
    assert once.startswith(
        "# Project\n\n```md\n<!-- compose:graph -->\n```\n\n<!-- compose:graph -->\n```mermaid\n"
    )
    assert once.count("```mermaid") == 2
    assert "<!-- compose:graph level=model target=web -->\n```mermaid\nflowchart LR" in once
    assert "old text" not in once
    assert once.endswith("```\n<!-- /compose:graph -->\n")


def test_explicit_options_are_recorded_in_the_marker(example: Path) -> None:
    once = fill(
        example, "<!-- compose:graph -->\n<!-- /compose:graph -->\n", {"format": "dot", "level": "model"}
    )
    assert once.startswith("<!-- compose:graph level=model format=dot -->\n```dot\ndigraph compose {\n")
    assert fill(example, once) == once  # regenerated from the marker alone


def test_stale_markdown_for_check(example: Path) -> None:
    readme = example / "README.md"
    readme.write_text(README, encoding="utf-8")
    manifest = load_manifest(example / "prisma.compose.toml")
    current, expected = graph.stale_markdown(manifest, readme)  # type: ignore[misc]
    assert current == README
    readme.write_text(expected, encoding="utf-8")
    assert graph.stale_markdown(manifest, readme) is None
    # A new model makes the model diagram stale.
    with open(example / "prisma/fragments/user.prisma", "a", encoding="utf-8") as fh:
        fh.write("\nmodel Team {\n  id String @id\n}\n")
    stale = graph.stale_markdown(load_manifest(example / "prisma.compose.toml"), readme)
    assert stale is not None and 'm_Team["Team"]' in stale[1]


def test_crlf_is_kept(example: Path) -> None:
    once = fill(example, README.replace("\n", "\r\n"))
    assert "\n" not in once.replace("\r\n", "")


@pytest.mark.parametrize(
    ("markdown", "message", "line"),
    [
        ("text\n<!-- compose:graph -->\nno end\n", "this `compose:graph` marker is never closed", 2),
        ("<!-- /compose:graph -->\n", "a closing `<!-- /compose:graph -->` without an opening marker", 1),
        (
            "<!-- compose:graph level=table -->\n<!-- /compose:graph -->\n",
            "`level` is `table`; expected one of fragment, model",
            1,
        ),
        (
            "<!-- compose:graph colour=red -->\n<!-- /compose:graph -->\n",
            "unknown marker option `colour=red`",
            1,
        ),
        (
            "# nothing here\n",
            "`README.md` has no `<!-- compose:graph -->` … `<!-- /compose:graph -->` markers",
            None,
        ),
    ],
)
def test_marker_errors(example: Path, markdown: str, message: str, line: int | None) -> None:
    with pytest.raises(ComposeError) as info:
        fill(example, markdown)
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.message == message
    if line is not None:
        assert diagnostic.location is not None and diagnostic.location.line == line


def test_unknown_target_in_marker(example: Path) -> None:
    with pytest.raises(ComposeError, match="names target `mobile`"):
        fill(example, "<!-- compose:graph target=mobile -->\n<!-- /compose:graph -->\n")


# -- the command -------------------------------------------------------------------------------


def test_cli(example: Path) -> None:
    result = run_cli_inprocess(example, "graph", "--level", "model")
    assert result.returncode == 0, result.stderr
    assert result.stdout == text(example, "model", "mermaid")
    assert run_cli(example, "graph", "mobile").returncode == 2
    assert run_cli_inprocess(example, "graph", "--format", "svg").returncode == 2


def test_cli_into(example: Path) -> None:
    readme = example / "README.md"
    readme.write_text(README, encoding="utf-8")
    first = run_cli_inprocess(example, "graph", "--into", "README.md")
    assert first.returncode == 0, first.stderr
    assert "updated README.md (2 graphs)" in first.stderr
    content = readme.read_text(encoding="utf-8")
    old = time.time() - 100
    os.utime(readme, (old, old))
    second = run_cli_inprocess(example, "graph", "--into", "README.md")
    assert second.returncode == 0
    assert "README.md is up to date (2 graphs)" in second.stderr
    assert readme.read_text(encoding="utf-8") == content
    assert readme.stat().st_mtime == pytest.approx(old)



def test_cyclic_project_is_valid_prisma(tmp_path: Path, assert_prisma_valid) -> None:
    write_project(tmp_path, CYCLIC)
    assert run_cli_inprocess(tmp_path, "build").returncode == 0
    assert_prisma_valid((tmp_path / "schema.prisma").read_text(encoding="utf-8"))


def test_fragments_of_different_targets_need_a_target(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "prisma.compose.toml": """
                [[fragments]]
                path = "web.prisma"
                [[fragments]]
                path = "engine.prisma"
                [targets.web]
                output = "web/schema.prisma"
                include = ["web"]
                [targets.engine]
                output = "engine/schema.prisma"
                include = ["engine"]
            """,
            "web.prisma": "model User {\n  id Int @id\n}\n",
            "engine.prisma": "model User {\n  id String @id\n}\n",
        },
    )
    everything = run_cli_inprocess(tmp_path, "graph")
    assert everything.returncode == 1
    assert "or draw one target: `compose graph TARGET`" in everything.stderr
    one = run_cli_inprocess(tmp_path, "graph", "engine", "--level", "model")
    assert one.returncode == 0, one.stderr
    assert 'subgraph f_engine ["engine"]' in one.stdout


# -- `--into` writes the user's file like `compose format` does (issue 12 items 18, 19; issue 13) --


def test_into_creates_a_missing_file(example: Path) -> None:
    (example / "docs").mkdir()
    result = run_in_process(example, "graph", "--into", "docs/schema.md", "--level", "model")
    assert result.code == 0, result.stderr
    assert "created docs/schema.md (1 graph)" in result.stderr
    created = (example / "docs/schema.md").read_text(encoding="utf-8")
    expected = text(example, "model", "mermaid")
    assert created == (
        f"<!-- compose:graph level=model -->\n```mermaid\n{expected}```\n<!-- /compose:graph -->\n"
    )
    manifest = load_manifest(example / "prisma.compose.toml")
    assert graph.stale_markdown(manifest, example / "docs/schema.md") is None
    nowhere = run_in_process(example, "graph", "--into", "nowhere/schema.md")
    assert nowhere.code == 1
    assert "`nowhere/schema.md` does not exist, nor does its folder `nowhere`" in nowhere.stderr
    assert not (example / "nowhere").exists()


def test_into_keeps_a_bom_and_writes_through_a_symlink(example: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared" / "README.md"
    shared.parent.mkdir()
    shared.write_bytes(b"\xef\xbb\xbf" + README.encode())
    (example / "README.md").symlink_to(shared)
    result = run_in_process(example, "graph", "--into", "README.md")
    assert result.code == 0, result.stderr
    assert (example / "README.md").is_symlink()
    data = shared.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and not data.startswith(b"\xef\xbb\xbf" * 2)
    assert data[3:].decode() == fill(example, README)
    assert run_in_process(example, "graph", "--into", "README.md").code == 0  # now up to date
    assert shared.read_bytes() == data


def test_into_refuses_a_hard_link(example: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.md"
    other.write_text(README, encoding="utf-8")
    os.link(other, example / "README.md")
    result = run_in_process(example, "graph", "--into", "README.md")
    assert result.code == 1
    assert "`README.md` has 2 hard links" in result.stderr and "Traceback" not in result.stderr
    assert other.read_text(encoding="utf-8") == README
    assert os.stat(other).st_ino == os.stat(example / "README.md").st_ino


def test_into_on_a_read_only_file_system(example: Path) -> None:
    with tmpfs(example / "docs") as docs:
        (docs / "schema.md").write_text(README, encoding="utf-8")
        remount_readonly(docs)
        result = run_in_process(example, "graph", "--into", "docs/schema.md")
        assert result.code == 1, result.stderr
        assert "Traceback" not in result.stderr
        message = "error: cannot write `docs/schema.md`: Read-only file system; nothing was written"
        assert message in result.stderr
        assert (docs / "schema.md").read_text(encoding="utf-8") == README
