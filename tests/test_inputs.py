"""The input side under attack: what a manifest, a glob and the files it meets can do to a build.

Each test performs the attack for real (a real FIFO, a real symlink cycle, a real file named with
a line break, a real secret in a file outside the project, a real process group). Where a
regression would hang (a FIFO, a cycle), the CLI runs in a subprocess with a timeout, so the test
fails instead of blocking the suite.
"""

from __future__ import annotations

import glob as globlib
import json
import os
import posixpath
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import stamp
from composer.inputfiles import Refused, expand_glob, read_regular
from composer.manifest import glob_fragment_name, parse_manifest

from .fuzzing import run_in_process
from .helpers import BASE, compose, run_cli, write_project

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, symlinks and process groups")

SECRET = "MY_CI_TOKEN=ghp_fake_0123456789abcdef"

USER = """
model User {
  id    Int    @id
  email String @unique
}
"""


def manifest(*entries: str, output: str = "out/schema.prisma", compose_table: str = "") -> str:
    body = "".join(f"[[fragments]]\n{e}\n" for e in entries)
    return f'{compose_table}{body}[targets.web]\noutput = "{output}"\n'


def project(root: Path, *entries: str, **kw: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    return write_project(
        root,
        {
            "prisma.compose.toml": manifest('path = "prisma/base.prisma"', *entries, **kw),
            "prisma/base.prisma": BASE,
            "prisma/user.prisma": USER,
        },
    )


def outputs(root: Path) -> dict[str, str]:
    out = root / "out"
    return {p.name: p.read_text() for p in out.rglob("*") if p.is_file()} if out.exists() else {}


# -- 8: files outside the project never show their text ------------------------------------------


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project holding a fake secret (not a schema)."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "env.prisma").write_text(f"{SECRET}\n")
    (folder / "quoted.prisma").write_text("model X { secret-value-9 }\n")  # quoted by the parser
    return folder


def test_a_file_outside_the_project_is_named_but_its_text_never_shown(tmp_path: Path, outside: Path) -> None:
    root = project(tmp_path / "app", 'path = "../outside/env.prisma"', 'path = "../outside/quoted.prisma"')
    for command in ("check", "build"):
        result = run_in_process(root, command)
        assert result.code == 1, result.stderr
        assert "../outside/env.prisma:1:1: error:" in result.stderr
        assert "../outside/quoted.prisma:1:11: error: Unexpected `…` after `…`." in result.stderr
        assert "ghp_fake" not in result.stderr and "secret-value" not in result.stderr
        assert "allow_outside_inputs = true" in result.stderr  # says how to see it
    json_run = run_in_process(root, "check", "--format", "json")
    assert "ghp_fake" not in json_run.stdout and "secret-value" not in json_run.stdout
    assert outputs(root) == {}


@posix_only
def test_a_committed_symlink_out_of_the_project_matched_by_a_glob_shows_no_text(
    tmp_path: Path, outside: Path
) -> None:
    root = project(tmp_path / "app", 'glob = "prisma/domains/*.prisma"')
    (root / "prisma/domains").mkdir()
    (root / "prisma/domains/leak.prisma").symlink_to(outside / "env.prisma")
    result = run_in_process(root, "check")
    assert result.code == 1
    assert "prisma/domains/leak.prisma:1:1: error:" in result.stderr
    assert "ghp_fake" not in result.stderr and "secret-value" not in result.stderr


def test_allow_outside_inputs_shows_the_frames_as_usual(tmp_path: Path, outside: Path) -> None:
    table = "[compose]\nallow_outside_inputs = true\n"
    root = project(
        tmp_path / "app",
        'path = "../outside/env.prisma"',
        'path = "../outside/quoted.prisma"',
        compose_table=table,
    )
    result = run_in_process(root, "check")
    assert result.code == 1
    assert f"1 | {SECRET}" in result.stderr  # the user asked for it
    assert "secret-value-9" in result.stderr


def test_a_valid_shared_fragment_outside_the_project_still_builds(
    tmp_path: Path, assert_prisma_valid
) -> None:
    shared = tmp_path / "common"
    shared.mkdir()
    (shared / "user.prisma").write_text(USER)
    root = project(tmp_path / "app", 'path = "../common/user.prisma"')
    (root / "prisma/user.prisma").unlink()
    result = run_in_process(root, "build")
    assert result.code == 0, result.stderr
    text = (root / "out/schema.prisma").read_text()
    assert "// ---- fragment user (../common/user.prisma) ----" in text
    assert_prisma_valid(text)


def test_watch_follows_the_allowance_as_the_manifest_changes(tmp_path: Path, outside: Path) -> None:
    from composer.watch import Project

    root = project(tmp_path / "app", 'path = "../outside/env.prisma"')
    watched = Project(root / "prisma.compose.toml")
    hidden = watched.build()
    assert hidden.errors and "ghp_fake" not in "".join(d.render() for d in hidden.errors)
    manifest_path = root / "prisma.compose.toml"
    manifest_path.write_text("[compose]\nallow_outside_inputs = true\n" + manifest_path.read_text())
    shown = watched.build([str(manifest_path)])  # the file itself is served from the read cache
    assert SECRET in "".join(d.render() for d in shown.errors)


@posix_only
@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="no /proc")
@pytest.mark.parametrize("allow", [False, True])
def test_proc_self_environ_is_refused_at_the_manifest_entry(tmp_path: Path, allow: bool) -> None:
    table = "[compose]\nallow_outside_inputs = true\n" if allow else ""
    root = project(
        tmp_path / "app", 'path = "../../../../../../../../../../proc/self/environ"', compose_table=table
    )
    # A subprocess: /proc/self/environ is the environment the process started with.
    result = run_cli(root, "check", MY_CI_TOKEN="ghp_fake_0123456789abcdef")
    assert result.returncode == 1, result.stderr
    assert "ghp_fake" not in result.stderr + result.stdout
    assert f"prisma.compose.toml:{6 if allow else 4}:8: error:" in result.stderr
    assert "/proc/self/environ` is a file of the kernel's or the devices' file system" in result.stderr


