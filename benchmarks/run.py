"""`compose build` beside the other tools people use for the same job, on the same fragments.

    python benchmarks/run.py [--runs 5] [--sizes 10,100,1000] [--goal-sizes 1000,5000,10000]
                             [--edits 5] [--quick] [--no-goals] [--no-write]

First the goals table of issue 17, side by side in the same run (`--goal-sizes`): cold plain
builds against prisma-merge, paired (A B A B …, ratios run by run, with their spread); a cold
`@extend` build against the plain one; one-fragment edits under `compose watch`; peak memory of a
cold build at the largest size, plain and `@extend`; `compose validate` against Prisma's wasm
`validate` alone on the composed schema. `--quick` (3 runs, 3 edits, goals only) takes a few
minutes. Then the every-tool tables (`--sizes`):

For the example project and for generated projects of 10, 100 and 1,000 fragments (5 models each,
every model with a foreign key into the previous fragment and a back-relation: 5,000 models and
cross-fragment relations at 1,000), it measures, as wall time from process start to exit (median
of `--runs`) and peak memory (the largest max RSS of any run):

- `compose build` (this checkout, installed into `benchmarks/.tools/venv` as users install it)
  cold (no outputs, no build stamp), with nothing changed, and one-fragment edits under
  `compose watch` (save → output holds the edit);
- the npm tools, installed by this script from the npm registry into `benchmarks/.tools/`
  (pinned below, run with `node` directly, no npx): `prisma-merge`, `prismix`, `prisma-import`,
  and Prisma's own multi-file validation + format of the folder through
  `@prisma/prisma-schema-wasm` (what `prisma validate` / `prisma format` run on a schema folder);
  these have no watch mode or cache, so their "edit" column is a full re-run after the edit;
- `cat` of the inputs into one file: the floor.

Every output is checked with Prisma 6's validator afterwards (not timed): a tool that is fast
because it skips the work shows up in the "valid output" column. The generated fragments are plain
PSL (back-relations inside the models, relations across files), the input every tool accepts;
compose also runs on the same schema written with `/// @extend` blocks, its own format.

The table is printed and written to benchmarks/RESULTS.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from gen_project import generate  # noqa: E402

TOOLS_DIR = REPO / "benchmarks" / ".tools"
NPM_TOOLS = {"prisma-merge": "0.2.0", "prismix": "1.0.22", "prisma-import": "1.0.5"}
WASM_ALIAS = "prisma-schema-wasm-6"  # the Prisma 6 engine the project pins in package.json

# Prisma's own handling of a schema folder: read every file, validate, format, write them back.
PRISMA_FOLDER_JS = r"""
const fs = require('fs'), path = require('path');
const api = require(process.argv[2]);
const dir = process.argv[3], out = process.argv[4];
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name < b.name ? -1 : 1)) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.prisma')) files.push([p, fs.readFileSync(p, 'utf8')]);
  }
})(dir);
try { api.validate(JSON.stringify({ prismaSchema: files, noColor: true })); }
catch (e) {
  let text = String(e.message || e);
  try { text = JSON.parse(text).message; } catch (_) { /* not Prisma's JSON error */ }
  console.error(text.split('\n').find((l) => l.trim()) || text); process.exit(1);
}
const params = { textDocument: { uri: 'file:///schema.prisma' },
  options: { tabSize: 2, insertSpaces: true } };
