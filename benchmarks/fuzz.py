"""Fuzz `compose build` with mutated fragments, YAML entities and manifests; print a Markdown table.

    python benchmarks/fuzz.py [--n 2000] [--seed 0] [--subprocess] [--globs 60]
    python benchmarks/fuzz.py --kills 200 [--fragments 300] [--seed 0]
    python benchmarks/fuzz.py --regex [--n 300] [--seed 0]
    python benchmarks/fuzz.py --adapt 1000 [--seed 0]

The long runs of what the test suite does briefly (tests/test_fuzz.py: 100 inputs per kind;
tests/test_faults.py: 12 SIGKILLs over a 100-fragment project).

`--regex`: random pathological shapes (a prefix, a piece repeated n or 2n times, a suffix)
against every regular expression of the parser, see `regex_shapes`.

The same mutators and judge as tests/test_fuzz.py (tests/fuzzing.py), N inputs per kind, outside
pytest. Each input is one mutation (1-4 byte or line edits) of a valid, already built project:
"built ok" exited 0 with valid outputs that `check` finds fresh; "rejected cleanly" exited 1/2
with every error at a `file:line:col` inside a real file, outputs untouched (bytes and mtime) and
no temporary file left; "mishandled" is anything else (a traceback, another exit code, an error
without a location, a changed output). The first few mishandled inputs are listed after the table.

`--kills N` instead SIGKILLs N rebuilds of a generated project at random moments, half of them
closing in on the write phase (tests/test_faults.sigkill_campaign, which asserts that every output
is its old or its new version, whole, and that the next build recovers), and prints the outcomes.

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
# The characters field lines are made of, and a few whole pieces (list items, calls).
REGEX_PIECES = [
    "1", "a", "-", ".", ",", " ", "\t", "[", "]", "(", ")", "{", "}", '"', "\\", ":", "@", "@@", "=",
    "/", "*", "/*", "*/", "//", "\n", "1, ", "ab, ", "2.5, ", "x(", "a: ", "\u00e9",
]  # fmt: skip
REGEX_STARTS = ["", "a Int[] ", "a Int @default(", "a Int @default([", "  a Int @x(a: [", "model A {\n"]


def regex_shapes(n: int, seed: int) -> int:
    """For each parser pattern, `n` random shapes plus the fixed ones of tests/test_psl_linear.py:
    the work (steps of tests/regex_steps.py, a backtracking machine that models `re`) at 10 and
    20 repeats of the piece, and the real `re` time of the worst shape at 2,000 and 4,000
    repeats. Random shapes are single matches at the start (each call of a pattern must be
    linear); the fixed shapes call a pattern as the parser does (`finditer` over the lines
    `_FAST_BODY` checked, for `_SUMMARY` and `_MEMBER_LINE`: on other text a scan retried at
    every position of a run of blank lines is quadratic, which the parser never asks for).
    Linear work doubles; prints a Markdown table, exits 1 if any growth is above 2.5."""
    from tests.regex_steps import BudgetExceeded, count_steps
    from tests.test_psl_linear import GROWTH, SHAPES, patterns

    rnd = random.Random(f"{seed}:regex")
    rows = []
    for name, pattern in patterns().items():
        shapes = [(make, size, how) for pname, how, _, make, size in SHAPES if pname == name]
        for _ in range(n):
            start, prefix = rnd.choice(REGEX_STARTS), rnd.choice(REGEX_PIECES)
            suffix = rnd.choice(REGEX_PIECES)
            piece = "".join(rnd.choice(REGEX_PIECES) for _ in range(rnd.randint(1, 4)))
            shapes.append((lambda k, a=start + prefix, p=piece, z=suffix: a + p * k + z, 10, "match"))
        worst = (0.0, shapes[0])
        for shape in shapes:
            make, size, how = shape
            small = count_steps(pattern, make(size), how)
            try:
                large = count_steps(pattern, make(2 * size), how, budget=int(small * 20) + 10_000)
                ratio = large / max(small, 1)
            except BudgetExceeded:
                ratio = float("inf")
            if ratio > worst[0]:
                worst = (ratio, shape)
        # Real `re` on the worst shape found, at sizes no step counter could afford.
        make, _, how = worst[1]
        times = []
        for reps in (2000, 4000):
            text = make(reps)
            started = time.perf_counter()
            if how == "match":
                pattern.match(text)
            else:
                for _ in pattern.finditer(text):
                    pass
            times.append((time.perf_counter() - started) * 1000)
        rows.append((name, len(shapes), worst[0], make(3)[:60], times[0], times[1]))
    print(
        "| pattern | shapes tried | worst growth, steps at 2n / n | worst shape (3 repeats) "
        "| re at 2,000 | re at 4,000 |"
    )
    print("|---|---:|---:|---|---:|---:|")
    for name, tried, ratio, shape, t1, t2 in rows:
        print(f"| `{name}` | {tried} | {ratio:.2f} | `{shape!r}` | {t1:.2f} ms | {t2:.2f} ms |")
    bad = [r for r in rows if r[2] > GROWTH]
    print(f"\n{len(bad)} pattern(s) grew more than {GROWTH}x.")
    return 1 if bad else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="inputs per kind (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subprocess", action="store_true", help="run the real CLI in a subprocess (slow)")
    ap.add_argument("--kills", type=int, default=0, help="SIGKILL this many rebuilds instead of fuzzing")
    ap.add_argument("--fragments", type=int, default=300, help="fragments of the --kills project")
    ap.add_argument("--regex", action="store_true", help="pathological shapes against the parser's patterns")
    ap.add_argument("--globs", type=int, default=0, help="trees per glob pattern for the glob/symlink run")
    ap.add_argument("--adapt", type=int, default=0, help="adapt this many random schemas instead")
    args = ap.parse_args()
    if args.adapt:
        adapt_campaign(args.adapt, args.seed)
        return
    if args.kills:
        kill_campaign(args.kills, args.fragments, args.seed)
        return
    if args.regex:
        sys.exit(regex_shapes(args.n if args.n != 2000 else 300, args.seed))
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


def kill_campaign(kills: int, fragments: int, seed: int) -> None:
    from tests.test_faults import sigkill_campaign

    with tempfile.TemporaryDirectory(prefix="compose-kill-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        started = time.perf_counter()
        seen, duration = sigkill_campaign(Path(tmp), fragments, kills, seed=20240607 + seed)
        wall = time.perf_counter() - started
    print(f"{kills} SIGKILLs over a {duration:.2f} s rebuild of {fragments} fragments ({wall:.0f} s in all):")
    print("\n| outcome | kills |\n|---|---:|")
    for outcome in ("none written", "some written", "all written", "finished"):
        print(f"| {outcome} | {seen[outcome]} |")
    print("\nEvery output old or new and whole after each kill; every next build recovered.")


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


def adapt_campaign(n: int, seed: int) -> None:
    """`--adapt N`: N random PostgreSQL schemas (tests/adapt_fuzz.py, the generator and judge of
    tests/test_adapt.py) adapted to each other provider, with every choice set and with none."""
    import traceback

    from composer.prisma_wasm import PrismaWasm
    from tests.adapt_fuzz import ALL, PROVIDERS, judge, schema

    engine = PrismaWasm("6")

    def errors(text: str) -> list[str]:
        return [d.message for d in engine.validate(text) if d.is_error]

    counts: dict[tuple[str, str], dict[str, int]] = {}
    skipped = 0
    mishandled: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="compose-adapt-fuzz-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        for i in range(n):
            fragment = schema(random.Random(seed * 1_000_003 + i))
            if errors(fragment):  # Prisma rejects the draw on PostgreSQL itself
                skipped += 1
                continue
            for provider in PROVIDERS:
                for mode, adapt in (("every choice", ALL), ("defaults", "")):
                    row = counts.setdefault((provider, mode), {"accepted": 0, "refused": 0, "mishandled": 0})
                    try:
                        row[judge(Path(tempfile.mkdtemp(dir=tmp)), fragment, provider, adapt, errors)] += 1
                    except Exception:  # an AssertionError of the judge, or a crash of compose
                        row["mishandled"] += 1
                        if len(mishandled) < SHOWN:
                            mishandled.append(f"schema {i}, {provider}, {mode}:\n{traceback.format_exc()}")
    engine.close()
    wall = time.perf_counter() - started
    print(f"{n} random PostgreSQL schemas ({skipped} refused by Prisma itself), {wall:.0f} s:\n")
    print("| target provider | choices | Prisma accepts it | refused at a fragment line | mishandled |")
    print("|---|---|---:|---:|---:|")
    for (provider, mode), row in counts.items():
        print(f"| {provider} | {mode} | {row['accepted']} | {row['refused']} | {row['mishandled']} |")
    total = sum(row["mishandled"] for row in counts.values())
    print(f"\n{total} mishandled" + (":" if total else "."))
    for case in mishandled:
        print("\n```\n" + case + "\n```")
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
