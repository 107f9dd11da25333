"""The output modules: sealing (seal.py), the state file (statefile.py), the plan (plan.py), the
folder handle and atomic writes (folders.py), and writing (output.py). The attacks on them (races,
symlink swaps, FIFOs, deaths mid-write) are in test_output_safety.py and test_faults.py."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from composer import folders, output, pipeline
from composer.diagnostics import ComposeError
from composer.seal import BANNER_PREFIX, Checksum, seal, sealed, sealed_bytes, verify
from composer.statefile import next_state, parse_state, state_text

from .helpers import stat_calls, write_project

BANNER = [f"{BANNER_PREFIX} from prisma.compose.toml", "// target: web"]
BASE = "datasource db {\n  provider = \"sqlite\"\n  url      = \"file:dev.db\"\n}\n"


def test_a_sealed_file_verifies_until_edited() -> None:
    body = "model A {\n  id Int @id\n}\n"
    text = seal(BANNER, body)
    lines = text.split("\n")
    assert lines[len(BANNER)] == "// checksum: sha256:" + hashlib.sha256(("\n" + body).encode()).hexdigest()
    assert "\n".join(lines[len(BANNER) + 2 :]) == body  # the body starts len(banner) + 2 lines down
    assert verify(text) is True
    assert verify(text.replace("id Int", "id BigInt")) is False
    assert verify(text.replace(lines[len(BANNER)] + "\n", "")) is False  # checksum line edited away
    assert verify(body) is None and seal([], body) == body


def test_the_state_file_holds_one_or_two_checksums() -> None:
    both = parse_state('{"a.prisma": "x", "b.prisma": ["y", "z"]}')
    assert both == {"a.prisma": ("x",), "b.prisma": ("y", "z")}
    text = '{\n  "a.prisma": "x",\n  "b.prisma": 3\n}\n'
    assert parse_state(text) == text.index('"b.prisma"')  # where it stops making sense
    conflict = '{\n<<<<<<< HEAD\n  "a.prisma": "x"\n}\n'
    assert parse_state(conflict) == conflict.index("<<<<<<<")
    assert parse_state("[]") == 0


@pytest.mark.parametrize("banner", [[], [BANNER_PREFIX, "// from prisma.compose.toml"]])
@pytest.mark.parametrize("body", ["", "model A {}\n", ["model Ä {\n", "  id Int @id\n}\n"], []])
def test_sealed_is_the_sealed_text_and_its_bytes(banner: list[str], body: str | list[str]) -> None:
    text, encoded = sealed(banner, body)
    assert text == seal(banner, body) and encoded == text.encode("utf-8")
    assert not banner or verify(text) is True


@pytest.mark.parametrize("banner", [[], [BANNER_PREFIX, "// from prisma.compose.toml"]])
@pytest.mark.parametrize("body", [[], [""], ["model Ä {\n", "  id Int @id\n}\n"]])
def test_sealed_bytes_are_the_sealed_bytes(banner: list[str], body: list[str]) -> None:
    assert sealed_bytes(banner, [piece.encode() for piece in body]) == sealed(banner, body)[1]


def test_a_checksum_hashes_again_only_from_the_first_changed_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    """After each edit of the pieces (one replaced, equal bytes made anew, inserted, removed,
    the end cut or grown), the digest is SHA-256 over a newline and the body; the states kept
    before the first piece that is not the very object it was are the states of last time."""
    import random

    monkeypatch.setattr(Checksum, "STEP", 7)  # states every 7 bytes: many of them, mid-piece too
    rng = random.Random(17)

    def piece() -> bytes:
        return bytes(rng.choice(b"abc\n") for _ in range(rng.randrange(0, 12)))

    pieces = [piece() for _ in range(40)]
    checksum = Checksum()
    for step in range(200):
        before = dict(zip(checksum.offsets, checksum.marks, strict=True))
        kept = checksum.pieces
        got = checksum.digest(pieces, memoryview(b"\n" + b"".join(pieces)))
        assert got == hashlib.sha256(b"\n" + b"".join(pieces)).hexdigest(), step
        n = min(len(pieces), len(kept))
        same = next((i for i in range(n) if pieces[i] is not kept[i]), n)
        unchanged = 1 + sum(map(len, pieces[:same]))
        now = dict(zip(checksum.offsets, checksum.marks, strict=True))
        reused = [at for at, mark in now.items() if before.get(at) is mark]
        assert reused == [at for at in before if at <= unchanged], step
        at = rng.randrange(len(pieces) + 1)
        match rng.randrange(6):
            case 0 if at < len(pieces):
                pieces[at] = piece()
            case 1 if at < len(pieces):
                pieces[at] = bytes(bytearray(pieces[at]))  # equal, another object: hashed again
            case 2:
                pieces.insert(at, piece())
            case 3 if at < len(pieces):
                del pieces[at]
            case 4:
                del pieces[at:]
            case _:
                pieces.extend(piece() for _ in range(rng.randrange(1, 8)))


def test_the_state_ahead_of_the_renames_accepts_old_and_new() -> None:
    class F:
        display = "out.prisma"
        text = "model A {}\n"
        changed = True
        headerless = True
        text_digest = None  # not known: the state computes it

    new = hashlib.sha256(F.text.encode()).hexdigest()
    ahead = next_state({"out.prisma": ("old",)}, [F()], ahead=True)
    assert ahead == {"out.prisma": ("old", new)}
    assert next_state(ahead, [F()], ahead=False) == {"out.prisma": (new,)}
    assert parse_state(state_text(ahead)) == ahead


def _project(root: Path) -> Path:
    manifest = '[[fragments]]\npath = "base.prisma"\n\n[targets.web]\noutput = "out/web.prisma"\n'
    base = BASE + "\nmodel A {\n  id Int @id\n}\n"
    write_project(root, {"base.prisma": base, "prisma.compose.toml": manifest})
    return root / "prisma.compose.toml"


def test_planning_looks_up_no_manifest_position(tmp_path: Path) -> None:
    """Positions in the manifest are found by scanning its text, which costs more than reading
    it: the plan asks for the `output` key's place only when it makes a diagnostic."""
    comp = pipeline.load(str(_project(tmp_path)))
    planned = pipeline.plan_outputs(comp)
    output.apply(planned, False, comp.manifest.root)
    assert comp.manifest._locator is not None and comp.manifest._locator._spans is None
    assert [f.display for f in planned] == ["out/web.prisma"]