@posix_only
@pytest.mark.skipif(not os.path.exists("/proc/self/environ"), reason="no /proc")
def test_a_symlink_to_proc_matched_by_a_glob_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path / "app", 'glob = "prisma/domains/*.prisma"')
    (root / "prisma/domains").mkdir()
    (root / "prisma/domains/env.prisma").symlink_to("/proc/self/environ")
    result = run_cli(root, "check", MY_CI_TOKEN="ghp_fake_0123456789abcdef")
    assert result.returncode == 1
    assert "ghp_fake" not in result.stderr
    assert (
        "prisma.compose.toml:4:8: error: `prisma/domains/env.prisma` is a file of the kernel's"
        in result.stderr
    )


def test_the_allowance_is_a_boolean_in_compose() -> None:
    text = "[compose]\nallow_outside_inputs = 1\n" + manifest('path = "a.prisma"')
    with pytest.raises(Exception, match=r"compose.allow_outside_inputs: expected `true` or `false`"):
        parse_manifest(text, Path("/tmp/p/prisma.compose.toml"))
    ok = parse_manifest(
        "[compose]\nallow_outside_inputs = true\n" + manifest('path = "a.prisma"'), Path("/p/m.toml")
    )
    assert (
        ok.allow_outside
        and not parse_manifest(manifest('path = "a.prisma"'), Path("/p/m.toml")).allow_outside
    )


# -- 9: control characters never reach an output ----------------------------------------------


INJECTED = "x\nmodel Injected {\n  id Int @id\n}\n.prisma"


