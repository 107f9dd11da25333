"""composer/pipeline.py: manifest → sources → composed targets → outputs, as every command runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from composer import pipeline
from composer.pipeline import UsageError

from .helpers import write_project

BASE = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:dev.db\"\n}\n"
MANIFEST = '[[fragments]]\npath = "base.prisma"\n[targets.web]\noutput = "out/web.prisma"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path, {"base.prisma": BASE + "\nmodel A {\n  id Int @id\n}\n", "prisma.compose.toml": MANIFEST}
    )


def test_the_manifest_is_found_upwards_or_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "deep/er").mkdir(parents=True)
    monkeypatch.chdir(project / "deep/er")
    assert pipeline.locate_manifest(None) == project / "prisma.compose.toml"
    assert pipeline.locate_manifest(str(project / "prisma.compose.toml")) == project / "prisma.compose.toml"
    with pytest.raises(UsageError, match=r"manifest `nope\.toml` not found"):
        pipeline.locate_manifest("nope.toml")


def test_no_manifest_says_how_to_make_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    if (Path("/") / "prisma.compose.toml").exists():
        pytest.skip("a manifest at the file system's root")
    with pytest.raises(UsageError, match="compose init"):
        pipeline.locate_manifest(None)


def test_an_unknown_target_is_a_usage_error_with_a_suggestion(project: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown target `wbe` \(did you mean `web`\?\)"):
        pipeline.load(str(project / "prisma.compose.toml"), ["wbe"])


def test_write_outputs_then_nothing_to_write(project: Path, assert_prisma_valid) -> None:  # type: ignore[no-untyped-def]
    comp = pipeline.load(str(project / "prisma.compose.toml"))
    written = pipeline.write_outputs(comp)
    assert [(f.display, s) for f, s in written.statuses()] == [("out/web.prisma", "written")]
    assert_prisma_valid((project / "out/web.prisma").read_text())
    again = pipeline.write_outputs(pipeline.load(str(project / "prisma.compose.toml")))
    assert [s for _, s in again.statuses()] == ["unchanged"] and again.touched == []
