"""`compose watch`: the real command in a subprocess on a project in `tmp_path`, edited while it runs.

Every wait is bounded: the tests poll the outputs (or the log) until a deadline, generous for a
loaded CI machine, and end as soon as the expected state is there. The watcher is always stopped
(SIGINT, then SIGKILL if it does not exit in time).
"""

from __future__ import annotations

import itertools
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from composer.inputfiles import pattern_parts
from composer.watch import FOLDER, FULL, NO, CommandRunner, Project, glob_match
from composer.watching.loop import SETTLE_MS

from .helpers import BASE, write_project

REPO = Path(__file__).resolve().parents[1]
DEADLINE = 20.0  # seconds; polls end as soon as the state is reached

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
path = "prisma/user.prisma"
[[fragments]]
glob = "prisma/domains/*.prisma"
[[fragments]]
glob = "modules/*/schema.prisma"

[targets.app]
output = "out/app.prisma"

[targets.users]
output = "out/users.prisma"
include = ["base", "user"]
"""

USER = """
model User {
  id    Int    @id
  email String @unique
}
"""

POST = """
model Post {
  id     Int  @id
  userId Int
  user   User @relation(fields: [userId], references: [id])
}

/// @extend
model User {
  posts Post[]
}
"""


def project(root: Path, manifest: str = MANIFEST) -> Path:
    return write_project(
        root,
        {
            "prisma.compose.toml": manifest,
            "prisma/base.prisma": BASE,
            "prisma/user.prisma": USER,
            "prisma/domains/post.prisma": POST,
        },
    )


def wait_until(predicate: Callable[[], object], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def read(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def save(path: Path, text: str) -> None:
    """Save as an editor does in place: truncate and write.

    Between the two the file is empty; watch waits `SETTLE_MS` for the write, but a test process
    descheduled for longer (a loaded CI machine) lets it build the empty file first. So the tests
    wait for the log or output they expect, not for the first build after a save."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text.lstrip("\n"))


