"""Fuzz `compose build` with mutated fragments, YAML entities and manifests; print a Markdown table.

    python benchmarks/fuzz.py [--n 2000] [--seed 0] [--subprocess]
    python benchmarks/fuzz.py --kills 200 [--fragments 300] [--seed 0]
    python benchmarks/fuzz.py --regex [--n 300] [--seed 0]

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
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.fuzzing: the mutators and the judge shared with the tests

from tests.fuzzing import KINDS, describe, fuzz_case, run_in_process, run_subprocess, write_template  # noqa: E402

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
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