def test_a_diagnostic_of_the_plan_is_still_at_the_output_key(tmp_path: Path) -> None:
    manifest = _project(tmp_path)
    (tmp_path / "out/web.prisma").mkdir(parents=True)
    comp = pipeline.load(str(manifest))
    with pytest.raises(ComposeError) as caught:
        pipeline.plan_outputs(comp)
    [d] = caught.value.diagnostics
    assert d.code == "E302" and str(d.location).endswith("prisma.compose.toml:5:1")


def test_atomic_write_leaves_the_whole_new_file_and_no_temporary_one(tmp_path: Path) -> None:
    path = tmp_path / "made/on/the/way.txt"
    folders.atomic_write(path, "one\n")
    path.chmod(0o640)
    folders.atomic_write(path, "two\n", durable=False)
    assert path.read_text() == "two\n" and path.stat().st_mode & 0o777 == 0o640  # its mode kept
    assert sorted(os.listdir(path.parent)) == ["way.txt"]


def test_sweep_removes_only_what_dead_writers_left(tmp_path: Path) -> None:
    pid = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(pid, capture_output=True, text=True)
    gone = int(dead.stdout)  # a real process that has ended
    names = [
        f".schema.prisma.{gone}.abc123.tmp",  # a dead writer's: removed
        f".schema.prisma.{os.getpid()}.abc123.tmp",  # a live one's: kept
        f".other.prisma.{gone}.abc123.tmp",  # not a file compose writes here: kept
        "schema.prisma",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    folder = folders.open_folder(tmp_path, "", create=False)
    try:
        folders.sweep(folder, {"schema.prisma"})
    finally:
        folder.close()
    assert sorted(os.listdir(tmp_path)) == sorted(names[1:])


def test_open_folder_makes_the_missing_folders(tmp_path: Path) -> None:
    folder = folders.open_folder(tmp_path, "a/b/../c", create=True)
    try:
        fd, name = folders.make_temp(folder.path / "x", folder)
        os.close(fd)
        assert (tmp_path / "a/c" / name).is_file() and (tmp_path / "a/b").is_dir()
    finally:
        folder.close()
    with pytest.raises(FileNotFoundError):
        folders.open_folder(tmp_path, "nowhere", create=False)


def _folder_project(root: Path, count: int) -> Path:
    files = {f"f/m{i}.prisma": f"model M{i} {{\n  id Int @id\n}}\n" for i in range(count)}
    entries = "".join(f'[[fragments]]\npath = "f/m{i}.prisma"\n' for i in range(count))
    files["base.prisma"] = BASE
    manifest = '[[fragments]]\npath = "base.prisma"\n' + entries + '\n[targets.web]\noutput = "out/"\n'
    files["prisma.compose.toml"] = manifest
    write_project(root, files)
    return root / "prisma.compose.toml"


def test_a_symlinked_file_of_a_folder_output_is_still_confined(tmp_path: Path) -> None:
    manifest = _folder_project(tmp_path / "p", 2)
    comp = pipeline.load(str(manifest))
    output.apply(pipeline.plan_outputs(comp), False, comp.manifest.root)
    victim = tmp_path / "victim.prisma"
    victim.write_text("mine\n")
    link = tmp_path / "p/out/m1.prisma"
    link.unlink()
    link.symlink_to(victim)
    with pytest.raises(ComposeError) as caught:
        pipeline.plan_outputs(pipeline.load(str(manifest)))
    [d] = caught.value.diagnostics
    assert d.code == "E301" and "`out/m1.prisma` resolves to" in d.message
    assert victim.read_text() == "mine\n"


def _path_lookups(manifest: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    comp = pipeline.load(str(manifest))
    output.apply(pipeline.plan_outputs(comp), False, comp.manifest.root)
    return stat_calls(lambda: pipeline.plan_outputs(comp))


def test_planning_a_folder_output_costs_one_lookup_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its folder is resolved once; each file is one lstat, its read checks that very stat."""
    _path_lookups(_folder_project(tmp_path / "warm", 1), monkeypatch)
    few = _path_lookups(_folder_project(tmp_path / "few", 4), monkeypatch)
    more = _path_lookups(_folder_project(tmp_path / "more", 8), monkeypatch)
    assert more - few == 4


def test_many_files_are_synced_together_and_a_failed_sync_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    manifest = _folder_project(tmp_path, output._SYNC_TOGETHER + 4)
    comp = pipeline.load(str(manifest))
    planned = pipeline.plan_outputs(comp)
    synced: list[int] = []
    real_fsync = os.fsync

    def failing_fsync(fd: int) -> None:
        synced.append(fd)
        if len(synced) == 7:
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    with monkeypatch.context() as m:
        m.setattr(os, "fsync", failing_fsync)
        with pytest.raises(ComposeError) as caught:
            output.apply(planned, False, comp.manifest.root)
    [d] = caught.value.diagnostics
    assert d.code == "E304" and "Input/output error; no output was changed" in d.message
    assert os.listdir(tmp_path / "out") == []  # no output, no temporary file left
    touched = output.apply(pipeline.plan_outputs(comp), False, comp.manifest.root)
    assert len(touched) == output._SYNC_TOGETHER + 5  # every fragment's file and schema.prisma
    for f in touched:
        assert f.path.read_text() == f.text
