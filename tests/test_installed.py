"""prisma-compose run the way a user runs it: installed from its wheel into a fresh venv, on a
project in a temporary folder outside the repository (fixtures in tests/installed.py).

`compose validate` in the three set-ups a user has (no Prisma in the project; `prisma@6` and
`prisma@7` installed with `npm ci --ignore-scripts`), every user-facing command once, and the
npm-script wiring documented in docs/adoption.md, from `npm run` with another Python on PATH.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from composer import __version__

from .helpers import write_project
from .installed import Installed, user_environment, wheel_names

ROOT = Path(__file__).resolve().parents[1]

MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"

[[fragments]]
path = "prisma/user.prisma"

[[fragments]]
path = "prisma/post.prisma"

[targets.app]
output = "prisma/schema.prisma"
"""

BASE_6 = """
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}
"""

BASE_7 = BASE_6.replace('  url      = env("DATABASE_URL")\n', "")

USER = """
model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  posts Post[]
}
"""

POST = """
model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([authorId])
}
"""

BAD_POST = POST.replace("@@index([authorId])", "@@index([nope])")


def user_project(root: Path, base: str = BASE_6, post: str = POST, node_modules: Path | None = None) -> Path:
    """A user's project: manifest and fragments, and, for a set-up with Prisma, its package.json
    and node_modules (linked from the session's `npm ci --ignore-scripts`)."""
    files = {"prisma/base.prisma": base, "prisma/user.prisma": USER, "prisma/post.prisma": post}
    write_project(root, {"prisma.compose.toml": MANIFEST, **files})
    if node_modules is not None:
        shutil.copy(node_modules.parent / "package.json", root / "package.json")
        (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    return root


def where(root: Path, rel: str, needle: str) -> tuple[int, int]:
    text = (root / rel).read_text()
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- the wheel ----------------------------------------------------------------------------------


def test_the_wheel_carries_the_engines_and_the_package_comes_from_it(installed: Installed) -> None:
    names = wheel_names(installed.wheel)
    engine_files = ("package.json", "LICENSE", "NOTICE", "src/prisma_schema_build.js")
    engine_files += ("src/prisma_schema_build_bg.wasm",)
    for major in ("6", "7"):
        for rel in engine_files:
            assert f"composer/engines/prisma{major}/{rel}" in names
    assert "composer/node/prisma_wasm.cjs" in names
    assert installed.wheel.name == f"prisma_compose-{__version__}-py3-none-any.whl"
    python = str(installed.python)
    imported = installed.execute([python, "-c", "import composer; print(composer.__file__)"], installed.venv)
    where_from = Path(imported.stdout.strip())
    assert where_from.is_relative_to(installed.venv) and not where_from.is_relative_to(ROOT), imported
    # Every dependency the wheel declares is there (pip, from the test environment, sees it all).
    checked = installed.execute([python, "-m", "pip", "check"], installed.venv)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_version_has_one_source_and_the_docs_follow_it(installed: Installed, tmp_path: Path) -> None:
    shown = installed.run(tmp_path, "--version")
    assert (shown.returncode, shown.stdout) == (0, f"compose {__version__}\n")
    assert installed.run(tmp_path, "-V").stdout == shown.stdout
    # The pre-commit snippets name the git tag of this version (`rev: v0.2.0`), nothing else.
    for doc in (".pre-commit-hooks.yaml", "docs/ci.md", "docs/adoption.md", "README.md"):
        revs = re.findall(r"rev: (\S+)", (ROOT / doc).read_text())
        assert all(rev == f"v{__version__}" for rev in revs), (doc, revs)


# -- compose validate in the three set-ups --------------------------------------------------------


def test_validate_without_prisma_in_the_project(installed: Installed, tmp_path: Path) -> None:
    six = user_project(tmp_path / "six")
    result = installed.run(six, "validate")
    assert result.returncode == 0, result.stderr
    assert (
        "compose: validated with Prisma 6.19.0 (shipped engine; no Prisma in the project; "
        "the datasource has a `url`)\n"
    ) in result.stderr
    seven = user_project(tmp_path / "seven", base=BASE_7)
    result = installed.run(seven, "validate", "--format", "json")
    doc = json.loads(result.stdout)
    assert result.returncode == 0 and doc["ok"], result.stdout
    [engine] = doc["engines"]
    assert (engine["prisma"], engine["source"], engine["targets"]) == ("7.9.0", "shipped", ["app"])
    assert engine["project"] is None
    assert engine["label"] == "Prisma 7.9.0 (shipped engine; no Prisma in the project; no datasource `url`)"
    assert Path(engine["module"]).is_relative_to(installed.venv)  # the engine shipped in the wheel
    bad = user_project(tmp_path / "bad", post=BAD_POST)
    result = installed.run(bad, "validate")
    line, col = where(bad, "prisma/post.prisma", "@@index([nope])")
    assert result.returncode == 1
    assert f"prisma/post.prisma:{line}:{col}: error: " in result.stderr, result.stderr
    assert "nope" in result.stderr


def test_validate_with_prisma_6_installed_without_install_scripts(
    installed: Installed, prisma_clis: dict[str, Path], tmp_path: Path
) -> None:
    line_6 = (
        "compose: validated with Prisma 6.19.0 (shipped engine; project has prisma 6.19.3 "
        "(node_modules/prisma), the same engine build)\n"
    )
    ok = user_project(tmp_path / "ok", node_modules=prisma_clis["6"])
    assert not (prisma_clis["6"] / "@prisma" / "engines" / "query-engine").exists()  # scripts did not run
    result = installed.run(ok, "validate")
    assert result.returncode == 0, result.stderr
    assert line_6 in result.stderr
    bad = user_project(tmp_path / "bad", post=BAD_POST, node_modules=prisma_clis["6"])
    result = installed.run(bad, "validate")
    line, col = where(bad, "prisma/post.prisma", "@@index([nope])")
    assert result.returncode == 1 and line_6 in result.stderr
    error = f'prisma/post.prisma:{line}:{col}: error: Error validating model "Post"'
    assert error in result.stderr, result.stderr
    assert "@@index([nope])" in result.stderr  # the code frame shows the fragment line
    # Prisma 6 needs the datasource `url`: a Prisma 7 schema is rejected at the datasource
    no_url = user_project(tmp_path / "no-url", base=BASE_7, node_modules=prisma_clis["6"])
    result = installed.run(no_url, "validate")
    assert result.returncode == 1
    missing = 'prisma/base.prisma:1:1: error: Argument "url" is missing in data source block "db".'
    assert missing in result.stderr, result.stderr


def test_validate_with_prisma_7_installed_without_install_scripts(
    installed: Installed, prisma_clis: dict[str, Path], tmp_path: Path
) -> None:
    # prisma 7.10.1 bundles an engine build that is not shipped: compose runs that very build.
    line_7 = "compose: validated with Prisma 7.10.1 (the engine of the project's node_modules/prisma)\n"
    ok = user_project(tmp_path / "ok", base=BASE_7, node_modules=prisma_clis["7"])
    result = installed.run(ok, "validate")
    assert result.returncode == 0, result.stderr
    assert line_7 in result.stderr
    formatted = installed.run(ok, "format", "--check", "--format", "json")  # the formatter, too
    [engine] = json.loads(formatted.stdout)["engines"]
    assert formatted.returncode == 0 and (engine["prisma"], engine["source"]) == ("7.10.1", "project")
    bad = user_project(tmp_path / "bad", base=BASE_7, post=BAD_POST, node_modules=prisma_clis["7"])
    result = installed.run(bad, "validate", "--format", "json")
    doc = json.loads(result.stdout)
    line, col = where(bad, "prisma/post.prisma", "@@index([nope])")
    assert result.returncode == 1
    [d] = doc["diagnostics"]
    assert (d["file"], d["line"], d["column"], d["code"]) == ("prisma/post.prisma", line, col, "P1012")
    [engine] = doc["engines"]
    assert (engine["prisma"], engine["source"]) == ("7.10.1", "project")
    assert engine["project"] == "prisma 7.10.1 (node_modules/prisma)"
    # Prisma 7 rejects the datasource `url` (a Prisma 6 schema), at the fragment's `url` line
    with_url = user_project(tmp_path / "url", node_modules=prisma_clis["7"])
    result = installed.run(with_url, "validate")
    line, col = where(with_url, "prisma/base.prisma", "url ")
    assert result.returncode == 1 and line_7 in result.stderr
    rejected = f"prisma/base.prisma:{line}:{col}: error: The datasource property `url` is no longer supported"
    assert rejected in result.stderr, result.stderr


# -- every command, from the wheel ----------------------------------------------------------------


def test_every_command_from_the_wheel(installed: Installed, tmp_path: Path) -> None:
    project = user_project(tmp_path / "project")
    output = project / "prisma" / "schema.prisma"

    def ok(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        done = installed.run(project, *args, **env)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done

    assert "wrote prisma/schema.prisma" in ok("build").stderr
    assert output.read_text().startswith("// DO NOT EDIT")
    ok("check")
    assert "compose: checked the layout with Prisma 6.19.0 (shipped engine;" in ok("format", "--check").stderr
    assert "compose: formatted with Prisma 6.19.0 (shipped engine;" in ok("format").stderr
    ok("validate")
    ok("build", "--validate")
    assert "f_post --> f_user" in ok("graph").stdout
    schema = json.loads(ok("schema", "manifest").stdout)
    assert schema["$schema"].startswith("http://json-schema.org/")
    ok("split", "prisma/schema.prisma", "--out", "split")
    assert (project / "split" / "prisma.compose.toml").is_file()
    adopted = tmp_path / "adopted" / "prisma"
    adopted.mkdir(parents=True)
    shutil.copy(output, adopted / "schema.prisma")
    init = installed.run(adopted.parent, "init")
    assert init.returncode == 0, init.stderr
    assert (adopted.parent / "prisma.compose.toml").is_file()
    # Node is needed by validate and format only
    assert installed.run(project, "build", path="").returncode == 0
    no_node = installed.run(project, "validate", path="")
    assert no_node.returncode == 2 and "Node.js is needed" in no_node.stderr
    # watch: builds at once, then until Ctrl-C, which ends it with exit 0
    output.unlink()
    watch = subprocess.Popen(
        [str(installed.compose), "watch"], cwd=project, env=user_environment(project), stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not output.exists() and time.monotonic() < deadline and watch.poll() is None:
            time.sleep(0.05)
        assert output.exists()
    finally:
        watch.send_signal(signal.SIGINT)
        _, stderr = watch.communicate(timeout=30)
    assert watch.returncode == 0, stderr


# -- npm scripts ----------------------------------------------------------------------------------


def test_npm_scripts_with_compose_on_path_or_by_its_path(installed: Installed, tmp_path: Path) -> None:
    """The wiring docs/adoption.md documents, from `npm run` on a machine whose `python` is not the
    one prisma-compose is installed in (the system's, here)."""
    npm = shutil.which("npm")
    assert npm is not None, "npm is needed for this test"
    project = user_project(tmp_path / "web")
    scripts = {
        "prisma:compose": "compose build",
        "prisma:check": "compose check",
        "prisma:compose:venv": ".venv/bin/compose build",
        "prisma:compose:python": "python -m composer build",
    }
    (project / "package.json").write_text(json.dumps({"name": "web", "private": True, "scripts": scripts}))
    # compose on PATH the way pipx puts it there: the console script alone, not the venv's python
    pipx_bin = tmp_path / "pipx-bin"
    pipx_bin.mkdir()
    (pipx_bin / "compose").symlink_to(installed.compose)
    system = os.pathsep.join(p for p in ("/usr/local/bin", "/usr/bin", "/bin") if Path(p).is_dir())
    node_dir = str(Path(npm).resolve().parent)

    def npm_run(script: str, path: str) -> subprocess.CompletedProcess[str]:
        return installed.execute([npm, "run", "--silent", script], project, path)

    on_path = os.pathsep.join([str(pipx_bin), node_dir, system])
    built = npm_run("prisma:compose", on_path)
    assert built.returncode == 0, built.stdout + built.stderr
    assert (project / "prisma" / "schema.prisma").is_file()
    assert npm_run("prisma:check", on_path).returncode == 0
    # a project venv, named by its path: nothing of it on PATH
    (project / ".venv").symlink_to(installed.venv, target_is_directory=True)
    (project / "prisma" / "schema.prisma").unlink()
    by_path = npm_run("prisma:compose:venv", os.pathsep.join([node_dir, system]))
    assert by_path.returncode == 0, by_path.stdout + by_path.stderr
    assert (project / "prisma" / "schema.prisma").is_file()
    # what the README used to show: `python` on PATH is not the venv's, so there is no composer
    wrong = npm_run("prisma:compose:python", on_path)
    assert wrong.returncode != 0
    assert "No module named composer" in wrong.stderr or "not found" in wrong.stderr, wrong.stderr
