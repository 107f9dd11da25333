"""Fault injection: what `compose build` does when the machine, the file system or the input is hostile.

The contract (README "Outputs", docs/ARCHITECTURE.md): exit 1 with a located diagnostic, never a
traceback; an output is only ever replaced whole (atomic rename); a build that fails changes no
output; an interrupted build leaves every output either its old or its new version, whole, and
the next build neither stumbles on it nor takes it for a hand edit.

Most faults are injected in-process (`tests/fuzzing.run_in_process`, which runs the CLI's entry
point as the console script does) with monkeypatching: tests may run as root, where a read-only
folder is writable anyway. Process deaths are real: SIGKILL at random moments, and `os._exit` at
each step of a write in a child process.
"""

from __future__ import annotations

import collections
import errno
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.gen_project import generate
from composer.inputfiles import STATE_FILE
from composer.seal import verify
from composer.statefile import read_state

from .fuzzing import (
    NOTE,
    USER,
    Run,
    judge,
    run_in_process,
    snapshot,
    stray_temp_files,
    write_template,
)
from .helpers import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:'click.utils.get_:DeprecationWarning")

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
HAND_EDIT = ("edited by hand", "not written by compose")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fuzzing project (tests/fuzzing.py), built: a `web` file with a header and an `engine`
    folder with `header = false` (checksums in .compose-state.json)."""
    return write_template(tmp_path / "project")


def outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "out").rglob("*.prisma"))}


def change_user(root: Path, version: int) -> None:
    """A change of `user.prisma` that reaches both targets (web/schema.prisma, engine/user.prisma)."""
    text = USER.replace("// display name", f"// display name v{version}")
    (root / "prisma/domains/user.prisma").write_text(text)


def assert_rejected(root: Path, result: Run, before: dict[str, tuple[bytes, int]], *needles: str) -> None:
    """Exit 1 (or 2), errors located in real files, outputs and state untouched, no temporary file."""
    verdict = judge(root, result, before)
    assert result.code in (1, 2), result.stderr
    assert verdict.outcome == "rejected", f"{verdict.problems}\n{result.stderr}"
    for needle in needles:
        assert needle in result.stderr


def assert_recovers(root: Path) -> None:
    """The next build works, takes nothing for a hand edit, and `check` agrees with it."""
    result = run_in_process(root, "build")
    assert result.code == 0, result.stderr
    assert not any(h in result.stderr for h in HAND_EDIT), result.stderr
    assert stray_temp_files(root) == []
    check = run_in_process(root, "check")
    assert check.code == 0, check.stderr + check.stdout


def cli_env() -> dict[str, str]:
    """The environment `helpers.run_cli` gives the CLI, for a process this module drives itself."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", ""),
    }


# -- SIGKILL at random moments ----------------------------------------------------------------------

# Small enough for the suite (a few seconds); `python benchmarks/fuzz.py --kills 200` runs the same
# campaign at length (300 fragments by default).
FRAGMENTS, MODELS, KILLS = 100, 4, 12


def bump(root: Path, version: int, fragments: int) -> None:
    """Change a quarter of the fragments, so that a build writes many files (the `plain` folder
    output has one per fragment) and a kill has a fair chance to land among the writes."""
    for n in range(version % 4, fragments, 4):
        path = root / f"prisma/fragments/f{n:04d}.prisma"
        text = path.read_text()
        mark = text.find("  body      String?")
        end = text.index("\n", mark)
        path.write_text(text[:mark] + f"  body      String? // v{version}" + text[end:])


def test_sigkill_mid_build_leaves_every_output_old_or_new(tmp_path: Path) -> None:
    seen, duration = sigkill_campaign(tmp_path, FRAGMENTS, KILLS)
    print(f"\n{KILLS} kills over a {duration:.2f}s build: {dict(seen)}")


