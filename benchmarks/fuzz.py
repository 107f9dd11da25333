"""Fuzz `compose build` with mutated fragments, YAML entities and manifests; print a Markdown table.

    python benchmarks/fuzz.py [--n 2000] [--seed 0] [--subprocess] [--globs 60]

The same mutators and judge as tests/test_fuzz.py (tests/fuzzing.py), N inputs per kind, outside
pytest. Each input is one mutation (1-4 byte or line edits) of a valid, already built project:
"built ok" exited 0 with valid outputs that `check` finds fresh; "rejected cleanly" exited 1/2
with every error at a `file:line:col` inside a real file, outputs untouched (bytes and mtime) and
no temporary file left; "mishandled" is anything else (a traceback, another exit code, an error
without a location, a changed output). The first few mishandled inputs are listed after the table.

`--globs N` adds the glob/symlink attack run (`glob_attacks`): N random project trees per glob
pattern, with symlink cycles (`..` links, links to the project root, workspace links in
`node_modules`), links out of the project and to `/`, FIFOs, `/dev/zero`, `/proc/self/environ`,
broken links and file names with a line break, each built twice (the full build, then the
nothing-changed fast path) by the real CLI in a subprocess that is killed after 20 s: "hung"
counts those, "mishandled" a traceback, an unlocated error, a model from `node_modules` that the
pattern does not name, or the text of `/proc/self/environ` in the output.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fuzzing: the mutators and the judge shared with the tests

from tests.fuzzing import (  # noqa: E402
    KINDS,
    describe,
    fuzz_case,
    located_problems,
    run_in_process,
    run_subprocess,
    write_template,
)

SHOWN = 5  # mishandled inputs listed in full


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="inputs per kind (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subprocess", action="store_true", help="run the real CLI in a subprocess (slow)")
    ap.add_argument("--globs", type=int, default=0, help="trees per glob pattern for the glob/symlink run")
    args = ap.parse_args()
    runner = run_subprocess if args.subprocess else run_in_process
    rows = []
    mishandled: list[str] = []
    with tempfile.TemporaryDirectory(prefix="compose-fuzz-") as tmp:
        work = Path(tmp)
        # Build stamps (composer/stamp.py) of the thousands of throw-away projects go here.
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        template = write_template(work / "template")
        scratch = work / "scratch"
        scratch.mkdir()
        for kind in KINDS:
            rnd = random.Random(f"{args.seed}:{kind}")
            counts = {"ok": 0, "rejected": 0, "mishandled": 0}
            started = time.perf_counter()
            for _ in range(args.n):
                rel, data, result, verdict = fuzz_case(template, scratch, kind, rnd, runner)
                counts[verdict.outcome] += 1
                if verdict.outcome == "mishandled" and len(mishandled) < SHOWN:
                    mishandled.append(describe(kind, rel, data, result, verdict))
            ms = (time.perf_counter() - started) * 1000 / max(args.n, 1)
            rows.append((kind, args.n, counts["ok"], counts["rejected"], counts["mishandled"], ms))
            print(f"{kind}: done ({ms:.1f} ms/input)", file=sys.stderr)
    print("| kind | inputs tried | built ok (exit 0) | rejected cleanly (exit 1/2) | mishandled | ms/input |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind, n, ok, rejected, bad, ms in rows:
        print(f"| {kind} | {n} | {ok} | {rejected} | {bad} | {ms:.1f} |")
    total = sum(r[4] for r in rows)
    print(f"\n{total} mishandled input(s)" + (":" if total else "."))
    for case in mishandled:
        print("\n```\n" + case + "\n```")
    if args.globs:
        total += glob_attacks(args.globs, args.seed)
    sys.exit(1 if total else 0)


# -- the glob/symlink attack run ----------------------------------------------------------------------

GLOB_PATTERNS = [
    "**/*.prisma",
    "prisma/**/*.prisma",
    "*/*/*.prisma",
    "**",
    "modules/*/schema.prisma",
    "*/**/*.prisma",
    "node_modules/**/*.prisma",
    "../**/*.prisma",
]
HANG_S = 20.0
BASE_TEXT = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
ENV_MARK = "COMPOSE_FUZZ_SECRET=do-not-print"


LINK_NAMES = ["up", "loop", "root", "out", "ws", "zero.prisma", "env.prisma", "pipe.prisma", "dead.prisma"]
LINK_KINDS = [
    "..", ".", "root", "sibling", "outside", "slash", "zero", "environ", "fifo", "broken", "newline"
]


def random_tree(root: Path, outside: Path, rnd: random.Random) -> None:
    """Folders, fragments and every kind of link a checkout can hold, at random places."""
    folders = [root, root / "prisma", root / "modules", root / "node_modules/@ws/db"]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for i in range(rnd.randint(5, 25)):
        what = rnd.random()
        here = rnd.choice(folders)
        try:
            if what < 0.25:
                folder = here / rnd.choice(["a", "b", "schema", "billing", "deep", "x.prisma"])
                folder.mkdir(exist_ok=True)
                folders.append(folder)
            elif what < 0.5:
                path = here / rnd.choice(["schema.prisma", f"m{i}.prisma", "user.prisma"])
                model = f"FromNodeModules{i}" if "node_modules" in path.parts else f"M{i}"
                if not path.exists():
                    path.write_text(f"model {model} {{\n  id Int @id\n}}\n")
            else:
                link = here / rnd.choice(LINK_NAMES)
                if not os.path.lexists(link):
                    make_link(link, rnd.choice(LINK_KINDS), root, outside, folders, rnd)
        except OSError:
            continue


def make_link(
    link: Path, kind: str, root: Path, outside: Path, folders: list[Path], rnd: random.Random
) -> None:
    targets = {
        "..": "..",
        ".": ".",
        "root": str(root),
        "sibling": str(rnd.choice(folders)),
        "outside": str(outside),
        "slash": "/",
        "zero": "/dev/zero",
        "environ": "/proc/self/environ",
        "broken": str(root / "nowhere"),
    }
    if kind == "fifo":
        os.mkfifo(link)
    elif kind == "newline":
        (link.parent / "x\nmodel Evil {\n  id Int @id\n}\n.prisma").write_text("")
    else:
        link.symlink_to(targets[kind])


def glob_attack_case(work: Path, pattern: str, rnd: random.Random, case: int) -> tuple[str, float, str]:
    """(outcome, slowest build in s, details) of one random tree built twice with `pattern`."""
    project = work / f"p{case}"
    outside = work / f"outside{case}"
    outside.mkdir(parents=True)
    (outside / "far.prisma").write_text("model Far {\n  id Int @id\n}\n")
    project.mkdir()
    (project / "base.prisma").write_text(BASE_TEXT)
    output = rnd.choice(["prisma/schema.prisma", "out/schema.prisma", "out/"])
    (project / "prisma.compose.toml").write_text(
        f'[[fragments]]\npath = "base.prisma"\n[[fragments]]\nglob = "{pattern}"\n'
        f'[targets.web]\noutput = "{output}"\n'
    )
    random_tree(project, outside, rnd)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT), "COMPOSE_FUZZ_SECRET": "do-not-print"}
    slowest = 0.0
    outcome = "ok"
    for _ in range(2):
        started = time.perf_counter()
        try:
            run = subprocess.run(
                [sys.executable, "-m", "composer", "build"],
                cwd=project,
                capture_output=True,
                text=True,
                timeout=HANG_S,
                env=env,
            )
        except subprocess.TimeoutExpired:
            return "hung", HANG_S, f"{pattern}: killed after {HANG_S:.0f} s"
        slowest = max(slowest, time.perf_counter() - started)
        outputs = [*(project / "out").glob("*.prisma"), project / "prisma/schema.prisma"]
        written = "".join(p.read_text(errors="replace") for p in outputs if p.is_file())
        if "Traceback" in run.stderr or run.returncode not in (0, 1):
            return "mishandled", slowest, f"{pattern}: exit {run.returncode}\n{run.stderr[-2000:]}"
        if "do-not-print" in run.stderr + run.stdout + written:
            return "mishandled", slowest, f"{pattern}: the environment was printed\n{run.stderr[-2000:]}"
        if "FromNodeModules" in written and "node_modules" not in pattern:
            return "mishandled", slowest, f"{pattern}: a model from node_modules"
        if "model Evil" in written:
            return "mishandled", slowest, f"{pattern}: a file name injected a model"
        if run.returncode == 1:
            problems = located_problems(project, run.stderr)
            if problems:
                return "mishandled", slowest, f"{pattern}: {problems}\n{run.stderr[-2000:]}"
            outcome = "rejected"
            break
    return outcome, slowest, ""


def glob_attacks(n: int, seed: int) -> int:
    """Print the table of the glob/symlink attack run; the number of hung or mishandled cases."""
    import shutil
    import tempfile

    rows = []
    shown: list[str] = []
    with tempfile.TemporaryDirectory(prefix="compose-globs-") as tmp:
        work = Path(tmp)
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")
        case = 0
        for pattern in GLOB_PATTERNS:
            rnd = random.Random(f"{seed}:globs:{pattern}")
            counts = {"ok": 0, "rejected": 0, "hung": 0, "mishandled": 0}
            slowest = 0.0
            for _ in range(n):
                case += 1
                outcome, seconds, details = glob_attack_case(work, pattern, rnd, case)
                counts[outcome] += 1
                slowest = max(slowest, seconds)
                if details and outcome in ("hung", "mishandled") and len(shown) < SHOWN:
                    shown.append(details)
                shutil.rmtree(work / f"p{case}", ignore_errors=True)
            rows.append((pattern, n, counts, slowest))
            print(f"globs {pattern}: done", file=sys.stderr)
    print(
        "\n| glob over random trees with symlink cycles | trees | built ok | rejected cleanly | hung | "
        "mishandled | slowest build (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for pattern, count, c, slow in rows:
        print(
            f"| `{pattern}` | {count} | {c['ok']} | {c['rejected']} | {c['hung']} | {c['mishandled']} | "
            f"{slow:.2f} |"
        )
    bad = sum(c["hung"] + c["mishandled"] for _, _, c, _ in rows)
    print(f"\n{bad} hung or mishandled tree(s)" + (":" if bad else "."))
    for details in shown:
        print("\n```\n" + details + "\n```")
    return bad


if __name__ == "__main__":
    main()