class Watcher:
    """`python -m composer watch ARGS` in `cwd`; stdout and stderr go to a log file."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.cwd = cwd
        self.log_path = cwd.parent / f"{cwd.name}-watch.log"
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "NO_COLOR": "1",
            "PYTHONPATH": str(REPO),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "composer", "watch", *args],
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def mark(self) -> int:
        return len(self.log())

    def since(self, mark: int) -> str:
        return self.log()[mark:]

    def wait_log(self, pattern: str, mark: int = 0) -> str:
        """Wait until the log after `mark` matches `pattern` (a regex); returns that part."""

        def found() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"watch exited ({self.proc.returncode}):\n{self.log()}")
            return re.search(pattern, self.since(mark)) is not None

        try:
            wait_until(found, f"/{pattern}/ in the log")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- log ---\n{self.log()}") from None
        return self.since(mark)

    def started(self) -> Watcher:
        self.wait_log(r"watching .* \(Ctrl-C to stop\)")
        return self

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        return self.proc.returncode


@pytest.fixture
def watcher() -> Iterator[Callable[..., Watcher]]:
    started: list[Watcher] = []

    def start(cwd: Path, *args: str) -> Watcher:
        w = Watcher(cwd, *args)
        started.append(w)
        return w.started()

    yield start
    for w in started:
        w.stop()


def test_edit_rebuilds_only_the_targets_that_use_the_file(tmp_path, watcher, assert_prisma_valid) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    app, users = tmp_path / "out/app.prisma", tmp_path / "out/users.prisma"
    assert "model Post" in (read(app) or "")
    users_stat = users.stat()

    mark = w.mark()
    post = POST.replace("  userId Int\n", "  userId Int\n  title  String\n")
    save(tmp_path / "prisma/domains/post.prisma", post)
    wait_until(lambda: "title  String" in (read(app) or ""), "the edit in out/app.prisma")
    line = w.wait_log(r"post\.prisma changed → app: wrote out/app\.prisma \(\d+ ms\)", mark)
    assert "users" not in line.split("changed →")[1]
    after = users.stat()  # not composed again, let alone written
    assert (after.st_ino, after.st_mtime_ns) == (users_stat.st_ino, users_stat.st_mtime_ns)
    assert_prisma_valid(read(app))
    assert_prisma_valid(read(users))


def test_broken_edit_keeps_the_outputs_and_the_next_good_save_recovers(
    tmp_path, watcher, assert_prisma_valid
) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    app = tmp_path / "out/app.prisma"
    good = read(app)

    mark = w.mark()
    broken = "model User {\n  id    Int    @id\n  email String @unique\n  name String @@\n}\n"
    save(tmp_path / "prisma/user.prisma", broken)
    w.wait_log(r"prisma/user\.prisma:4:\d+: error[^\n]*\n(.*\n)*.*1 error; outputs kept as they were", mark)
    assert read(app) == good

    mark = w.mark()
    save(tmp_path / "prisma/user.prisma", USER.replace("  email", "  name  String\n  email"))
    wait_until(lambda: "name  String" in (read(app) or ""), "the fixed edit in the output")
    assert "(fixed)" in w.wait_log(r"user\.prisma changed → app, users: wrote", mark)
    assert w.proc.poll() is None
    assert_prisma_valid(read(app))


def test_broken_manifest_keeps_the_outputs_then_recovers(tmp_path, watcher, assert_prisma_valid) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    manifest = tmp_path / "prisma.compose.toml"
    good = read(tmp_path / "out/app.prisma")

    mark = w.mark()
    save(manifest, MANIFEST + "\n[targets.extra\n")
    w.wait_log(r"prisma\.compose\.toml:\d+:\d+: error[^\n]*\n(.*\n)*.*error; outputs kept as they were", mark)
    assert read(tmp_path / "out/app.prisma") == good

    # The fix adds a target: its output appears, the others stay as they are (not rewritten).
    before = (tmp_path / "out/app.prisma").stat()
    mark = w.mark()
    save(manifest, MANIFEST + '\n[targets.extra]\noutput = "out/extra.prisma"\n')
    wait_until(lambda: (tmp_path / "out/extra.prisma").exists(), "out/extra.prisma")
    line = w.wait_log(r"prisma\.compose\.toml changed → app, users, extra: wrote out/extra\.prisma \(", mark)
    assert "fixed" in line
    after = (tmp_path / "out/app.prisma").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert_prisma_valid(read(tmp_path / "out/extra.prisma"))


def test_new_file_in_a_glob_is_picked_up_and_a_deleted_one_drops_out(
    tmp_path, watcher, assert_prisma_valid
) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    app = tmp_path / "out/app.prisma"

    comment = "model Comment {\n  id     Int  @id\n  postId Int\n  post   Post @relation(fields: [postId], references: [id])\n}\n\n/// @extend\nmodel Post {\n  comments Comment[]\n}\n"  # noqa: E501
    save(tmp_path / "prisma/domains/comment.prisma", comment)
    wait_until(lambda: "model Comment" in (read(app) or ""), "model Comment in the output")
    assert_prisma_valid(read(app))

    # A new folder matching the glob's `*`: watched once it exists, its file picked up.
    billing = "model Invoice {\n  id Int @id\n}\n"
    save(tmp_path / "modules/billing/schema.prisma", billing)
    wait_until(lambda: "model Invoice" in (read(app) or ""), "model Invoice in the output")

    mark = w.mark()
    (tmp_path / "prisma/domains/comment.prisma").unlink()
    wait_until(lambda: "model Comment" not in (read(app) or "model Comment"), "model Comment gone")
    w.wait_log(r"comment\.prisma changed → app: wrote", mark)
    assert "model Invoice" in (read(app) or "")
    assert_prisma_valid(read(app))


def test_a_deleted_fragment_is_an_error_until_it_is_back(tmp_path, watcher) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    good = read(tmp_path / "out/app.prisma")
    user = tmp_path / "prisma/user.prisma"

    mark = w.mark()
    user.unlink()
    log = w.wait_log(r"outputs kept as they were", mark)
    assert re.search(r"prisma\.compose\.toml:4:\d+: error: fragment file `prisma/user\.prisma` does not", log)
    assert read(tmp_path / "out/app.prisma") == good

    mark = w.mark()
    save(user, USER)
    w.wait_log(r"user\.prisma fixed: outputs up to date", mark)
    assert read(tmp_path / "out/app.prisma") == good


def test_rename_save_and_touch(tmp_path, watcher) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    app = tmp_path / "out/app.prisma"
    user = tmp_path / "prisma/user.prisma"

    # Atomic save: a new file renamed over the old one (the old inode is gone).
    tmp = user.with_name(".user.prisma.swp")
    tmp.write_text(USER.lstrip("\n").replace("  email", "  alias String?\n  email"))
    mark = w.mark()
    os.replace(tmp, user)
    wait_until(lambda: "alias String?" in (read(app) or ""), "the renamed-in edit in the output")
    w.wait_log(r"user\.prisma changed → app, users: wrote", mark)

    # Saving without a change, and the outputs the build wrote itself, trigger nothing.
    before = app.stat()
    mark = w.mark()
    user.touch()
    time.sleep(1.0)  # bounded: long enough for a build to have happened (and printed) if it would
    assert re.search(r"\d\d:\d\d:\d\d ", w.since(mark)) is None, w.since(mark)
    after = app.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_outputs_written_by_the_build_do_not_retrigger_it(tmp_path, watcher) -> None:
    # The outputs live in the folder of the fragments, the worst case for self-triggering.
    manifest = MANIFEST.replace("out/app.prisma", "prisma/app.out.prisma").replace(
        "out/users.prisma", "prisma/users.out.prisma"
    )
    project(tmp_path, manifest)
    w = watcher(tmp_path)
    user = tmp_path / "prisma/user.prisma"
    tmp = user.with_name(".user.prisma.swp")  # saved by a rename: one build, however slow the save
    tmp.write_text(USER.lstrip("\n").replace("  email", "  nick  String?\n  email"))
    mark = w.mark()
    os.replace(tmp, user)
    w.wait_log(r"user\.prisma changed → app, users: wrote", mark)
    time.sleep(1.0)  # bounded: a retriggered build would print within this
    assert len(re.findall(r"\d\d:\d\d:\d\d ", w.since(mark))) == 1, w.since(mark)


def test_hand_edited_output_is_reported_and_watching_goes_on(tmp_path, watcher) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    app = tmp_path / "out/app.prisma"
    app.write_text((read(app) or "") + "// my change\n")

    mark = w.mark()
    post = POST.replace("  userId Int\n", "  userId Int\n  body   String\n")
    save(tmp_path / "prisma/domains/post.prisma", post)
    w.wait_log(r"out/app\.prisma` was edited by hand[^\n]*\n(.*\n)*.*error; outputs kept as they were", mark)
    assert (read(app) or "").endswith("// my change\n")

    app.unlink()  # the user gives up the hand edit: the next save writes the output again
    save(tmp_path / "prisma/domains/post.prisma", POST)
    wait_until(lambda: "model Post" in (read(app) or ""), "out/app.prisma written again")


def test_run_command_after_builds_that_changed_an_output(tmp_path, watcher) -> None:
    project(tmp_path)
    runs = tmp_path / "runs.txt"
    script = tmp_path / "gen.py"
    script.write_text(
        "import sys, time\n"
        "start = time.time()\n"
        "time.sleep(0.3)\n"
        "with open('runs.txt', 'a') as fh:\n"
        "    fh.write(f'{start} {time.time()}\\n')\n"
        "print('generated!')\n"
    )
    w = watcher(tmp_path, "--run", f'"{sys.executable}" gen.py')
    wait_until(lambda: (read(runs) or "").count("\n") == 1, "the run after the first build")
    assert "generated!" in w.wait_log(r"`.*gen\.py` done")

    # Three saves in a row while the command runs: never two runs at once, and no run per save.
    for i in range(3):
        save(tmp_path / "prisma/user.prisma", USER.replace("  email", f"  f{i}    Int\n  email"))
        time.sleep(0.15)
    app = tmp_path / "out/app.prisma"
    wait_until(lambda: "f2    Int" in (read(app) or ""), "the last save in the output")
    wait_until(lambda: (read(runs) or "").count("\n") >= 2, "a run after the saves")
    time.sleep(1.0)  # bounded: let a queued run finish
    spans = [tuple(map(float, line.split())) for line in (read(runs) or "").splitlines()]
    assert 2 <= len(spans) <= 4, spans
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end, spans  # one at a time


def test_failing_run_command_is_reported_and_watching_goes_on(tmp_path, watcher) -> None:
    command = f'"\\"{sys.executable}\\" -c \\"import sys; sys.exit(3)\\""'
    project(tmp_path, MANIFEST + f"\n[watch]\nrun = {command}\n")
    w = watcher(tmp_path)
    w.wait_log(r"failed \(exit code 3")
    save(tmp_path / "prisma/user.prisma", USER.replace("  email", "  age   Int\n  email"))
    app = tmp_path / "out/app.prisma"
    wait_until(lambda: "age   Int" in (read(app) or ""), "the edit after a failed run")
    assert w.proc.poll() is None


def test_ctrl_c_stops_cleanly(tmp_path, watcher) -> None:
    project(tmp_path)
    w = watcher(tmp_path)
    started = time.monotonic()
    assert w.stop() == 0
    assert time.monotonic() - started < 5
    log = w.log()
    assert "stopped" in log
    assert "Traceback" not in log and "KeyboardInterrupt" not in log


def test_bad_input_at_start_keeps_watching(tmp_path, watcher) -> None:
    project(tmp_path)
    save(tmp_path / "prisma/user.prisma", "model User {\n")
    w = watcher(tmp_path)
    assert "prisma/user.prisma:1:1: error" in w.log()
    save(tmp_path / "prisma/user.prisma", USER)
    wait_until(lambda: (tmp_path / "out/app.prisma").exists(), "the output once the input is fixed")


def test_unknown_target_is_a_usage_error(tmp_path) -> None:
    project(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "composer", "watch", "nope"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", ""), "NO_COLOR": "1", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 2
    assert "unknown target `nope`" in result.stderr


# -- the engine, in process ------------------------------------------------------------------------


def test_incremental_build_reads_and_parses_only_the_changed_file(tmp_path) -> None:
    project(tmp_path)
    p = Project(tmp_path / "prisma.compose.toml")
    first = p.build()
    assert first.ok and first.initial and sorted(first.targets) == ["app", "users"]
    reads, parses = p.loader.reads, p.loader.parses

    again = p.build()
    assert again.quiet and not again.targets and (p.loader.reads, p.loader.parses) == (reads, parses)

    post = tmp_path / "prisma/domains/post.prisma"
    save(post, POST.replace("  userId Int\n", "  userId Int\n  title  String\n"))
    b = p.build([str(post)])
    assert b.changed == ["prisma/domains/post.prisma"]
    assert b.targets == ["app"]  # `users` does not include it
    assert [f.display for f in b.written] == ["out/app.prisma"]
    assert (p.loader.reads, p.loader.parses) == (reads + 1, parses + 1)

    # Back to a text seen before: read again, not parsed again (a partial reload keeps the parse
    # cache as it is; the next full load drops what no build uses any more).
    save(post, POST)
    b = p.build([str(post)])
    assert b.targets == ["app"] and p.loader.parses == parses + 1


def test_unchanged_output_is_not_rewritten(tmp_path) -> None:
    project(tmp_path)
    p = Project(tmp_path / "prisma.compose.toml")
    p.build()
    app = tmp_path / "out/app.prisma"
    before = app.stat()
    user = tmp_path / "prisma/user.prisma"
    save(user, USER + "\n\n")  # blank lines at the end: the composed text does not change
    b = p.build([str(user)])
    assert b.changed == ["prisma/user.prisma"] and b.targets == ["app", "users"]
    assert not b.written and b.unchanged == 2
    after = app.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_relevant_paths_and_watched_folders(tmp_path) -> None:
    project(tmp_path)
    p = Project(tmp_path / "prisma.compose.toml")
    p.build()
    r = tmp_path
    assert p.is_relevant(str(r / "prisma.compose.toml"))
    assert p.is_relevant(str(r / "prisma/user.prisma"))
    assert p.is_relevant(str(r / "prisma/domains/new.prisma"))  # matches the glob
    assert p.is_relevant(str(r / "prisma/domains"))  # the folder of a glob: renamed, deleted
    assert p.is_relevant(str(r / "modules/billing"))  # may hold a match once it exists
    assert not p.is_relevant(str(r / "prisma/domains/.new.prisma.swp"))
    assert not p.is_relevant(str(r / "prisma/domains/notes.md"))
    assert not p.is_relevant(str(r / "out/app.prisma"))
    assert not p.is_relevant(str(r / ".compose-state.json"))
    assert not p.is_relevant(str(r / "node_modules/x/schema.prisma"))
    dirs = p.watch_dirs()
    assert dirs == sorted(str(r / d) if d else str(r) for d in ("", "prisma", "prisma/domains"))
    (r / "modules/billing").mkdir(parents=True)
    assert str(r / "modules/billing") in p.watch_dirs()


def test_outputs_among_the_inputs_are_never_relevant(tmp_path) -> None:
    manifest = MANIFEST.replace("out/app.prisma", "prisma/domains/.app.prisma").replace(
        "out/users.prisma", "prisma/domains/users.out.prisma"
    )
    project(tmp_path, manifest)
    p = Project(tmp_path / "prisma.compose.toml")
    p.build()
    d = tmp_path / "prisma/domains"
    assert not p.is_relevant(str(d / "users.out.prisma"))
    assert not p.is_relevant(str(d / ".users.out.prisma.k2j3h4.tmp"))


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("a/*.prisma", "a/x.prisma", FULL),
        ("a/*.prisma", "a/.x.prisma", NO),
        ("a/*.prisma", "a/x.txt", NO),
        ("a/*.prisma", "a", FOLDER),
        ("a/*.prisma", "b", NO),
        ("modules/*/schema/*.prisma", "modules/billing", FOLDER),
        ("modules/*/schema/*.prisma", "modules/billing/schema", FOLDER),
        ("modules/*/schema/*.prisma", "modules/billing/schema/a.prisma", FULL),
        ("modules/*/schema/*.prisma", "modules/billing/other/a.prisma", NO),
        ("a/**/*.yaml", "a/x.yaml", FULL),
        ("a/**/*.yaml", "a/b/c/x.yaml", FULL),
        ("a/**/*.yaml", "a/b/c", FOLDER),
        ("a/**/*.yaml", "a/.hidden/x.yaml", NO),
        ("a/[ab].prisma", "a/b.prisma", FULL),
        ("a/[!ab].prisma", "a/b.prisma", NO),
    ],
)
def test_glob_match(pattern: str, path: str, expected: int) -> None:
    assert glob_match(pattern_parts(pattern), pattern_parts(path)) == expected


def test_command_runner_never_runs_twice_at_once(tmp_path) -> None:
    log = tmp_path / "runs.txt"
    script = tmp_path / "slow.py"
    # Each run lasts until the test lets it end (the file `go`), not a fixed time: on a loaded
    # machine the requests below could otherwise come after the first run ended.
    script.write_text(
        "import os, time\nstart = time.time()\n"
        "while not os.path.exists('go') and time.time() < start + 60:\n    time.sleep(0.01)\n"
        "open('runs.txt', 'a').write(f'{start} {time.time()}\\n')\n"
    )
    messages: list[str] = []
    runner = CommandRunner(f'"{sys.executable}" slow.py', tmp_path, messages.append)
    try:
        for _ in range(5):  # the first starts a run, the others come while it runs
            runner.request()
            time.sleep(0.02)
        (tmp_path / "go").write_text("")
        wait_until(lambda: (read(log) or "").count("\n") >= 2, "two runs")
        wait_until(lambda: not runner.busy, "the runner to go idle")
    finally:
        runner.close()
    spans = [tuple(map(float, line.split())) for line in (read(log) or "").splitlines()]
    assert len(spans) == 2, spans  # the first, then one for all the requests made meanwhile
    assert spans[1][0] >= spans[0][1]
    assert sum("done" in m for m in messages) == 2


YAML_MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
yaml = "entities/*.yaml"

[targets.app]
output = "out/schema/"
"""

