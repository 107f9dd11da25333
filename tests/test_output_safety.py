"""Attacks on the outputs (issue 12), each performed for real: a second process that edits an
output while a build runs, two builds racing, a folder swapped for a symlink by a racer, a build
SIGKILLed while it stages, backups taken twice, a state file with merge-conflict markers.

The contract (README "Outputs"): no traceback, nothing written outside the project, no line of the
user's text lost (a hand edit is never overwritten; a file `--force` replaces is kept as a backup
that is never overwritten), a build that fails changes no output.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.gen_project import generate
from composer.inputfiles import LOCK_FILE, STATE_FILE
from composer.seal import verify

from .fuzzing import USER, run_in_process, snapshot, stray_temp_files, write_template
from .helpers import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:'click.utils.get_:DeprecationWarning")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX processes, signals and flock")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The fuzzing project, built: `out/web/schema.prisma` (banner) and `out/engine/` (no banner)."""
    return write_template(tmp_path / "project")


def change_user(root: Path, version: int) -> None:
    text = USER.replace("// display name", f"// display name v{version}")
    (root / "prisma/domains/user.prisma").write_text(text)


def env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "NO_COLOR": "1",
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "XDG_CACHE_HOME": os.environ.get("XDG_CACHE_HOME", ""),
    }


def popen_build(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "composer", "build", *args],
        cwd=root,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def big_project(tmp_path: Path, fragments: int = 60) -> Path:
    """Many fragments and a folder output with one file per fragment: a build stages for long
    enough that a second process can act while it does."""
    root = generate(tmp_path / "big", fragments, 4)
    with (root / "prisma.compose.toml").open("a") as fh:
        fh.write('\n[targets.plain]\noutput = "out/plain/"\nheader = false\n')
    assert run_in_process(root, "build").code == 0
    return root


def touch(root: Path, version: int, every: int = 4) -> None:
    """Change every `every`-th fragment: a build rewrites the single-file output first, then as
    many files of the folder output (each synced to disk: the staging takes a while)."""
    for path in sorted((root / "prisma/fragments").glob("*.prisma"))[::every]:
        text = path.read_text()
        mark = text.find("  body      String?")
        if mark == -1:  # base.prisma
            continue
        end = text.index("\n", mark)
        path.write_text(text[:mark] + f"  body      String? // v{version}" + text[end:])


def wait_for_staging(root: Path, proc: subprocess.Popen[str], folder: str = "out/plain") -> bool:
    """Poll until the build has a temporary file in `folder` (it planned and is staging)."""
    where = root / folder
    while proc.poll() is None:
        try:
            if any(n.endswith(".tmp") for n in os.listdir(where)):
                return True
        except FileNotFoundError:
            pass
    return False