@posix_only
@pytest.mark.parametrize("output", ["out/schema.prisma", "out/"])
def test_a_file_named_with_a_line_break_cannot_inject_a_model(tmp_path: Path, output: str) -> None:
    root = project(tmp_path, 'glob = "prisma/domains/*.prisma"', output=output)
    (root / "prisma/domains").mkdir()
    (root / "prisma/domains" / INJECTED).write_text("model Post {\n  id Int @id\n}\n")
    result = run_in_process(root, "build")
    assert result.code == 1, result.stderr
    assert (
        "prisma.compose.toml:4:8: error: `prisma/domains/*.prisma` matches `prisma/domains/x\\u000amodel"
        in (result.stderr)
    )
    assert "control character (U+000A)" in result.stderr
    assert outputs(root) == {}  # nothing written, so nothing injected


def test_control_character_finds_every_character_of_its_class() -> None:
    """`control_character` skips the pattern for a text `str.isprintable` passes: every code point
    gets the pattern's verdict either way, and the first one found is named."""
    import re

    from composer.inputfiles import _CONTROL, control_character

    for char in map(chr, range(0x3000)):  # the class's characters are all below U+2030
        found = control_character(f"a{char}b")
        assert found == (f"U+{ord(char):04X}" if re.fullmatch(_CONTROL, char) else None), char
    assert control_character("\u00a0\u2029\x7f") == "U+2029"


def test_a_manifest_path_with_a_control_character_is_refused() -> None:
    text = manifest('path = "prisma/a\\nmodel B {}\\n.prisma"')
    with pytest.raises(
        Exception, match=r"fragments\[0\].path: `prisma/a\\u000amodel B \{\}\\u000a.prisma` holds a "
    ):
        parse_manifest(text, Path("/tmp/p/prisma.compose.toml"))


# -- 11: globs that would never end, or leave the project -------------------------------------------


def cyclic_tree(root: Path) -> None:
    """Symlink cycles as users have them: a `..` link, workspace links in node_modules."""
    (root / "prisma/domains/nested").mkdir(parents=True)
    (root / "prisma/domains/post.prisma").write_text("model Post {\n  id Int @id\n}\n")
    (root / "prisma/domains/nested/tag.prisma").write_text("model Tag {\n  id Int @id\n}\n")
    (root / "prisma/domains/nested/up").symlink_to("..")
    (root / "prisma/domains/loop").symlink_to(root / "prisma")
    pkg = root / "node_modules/@app/db"
    pkg.mkdir(parents=True)
    (pkg / "schema.prisma").write_text("model FromNodeModules {\n  id Int @id\n}\n")
    (pkg / "workspace").symlink_to("../../..")
    (root / "packages").mkdir()
    (root / "packages/root").symlink_to("..")


@posix_only
def test_a_recursive_glob_over_symlink_cycles_ends(tmp_path: Path, assert_prisma_valid) -> None:
    root = project(tmp_path, 'glob = "**/*.prisma"', output="out/schema.prisma")
    (root / "prisma.compose.toml").write_text(manifest('glob = "**/*.prisma"'))
    cyclic_tree(root)
    for _ in range(2):  # the full build, then the nothing-changed fast path: the same listing
        result = run_cli(root, "build", timeout=60)
        assert result.returncode == 0, result.stderr
    text = (root / "out/schema.prisma").read_text()
    for model in ("User", "Post", "Tag"):
        assert text.count(f"model {model} {{") == 1
    assert "FromNodeModules" not in text  # node_modules is only read when a pattern names it
    assert_prisma_valid(text)
    assert stamp.unchanged(root / "prisma.compose.toml", []) is not None  # the fast path agrees


@posix_only
def test_node_modules_is_read_when_the_pattern_names_it(tmp_path: Path) -> None:
    root = project(tmp_path, 'glob = "node_modules/*/*/schema.prisma"')
    cyclic_tree(root)
    comp = compose(root)
    assert [f.name for f in comp.loaded.fragments] == ["base", "@app/db"]


