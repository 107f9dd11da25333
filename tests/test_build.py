"""`compose build` end to end: the CLI (in-process, as the console script runs it) on real files;
the real process for the usage error's exit code."""

from __future__ import annotations

import os
from pathlib import Path

from composer.seal import verify

from .helpers import BASE, run_cli, run_cli_inprocess, write_project

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
glob = "prisma/domains/*.prisma"

[targets.app]
output = "out/schema.prisma"

[targets.folder]
output = "out/schema/"
"""


def simple_project(tmp_path: Path) -> Path:
    return write_project(
        tmp_path,
        {
            "prisma.compose.toml": MANIFEST,
            "prisma/base.prisma": BASE,
            "prisma/domains/user.prisma": "model User {\n  id    Int    @id\n  posts Post[]\n}\n",
            "prisma/domains/post.prisma": (
                "model Post {\n  id     Int  @id\n  userId Int\n"
                "  user   User @relation(fields: [userId], references: [id])\n}\n"
            ),
        },
    )



def test_build_twice_is_byte_identical_and_keeps_mtime(tmp_path: Path) -> None:
    simple_project(tmp_path)
    assert run_cli_inprocess(tmp_path, "build").returncode == 0
    outputs = [tmp_path / "out/schema.prisma", *sorted((tmp_path / "out/schema").glob("*.prisma"))]
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outputs}
    result = run_cli_inprocess(tmp_path, "build")
    assert result.returncode == 0
    assert "0 file(s) written" in result.stderr
    assert {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in outputs} == before


def test_folder_output(tmp_path: Path, assert_prisma_valid) -> None:
    simple_project(tmp_path)
    (tmp_path / "out/schema").mkdir(parents=True)
    (tmp_path / "out/schema/keep.txt").write_text("not ours")
    assert run_cli_inprocess(tmp_path, "build", "folder").returncode == 0
    folder = tmp_path / "out/schema"
    assert sorted(p.name for p in folder.iterdir()) == [
        "keep.txt",
        "post.prisma",
        "schema.prisma",
        "user.prisma",
    ]
    files = [(p.name, p.read_text()) for p in sorted(folder.glob("*.prisma"))]
    assert all(verify(text) for _, text in files)
    assert_prisma_valid(files)
    # a fragment that goes away takes its output file with it; other files stay
    (tmp_path / "prisma/domains/post.prisma").unlink()
    (tmp_path / "prisma/domains/user.prisma").write_text("model User {\n  id Int @id\n}\n")
    result = run_cli_inprocess(tmp_path, "build", "folder")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["keep.txt", "schema.prisma", "user.prisma"]


def test_hand_edited_output_is_never_lost(tmp_path: Path) -> None:
    simple_project(tmp_path)
    assert run_cli_inprocess(tmp_path, "build", "app").returncode == 0
    out = tmp_path / "out/schema.prisma"
    edited = out.read_text().replace("model User {", "model User {\n  nickname String?")
    out.write_text(edited)
    (tmp_path / "prisma/domains/user.prisma").write_text(
        "model User {\n  id Int @id\n  posts Post[]\n  x Int\n}\n"
    )
    result = run_cli_inprocess(tmp_path, "build", "app")
    assert result.returncode == 1
    assert "edited by hand" in result.stderr and "--force" in result.stderr
    assert out.read_text() == edited
    result = run_cli_inprocess(tmp_path, "build", "app", "--force")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/schema.prisma.bak").read_text() == edited
    assert "  x Int" in out.read_text() and verify(out.read_text())


def test_existing_foreign_output_is_not_overwritten(tmp_path: Path) -> None:
    simple_project(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out/schema.prisma").write_text("// my own schema\n")
    result = run_cli_inprocess(tmp_path, "build", "app")
    assert result.returncode == 1
    assert "not written by compose" in result.stderr
    assert (tmp_path / "out/schema.prisma").read_text() == "// my own schema\n"


def test_errors_write_nothing(tmp_path: Path) -> None:
    simple_project(tmp_path)
    (tmp_path / "prisma/domains/post.prisma").write_text("model Post {\n  id Int @id\n  user Usr\n}\n")
    result = run_cli_inprocess(tmp_path, "build")
    assert result.returncode == 1
    assert "prisma/domains/post.prisma:3:8" in result.stderr
    assert "did you mean `User`?" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_output_escaping_through_symlink_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    outside = tmp_path / "outside"
    outside.mkdir()
    simple_project(project)
    os.symlink(outside, project / "out")
    result = run_cli_inprocess(project, "build", "app")
    assert result.returncode == 1
    assert "outside the project" in result.stderr
    assert list(outside.iterdir()) == []


def test_unknown_target_is_a_usage_error(tmp_path: Path) -> None:
    simple_project(tmp_path)
    result = run_cli(tmp_path, "build", "ap")
    assert result.returncode == 2
    assert "did you mean `app`?" in result.stderr


def test_manifest_found_from_subfolder_and_by_option(tmp_path: Path) -> None:
    simple_project(tmp_path)
    assert run_cli_inprocess(tmp_path / "prisma/domains", "build", "app").returncode == 0
    assert (tmp_path / "out/schema.prisma").exists()
    other = tmp_path.parent / (tmp_path.name + "-elsewhere")
    other.mkdir()
    result = run_cli_inprocess(other, "build", "--manifest", str(tmp_path / "prisma.compose.toml"))
    assert result.returncode == 0, result.stderr


def test_no_manifest_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli_inprocess(tmp_path, "build")
    assert result.returncode == 2
    assert "prisma.compose.toml" in result.stderr


def test_prisma7_and_prisma6_on_url(tmp_path: Path, prisma6, prisma7) -> None:
    """Prisma 6 accepts `url = env(...)` in the datasource, Prisma 7 rejects it: a target for
    Prisma 7 drops it with `url = false`."""
    simple_project(tmp_path)
    manifest = (tmp_path / "prisma.compose.toml").read_text()
    manifest += '\n[targets.v7]\noutput = "out/v7.prisma"\n[targets.v7.datasource]\nurl = false\n'
    (tmp_path / "prisma.compose.toml").write_text(manifest)
    assert run_cli_inprocess(tmp_path, "build").returncode == 0
    v6 = (tmp_path / "out/schema.prisma").read_text()
    v7 = (tmp_path / "out/v7.prisma").read_text()
    assert not [d for d in prisma6.validate(v6) if d.is_error]
    assert [d for d in prisma7.validate(v6) if d.is_error]
    assert not [d for d in prisma7.validate(v7) if d.is_error]


def test_headerless_outputs_are_tracked_in_state_file(tmp_path: Path) -> None:
    simple_project(tmp_path)
    manifest = (
        (tmp_path / "prisma.compose.toml")
        .read_text()
        .replace("[[fragments]]", "[compose]\nheader = false\n\n[[fragments]]", 1)
    )
    (tmp_path / "prisma.compose.toml").write_text(manifest)
    assert run_cli_inprocess(tmp_path, "build", "app").returncode == 0
    out = tmp_path / "out/schema.prisma"
    assert out.read_text().startswith("datasource db")
    assert (tmp_path / ".compose-state.json").exists()
    # a fragment change rewrites the output without --force: compose knows it wrote it
    (tmp_path / "prisma/domains/user.prisma").write_text(
        "model User {\n  id Int @id\n  posts Post[]\n  x Int\n}\n"
    )
    assert run_cli_inprocess(tmp_path, "build", "app").returncode == 0
    assert "  x Int" in out.read_text()
    # a hand edit is detected
    out.write_text(out.read_text() + "\n// mine\n")
    (tmp_path / "prisma/domains/user.prisma").write_text("model User {\n  id Int @id\n  posts Post[]\n}\n")
    result = run_cli_inprocess(tmp_path, "build", "app")
    assert result.returncode == 1 and "edited by hand" in result.stderr