VENUE = """
schema:
  name: Venue
fields:
  - name: id
    type: string
    primary_key: true
    default: cuid()
  - name: name
    type: string
"""

GAME = """
schema:
  name: Game
fields:
  - name: id
    type: string
    primary_key: true
  - name: title
    type: string
"""


def test_yaml_entities_and_a_folder_output(tmp_path, watcher, assert_prisma_valid) -> None:
    write_project(
        tmp_path,
        {"prisma.compose.toml": YAML_MANIFEST, "prisma/base.prisma": BASE, "entities/venue.yaml": VENUE},
    )
    w = watcher(tmp_path)
    out = tmp_path / "out/schema"
    assert "model Venue" in (read(out / "venue.prisma") or "")

    mark = w.mark()
    save(tmp_path / "entities/venue.yaml", VENUE + "  - name: capacity\n    type: integer\n")
    wait_until(lambda: "capacity Int" in (read(out / "venue.prisma") or ""), "the YAML edit in venue.prisma")
    assert "entities/venue.yaml changed → app: wrote out/schema/venue.prisma (" in w.wait_log(r"venue", mark)

    mark = w.mark()
    save(tmp_path / "entities/venue.yaml", VENUE + "  - name: capacity\n    type: number\n")
    w.wait_log(r"entities/venue\.yaml:1[01]:\d+: error[^\n]*\n(.*\n)*.*outputs kept as they were", mark)

    save(tmp_path / "entities/game.yaml", GAME)  # a new file: a new output file in the folder
    save(tmp_path / "entities/venue.yaml", VENUE)
    wait_until(lambda: "model Game" in (read(out / "game.prisma") or ""), "out/schema/game.prisma")
    wait_until(lambda: "capacity" not in (read(out / "venue.prisma") or "capacity"), "the fixed venue")
    assert_prisma_valid([(f"schema/{p.name}", p.read_text()) for p in sorted(out.iterdir())])

    (tmp_path / "entities/game.yaml").unlink()  # its output file is removed (stale)
    wait_until(lambda: not (out / "game.prisma").exists(), "out/schema/game.prisma removed")