const formatted = JSON.parse(api.format(JSON.stringify(files), JSON.stringify(params)));
fs.mkdirSync(out, { recursive: true });
for (const [p, text] of formatted) fs.writeFileSync(path.join(out, path.basename(p)), text);
"""

VALIDATE_JS = r"""
const fs = require('fs');
const api = require(process.argv[2]);
const files = process.argv.slice(3).map((p) => [p, fs.readFileSync(p, 'utf8')]);
try { api.validate(JSON.stringify({ prismaSchema: files, noColor: true })); console.log('ok'); }
catch (e) { console.log(String(e.message || e).split('\n').find((l) => l.includes('rror')) || 'invalid'); }
"""


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds
    rss: float  # MB
    code: int
    stderr: str
    cpu: float = 0.0  # user + system seconds of the child (wait4), what load on the machine moves least


def run_once(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    # wait4 gives this child's own rusage (max RSS), not the whole process tree's.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), err, cpu)


@dataclass
class Cell:
    """The result of one way of running one tool: median wall time and peak memory, or why not."""

    walls: list[float] = field(default_factory=list)
    rss: float = 0.0
    failed: str = ""
    cpus: list[float] = field(default_factory=list)

    def add(self, r: Run) -> None:
        self.walls.append(r.wall)
        self.cpus.append(r.cpu)
        self.rss = max(self.rss, r.rss)

    @property
    def median(self) -> float | None:
        return statistics.median(self.walls) if self.walls and not self.failed else None


def series(
    cmd: list[str], cwd: Path, runs: int, before: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
) -> Cell:
    cell = Cell()
    for _ in range(runs):
        if before:
            before()
        r = run_once(cmd, cwd, env)
        if r.code != 0:
            cell.failed = first_line(r.stderr) or f"exit {r.code}"
            return cell
        cell.add(r)
    return cell


def first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("at ", "npm warn")):
            return line[:160]
    return ""


# -- the tools -----------------------------------------------------------------------------------


def install_tools(tools: Path) -> None:
    """The npm tools, pinned, in a scratch folder; reused when already there."""
    pins = json.loads((REPO / "package.json").read_text())["dependencies"]
    wanted = {**NPM_TOOLS, WASM_ALIAS: pins[WASM_ALIAS]}
    manifest = {"private": True, "dependencies": wanted}
    tools.mkdir(parents=True, exist_ok=True)
    pkg = tools / "package.json"
    if pkg.is_file() and json.loads(pkg.read_text()) == manifest and (tools / "node_modules").is_dir():
        return
    pkg.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"installing {', '.join(f'{k}@{v}' for k, v in wanted.items())} into {tools} …", file=sys.stderr)
    # --ignore-scripts: prismix's postinstall compiles its TypeScript again and fails (tsc
    # errors in its own sources); its published dist/ is what runs. Prisma 3's engine download
    # (an install script of @prisma/sdk's dependencies) is attempted separately below.
    subprocess.run(
        ["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=tools, check=True,
    )
    engines = tools / "node_modules/@prisma/engines/scripts/postinstall.js"
    if engines.is_file():
        subprocess.run(["node", str(engines)], cwd=engines.parent.parent, capture_output=True, timeout=120)


@dataclass
class Project:
    name: str
    root: Path
    fragments: list[Path]  # in manifest order, base first
    edit: Path  # the fragment the edit runs change
    anchor: str  # text in `edit` that an edit changes
    output: Path  # compose's output that shows the edit
    compose_only: bool = False  # the @extend variant: only compose reads it


def example_project(into: Path) -> Project:
    shutil.copy(REPO / "prisma.compose.toml", into / "prisma.compose.toml")
    for folder in ("fragments", "entities"):
        shutil.copytree(REPO / "prisma" / folder, into / "prisma" / folder)
    frags = sorted((into / "prisma/fragments").glob("*.prisma"))
    base = into / "prisma/fragments/base.prisma"
    frags.remove(base)
    return Project(
        "example", into, [base, *frags], into / "prisma/fragments/user.prisma", "/// A person who signs in",
        into / "prisma/schema.prisma",
    )


def generated_project(into: Path, count: int, plain: bool) -> Project:
    generate(into, count, 5, plain=plain)
    frag_dir = into / "prisma/fragments"
    middle = count // 2
    return Project(
        f"{count} fragments / {count * 5} models" + ("" if plain else ", `@extend`"),
        into,
        [frag_dir / "base.prisma", *sorted(frag_dir.glob("f*.prisma"))],
        frag_dir / f"f{middle:04d}.prisma",
        f"/// Model 0 of fragment {middle}.",
        into / "out/schema.prisma",
        compose_only=not plain,
    )


COMPOSE: list[str] = []


def install_compose(tools: Path) -> list[str]:
    """This checkout installed the way users install it (a regular, non-editable install) in a
    venv of its own: an editable install's import hook alone adds ~15 ms to every start."""
    venv = tools / "venv"
    exe = venv / "bin" / "compose"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if not (venv / "bin" / "python").is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, str(REPO)], check=True)
    subprocess.run([*pip, "--no-deps", "--force-reinstall", str(REPO)], check=True)
    return [str(exe)]


