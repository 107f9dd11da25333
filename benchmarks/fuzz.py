"""Fuzz `compose build` with mutated fragments, YAML entities and manifests; print a Markdown table.

    python benchmarks/fuzz.py [--n 2000] [--seed 0] [--subprocess]
    python benchmarks/fuzz.py --kills 200 [--fragments 300] [--seed 0]
    python benchmarks/fuzz.py --adapt 1000 [--seed 0]

The long runs of what the test suite does briefly (tests/test_fuzz.py: 100 inputs per kind;
tests/test_faults.py: 12 SIGKILLs over a 100-fragment project).

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="inputs per kind (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--subprocess", action="store_true", help="run the real CLI in a subprocess (slow)")
    ap.add_argument("--kills", type=int, default=0, help="SIGKILL this many rebuilds instead of fuzzing")
    ap.add_argument("--fragments", type=int, default=300, help="fragments of the --kills project")
    ap.add_argument("--adapt", type=int, default=0, help="adapt this many random schemas instead")
    args = ap.parse_args()
    if args.adapt:
        adapt_campaign(args.adapt, args.seed)
        return
    if args.kills:
        kill_campaign(args.kills, args.fragments, args.seed)
        return
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
