"""composer/sources.py: from `[[fragments]]` entries to parsed fragments (paths, caches, stats)."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composer.inputfiles import posix_stem
from composer.manifest import load_manifest
from composer.sources import Loader, clean_posix, rel_display

from .helpers import stat_calls, write_project

PART = st.sampled_from(["a", "b.prisma", ".", "..", "", ".hidden", "x.y.z", "ü"])
POSIX = st.lists(PART, min_size=1, max_size=6).map("/".join)


@given(POSIX.filter(lambda p: not p.startswith("/")))  # a manifest's paths are relative
def test_clean_posix_is_what_pathlib_writes(rel: str) -> None:
    assert clean_posix(rel) == PurePosixPath(rel).as_posix()


@given(POSIX, st.sampled_from(["/", "/r", "/r/s"]))
def test_rel_display_is_relative_to_without_pathlib(rel: str, root: str) -> None:
    path = os.path.join(root, rel)
    try:
        expected = Path(path).relative_to(root).as_posix()
    except ValueError:
        expected = Path(path).as_posix()
    assert rel_display(path, root) == expected
    assert rel_display(Path(path), Path(root)) == expected


@given(POSIX)
def test_posix_stem_is_pathlibs_stem(rel: str) -> None:
    assert posix_stem(rel) == PurePosixPath(rel).stem


def _project(root: Path, count: int) -> Path:
    files = {f"f/m{i}.prisma": f"model M{i} {{\n  id Int @id\n}}\n" for i in range(count)}
    entries = "".join(f'[[fragments]]\npath = "f/m{i}.prisma"\n' for i in range(count))
    files["prisma.compose.toml"] = entries + '[targets.t]\noutput = "out.prisma"\n'
    write_project(root, files)
    return root / "prisma.compose.toml"


def test_a_path_entry_is_named_as_pathlib_names_it(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        {
            "prisma/f/a.prisma": "model A {\n  id Int @id\n}\n",
            "prisma.compose.toml": '[[fragments]]\npath = "./prisma//f/./a.prisma"\n'
            '[targets.t]\noutput = "out.prisma"\n',
        },
    )
    loaded = Loader().load(load_manifest(tmp_path / "prisma.compose.toml"))
    [frag] = loaded.fragments
    assert (frag.name, frag.display) == ("a", "prisma/f/a.prisma")
    assert frag.source.path == str(tmp_path / "prisma/f/a.prisma")
    assert loaded.files == [str(tmp_path / "prisma/f/a.prisma")]


def test_a_second_load_reads_and_parses_nothing_unchanged(tmp_path: Path) -> None:
    manifest = load_manifest(_project(tmp_path, 3))
    loader = Loader()
    loader.load(manifest)
    assert (loader.reads, loader.parses) == (3, 3)
    loader.load(manifest)
    assert (loader.reads, loader.parses) == (3, 3)  # served by the read and parse caches
    (tmp_path / "f/m1.prisma").write_text("model M1 {\n  id Int @id\n  x Int\n}\n")
    loader.invalidate([str(tmp_path / "f/m1.prisma")])
    loaded = loader.load(manifest)
    assert (loader.reads, loader.parses) == (4, 4)
    assert "x Int" in loaded.fragments[1].source.text


def _stat_calls(manifest_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    manifest = load_manifest(manifest_path)
    return stat_calls(lambda: Loader().load(manifest))


def test_one_stat_per_plain_fragment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The signature's lstat tells a symlink and is the stat the read checks: one per file."""
    _stat_calls(_project(tmp_path / "warm", 1), monkeypatch)  # once per process: the system's devices
    few = _stat_calls(_project(tmp_path / "few", 4), monkeypatch)
    more = _stat_calls(_project(tmp_path / "more", 8), monkeypatch)
    assert more - few == 4


def test_a_symlinked_fragment_is_read_through_its_link(tmp_path: Path) -> None:
    manifest = _project(tmp_path, 1)
    (tmp_path / "shared.prisma").write_text("model Shared {\n  id Int @id\n}\n")
    os.symlink(tmp_path / "shared.prisma", tmp_path / "f/link.prisma")
    manifest.write_text(manifest.read_text() + '[[fragments]]\npath = "f/link.prisma"\n')
    loaded = Loader().load(load_manifest(manifest))
    link = loaded.fragments[-1]
    assert link.name == "link" and "model Shared" in link.source.text
    assert not link.source.private  # the link's target is inside the project


def test_a_bad_byte_after_a_bom_is_pointed_at_where_it_is(tmp_path: Path) -> None:
    from composer.diagnostics import ComposeError

    manifest = _project(tmp_path, 1)
    (tmp_path / "f/m0.prisma").write_bytes(b"\xef\xbb\xbfmodel M0 {\n  id Int @id \xff\n}\n")
    with pytest.raises(ComposeError) as caught:
        Loader().load(load_manifest(manifest))
    [d] = caught.value.diagnostics
    assert "(byte 0xff)" in d.message
    assert str(d.location) == "f/m0.prisma:2:14"  # the BOM is no column