def compose_cmd() -> list[str]:
    return COMPOSE


@dataclass
class Row:
    tool: str
    cold: Cell
    unchanged: Cell
    edit: Cell
    output: list[Path]  # what to validate
    note: str = ""
    valid: str = ""


def edit_text(p: Project, i: int) -> None:
    text = p.edit.read_text()
    marker = re.compile(re.escape(p.anchor) + r"( \(edit \d+\))?")
    p.edit.write_text(marker.sub(f"{p.anchor} (edit {i})", text, count=1))


def measure_compose(p: Project, runs: int, edits: int, cache: Path) -> Row:
    cmd = compose_cmd()
    env = {"XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}

    def fresh() -> None:  # no outputs, no stamp: what a clean clone or CI sees
        shutil.rmtree(cache, ignore_errors=True)
        for rel in ("out", "engine", "prisma/schema.prisma", ".compose-state.json"):
            path = p.root / rel
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)

    cold = series([*cmd, "build"], p.root, runs, fresh, env)
    unchanged = series([*cmd, "build"], p.root, runs, None, env)
    edit = watch_edits(p, edits, env) if edits else Cell(failed="skipped")
    outputs = [p.output] + ([p.root / "engine/prisma/schema.prisma"] if p.name == "example" else [])
    return Row("**compose build**", cold, unchanged, edit, outputs)


def watch_edits(p: Project, edits: int, env: dict[str, str]) -> Cell:
    """Save → output holds the edit, under `compose watch`, `edits` times (peak RSS: the watcher's)."""
    log_path = p.root / ".watch.log"
    cell = Cell()
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [*compose_cmd(), "watch"], cwd=p.root, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, **env},
        )
        try:
            deadline = time.perf_counter() + 120
            while "watching" not in log_path.read_text():
                if proc.poll() is not None or time.perf_counter() > deadline:
                    cell.failed = "watch did not start: " + first_line(log_path.read_text())
                    return cell
                time.sleep(0.01)
            time.sleep(0.5)
            for i in range(edits):
                edit_text(p, 1000 + i)
                t0 = time.perf_counter()
                marker = f"{p.anchor} (edit {1000 + i})"
                seen = None
                while True:  # read the output only when its stat changes: polling must not compete
                    sig = signature(p.output)
                    if sig != seen:
                        seen = sig
                        if marker in read(p.output):
                            break
                    if time.perf_counter() - t0 > 30:
                        cell.failed = "an edit never reached the output"
                        return cell
                    time.sleep(0.001)
                cell.walls.append(time.perf_counter() - t0)
                time.sleep(1.0)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                _, _, usage = os.wait4(proc.pid, 0)
                cell.rss = usage.ru_maxrss / 1024
            except ChildProcessError:
                pass
    return cell


def signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def measure_external(
    p: Project, runs: int, tools: Path, scratch: Path, floor_only: bool = False
) -> list[Row]:
    nm = tools / "node_modules"
    out = scratch / "out"
    out.mkdir(parents=True, exist_ok=True)
    rel = [f.relative_to(p.root).as_posix() for f in p.fragments]
    pattern = "prisma/fragments/*.prisma"  # every project here keeps its .prisma fragments there

    def three(name: str, cmd: list[str], result: Path, note: str = "") -> Row:
        def wipe() -> None:
            shutil.rmtree(result) if result.is_dir() else result.unlink(missing_ok=True)

        cold = series(cmd, p.root, runs, wipe)
        unchanged = series(cmd, p.root, runs) if not cold.failed else Cell(failed=cold.failed)
        edit = Cell(failed=cold.failed)
        if not cold.failed:
            for i in range(runs):
                edit_text(p, 2000 + i)
                r = run_once(cmd, p.root)
                if r.code != 0:
                    edit.failed = first_line(r.stderr)
                    break
                edit.add(r)
        return Row(name, cold, unchanged, edit, [result] if result.suffix else [], note)

    rows = []
    if not floor_only:
        merged = out / "merged.prisma"
        rows.append(
            three(
                f"prisma-merge {NPM_TOOLS['prisma-merge']}",
                ["node", str(nm / "prisma-merge/bin/run"), "-b", rel[0], "-s", pattern, "-o", str(merged),
                 "-e", "__none__"],
                merged,
                "joins the files as text",
            )
        )
        # prismix reads prismix.config.json in the current folder; it parses every input file on
        # its own with Prisma 3's query engine (a native library), then merges the models.
        (p.root / "prismix.config.json").write_text(
            json.dumps({"mixers": [{"input": rel, "output": str(out / "prismix.prisma")}]})
        )
        problem = prismix_problem(nm, scratch)
        if problem is None:
            rows.append(
                three(f"prismix {NPM_TOOLS['prismix']}", ["node", str(nm / "prismix/bin/run")],
                      out / "prismix.prisma", "merges models parsed by Prisma 3's engine")
            )
        else:
            gone = Cell(failed=f"cannot run here: {problem}")
            rows.append(Row(f"prismix {NPM_TOOLS['prismix']}", gone, gone, gone, []))
        imported = out / "imported.prisma"
        rows.append(
            three(
                f"prisma-import {NPM_TOOLS['prisma-import']}",
                ["node", str(nm / "prisma-import/dist/index.js"), "-f", "-s", pattern, "-o", str(imported)],
                imported,
                "joins the files, formats the result with Prisma 4.8's wasm",
            )
        )
        folder_js = scratch / "prisma-folder.cjs"
        folder_js.write_text(PRISMA_FOLDER_JS)
        row = three(
            "Prisma's schema folder",
            ["node", str(folder_js), str(nm / WASM_ALIAS), str(p.root / "prisma/fragments"),
             str(out / "prisma-folder")],
            out / "prisma-folder",
            "validate + format of the folder, wasm 6.19; no single output, no `@extend`",
        )
        row.valid = "yes (validated)" if not row.cold.failed else ""
        rows.append(row)
    cat = out / "cat.prisma"
    rows.append(three("`cat` (the floor)", ["sh", "-c", 'cat "$@" > "$0"', str(cat), *rel], cat))
    return rows


def prismix_problem(nm: Path, scratch: Path) -> str | None:
    """Why prismix cannot run on this machine (None: it can): a two-file project it must merge."""
    trial = scratch / "prismix-trial"
    trial.mkdir(parents=True, exist_ok=True)
    (trial / "a.prisma").write_text(
        'datasource db {\n  provider = "postgresql"\n  url = env("DB")\n}\nmodel A {\n  id Int @id\n}\n'
    )
    (trial / "b.prisma").write_text(
        "model B {\n  id Int @id\n  a A[]\n}\nmodel A {\n  id Int @id\n  b B? @relation(fields: [bId], "
        "references: [id])\n  bId Int?\n}\n"
    )
    (trial / "prismix.config.json").write_text(
        json.dumps({"mixers": [{"input": ["a.prisma", "b.prisma"], "output": "out.prisma"}]})
    )
    r = subprocess.run(["node", str(nm / "prismix/bin/run")], cwd=trial, capture_output=True, text=True)
    if "model B" in read(trial / "out.prisma"):
        return None
    log = r.stdout + r.stderr
    if "libquery-engine" in log or "query-engine" in log:
        return (
            "it parses each file with Prisma 3's query engine; npm ships that engine only for OpenSSL "
            "1.1 (not on Debian 12), its install downloads others from binaries.prisma.sh (not reachable)"
        )
    return first_line(log) or f"exit {r.returncode}"


def short(message: str) -> str:
    """One line of a tool's error (Prisma's JSON errors: the first line of their message)."""
    with contextlib.suppress(ValueError, KeyError, TypeError):
        message = json.loads(message)["message"]
    line = next((x.strip() for x in message.splitlines() if x.strip()), message)
    return line.replace("|", "/")[:110]


def check_valid(row: Row, tools: Path, scratch: Path) -> str:
    if row.valid:
        return row.valid
    if row.cold.failed or not row.output:
        return "—"
    missing = [o for o in row.output if not o.is_file()]
    if missing:
        return "no output"
    js = scratch / "validate.cjs"
    js.write_text(VALIDATE_JS)
    verdicts = []
    for o in row.output:
        r = subprocess.run(
            ["node", str(js), str(tools / "node_modules" / WASM_ALIAS), str(o)],
            capture_output=True,
            text=True,
        )
        verdicts.append(r.stdout.strip() or r.stderr.strip()[:120])
    bad = [v for v in verdicts if v != "ok"]
    if not bad:
        return "yes"
    return "no: " + short(bad[0])