def editor_save(path: Path, text: str) -> None:
    """Save as editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.editor~")
    tmp.write_text(text)
    os.replace(tmp, path)


# -- item 3: backups are numbered, never overwritten, and named --------------------------------


def test_force_twice_keeps_both_hand_edits(project: Path) -> None:
    out = project / "out/web/schema.prisma"
    mine = project / "out/web/schema.prisma.bak"
    mine.write_text("my own notes, not a compose backup\n")  # a file of the user's, named like one
    edits = []
    for n in (1, 2):
        edits.append(out.read_text() + f"// hand edit {n}\n")
        out.write_text(edits[-1])
        change_user(project, n)
        refused = run_in_process(project, "build")
        assert refused.code == 1 and f"schema.prisma.bak.{n}`" in refused.stderr, refused.stderr
        forced = run_in_process(project, "build", "--force")
        assert forced.code == 0, forced.stderr
        assert f"kept the file it replaced as out/web/schema.prisma.bak.{n}" in forced.stderr
    assert mine.read_text() == "my own notes, not a compose backup\n"
    assert (project / "out/web/schema.prisma.bak.1").read_text() == edits[0]
    assert (project / "out/web/schema.prisma.bak.2").read_text() == edits[1]
    assert verify(out.read_text()) is True


def test_force_names_the_backup_in_json(project: Path) -> None:
    path = project / "out/engine/user.prisma"  # header-less: its checksum is in the state file
    path.write_text(path.read_text() + "// mine\n")
    check = run_in_process(project, "check")
    assert check.code == 1 and "keeps the current file as `out/engine/user.prisma.bak`" in check.stderr
    forced = run_in_process(project, "build", "--force", "--format", "json")
    assert forced.code == 0, forced.stderr
    entries = {o["path"]: o for o in json.loads(forced.stdout)["outputs"]}
    assert entries["out/engine/user.prisma"]["backup"] == "out/engine/user.prisma.bak"
    assert entries["out/web/schema.prisma"]["backup"] is None
    assert (project / "out/engine/user.prisma.bak").read_text().endswith("// mine\n")


def test_backups_in_a_folder_output_are_kept_and_not_leftovers(project: Path) -> None:
    folder = project / "out/engine"
    for name in ("user.prisma.bak", "user.prisma.bak.1", "gone.prisma.bak.7"):
        (folder / name).write_text("// DO NOT EDIT: generated by compose, once\n")
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = folder / f".user.prisma.bak.1.{dead.pid}.k3j2h1x0.tmp"  # an older version's staging
    leftover.write_text("partial")
    assert run_in_process(project, "check").code == 0
    change_user(project, 1)
    assert run_in_process(project, "build").code == 0
    kept = sorted(p.name for p in folder.glob("*.bak*"))
    assert kept == ["gone.prisma.bak.7", "user.prisma.bak", "user.prisma.bak.1"]
    assert not leftover.exists()
    assert run_in_process(project, "check").code == 0


def test_a_foreign_output_says_how_to_take_it_over(project: Path) -> None:
    """Issue 13: the first build after a combine script wrote the schema."""
    (project / "out/web/schema.prisma").write_text("// written by scripts/combine-schemas.js\n")
    result = run_in_process(project, "build")
    assert result.code == 1
    assert "exists and was not written by compose" in result.stderr
    assert "`compose build --force` takes it over" in result.stderr
    assert "kept as `out/web/schema.prisma.bak`" in result.stderr
    check = run_in_process(project, "check")
    assert "`compose build --force web` takes it over" in check.stderr


# -- item 4: a save made during the build is never overwritten -----------------------------------


@POSIX
def test_an_output_saved_during_the_build_is_never_lost(tmp_path: Path) -> None:
    """A real second process: each round, as soon as the build is staging (it has read every
    output), the test saves a hand edit into the single-file output, as an editor would."""
    root = big_project(tmp_path)
    out = root / "out/schema.prisma"
    caught = 0
    for n in range(3):
        touch(root, n)
        proc = popen_build(root)
        staging = wait_for_staging(root, proc)
        edit = f"// hand edit {n}\n"
        if staging:
            editor_save(out, out.read_text() + edit)
        _, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr
        if not staging:
            continue
        assert edit in out.read_text(), f"round {n}: the edit was overwritten\n{stderr}"
        if proc.returncode == 1:
            assert "`out/schema.prisma` changed on disk while compose was building" in stderr, stderr
            assert "nothing is lost" in stderr
            caught += 1
        out.unlink()  # start the next round from a clean output
        assert run_in_process(root, "build").code == 0
    assert caught >= 1  # at least one save landed between the build's reading and its rename


def test_a_save_during_staging_stops_the_build_with_nothing_changed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same, deterministic: the save happens while the build stages its second file."""
    import composer.folders as out

    real = out.stage
    target = project / "out/engine/user.prisma"
    calls = [0]

    def stage(path: Path, text: str, *folder: object, **options: object) -> str:
        calls[0] += 1
        if calls[0] == 2:
            editor_save(target, target.read_text() + "// saved meanwhile\n")
        return real(path, text, *folder, **options)  # type: ignore[arg-type]

    change_user(project, 1)
    monkeypatch.setattr(out, "stage", stage)
    before = snapshot(project)
    result = run_in_process(project, "build")
    monkeypatch.undo()
    assert result.code == 1, result.stderr
    assert "prisma.compose.toml:14:1: error: `out/engine/user.prisma` changed on disk" in result.stderr
    assert "no output was changed" in result.stderr
    after = snapshot(project)
    assert after.pop("out/engine/user.prisma")[0].endswith(b"// saved meanwhile\n")
    before.pop("out/engine/user.prisma")
    assert after == before
    assert stray_temp_files(project) == []