def sigkill_campaign(
    tmp_path: Path, fragments: int, kills: int, seed: int = 20240607
) -> tuple[collections.Counter[str], float]:
    """SIGKILL `kills` rebuilds of a generated project of `fragments` fragments; asserts that every
    output is old or new, whole, and that the next build recovers. Returns the outcomes (finished,
    none / some / all written) and the duration of an uninterrupted rebuild."""
    root = generate(tmp_path / "big", fragments, MODELS)
    with (root / "prisma.compose.toml").open("a") as fh:
        fh.write('\n[targets.plain]\noutput = "out/plain/"\nheader = false\n')
    assert run_in_process(root, "build").code == 0
    bump(root, 1, fragments)
    started = time.perf_counter()
    assert run_cli(root, "build").returncode == 0
    duration = time.perf_counter() - started  # a rebuild, start to exit: kills are spread over it
    rnd = random.Random(seed)
    seen: collections.Counter[str] = collections.Counter()
    # The renames happen in the last milliseconds of a build. Half the kills land anywhere in
    # the run; the other half close in on the write phase by bisection: between the latest kill
    # that found nothing written and the earliest that came too late.
    before, after = 0.5 * duration, 1.5 * duration
    for i in range(kills):
        old = outputs(root)
        bump(root, i + 2, fragments)
        delay = rnd.uniform(0.0, duration) if i % 2 else rnd.uniform(before, after)
        proc = subprocess.Popen(
            [sys.executable, "-m", "composer", "build"],
            cwd=root,
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed = outputs(root)
        for rel, data in killed.items():  # whatever the moment, a sealed output verifies
            if rel.startswith("out/schema.prisma"):
                assert verify(data.decode("utf-8")) is True, f"kill {i}: {rel} is torn"
        assert_recovers(root)
        new = outputs(root)
        for rel, data in killed.items():
            assert data in (old.get(rel), new.get(rel)), f"kill {i} at {delay:.2f}s: {rel} is torn"
        assert killed.keys() <= old.keys() | new.keys()
        changed = sum(killed[r] != old.get(r) for r in killed)
        outcome = (
            "finished" if proc.returncode == 0 else "none written" if not changed else
            "all written" if killed == new else "some written"
        )
        seen[outcome] += 1
        if i % 2 == 0 and outcome == "none written":
            before = max(before, delay)
        elif i % 2 == 0 and outcome in ("finished", "all written"):
            after = min(after, delay)
    return seen, duration


# -- death at each step of a write ----------------------------------------------------------------

# Run `compose build` in a child process that dies (os._exit: no cleanup, like SIGKILL) at call
# number K of one step of the write. For a change of user.prisma in the fuzzing project, the
# steps are: stage web/schema.prisma (#0), engine/user.prisma (#1), the state written ahead (#2),
# the final state (#3); renames: state ahead (#0), web (#1), engine (#2), final state (#3).
DIE = r"""
import os, sys
import composer.folders as out  # every staged file, outputs and state file alike
step, k = sys.argv[1], int(sys.argv[2])
calls = [0]
def dying(real):
    def wrapper(*args, **kwargs):
        if calls[0] == k:
            os._exit(137)
        calls[0] += 1
        return real(*args, **kwargs)
    return wrapper
if step == "stage":
    out.stage = dying(out.stage)
else:
    os.replace = dying(os.replace)
sys.argv = ["compose", "build"]
from composer.entry import main
main()
"""


def die(root: Path, step: str, k: int) -> None:
    died = subprocess.run(
        [sys.executable, "-c", DIE, step, str(k)], cwd=root, env=cli_env(), capture_output=True, text=True
    )
    assert died.returncode == 137, died.stderr


@pytest.mark.parametrize(
    ("step", "k"),
    [*(("stage", k) for k in (1, 2, 3)), *(("replace", k) for k in (0, 1, 2, 3))],
)
def test_death_at_each_step_of_a_write(project: Path, tmp_path: Path, step: str, k: int) -> None:
    old = outputs(project)
    change_user(project, 1)
    reference = tmp_path / "reference"  # the same change, built without dying: the new versions
    shutil.copytree(project, reference)
    assert run_in_process(reference, "build").code == 0
    new = outputs(reference)
    assert new != old
    die(project, step, k)
    for rel, data in outputs(project).items():
        assert data in (old[rel], new[rel]), f"{rel} is neither old nor new"
    # Changed again before the next build: the state the dead build left must still tell
    # compose's own outputs (old or new) from hand edits.
    change_user(project, 2)
    assert_recovers(project)
    assert "v2" in (project / "out/engine/user.prisma").read_text()


def test_an_interrupted_write_is_not_taken_for_a_hand_edit(project: Path) -> None:
    """The window of the old writer: the output renamed, its new checksum not yet recorded."""
    change_user(project, 1)
    die(project, "replace", 3)
    assert "v1" in (project / "out/engine/user.prisma").read_text()  # written, final state not
    assert len(read_state(project)["out/engine/user.prisma"]) == 2  # old and new accepted
    change_user(project, 2)
    result = run_in_process(project, "build")
    assert result.code == 0, result.stderr
    assert len(read_state(project)["out/engine/user.prisma"]) == 1  # settled again


def test_a_hand_edit_is_still_caught_after_an_interrupted_write(project: Path) -> None:
    change_user(project, 1)
    die(project, "replace", 3)
    path = project / "out/engine/user.prisma"
    edited = path.read_text() + "// mine\n"
    path.write_text(edited)
    change_user(project, 2)
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "prisma.compose.toml:14:1: error: `out/engine/user.prisma` was edited by hand" in result.stderr
    assert snapshot(project) == before
    # The dead build's temporary state file is still there (only a build that writes sweeps);
    # `--force` writes, keeps the edit as .bak, and sweeps it.
    assert [p for p in stray_temp_files(project) if STATE_FILE in p]
    forced = run_in_process(project, "build", "--force")
    assert forced.code == 0, forced.stderr
    assert (project / "out/engine/user.prisma.bak").read_text() == edited
    assert stray_temp_files(project) == []


def test_temporary_files_of_dead_writers_are_removed(project: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    folder = project / "out/web"
    stale = folder / f".schema.prisma.{dead.pid}.k3j2h1x0.tmp"
    live = folder / f".schema.prisma.{os.getpid()}.a1b2c3d4.tmp"  # a writer still at work
    foreign = folder / f".notes.txt.{dead.pid}.k3j2h1x0.tmp"  # not a file compose writes
    for p in (stale, live, foreign):
        p.write_text("partial")
    change_user(project, 1)
    assert run_in_process(project, "build").code == 0
    assert not stale.exists()
    assert live.exists() and foreign.exists()


# -- unwritable outputs -----------------------------------------------------------------------------


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root writes into a 0o555 folder anyway")
def test_read_only_output_folder(project: Path) -> None:
    folder = project / "out/web"
    change_user(project, 1)
    before = snapshot(project)
    folder.chmod(0o555)
    try:
        result = run_in_process(project, "build")
    finally:
        folder.chmod(0o755)
    assert_rejected(project, result, before, "out/web/schema.prisma", "Permission denied")


def _under(root: Path, path: object, dir_fd: object = None) -> bool:
    """Is `path` (relative to the folder `dir_fd` is open on, when given) inside `out/`?"""
    try:
        name = os.fsdecode(path)  # type: ignore[arg-type]
        if isinstance(dir_fd, int):  # output.py writes relative to a handle on the folder
            name = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), name)
        return Path(name).resolve().is_relative_to((root / "out").resolve())
    except (TypeError, ValueError, OSError):
        return False