@posix_only
def test_watch_finishes_its_first_build_over_symlink_cycles(tmp_path: Path) -> None:
    from .test_watch import Watcher

    root = project(tmp_path / "app")
    (root / "prisma.compose.toml").write_text(manifest('glob = "**/*.prisma"'))
    cyclic_tree(root)
    watcher = Watcher(root)
    try:
        watcher.started()
        assert "built → web: wrote out/schema.prisma" in watcher.log()
    finally:
        watcher.stop()


def test_a_glob_leaving_the_project_is_refused_unless_allowed(tmp_path: Path) -> None:
    root = project(tmp_path / "app", 'glob = "../../../../**/*.nothing"')
    result = run_in_process(root, "build")
    assert result.code == 1
    assert (
        "prisma.compose.toml:4:8: error: fragments[1].glob: `../../../../**/*.nothing` reaches outside"
        in (result.stderr)
    )
    assert "allow_outside_inputs = true" in result.stderr
    # Allowed, a glob outside works (on a small folder here).
    (tmp_path / "common").mkdir()
    (tmp_path / "common/user.prisma").write_text(USER)
    (root / "prisma/user.prisma").unlink()
    (root / "prisma.compose.toml").write_text(
        manifest(
            'path = "prisma/base.prisma"',
            'glob = "../common/*.prisma"',
            compose_table="[compose]\nallow_outside_inputs = true\n",
        )
    )
    result = run_in_process(root, "build")
    assert result.code == 0, result.stderr
    assert "fragment user (../common/user.prisma)" in (root / "out/schema.prisma").read_text()


@pytest.mark.parametrize("kind", ["glob", "yaml"])
def test_patterns_leaving_the_folder_need_the_allowance(kind: str) -> None:
    entry = f'{kind} = "prisma/../../common/*.x"'
    with pytest.raises(
        Exception, match=rf"fragments\[0\]\.{kind}: `prisma/../../common/\*\.x` reaches outside"
    ):
        parse_manifest(manifest(entry), Path("/p/prisma.compose.toml"))
    allowed = parse_manifest(
        manifest(entry, compose_table="[compose]\nallow_outside_inputs = true\n"), Path("/p/m")
    )
    assert allowed.fragments[0].pattern == "prisma/../../common/*.x"
    parse_manifest(manifest('path = "../common/base.prisma"'), Path("/p/m"))  # a path needs no allowance


def test_a_symlinked_folder_out_of_the_project_is_not_entered_by_a_wildcard(tmp_path: Path) -> None:
    (tmp_path / "elsewhere/huge").mkdir(parents=True)
    (tmp_path / "elsewhere/huge/x.prisma").write_text(USER)
    root = tmp_path / "app"
    (root / "modules/own").mkdir(parents=True)
    (root / "modules/own/a.prisma").write_text("")
    (root / "modules/link").symlink_to(tmp_path / "elsewhere")
    (root / "modules/inner").symlink_to(root / "modules/own")
    found = [Path(p).relative_to(root).as_posix() for p in expand_glob(root, "modules/*/**/*.prisma")]
    assert found == ["modules/inner/a.prisma", "modules/own/a.prisma"]


# Trees without symlinks: the walker lists what `glob.glob(recursive=True)` lists (each file once).
_NAMES = st.sampled_from(["a", "b", ".h", "m", "node_modules"])
_FILES = st.sampled_from(["x.prisma", "y.prisma", ".z.prisma", "w.txt"])
_TREE = st.lists(st.tuples(st.lists(_NAMES, max_size=3), _FILES), min_size=1, max_size=12)
_PATTERNS = [
    "**/*.prisma",
    "*/*.prisma",
    "a/**/*.prisma",
    "**/a/*.prisma",
    "**",
    "a/**",
    "*",
    "*/x.prisma",
    "[ab]/*.prisma",
    "?/**/y.prisma",
    "**/**/*.prisma",
    ".h/*.prisma",
    "a/**/m/**/x.prisma",
    "*/**",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_TREE)