@POSIX
@pytest.mark.parametrize("save", ["none", "in place", "rename"])
def test_an_output_settled_since_its_last_change_is_checked_by_its_status_before_the_rename(
    project: Path, monkeypatch: pytest.MonkeyPatch, save: str
) -> None:
    """Before its rename, an output whose last change is old enough (`output._unmoved`, here any
    age) is checked by its status, not read again; a save made after `plan` read it, even of the
    same size in the same file, changes that status: the build stops, the save stays."""
    import time

    import composer.folders
    import composer.output

    monkeypatch.setattr(composer.output, "_SETTLED_NS", -(10**18))
    target = project / "out/web/schema.prisma"
    time.sleep(0.05)  # the save below is in a later tick of the file system's clock than the build
    real_stage, real_read = composer.folders.stage, composer.folders.Folder.read
    reads: list[str] = []

    def stage(path: Path, text: str, *folder: object, **options: object) -> str:
        if path.name == target.name and save != "none":
            data = target.read_bytes()
            edited = data.replace(b"model", b"mode1", 1)  # the same size
            if save == "rename":
                editor_save(target, edited.decode())
            else:
                with open(target, "r+b") as fh:
                    fh.write(edited)
        return real_stage(path, text, *folder, **options)  # type: ignore[arg-type]

    def read(self: composer.folders.Folder, name: str) -> bytes | None:
        reads.append(name)
        return real_read(self, name)

    monkeypatch.setattr(composer.folders, "stage", stage)
    monkeypatch.setattr(composer.folders.Folder, "read", read)
    change_user(project, 1)
    before = target.read_bytes()
    result = run_in_process(project, "build")
    monkeypatch.undo()
    if save == "none":
        assert result.code == 0, result.stderr
        assert target.name not in reads and target.read_bytes() != before
        return
    assert result.code == 1, result.stderr
    assert "`out/web/schema.prisma` changed on disk while compose was building" in result.stderr
    assert target.read_bytes() == before.replace(b"model", b"mode1", 1)
    assert target.name in reads  # the status differed: read, and found changed
    assert stray_temp_files(project) == []


# -- item 5: one writer per project ------------------------------------------------------------


def lock_held(root: Path) -> bool:
    try:
        fd = os.open(root / LOCK_FILE, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


class ReadWatch:
    """Linux inotify on one file: tells when another process has read it and closed it."""

    IN_CLOSE_NOWRITE = 0x10

    def __init__(self, path: Path) -> None:
        import ctypes

        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK)
        assert self.fd >= 0 and self.libc.inotify_add_watch(self.fd, bytes(path), self.IN_CLOSE_NOWRITE) >= 0

    def wait(self, timeout: float) -> bool:
        import select

        ready, _, _ = select.select([self.fd], [], [], timeout)
        return bool(ready)

    def close(self) -> None:
        os.close(self.fd)


def mark_fragment(root: Path, version: int) -> str:
    path = root / "prisma/fragments/f0001.prisma"
    text = path.read_text()
    mark = text.index("  body      String?")
    end = text.index("\n", mark)
    path.write_text(text[:mark] + f"  body      String? // v{version}" + text[end:])
    return f"String? // v{version}\n"  # (the output aligns the columns of the model)


LINUX = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sees another process read (inotify)")


@LINUX
def test_a_slow_build_of_old_inputs_never_renames_after_a_fast_build_of_new_ones(tmp_path: Path) -> None:
    """Two real processes: A (`--validate`: Prisma's validator takes a while on 1,600 models) reads
    v1, then the fragment becomes v2 and B (no validator) builds. Without the lock B finished
    first and A renamed the v1 output last: both exit 0, the output stale."""
    root = generate(tmp_path / "big", 200, 8)
    assert run_in_process(root, "build").code == 0
    mark_fragment(root, 1)
    watch = ReadWatch(root / "prisma/fragments/f0001.prisma")
    try:
        a = popen_build(root, "--validate")
        assert watch.wait(60), "A never read the fragment"  # A has read v1: now the edit, and B
    finally:
        watch.close()
    new = mark_fragment(root, 2)
    b = run_cli(root, "build")
    _, a_err = a.communicate(timeout=120)
    assert a.returncode == 0, a_err
    assert b.returncode == 0, b.stderr
    assert new in (root / "out/schema.prisma").read_text(), "a stale output renamed last"
    assert run_in_process(root, "check").code == 0