# -- the goals of issue 17: paired runs, ratios with their spread ----------------------------------

# Prisma's wasm `validate` alone on the composed schema: what `compose validate` is held against.
VALIDATE_ALONE_JS = r"""
const fs = require('fs');
const api = require(process.argv[2]);
const files = process.argv.slice(3).map((p) => [p, fs.readFileSync(p, 'utf8')]);
api.validate(JSON.stringify({ prismaSchema: files, noColor: true }));
"""


@dataclass
class Pair:
    """Commands A and B run in turn (A B A B ...), the ratio A/B taken run by run: pairing keeps
    the ratio meaningful when the machine's speed drifts (other work on it)."""

    a: Cell
    b: Cell
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def paired(
    a: tuple[list[str], Path, Callable[[], None] | None, dict[str, str] | None],
    b: tuple[list[str], Path, Callable[[], None] | None, dict[str, str] | None],
    runs: int,
) -> Pair:
    pair = Pair(Cell(), Cell())
    for _ in range(runs):
        results = []
        for cmd, cwd, before, env in (a, b):
            if before:
                before()
            results.append(run_once(cmd, cwd, env))
        ra, rb = results
        for cell, r in ((pair.a, ra), (pair.b, rb)):
            if r.code != 0:
                cell.failed = first_line(r.stderr) or f"exit {r.code}"
        if pair.a.failed or pair.b.failed:
            return pair
        pair.a.add(ra)
        pair.b.add(rb)
        pair.wall.append(ra.wall / rb.wall)
        pair.cpu.append(ra.cpu / rb.cpu if rb.cpu else float("nan"))
    return pair


def spread(values: list[float], unit: str = "×", scale: float = 1.0, digits: int = 2) -> str:
    """`median (min–max)` of the values."""
    if not values:
        return "—"
    med, lo, hi = statistics.median(values) * scale, min(values) * scale, max(values) * scale
    return f"{med:,.{digits}f}{unit} ({lo:,.{digits}f}–{hi:,.{digits}f})"


@dataclass
class Goal:
    case: str
    compose: str  # what compose measured
    other: str  # the yardstick, if any
    ratio: str  # the paired ratio (wall; CPU), if any
    goal: str
    met: bool | None  # None: not measured