def test_the_walker_lists_what_glob_lists_without_symlinks(
    tmp_path_factory: pytest.TempPathFactory, tree
) -> None:
    root = tmp_path_factory.mktemp("tree")
    for folders, name in tree:
        folder = root.joinpath(*folders)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).touch()
        except OSError:  # a file where a folder should go: that tree has the file
            continue
    for pattern in _PATTERNS:
        expected = {
            posixpath.normpath(Path(m).relative_to(root).as_posix())
            for m in globlib.glob(os.path.join(globlib.escape(str(root)), pattern), recursive=True)
            if os.path.isfile(m) and "node_modules" not in Path(m).relative_to(root).parts
        }
        found = [Path(p).relative_to(root).as_posix() for p in expand_glob(root, pattern)]
        assert found == sorted(expected), pattern


# -- 13: only regular files are read -----------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("entry", ['path = "prisma/pipe.prisma"', 'glob = "prisma/*.prisma"'])
def test_a_fifo_as_a_fragment_is_refused_without_blocking(tmp_path: Path, entry: str) -> None:
    root = project(tmp_path, entry)
    os.mkfifo(root / "prisma/pipe.prisma")
    for command in ("build", "check"):
        result = run_cli(root, command, timeout=30)  # a regression blocks: the timeout fails it
        assert result.returncode == 1, result.stderr
        assert "prisma.compose.toml:4:8: error: `prisma/pipe.prisma` is a FIFO (named pipe); expected a " in (
            result.stderr
        )


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path, 'path = "prisma/zero.prisma"')
    (root / "prisma/zero.prisma").symlink_to("/dev/zero")
    result = run_cli(root, "build", timeout=30)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    assert "prisma.compose.toml:4:8: error: `prisma/zero.prisma` is a character device" in result.stderr


@posix_only
def test_the_fast_path_does_not_block_on_a_fragment_that_became_a_fifo(tmp_path: Path) -> None:
    root = project(tmp_path, 'glob = "prisma/domains/*.prisma"')
    (root / "prisma/domains").mkdir()
    (root / "prisma/domains/post.prisma").write_text("model Post {\n  id Int @id\n}\n")
    assert run_cli(root, "build").returncode == 0
    (root / "prisma/domains/post.prisma").unlink()
    os.mkfifo(root / "prisma/domains/post.prisma")
    result = run_cli(root, "build", timeout=30)
    assert result.returncode == 1 and "is a FIFO" in result.stderr


@posix_only
@pytest.mark.skipif(not os.access("/dev/shm", os.W_OK), reason="no writable /dev/shm")
def test_a_file_in_dev_shm_is_refused(tmp_path: Path) -> None:
    """/dev/shm is a file system of its own under /dev: refused by its place, not its device."""
    import tempfile

    fd, shared = tempfile.mkstemp(dir="/dev/shm", suffix=".prisma")
    try:
        os.write(fd, SECRET.encode())
        os.close(fd)
        root = project(tmp_path, 'path = "prisma/shm.prisma"')
        (root / "prisma/shm.prisma").symlink_to(shared)
        result = run_in_process(root, "check")
        assert result.code == 1
        assert "`prisma/shm.prisma` is a file of the kernel's or the devices' file system" in result.stderr
        assert "ghp_fake" not in result.stderr
    finally:
        os.unlink(shared)


@posix_only
def test_read_regular_never_opens_a_fifo_for_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p")
    with pytest.raises(Refused, match="FIFO"):
        read_regular(tmp_path / "p")
    (tmp_path / "f").write_bytes(b"ok")
    assert read_regular(tmp_path / "f") == b"ok"


