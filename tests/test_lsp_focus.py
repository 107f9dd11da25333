"""The focused lint of `compose lsp` (composer/lsp/focus.py) finds at the edited fragment exactly
what Prisma's lint of the whole output finds there, on a generated project where every model
relates to a model of another fragment and gets its back-relation from an `@extend` block."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from composer.lsp import analysis
from composer.lsp.analysis import Analyzer, Snapshot
from composer.prisma_wasm import PrismaWasm
from composer.validation import Engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gen_project import generate

EDITS = {
    "unknown index field": lambda t: t.replace("  @@index([parentId])\n", "  @@index([nope])\n", 1),
    "unknown relation field": lambda t: t.replace("fields: [parentId]", "fields: [parentIdd]", 1),
    "back-relation missing": lambda t: re.sub(r"/// @extend\nmodel \w+ \{\n.*\n\}\n", "", t, count=1),
    "bad default": lambda t: t.replace("@default(ACTIVE)", "@default(NOPE)", 1),
    "relation to a non-unique field": lambda t: t.replace("references: [id]", "references: [title]", 1),
    "bad attribute in an @extend block": lambda t: t.replace("[]\n}", "[] @default(1)\n}", 1),
    "valid edit": lambda t: t.replace("String?", "String? @map(\"b\")", 1),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("focus"), fragments=12, per=3)


def lines_at(snap: Snapshot, path: str) -> list[tuple[int, str]]:
    return sorted((d.range.start.line, d.message) for d in snap.diagnostics.get(path, []))


@pytest.mark.parametrize("edit", list(EDITS))
def test_focused_lint_agrees_with_the_full_lint(
    project: Path, prisma6: PrismaWasm, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    monkeypatch.setattr(analysis, "FOCUS_FROM", 0)
    analyzer = Analyzer(project / "prisma.compose.toml", Engine(prisma6, "Prisma 6 (pinned)"))
    path = str(project / "prisma" / "fragments" / "f0005.prisma")
    text = Path(path).read_text()
    analyzer.run({}, 1)  # the first run: a full lint
    early: list[Snapshot] = []
    final = analyzer.run({path: EDITS[edit](text)}, 2, early=early.append)
    assert len(early) == 1, "the focused lint ran first"
    assert lines_at(early[0], path) == lines_at(final, path)
    if edit != "valid edit":
        assert lines_at(final, path), "the edit is an error Prisma reports at the fragment"


def test_without_node_compose_errors_still_come_and_prisma_says_it_is_off(project: Path) -> None:
    engine = Engine(PrismaWasm("6", node=str(project / "no-such-node")), "Prisma 6 (pinned)")
    analyzer = Analyzer(project / "prisma.compose.toml", engine)
    path = str(project / "prisma" / "fragments" / "f0003.prisma")
    broken = Path(path).read_text().replace("  title     String", "  title     Strng", 1)
    snap = analyzer.run({path: broken}, 1)
    assert [d.code for d in snap.diagnostics[path]] == ["E206"]  # compose's own: unknown type
    fine = analyzer.run({}, 2)
    manifest = [d for d in fine.diagnostics[str(project / "prisma.compose.toml")]]
    assert [d.code for d in manifest] == ["W640"] and "Prisma's validation is off" in manifest[0].message


def test_lsp_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    import os
    import subprocess

    fake = tmp_path / "pygls"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('No module named pygls')\n")
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(root)])}
    done = subprocess.run(
        [sys.executable, "-m", "composer", "lsp"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "pip install 'prisma-compose[lsp]'" in done.stderr and "Traceback" not in done.stderr