def test_yaml_edit_parses_one_generated_fragment(tmp_path) -> None:
    write_project(
        tmp_path,
        {
            "prisma.compose.toml": YAML_MANIFEST,
            "prisma/base.prisma": BASE,
            "entities/venue.yaml": VENUE,
            "entities/game.yaml": GAME,
        },
    )
    p = Project(tmp_path / "prisma.compose.toml")
    assert p.build().ok
    parses = p.loader.parses
    save(tmp_path / "entities/game.yaml", GAME + "  - name: year\n    type: integer\n")
    b = p.build([str(tmp_path / "entities/game.yaml")])
    assert b.changed == ["entities/game.yaml"]
    assert [f.display for f in b.written] == ["out/schema/game.prisma"]
    assert p.loader.parses == parses + 1


def test_save_by_rename_away_and_rewrite_is_one_build(tmp_path, watcher) -> None:
    """vim's default save: rename the file to a backup, write a new one, delete the backup.

    The fragment is missing for a moment: the build waits for the rest of the save instead of
    writing an output without it (and running `prisma generate` on that).
    """
    project(tmp_path)
    w = watcher(tmp_path)
    app = tmp_path / "out/app.prisma"
    post = tmp_path / "prisma/domains/post.prisma"
    # The save must be over within SETTLE_MS of the rename for one build to be owed: a save that
    # took longer (this process descheduled on a loaded machine) proves nothing, and is made again.
    for attempt in range(5):
        mark = w.mark()
        started = time.monotonic()
        os.rename(post, post.with_name("post.prisma~"))
        save(post, POST.replace("  userId Int\n", f"  userId Int\n  draft{attempt} Boolean\n"))
        quick = time.monotonic() - started < SETTLE_MS / 1000
        post.with_name("post.prisma~").unlink()
        wait_until(lambda a=attempt: f"draft{a} Boolean" in (read(app) or ""), "the edit in the output")
        w.wait_log(r"post\.prisma changed → app: wrote", mark)
        time.sleep(0.5)  # bounded: a second build would print within this
        if quick:
            assert len(re.findall(r"\d\d:\d\d:\d\d ", w.since(mark))) == 1, w.since(mark)
            return
    pytest.fail(f"no save took less than {SETTLE_MS} ms: the machine is too busy for this test")