@posix_only
def test_a_watcher_whose_fragment_becomes_a_fifo_reports_it_and_recovers(tmp_path: Path) -> None:
    from .test_watch import Watcher

    root = project(tmp_path / "app", 'path = "prisma/user.prisma"')
    (root / "prisma.compose.toml").write_text(
        manifest('path = "prisma/base.prisma"', 'path = "prisma/user.prisma"')
    )
    watcher = Watcher(root)
    try:
        watcher.started()
        mark = watcher.mark()
        (root / "prisma/user.prisma").unlink()
        os.mkfifo(root / "prisma/user.prisma")
        watcher.wait_log(r"`prisma/user\.prisma` is a FIFO \(named pipe\)", mark)
        mark = watcher.mark()
        (root / "prisma/user.prisma").unlink()
        (root / "prisma/user.prisma").write_text(USER.replace("email", "mail"))
        watcher.wait_log(r"wrote out/schema\.prisma", mark)
        assert "mail String" in (root / "out/schema.prisma").read_text()
    finally:
        assert watcher.stop() == 0


# -- 16: `[watch] run` children never outlive the watcher -------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """State, ppid, pgrp, … of a live process (None: gone or a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in ("Z", "X") else fields


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat(int(entry))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


@posix_only
@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads /proc")
@pytest.mark.parametrize("command", ["sleep 777", "trap '' TERM; sleep 777 & wait"])
def test_sigterm_ends_the_run_command_and_everything_it_started(tmp_path: Path, command: str) -> None:
    from .test_watch import Watcher, wait_until

    root = project(tmp_path / "app")
    watcher = Watcher(root, "--run", command)
    started: list[int] = []
    try:
        watcher.started()
        watcher.wait_log(r"running `")

        def sleeping() -> bool:
            return any(_cmdline(p).startswith("sleep 777") for p in _descendants(watcher.proc.pid))

        wait_until(sleeping, "the run command's sleep")
        started = _descendants(watcher.proc.pid)  # the shell (unless it exec'd) and the sleep
        groups = {int(f[2]) for p in started if (f := _stat(p)) is not None}
        watcher.proc.send_signal(signal.SIGTERM)
        watcher.proc.wait(30)
        assert watcher.proc.returncode == 0
        assert [p for p in started if _stat(p) is not None] == []  # no survivor, not even one
        assert groups != {os.getpgid(os.getpid())}  # that ignores SIGTERM; a group of its own
    finally:
        watcher.stop()
        for pid in started:  # a failed run must not leave them behind
            if _stat(pid) is not None and "sleep 777" in _cmdline(pid):
                os.kill(pid, signal.SIGKILL)


# -- 21: TOML that breaks tomllib -----------------------------------------------------------------------


def test_arrays_nested_900_deep_are_a_located_error(tmp_path: Path) -> None:
    text = (
        manifest('path = "a.prisma"') + "[targets.web.datasource]\nschemas = " + "[" * 900 + "]" * 900 + "\n"
    )
    with pytest.raises(Exception) as info:
        parse_manifest(text, tmp_path / "prisma.compose.toml")
    (diag,) = info.value.diagnostics
    assert str(diag.location) == "prisma.compose.toml:6:75"  # the 65th bracket
    assert "nested more than 64 deep" in diag.message and "RecursionError" not in diag.message


def test_an_integer_of_5000_digits_is_a_located_error(tmp_path: Path) -> None:
    text = manifest('path = "a.prisma"') + "[targets.web.datasource]\nextensions = " + "7" * 5000 + "\n"
    with pytest.raises(Exception) as info:
        parse_manifest(text, tmp_path / "prisma.compose.toml")
    (diag,) = info.value.diagnostics
    assert str(diag.location) == "prisma.compose.toml:6:14"
    assert diag.message == "invalid TOML: an integer of 5,000 digits; expected at most 4,300 digits"


def test_deep_brackets_inside_strings_and_comments_are_fine(tmp_path: Path) -> None:
    text = (
        "# "
        + "[" * 100
        + "\n"
        + manifest('path = "a.prisma"')
        + '[targets.web.datasource]\nx = "'
        + "{" * 100
        + '"\n'
    )
    parse_manifest(text, tmp_path / "prisma.compose.toml")


# -- glob naming (issue 13) -------------------------------------------------------------------------