def goal_rows(sizes: list[int], runs: int, edits: int, tools: Path, tmp: Path) -> list[Goal]:
    """Each row of issue 17's table, measured side by side in this run."""
    nm = tools / "node_modules"
    env_base = {"NO_COLOR": "1"}
    rows: list[Goal] = []
    plain: dict[int, Project] = {}

    def compose_cold(p: Project, cache: Path) -> tuple[list[str], Path, Callable[[], None], dict[str, str]]:
        def fresh() -> None:
            shutil.rmtree(cache, ignore_errors=True)
            shutil.rmtree(p.root / "out", ignore_errors=True)

        return [*compose_cmd(), "build"], p.root, fresh, {**env_base, "XDG_CACHE_HOME": str(cache)}

    for n in sizes:
        root = tmp / f"goal-plain-{n}" / "project"
        root.mkdir(parents=True)
        p = plain[n] = generated_project(root, n, plain=True)
        print(f"goals: {p.name} …", file=sys.stderr)
        merged = root.parent / "merged.prisma"
        rel = [f.relative_to(p.root).as_posix() for f in p.fragments]
        merge = (
            ["node", str(nm / "prisma-merge/bin/run"), "-b", rel[0], "-s", "prisma/fragments/*.prisma",
             "-o", str(merged), "-e", "__none__"],
            p.root, lambda m=merged: m.unlink(missing_ok=True), None,
        )
        pair = paired(compose_cold(p, root.parent / "cache"), merge, runs)
        target = 0.8 if n <= 1000 else 1.0
        med = statistics.median(pair.wall) if pair.wall else None
        rows.append(Goal(
            f"cold build, {n:,} fragments plain", fmt_spread_ms(pair.a),
            fmt_spread_ms(pair.b) + " (prisma-merge)",
            f"wall {spread(pair.wall)}; CPU {spread(pair.cpu)}", f"≤ {target:g}× prisma-merge",
            None if med is None else med <= target,
        ))
        if n == max(sizes):
            rows.append(Goal(
                f"peak memory, cold, {n:,} plain", f"{pair.a.rss:.0f} MiB", "", "", "≤ 150 MiB",
                pair.a.rss <= 150 if pair.a.walls else None,
            ))
    for n in sizes:
        p = plain[n]
        budget = {1000: 50, 5000: 100, 10000: 150}.get(n)
        cell = watch_edits(p, edits, {**env_base, "XDG_CACHE_HOME": str(p.root.parent / "cache-watch")})
        med = cell.median
        rows.append(Goal(
            f"watch, one-fragment edit, {n:,} plain", fmt_spread_ms(cell), "", "",
            f"≤ {budget} ms" if budget else "—",
            None if med is None or budget is None else med * 1000 <= budget,
        ))
    small = min(sizes)
    root = tmp / f"goal-extend-{small}" / "project"
    root.mkdir(parents=True)
    ext = generated_project(root, small, plain=False)
    print(f"goals: {ext.name} …", file=sys.stderr)
    pair = paired(
        compose_cold(ext, root.parent / "cache"), compose_cold(plain[small], root.parent / "cache-p"), runs
    )
    med = statistics.median(pair.wall) if pair.wall else None
    rows.append(Goal(
        f"cold build, {small:,} fragments, every model `@extend`ed", fmt_spread_ms(pair.a),
        fmt_spread_ms(pair.b) + " (the plain build)", f"wall {spread(pair.wall)}; CPU {spread(pair.cpu)}",
        "≤ 1.5× the plain build", None if med is None else med <= 1.5,
    ))
    cell = watch_edits(ext, edits, {**env_base, "XDG_CACHE_HOME": str(root.parent / "cache-watch")})
    rows.append(Goal(
        f"watch edit, {small:,} `@extend`", fmt_spread_ms(cell), "", "", "≤ 80 ms",
        None if cell.median is None else cell.median * 1000 <= 80,
    ))
    big = max(sizes)
    root = tmp / f"goal-extend-{big}" / "project"
    root.mkdir(parents=True)
    ext_big = generated_project(root, big, plain=False)
    print(f"goals: {ext_big.name} (memory) …", file=sys.stderr)
    cmd, cwd, fresh, env = compose_cold(ext_big, root.parent / "cache")
    cell = series(cmd, cwd, max(1, runs // 2), fresh, env)
    rows.append(Goal(
        f"peak memory, cold, {big:,} `@extend`", f"{cell.rss:.0f} MiB" if not cell.failed else cell.failed,
        "", "", "≤ 250 MiB", None if cell.failed else cell.rss <= 250,
    ))
    # compose validate against Prisma's wasm validate alone on the output compose writes.
    p = plain[small]
    print(f"goals: validate, {p.name} …", file=sys.stderr)
    subprocess.run([*compose_cmd(), "build"], cwd=p.root, capture_output=True, check=True,
                   env={**os.environ, **env_base, "COMPOSE_NO_CACHE": "1"})
    js = p.root.parent / "validate-alone.cjs"
    js.write_text(VALIDATE_ALONE_JS)
    alone = (["node", str(js), str(REPO / "composer/engines/prisma6"), str(p.output)], p.root, None, None)
    mine = ([*compose_cmd(), "validate"], p.root, None, {**env_base, "COMPOSE_NO_CACHE": "1"})
    pair = paired(mine, alone, runs)
    med = statistics.median(pair.wall) if pair.wall else None
    rows.append(Goal(
        f"`compose validate`, {small:,} plain", fmt_spread_ms(pair.a),
        fmt_spread_ms(pair.b) + " (Prisma's wasm `validate` alone, Node start-up included)",
        f"wall {spread(pair.wall)}; CPU {spread(pair.cpu)}", "≤ 1.2× wasm `validate` alone",
        None if med is None else med <= 1.2,
    ))
    return rows


def fmt_spread_ms(cell: Cell) -> str:
    if cell.failed:
        return f"failed: {cell.failed[:80]}"
    return spread(cell.walls, " ms", 1000, 0)


def goal_table(rows: list[Goal]) -> list[str]:
    mark = {True: "met", False: "**not met**", None: "—"}
    lines = [
        "| case | compose: median (min–max) | yardstick | ratio A/B per pair: median (min–max) | goal | |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [r.case, r.compose, r.other or "—", r.ratio or "—", r.goal, mark[r.met]]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# -- report --------------------------------------------------------------------------------------


def fmt_ms(cell: Cell) -> str:
    m = cell.median
    if m is None:
        return "—"
    return f"{m * 1000:,.0f} ms"


def machine() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores{mem}; "
        f"Python {platform.python_version()}, Node {node}"
    )


def table(project: Project, rows: list[Row], floor: float | None) -> list[str]:
    lines = [
        f"### {project.name}",
        "",
        "| tool | cold | nothing changed | one-fragment edit | peak RSS | vs `cat` (cold) | valid output |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    notes = []
    for row in rows:
        cells = [row.cold, row.unchanged, row.edit]
        failed = next((c.failed for c in cells if c.failed and c.failed != "skipped"), "")
        rss = max(c.rss for c in cells)
        ratio = f"{row.cold.median / floor:.1f}×" if floor and row.cold.median else "—"
        name = row.tool + (f" ({row.note})" if row.note else "")
        if failed:
            notes.append(f"{row.tool}: {' '.join(failed.split())[:400]}")
        if failed and row.cold.median is None:
            lines.append(f"| {name} | — | — | — | — | — | failed (note {len(notes)}) |")
            continue
        lines.append(
            f"| {name} | {fmt_ms(row.cold)} | {fmt_ms(row.unchanged)} | {fmt_ms(row.edit)} | "
            f"{rss:.0f} MB | {ratio} | {row.valid} |"
        )
    lines += [""] + [f"{i}. {n}" for i, n in enumerate(notes, 1)] + ([""] if notes else [])
    return lines


def summary_row(project: Project, rows: list[Row]) -> str:
    """compose against the fastest other tool whose output Prisma accepts, in each column."""
    compose, others = rows[0], [r for r in rows[1:] if not r.tool.startswith("`cat`")]
    floor = next((r for r in rows if r.tool.startswith("`cat`")), None)
    cells = [project.name]
    for attr in ("cold", "unchanged", "edit"):
        mine: Cell = getattr(compose, attr)
        valid = [(getattr(r, attr).median, r.tool.split(" ")[0]) for r in others if r.valid.startswith("yes")]
        valid = [(m, t) for m, t in valid if m is not None]
        best = min(valid) if valid else None
        if mine.median is None:
            cells.append("—")
        elif best is None:
            cells.append(f"{fmt_ms(mine)} (no other tool gives a valid schema)")
        else:
            mark = "✓" if mine.median < best[0] else "✗"
            cells.append(f"{fmt_ms(mine)} vs {best[0] * 1000:,.0f} ms ({best[1]}) {mark}")
    if floor is not None and floor.cold.median and compose.cold.median and compose.unchanged.median:
        cells.append(
            f"{compose.cold.median / floor.cold.median:.0f}× / "
            f"{compose.unchanged.median / floor.cold.median:.1f}×"
        )
    else:
        cells.append("—")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    ap.add_argument("--sizes", default="10,100,1000", help="sizes of the every-tool tables, in fragments")
    ap.add_argument("--goal-sizes", default="1000,5000,10000", help="sizes of the goals table (issue 17)")
    ap.add_argument("--edits", type=int, default=5, help="edits under `compose watch` per project")
    ap.add_argument("--quick", action="store_true",
                    help="a few minutes: --runs 3 --edits 3, the goals table only (no every-tool tables)")
    ap.add_argument("--no-goals", action="store_true", help="the every-tool tables only")
    ap.add_argument("--tools", type=Path, default=TOOLS_DIR, help="scratch folder for the npm tools")
    ap.add_argument("--no-tools", action="store_true", help="compose and cat only (no goals table)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = ap.parse_args()
    if args.quick:
        args.runs, args.edits, args.sizes = min(args.runs, 3), min(args.edits, 3), ""
    if not args.no_tools:
        install_tools(args.tools)
    COMPOSE[:] = install_compose(args.tools)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    goal_sizes = [int(s) for s in args.goal_sizes.split(",") if s]
    out: list[str] = []
    summary: list[str] = []
    goals: list[str] = []
    started = time.time()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="compose-bench-") as tmp_name:
        tmp = Path(tmp_name)
        plans: list[tuple[str, Callable[[Path], Project]]] = [("example", example_project)] if sizes else []
        for n in sizes:
            plans.append((f"plain-{n}", lambda d, n=n: generated_project(d, n, plain=True)))
            plans.append((f"extend-{n}", lambda d, n=n: generated_project(d, n, plain=False)))
        for key, make in plans:
            root = tmp / key / "project"
            root.mkdir(parents=True)
            project = make(root)
            print(f"measuring {project.name} …", file=sys.stderr)
            rows = [measure_compose(project, args.runs, args.edits, tmp / key / "cache")]
            if not project.compose_only:
                rows += measure_external(project, args.runs, args.tools, tmp / key, args.no_tools)
            for row in rows:
                row.valid = check_valid(row, args.tools, tmp / key)
            floor = next((r.cold.median for r in rows if r.tool.startswith("`cat`")), None)
            section = table(project, rows, floor)
            print("\n".join(section), flush=True)
            out += section
            if not project.compose_only:
                summary.append(summary_row(project, rows))
        # After the every-tool tables: a child's peak RSS (wait4) cannot read below this process's
        # own at the fork, and the goals' large projects leave this process larger.
        if goal_sizes and not args.no_goals and not args.no_tools:
            goals = goal_table(goal_rows(goal_sizes, args.runs, max(args.edits, 1), args.tools, tmp))
            print("\n".join(goals), flush=True)
    load_after = os.getloadavg()[0]
    when = datetime.date.today().isoformat()
    command = " ".join(["python benchmarks/run.py", *sys.argv[1:]])
    header = [
        "# Benchmarks: `compose build` and the other tools",
        "",
        f"Measured {when} with `{command}` ({time.time() - started:.0f} s).",
        "",
        f"Machine: {machine()}. Load average (1 min) {load_before:.1f} at the start, {load_after:.1f} at "
        f"the end, on {os.cpu_count()} cores"
        + (": the machine was shared with other work, so absolute times are inflated and noisy; the "
           "paired ratios (A and B run in turn) are the figures to trust." if max(load_before, load_after)
           > (os.cpu_count() or 1) * 0.5 else "."),
        "",
    ]
    if goals:
        header += [
            "## Goals (issue 17)",
            "",
            "Paired rows run compose (A) and the yardstick (B) in turn, A B A B …, and take the ratio "
            "A/B run by run: median and spread (min–max) of those ratios, by wall time and by CPU time "
            "(user + system of the process; it moves least with the load). Times are whole processes, "
            "start-up included, median (min–max) of the runs. *Cold*: no output and no build stamp. "
            "*Watch*: `compose watch` running, from saving one fragment (the middle one) to the output "
            "holding the edit. Peak memory: the largest max RSS of the cold runs.",
            "",
            *goals,
            "",
        ]
    if sizes:
        header += [
            "Wall time from process start to exit, median of the runs; peak RSS is the largest of any run "
            "(for `compose watch`, the watcher's; it cannot read below this benchmark process's own, "
            "which the `cat` row shows). *Cold*: no output and no build stamp. *Nothing "
            "changed*: the same command again. *One-fragment edit*: compose under `compose watch`, "
            "from the save to the output holding the edit; the other tools have no watch mode, so a "
            "full run after the edit. *Valid output*: Prisma 6.19's validator on what the tool wrote "
            "(not timed). The generated projects are plain PSL that every tool accepts; the `@extend` "
            "rows are the same schema in compose's own format.",
            "",
            "## Summary: compose against the fastest other tool with a valid output",
            "",
            "| project | cold | nothing changed | one-fragment edit "
            "| compose ÷ `cat` (cold / nothing changed) |",
            "|---|---|---|---|---|",
            *summary,
            "",
            "## Every tool, every project",
            "",
        ]
    text = "\n".join(header + out) + "\n"
    if not args.no_write:
        (REPO / "benchmarks" / "RESULTS.md").write_text(text)
        print(f"\nwrote {REPO / 'benchmarks' / 'RESULTS.md'}", file=sys.stderr)


if __name__ == "__main__":
    main()