NO_PROC = not os.path.isdir("/proc/self/fd")  # `_under` names a dir_fd's folder through /proc


@pytest.mark.parametrize(
    ("target", "exc"),
    [
        ("os.open", PermissionError(errno.EACCES, "Permission denied")),
        ("os.open", OSError(errno.EROFS, "Read-only file system")),
        ("os.replace", OSError(errno.EROFS, "Read-only file system")),
        ("os.fsync", OSError(errno.EIO, "Input/output error")),
    ],
)
@pytest.mark.skipif(NO_PROC, reason="needs /proc to name a dir_fd's folder")
def test_unwritable_output_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch, target: str, exc: OSError
) -> None:
    """Simulated (tests may run as root): every write into `out/` fails at one of its steps."""
    module_name, name = target.split(".")
    module = {"os": os}[module_name]
    real = getattr(module, name)
    root = project

    def failing(*args: object, **kwargs: object) -> object:
        where = args[-1] if name == "replace" else kwargs.get("dir", args[0] if args else None)
        dir_fd = kwargs.get("dst_dir_fd" if name == "replace" else "dir_fd")
        flags = args[1] if len(args) > 1 else kwargs.get("flags", 0)
        if name == "open" and not int(flags) & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):  # type: ignore[call-overload]
            return real(*args, **kwargs)  # reading the current output is no write
        if name == "fsync" or _under(root, where, dir_fd):
            raise exc
        return real(*args, **kwargs)

    change_user(project, 1)
    before = snapshot(project)
    monkeypatch.setattr(module, name, failing)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert_rejected(project, result, before, "cannot write `out/web/schema.prisma`", exc.strerror or "")
    assert "prisma.compose.toml:" in result.stderr  # located at the target's `output`
    assert_recovers(project)