def test_one_schema_per_module_is_named_after_its_module(tmp_path: Path, assert_prisma_valid) -> None:
    root = project(tmp_path, 'glob = "modules/*/schema.prisma"')
    write_project(
        root,
        {
            "modules/billing/schema.prisma": "model Invoice {\n  id Int @id\n}\n",
            "modules/users/schema.prisma": "model Team {\n  id Int @id\n}\n",
        },
    )
    text = (root / "prisma.compose.toml").read_text()
    (root / "prisma.compose.toml").write_text(
        text + '[targets.lite]\noutput = "out/lite.prisma"\nexclude = ["billing"]\n'
    )
    result = run_in_process(root, "build")
    assert result.code == 0, result.stderr
    web = (root / "out/schema.prisma").read_text()
    assert "// ---- fragment billing (modules/billing/schema.prisma) ----" in web
    assert "// ---- fragment users (modules/users/schema.prisma) ----" in web
    lite = (root / "out/lite.prisma").read_text()
    assert "Invoice" not in lite and "model Team" in lite
    assert_prisma_valid(web)


def test_glob_names_with_folders_make_flat_file_names_in_a_folder_output(
    tmp_path: Path, assert_prisma_valid
) -> None:
    root = project(tmp_path, 'glob = "modules/*/schema/*.prisma"', output="out/")
    write_project(
        root,
        {
            "modules/billing/schema/invoice.prisma": "model Invoice {\n  id Int @id\n}\n",
            "modules/users/schema/invoice.prisma": "model Receipt {\n  id Int @id\n}\n",
        },
    )
    result = run_in_process(root, "build")
    assert result.code == 0, result.stderr
    files = sorted(p.name for p in (root / "out").iterdir())
    assert files == ["billing.invoice.prisma", "schema.prisma", "users.invoice.prisma"]
    text = (root / "out/billing.invoice.prisma").read_text()
    assert "// ---- fragment billing/invoice (modules/billing/schema/invoice.prisma) ----" in text
    assert_prisma_valid([(f"schema/{name}", (root / "out" / name).read_text()) for name in files])


@pytest.mark.parametrize(
    ("pattern", "path", "name"),
    [
        ("prisma/fragments/*.prisma", "prisma/fragments/user.prisma", "user"),
        ("modules/*/schema.prisma", "modules/billing/schema.prisma", "billing"),
        ("modules/*/schema/*.prisma", "modules/billing/schema/invoice.prisma", "billing/invoice"),
        ("prisma/**/*.prisma", "prisma/billing/invoice.prisma", "billing/invoice"),
        ("prisma/**/*.prisma", "prisma/invoice.prisma", "invoice"),
        ("prisma/**/schema.prisma", "prisma/schema.prisma", "schema"),
        ("prisma/**/schema.prisma", "prisma/a/schema.prisma", "a/schema"),
        ("./prisma/*.prisma", "prisma/user.prisma", "user"),
        ("*.prisma", "user.prisma", "user"),
    ],
)
def test_glob_names(pattern: str, path: str, name: str) -> None:
    assert glob_fragment_name(pattern, path) == name


_PART = st.sampled_from(["a", "b", "schema", "x.y", "user"])
_FILE = st.sampled_from(["schema.prisma", "user.prisma", "a.prisma", "x.y.prisma"])
_GLOBS = [
    "modules/*/schema.prisma",
    "modules/*/*.prisma",
    "modules/*/schema/*.prisma",
    "modules/**/*.prisma",
    "modules/**/schema.prisma",
    "modules/*/**/*.prisma",
    "modules/**/a/**/*.prisma",
    "modules/[ab]*/*.prisma",
]