@POSIX
def test_a_second_writer_waits_and_says_so_and_check_takes_no_lock(project: Path) -> None:
    change_user(project, 1)
    fd = os.open(project / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another writer, at work
        check = run_cli(project, "check", timeout=30)  # needs no lock: answers at once
        assert check.returncode == 1 and "out of date" in check.stderr
        build = popen_build(project)
        assert build.stderr is not None
        first = build.stderr.readline()  # what it says while we hold the lock (after a second)
        assert build.poll() is None  # still waiting
    finally:
        os.close(fd)
    _, stderr = build.communicate(timeout=60)
    assert build.returncode == 0, stderr
    assert "waiting for another compose writing this project" in first and LOCK_FILE in first
    assert "display name v1" in (project / "out/web/schema.prisma").read_text()


# -- item 7: a folder swapped for a symlink mid-build --------------------------------------------

RACER = r"""
import os, sys, time
out, name, outside = sys.argv[1], sys.argv[2], sys.argv[3]
real, aside, link = (os.path.join(out, n) for n in (name, ".aside", ".link"))
def staging():
    return any(n.endswith(".tmp") for n in os.listdir(out))
while True:
    try:
        if not staging():
            continue
        # A build is staging `out/schema.prisma`: it has checked where all its outputs go, and
        # the folder output comes next. Now the swap.
        os.rename(real, aside)          # the real folder out of the way...
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(outside, link)
        os.replace(link, real)          # ...a symlink to outside the project in its place...
        time.sleep(0.2)
        os.unlink(real)
        os.rename(aside, real)          # ...and back, once that build is over
        while staging():
            time.sleep(0.01)
    except OSError:
        pass
"""


@POSIX
def test_swapping_an_output_folder_for_a_symlink_never_writes_outside(tmp_path: Path) -> None:
    """A second process swaps the folder output `out/plain` for a symlink to a folder outside the
    project, and back, whenever a build has begun to stage (after its confinement check)."""
    root = big_project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    racer = subprocess.Popen([sys.executable, "-c", RACER, str(root / "out"), "plain", str(outside)])
    codes: dict[int, int] = {}
    try:
        for n in range(5):
            touch(root, n, every=1)  # every file of the folder: a long staging
            result = run_in_process(root, "check" if n == 3 else "build")
            assert "Traceback" not in result.stderr, result.stderr
            assert result.code in (0, 1), result.stderr
            codes[result.code] = codes.get(result.code, 0) + 1
            assert list(outside.iterdir()) == [], f"round {n}: written outside the project"
    finally:
        racer.kill()
        racer.wait()
    assert list(outside.iterdir()) == []
    for name in ("plain", ".aside", ".link"):  # whatever the racer left: a build writes anew
        path = root / "out" / name
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.exists():
            shutil.rmtree(path)
    assert run_in_process(root, "build").code == 0
    print(f"\nexit codes under the racer: {codes}")


def test_an_output_folder_that_is_a_symlink_inside_the_project_is_followed(project: Path) -> None:
    """What `confine` allows (a symlink that stays inside) still works through the folder handle."""
    real = project / "build-out"
    shutil.move(project / "out/web", real)
    (project / "out/web").symlink_to("../build-out")
    change_user(project, 1)
    result = run_in_process(project, "build")
    assert result.code == 0, result.stderr
    assert (project / "out/web").is_symlink()
    assert "display name v1" in (real / "schema.prisma").read_text()


# -- item 20: the fast path after a SIGKILL mid-stage and an undo ---------------------------------


@POSIX
def test_temporary_files_of_a_killed_build_are_swept_after_an_undo(tmp_path: Path) -> None:
    root = big_project(tmp_path)
    assert run_cli(root, "build").returncode == 0  # the stamp of this state
    originals = {p: p.read_bytes() for p in (root / "prisma/fragments").glob("*.prisma")}
    for attempt in range(5):
        touch(root, attempt)
        proc = popen_build(root)
        staging = wait_for_staging(root, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if staging and stray_temp_files(root):
            break
        assert run_cli(root, "build").returncode == 0
    else:
        pytest.fail("the build never was caught staging")
    for path, data in originals.items():  # the undo: the inputs are what the stamp knows again
        path.write_bytes(data)
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    assert stray_temp_files(root) == []


# -- item 21: the state file -------------------------------------------------------------------------


def test_merge_conflict_markers_in_the_state_file_are_located(project: Path) -> None:
    state = project / STATE_FILE
    text = state.read_text()
    lines = text.splitlines(keepends=True)
    conflicted = "".join(
        [lines[0], "<<<<<<< HEAD\n", *lines[1:], "=======\n", *lines[1:], ">>>>>>> feature\n"]
    )
    state.write_text(conflicted)
    change_user(project, 1)
    before = snapshot(project)
    for command in ("build", "check"):
        result = run_in_process(project, command)
        assert result.code == 1 and "Traceback" not in result.stderr
        assert f"{STATE_FILE}:2:1: error: `{STATE_FILE}` has merge-conflict markers" in result.stderr
        assert "delete this file and run `compose build`" in result.stderr
    assert snapshot(project) == before


@pytest.mark.parametrize(("text", "line"), [('{"out/engine/user.prisma": "ab",\n', 2), ("[1, 2]\n", 1)])
def test_an_unreadable_state_file_is_located(project: Path, text: str, line: int) -> None:
    (project / STATE_FILE).write_text(text)
    result = run_in_process(project, "build")
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"{STATE_FILE}:{line}:" in result.stderr and "is not a JSON object" in result.stderr


# -- items 14, 15, 17: outputs the manifest must refuse, before anything is written ----------------


@pytest.mark.parametrize(
    ("outputs", "needle"),
    [
        (("out/schema.prisma", "out"), "is a file on the path of the output of target `a`"),
        (("out/", "out/schema.prisma"), "is inside the output folder of target `a`"),
        (("schema.prisma", STATE_FILE), f"is compose's own `{STATE_FILE}`"),
        (("schema.prisma", LOCK_FILE), f"is compose's own `{LOCK_FILE}`"),
        (("schema.prisma", "schema.prisma.bak"), "named like a backup"),
        (("schema.prisma", "out/x\\u0000.prisma"), "control character U+0000"),
    ],
)
@pytest.mark.parametrize("command", [("build",), ("check",), ("build", "--force")])
def test_outputs_the_manifest_refuses(
    tmp_path: Path, outputs: tuple[str, str], needle: str, command: tuple[str, ...]
) -> None:
    (tmp_path / "prisma").mkdir()
    (tmp_path / "prisma/a.prisma").write_text("model A {\n  id Int @id\n}\n")
    state = tmp_path / STATE_FILE
    state.write_text("{}\n")
    manifest = '[[fragments]]\npath = "prisma/a.prisma"\n\n[targets.a]\noutput = "%s"\n\n'
    manifest += '[targets.b]\noutput = "%s"\n'
    (tmp_path / "prisma.compose.toml").write_text(manifest % outputs)
    result = run_in_process(tmp_path, *command)
    assert result.code == 1 and "Traceback" not in result.stderr, result.stderr
    assert "prisma.compose.toml:8:10: error: targets.b.output:" in result.stderr
    assert needle in result.stderr
    written = sorted(p.name for p in tmp_path.iterdir() if p.name != LOCK_FILE)  # the lock: empty
    assert written == [STATE_FILE, "prisma", "prisma.compose.toml"]
    assert state.read_text() == "{}\n"


@POSIX
def test_a_watch_build_waits_for_the_lock_too(project: Path) -> None:
    """`compose watch` builds take the same lock: one held elsewhere (another open file, as a
    `compose build` in another process holds it) makes the watcher's build wait for it."""
    import threading

    from composer.watch import Project

    watcher = Project(project / "prisma.compose.toml")
    assert watcher.build().errors == []
    change_user(project, 1)
    fd = os.open(project / LOCK_FILE, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (watcher.build(), done.set()))
    try:
        worker.start()
        assert not done.wait(0.5)  # still waiting for the lock
    finally:
        os.close(fd)
    worker.join(30)
    assert done.is_set()
    assert "display name v1" in (project / "out/web/schema.prisma").read_text()


def test_the_filelock_backend_waits_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lock as Windows takes it (the `filelock` package, where there is no `fcntl`),
    exercised here on any system."""
    import threading

    filelock = pytest.importorskip("filelock")
    from composer import lock

    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` fails, as on Windows

    held = filelock.FileLock(str(project / LOCK_FILE))
    held.acquire()
    entered = threading.Event()

    def take() -> None:
        with lock.project_lock(project):
            entered.set()

    worker = threading.Thread(target=take)
    worker.start()
    try:
        assert not entered.wait(1.5)
    finally:
        held.release()
    worker.join(30)
    assert entered.is_set()
    assert "waiting for another compose writing this project" in capsys.readouterr().err


def test_watch_force_keeps_numbered_backups_and_says_where(project: Path) -> None:
    from composer.commands.watch import status
    from composer.watch import Project

    watcher = Project(project / "prisma.compose.toml", force=True)
    assert watcher.build().errors == []
    out = project / "out/web/schema.prisma"
    (project / "out/web/schema.prisma.bak").write_text("an older backup\n")
    out.write_text(out.read_text() + "// mine\n")
    change_user(project, 1)
    build = watcher.build(["prisma/domains/user.prisma"])
    assert [f.backup for f in build.written if f.backup] == ["out/web/schema.prisma.bak.1"]
    assert "(the file it replaced kept as out/web/schema.prisma.bak.1)" in status(build)
    assert (project / "out/web/schema.prisma.bak").read_text() == "an older backup\n"
    assert (project / "out/web/schema.prisma.bak.1").read_text().endswith("// mine\n")


@POSIX
@pytest.mark.parametrize(
    ("links", "rel", "inside"),
    [
        ({"out": "build"}, "out/web", "build/web"),  # a relative link inside the project
        ({"out": "a/../build"}, "out/web", "build/web"),
        ({"out": "build", "build/web": "../other"}, "out/web", "other"),  # a link through a link
        ({"out": "ABS/build"}, "out/web", "build/web"),  # an absolute link into the project
        ({"out": "../outside"}, "out/web", None),  # relative, out of the project
        ({"out": "build", "build/web": "../../outside"}, "out/web", None),
        ({"out": "ABS/../outside"}, "out/web", None),
        ({"out": "loop", "loop": "out"}, "out/web", "ELOOP"),
    ],
)
def test_open_folder_resolves_symlinks_within_the_project_only(
    tmp_path: Path, links: dict[str, str], rel: str, inside: str | None
) -> None:
    """`open_folder` resolves the links on the way by hand, one component at a time."""
    import errno

    from composer.folders import Escape, open_folder

    root = tmp_path / "project"
    for folder in ("build", "other", "a"):
        (root / folder).mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    for name, target in links.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).symlink_to(target.replace("ABS", str(root)))
    if inside is None:
        with pytest.raises(Escape):
            open_folder(root, rel, create=True)
        assert list((tmp_path / "outside").iterdir()) == []
        return
    if inside == "ELOOP":
        with pytest.raises(OSError) as caught:
            open_folder(root, rel, create=True)
        assert caught.value.errno == errno.ELOOP
        return
    folder = open_folder(root, rel, create=True)
    try:
        assert folder.fd is not None
        assert os.path.samestat(os.fstat(folder.fd), os.stat(root / inside))
    finally:
        folder.close()


def test_an_output_that_is_a_fifo_or_a_device_link_is_refused_without_blocking(tmp_path):
    """A FIFO where the single-file output goes, and a link to /dev/zero among a folder output's
    files: build and check stop at once with a located error (they used to block, or read
    /dev/zero until memory ran out)."""
    root = tmp_path / "p"
    root.mkdir()
    (root / "f.prisma").write_text("model A {\n  id Int @id\n}\n")
    (root / "prisma.compose.toml").write_text(
        '[[fragments]]\npath = "f.prisma"\n'
        '[targets.one]\noutput = "one.prisma"\n[targets.dir]\noutput = "out/"\n'
    )
    os.mkfifo(root / "one.prisma")
    (root / "out").mkdir()
    (root / "out" / "dead.prisma").symlink_to("/dev/zero")
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for command in ("build", "check"):
        done = subprocess.run(
            [sys.executable, "-m", "composer", command], cwd=root, capture_output=True, text=True,
            timeout=60, env=env,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert "not a regular file" in done.stderr
        assert "prisma.compose.toml:" in done.stderr
