"""Fuzz `compose build` with mutated fragments, YAML entities and manifests; print a Markdown table.

    python benchmarks/fuzz.py [--n 2000] [--seed 0] [--subprocess]

The same mutators and judge as tests/test_fuzz.py (tests/fuzzing.py), N inputs per kind, outside
pytest. Each input is one mutation (1-4 byte or line edits) of a valid, already built project:
"built ok" exited 0 with valid outputs that `check` finds fresh; "rejected cleanly" exited 1/2
with every error at a `file:line:col` inside a real file, outputs untouched (bytes and mtime) and
no temporary file left; "mishandled" is anything else (a traceback, another exit code, an error
without a location, a changed output). The first few mishandled inputs are listed after the table.
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
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