@settings(max_examples=100, deadline=None)
@given(paths=st.sets(st.tuples(st.lists(_PART, max_size=4).map(tuple), _FILE), max_size=20))
def test_glob_names_are_unique_and_stable(paths: set[tuple[tuple[str, ...], str]]) -> None:
    from composer.inputfiles import pattern_parts
    from composer.watch import FULL, glob_match

    files = sorted({"/".join(("modules", *folders, name)) for folders, name in paths})
    for pattern in _GLOBS:
        matched = [f for f in files if glob_match(pattern_parts(pattern), pattern_parts(f)) == FULL]
        names = [glob_fragment_name(pattern, f) for f in matched]
        assert len(set(names)) == len(names), (pattern, matched, names)  # unique
        assert all(names) and all(not n.startswith("/") for n in names)
        # Stable: a file's name is the same whatever else the glob matches.
        for f, n in zip(matched, names, strict=True):
            assert glob_fragment_name(pattern, f) == n


def test_adding_a_file_renames_no_fragment(tmp_path: Path) -> None:
    root = project(tmp_path, 'glob = "prisma/**/*.prisma"')
    (root / "prisma.compose.toml").write_text(manifest('glob = "prisma/**/*.prisma"'))
    before = {f.display: f.name for f in compose(root).loaded.fragments}
    write_project(root, {"prisma/billing/user.prisma": "model Invoice {\n  id Int @id\n}\n"})
    after = {f.display: f.name for f in compose(root).loaded.fragments}
    assert (
        {k: after[k] for k in before}
        == before
        == {"prisma/base.prisma": "base", "prisma/user.prisma": "user"}
    )
    assert after["prisma/billing/user.prisma"] == "billing/user"


# -- outputs are never inputs (issue 13) --------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["prisma/**/*.prisma", "prisma/**/*.prisma*", "prisma/**"])
def test_a_glob_over_the_outputs_folder_never_reads_the_outputs(
    tmp_path: Path, pattern: str, assert_prisma_valid
) -> None:
    root = tmp_path
    write_project(
        root,
        {
            "prisma.compose.toml": f'[[fragments]]\nglob = "{pattern}"\n'
            '[targets.web]\noutput = "prisma/schema.prisma"\n'
            '[targets.split]\noutput = "prisma/split/"\n',
            "prisma/fragments/base.prisma": BASE,
            "prisma/fragments/user.prisma": USER,
        },
    )
    first = run_in_process(root, "build")
    assert first.code == 0, first.stderr
    # A hand edit and `--force` leave a backup beside the output: not an input either.
    out = root / "prisma/schema.prisma"
    out.write_text(out.read_text() + "// mine\n")
    forced = run_in_process(root, "build", "--force")
    assert forced.code == 0, forced.stderr
    assert (root / "prisma/schema.prisma.bak").exists()
    for env in ({}, {"COMPOSE_NO_CACHE": "1"}):
        again = run_cli(root, "build", **env)
        assert again.returncode == 0, again.stderr
        assert "declared twice" not in again.stderr
    text = out.read_text()
    assert text.count("model User {") == 1 and "mine" not in text
    assert_prisma_valid(text)


# -- the same path twice (issue 13) ----------------------------------------------------------------------


def test_the_same_path_listed_twice_says_so(tmp_path: Path) -> None:
    text = manifest(
        'path = "prisma/user.prisma"', 'path = "prisma/base.prisma"', 'path = "./prisma/user.prisma"'
    )
    with pytest.raises(Exception) as info:
        parse_manifest(text, tmp_path / "prisma.compose.toml")
    (diag,) = info.value.diagnostics
    assert str(diag.location) == "prisma.compose.toml:6:8"
    assert diag.message == (
        "fragments[2].path: `./prisma/user.prisma` is listed twice (fragments[0] and fragments[2]); "
        "expected each file once"
    )
    assert [(n, str(loc)) for n, loc in diag.notes] == [("first listed here", "prisma.compose.toml:2:8")]
    assert diag.hint == "remove one of the two entries"


def test_stamp_records_what_globs_skip(tmp_path: Path) -> None:
    root = project(tmp_path, 'glob = "prisma/*.prisma"')
    assert run_cli(root, "build").returncode == 0
    recorded = json.loads(stamp.stamp_path(root / "prisma.compose.toml", []).read_text())
    assert recorded["never"] == [[str(root / "out/schema.prisma")], []]