def test_full_disk_changes_no_output(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk fills up after the first target's file was written (half of the second's is).

    "Nothing lost" for several outputs: compose writes every new text to a temporary file before
    it renames any into place, so running out of space leaves every output, and the state file,
    exactly as it was, and removes the partial temporary files. (A rename needs no space; one that
    fails anyway leaves each output whole, old or new: see the next test.)
    """
    real = os.fdopen
    opened = [0]

    class FullDisk:
        def __init__(self, fh: object) -> None:
            self.fh = fh

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])  # type: ignore[attr-defined]
            raise OSError(errno.ENOSPC, "No space left on device")

    def fdopen(fd: int, *args: object, **kwargs: object) -> object:
        fh = real(fd, *args, **kwargs)  # type: ignore[call-overload]
        opened[0] += 1
        return fh if opened[0] == 1 else FullDisk(fh)

    change_user(project, 1)
    before = snapshot(project)
    monkeypatch.setattr(os, "fdopen", fdopen)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert opened[0] == 2  # the first file was written whole, the second hit the full disk
    assert_rejected(project, result, before, "No space left on device", "out/engine/user.prisma")
    assert "no output was changed" in result.stderr
    assert_recovers(project)


@pytest.mark.skipif(NO_PROC, reason="needs /proc to name a dir_fd's folder")
def test_a_rename_failing_midway_leaves_each_output_whole(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace
    old = outputs(project)
    renamed: list[str] = []

    def replace(src: str, dst: str, **dir_fds: int | None) -> None:
        inside = _under(project, dst, dir_fds.get("dst_dir_fd"))
        if inside and renamed:
            raise OSError(errno.EIO, "Input/output error")
        real(src, dst, **dir_fds)
        if inside:
            renamed.append(str(dst))

    change_user(project, 1)
    monkeypatch.setattr(os, "replace", replace)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "cannot write `out/engine/user.prisma`: Input/output error" in result.stderr
    assert "the outputs before it were written" in result.stderr
    assert stray_temp_files(project) == []
    now = outputs(project)
    assert now["out/web/schema.prisma"] != old["out/web/schema.prisma"]  # renamed: new, whole
    assert verify(now["out/web/schema.prisma"].decode()) is True
    assert now["out/engine/user.prisma"] == old["out/engine/user.prisma"]  # not renamed: old
    assert_recovers(project)


def test_unwritable_state_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import composer.folders as out

    real = out.stage

    def stage(path: Path, text: str, *folder: object, **options: object) -> str:
        if path.name == STATE_FILE:
            raise OSError(errno.EACCES, "Permission denied")
        return real(path, text, *folder, **options)  # type: ignore[arg-type]

    change_user(project, 1)
    before = snapshot(project)
    monkeypatch.setattr(out, "stage", stage)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert_rejected(project, result, before, f"cannot write `{STATE_FILE}`: Permission denied")
    assert "no output was changed" in result.stderr


# -- outputs where a file or folder is in the way -----------------------------------------------------


def test_output_path_is_a_directory(project: Path) -> None:
    (project / "out/web/schema.prisma").unlink()
    (project / "out/web/schema.prisma").mkdir()
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "`out/web/schema.prisma` is a directory")


@pytest.mark.parametrize("blocked", ["out/web", "out/engine"])
def test_output_folder_is_a_file(project: Path, blocked: str) -> None:
    shutil.rmtree(project / blocked)
    (project / blocked).write_text("in the way")
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "a folder on its path is a file")
    assert (project / blocked).read_text() == "in the way"


def test_unreadable_output(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated (tests may run as root): opening the current output for reading fails."""
    real = os.open

    def opening(path: object, flags: int, *args: object, **kwargs: object) -> int:
        reading = not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
        if reading and str(path).endswith("schema.prisma") and _under(project, Path(str(path))):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    change_user(project, 1)
    before = snapshot(project)
    monkeypatch.setattr(os, "open", opening)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert_rejected(project, result, before, "cannot read output `out/web/schema.prisma`: Permission denied")