def watching(root: Path, polling: bool) -> tuple[list, threading.Event, threading.Thread]:
    """`watch()` in process on a thread of its own: the builds it yields (appended as they come),
    the event that stops it, and the thread."""
    from composer.watch import watch

    p = Project(root / "prisma.compose.toml")
    stop = threading.Event()
    builds: list = []

    def run() -> None:
        for build in watch(p, force_polling=polling, poll_delay_ms=20, stop_event=stop):
            builds.append(build)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return builds, stop, thread


def test_polling_builds_a_second_save_made_in_the_same_second(tmp_path) -> None:
    """`--poll`: watchfiles' poller keeps modification times in whole seconds, so on its own it
    never sees a save made in the same second as the one before it (an editor's save, then its
    formatter's): the output would keep the first save's text. Two real saves in one second."""
    project(tmp_path)
    builds, stop, thread = watching(tmp_path, polling=True)
    try:
        wait_until(lambda: builds, "the first build")
        out, user = tmp_path / "out/app.prisma", tmp_path / "prisma/user.prisma"
        same_second = 0
        for attempt in range(4):
            while time.time() % 1 > 0.1:  # start early in a second: both saves fall in it
                time.sleep(0.01)
            first = USER.replace("  email String @unique\n", f"  email String @unique\n  a{attempt} Int\n")
            save(user, first)
            wait_until(lambda a=attempt: f"a{a} " in (read(out) or ""), "the first save built")
            second = first.replace(f"  a{attempt} Int\n", f"  a{attempt} Int\n  b{attempt} Int\n")
            save(user, second)
            same_second += int(os.stat(user).st_mtime) == int(time.time()) and f"b{attempt} " not in (
                read(out) or ""
            )
            wait_until(lambda a=attempt: f"b{a} " in (read(out) or ""), "the second save built")
        assert same_second, "no second save fell in the second of the first: the attack did not happen"
    finally:
        stop.set()
        thread.join(DEADLINE)


@pytest.mark.parametrize("polling", [False, True])
def test_the_watch_generator_builds_on_events_and_stops_on_its_event(tmp_path, polling) -> None:
    """`watch()` in process, on file system events and polling (`--poll`): the first build, one
    after a save, and the end of the generator once `stop_event` is set."""
    project(tmp_path)
    builds, stop, thread = watching(tmp_path, polling)
    wait_until(lambda: builds, "the first build")
    assert builds[0].initial and builds[0].ok
    if polling:  # the poller takes its first look at the folders on a thread of its own, maybe later
        time.sleep(1.0)
    user = USER.replace("  email String @unique\n", "  email String @unique\n  age Int\n")
    save(tmp_path / "prisma/user.prisma", user)
    wait_until(lambda: any(b.changed == ["prisma/user.prisma"] for b in builds), "a build after the save")
    assert "age   Int" in (read(tmp_path / "out/app.prisma") or "")
    stop.set()
    thread.join(DEADLINE)
    assert not thread.is_alive()