# -- symlinks ---------------------------------------------------------------------------------------


def test_fragment_symlink_outside_the_project_is_followed(project: Path, tmp_path: Path) -> None:
    """Reading outside the project is allowed (a manifest may list `../common/base.prisma`, and
    monorepos link shared fragments); the output names the link, never an absolute path."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "audit.prisma").write_text("model Audit {\n  id Int @id\n}\n")
    (project / "prisma/domains/audit.prisma").symlink_to(shared / "audit.prisma")
    result = run_in_process(project, "build")
    assert result.code == 0, result.stderr
    web = (project / "out/web/schema.prisma").read_text()
    assert "// ---- fragment audit (prisma/domains/audit.prisma) ----" in web
    assert str(tmp_path) not in web
    assert (project / "out/engine/audit.prisma").exists()


@pytest.mark.parametrize("link", ["out/web", "out/engine/user.prisma"])
def test_output_symlink_outside_the_project_is_refused(project: Path, tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.prisma").write_text("not yours")
    path = project / link
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
    path.symlink_to(outside if link == "out/web" else outside / "victim.prisma")
    change_user(project, 1)
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert result.code == 1
    assert "outside the project folder" in result.stderr and "Traceback" not in result.stderr
    assert "prisma.compose.toml:" in result.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["victim.prisma"]
    assert (outside / "victim.prisma").read_text() == "not yours"
    assert snapshot(project) == before


# -- inputs that are not what they seem -------------------------------------------------------------


def test_fragment_path_is_a_directory(project: Path) -> None:
    (project / "prisma/x.prisma").mkdir()
    manifest = project / "prisma.compose.toml"
    manifest.write_text(manifest.read_text().replace(
        '[[fragments]]\nglob', '[[fragments]]\npath = "prisma/x.prisma"\n\n[[fragments]]\nglob', 1
    ))
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "`prisma/x.prisma` is a directory, not a file")
    assert "prisma.compose.toml:5:8: error:" in result.stderr  # the `path` value in the manifest


def test_glob_skips_a_directory_named_like_a_fragment(project: Path) -> None:
    """A glob lists files: a folder named `x.prisma` is not a fragment (a glob matching only such
    folders warns that it matches no file, located at the glob)."""
    (project / "prisma/domains/x.prisma").mkdir()
    (project / "prisma/only").mkdir()
    (project / "prisma/only/y.prisma").mkdir()
    manifest = project / "prisma.compose.toml"
    manifest.write_text(manifest.read_text() + '\n[[fragments]]\nglob = "prisma/only/*.prisma"\n')
    result = run_in_process(project, "build")
    assert result.code == 0, result.stderr
    assert "prisma.compose.toml:" in result.stderr and "matches no file" in result.stderr


def test_fragment_deleted_between_glob_and_read(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import composer.sources as sources

    real = sources.expand_glob

    def expand_glob(root: Path, pattern: str, *rest: object) -> list[str]:
        found = real(root, pattern, *rest)
        for path in found:
            if os.path.basename(path) == "post.prisma":
                os.unlink(path)  # another process removes it right after the listing
        return found

    change_user(project, 1)  # an input changed: no nothing-to-do fast path (composer/stamp.py)
    before = snapshot(project)
    monkeypatch.setattr(sources, "expand_glob", expand_glob)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert_rejected(project, result, before, "`prisma/domains/post.prisma` does not exist")


def test_unreadable_fragment(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def refusing_open(path: str, flags: int, *args: int) -> int:
        if str(path).endswith(os.path.join("domains", "user.prisma")):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *args)

    before = snapshot(project)
    monkeypatch.setattr(os, "open", refusing_open)  # inputs are read with os.open (inputfiles.py)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert_rejected(project, result, before, "cannot read `prisma/domains/user.prisma`: Permission denied")


@pytest.mark.skipif(IS_ROOT or sys.platform == "win32", reason="root reads a 0o000 file anyway")
def test_unreadable_fragment_for_real(project: Path) -> None:
    path = project / "prisma/domains/user.prisma"
    before = snapshot(project)
    path.chmod(0)
    try:
        result = run_in_process(project, "build")
    finally:
        path.chmod(0o644)
    assert_rejected(project, result, before, "Permission denied")


# -- invalid UTF-8 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "good", "bad"),
    [
        ("prisma/domains/user.prisma", b"// display name", b"// caf\xe9"),
        ("prisma/entities/note.yaml", b"A short note.", b"A sh\xffort note."),
        ("prisma.compose.toml", b"[targets.web]", b"[targets.web] # \xc3("),
    ],
)
def test_invalid_utf8_is_located_at_the_byte(project: Path, rel: str, good: bytes, bad: bytes) -> None:
    path = project / rel
    data = path.read_bytes()
    assert good in data
    data = data.replace(good, bad)
    at = data.index(bad) + next(i for i, b in enumerate(bad) if b >= 0x80)
    line = data.count(b"\n", 0, at) + 1
    col = at - (data.rfind(b"\n", 0, at) + 1) + 1  # ASCII before it: bytes are characters
    path.write_bytes(data)
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "not valid UTF-8")
    assert f"{rel}:{line}:{col}: error:" in result.stderr
    frame = result.stderr.split("\n")
    caret = next(i for i, text in enumerate(frame) if text.lstrip().startswith("|") and "^" in text)
    assert frame[caret - 1][frame[caret].index("^")] == "\ufffd"  # the caret is under the bad byte


def test_invalid_utf8_through_the_real_cli(project: Path) -> None:
    path = project / "prisma/entities/note.yaml"
    path.write_bytes(NOTE.encode().replace(b"short", b"sh\x80rt"))
    before = snapshot(project)
    result = run_cli(project, "build")
    assert_rejected(project, Run(result.returncode, result.stdout, result.stderr), before, "not valid UTF-8")
    assert "prisma/entities/note.yaml:3:20: error:" in result.stderr


# -- absurd sizes and depths ------------------------------------------------------------------------

FIFTY_MB = 50 * 1024 * 1024


def test_fifty_megabyte_fragment_builds(project: Path) -> None:
    """One 50 MB comment line in a model: kept verbatim in both outputs, sealed, in a few seconds."""
    path = project / "prisma/domains/user.prisma"
    comment = "  // " + "c" * FIFTY_MB + "\n"
    path.write_text(USER.replace("  email String @unique\n", "  email String @unique\n" + comment))
    result = run_in_process(project, "build")
    assert result.code == 0, result.stderr[:2000]
    web = (project / "out/web/schema.prisma").read_text()
    assert verify(web) is True and "c" * FIFTY_MB in web
    assert (project / "out/engine/user.prisma").stat().st_size > FIFTY_MB


def test_fifty_megabyte_line_is_rejected_with_a_short_message(project: Path) -> None:
    """A 50 MB line of garbage: a syntax error whose code frame shows a window of the line, not
    100 MB of text and carets."""
    (project / "prisma/domains/user.prisma").write_text(USER + "x" * FIFTY_MB + "\n")
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "prisma/domains/user.prisma:15:1: error:")
    assert len(result.stderr) < 2000


def test_brackets_nested_too_deeply_for_the_parser(project: Path) -> None:
    """Nesting far past Python's stack (the parser recurses per level) is a located syntax error."""
    deep = "[" * 5000 + "]" * 5000
    (project / "prisma/domains/user.prisma").write_text(USER.replace('@@map("users")', f"@@map({deep})"))
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "prisma/domains/user.prisma:8:", "nested more than 64 levels")


def test_brackets_nested_too_deeply_in_a_yaml_attribute(project: Path) -> None:
    deep = "[" * 5000 + "]" * 5000
    attribute = f"    prisma:\n      attributes: ['@default({deep})']\n"
    text = NOTE.replace("  - name: body\n", "  - name: body\n" + attribute)
    (project / "prisma/entities/note.yaml").write_text(text)
    before = snapshot(project)
    result = run_in_process(project, "build")
    assert_rejected(project, result, before, "prisma/entities/note.yaml:11:", "nested more than 64 levels")


# -- usage ------------------------------------------------------------------------------------------


def test_unknown_target_names_where_the_targets_are(project: Path) -> None:
    """A usage error (exit 2) about the manifest's content still says where to look."""
    result = run_in_process(project, "build", "wbe")
    assert result.code == 2 and "Traceback" not in result.stderr
    assert "unknown target `wbe` (did you mean `web`?); targets are defined at prisma.compose.toml:10:1" in (
        result.stderr
    )
