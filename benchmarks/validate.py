"""Benchmark `compose validate`: the real CLI, wall-clock, Node start-up and all.

Budgets (issue 6): the example project under 1.5 s, a 5,000-model project under 5 s.

    .venv/bin/python benchmarks/validate.py            # both, best and median of several runs
    .venv/bin/python benchmarks/validate.py --runs 10 --only example

The 5,000-model project comes from benchmarks/gen_project.py (1,000 fragments x 5 models, every
model with a cross-fragment relation whose back-relation is added by an `/// @extend` block, so
the source map and the realignment of merged models are exercised on every model). Each run is a
fresh process, as in CI or a pre-commit hook. The verdict uses the best run (the least disturbed
by other load on the machine); the median is printed too, with the load average.
Exit 1 when a budget is exceeded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_project import generate  # noqa: E402

BUDGETS = {"example": 1.5, "5000-models": 5.0}


def example_project(workdir: Path) -> Path:
    root = workdir / "example"
    root.mkdir()
    shutil.copy(ROOT / "prisma.compose.toml", root)
    shutil.copytree(ROOT / "prisma" / "fragments", root / "prisma" / "fragments")
    shutil.copytree(ROOT / "prisma" / "entities", root / "prisma" / "entities")
    return root


def large_project(workdir: Path) -> Path:
    return generate(workdir / "large", fragments=1000, per=5)


def time_validate(root: Path, runs: int) -> list[float]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "composer", "validate"], cwd=root, capture_output=True, text=True, env=env
        )
        times.append(time.perf_counter() - started)
        if result.returncode != 0:
            raise SystemExit(f"compose validate failed in {root}:\n{result.stdout}{result.stderr}")
    return times


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", choices=sorted(BUDGETS))
    args = ap.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="compose-bench-") as tmp:
        workdir = Path(tmp)
        projects = {"example": example_project, "5000-models": large_project}
        for name, make in projects.items():
            if args.only and name != args.only:
                continue
            root = make(workdir)
            time_validate(root, 1)  # warm the OS caches (Python bytecode, node, the wasm file)
            times = time_validate(root, args.runs)
            best, median = min(times), statistics.median(times)
            budget = BUDGETS[name]
            verdict = "ok" if best < budget else "OVER BUDGET"
            failed |= best >= budget
            print(
                f"compose validate, {name}: best {best:.2f} s, median {median:.2f} s over {len(times)} runs "
                f"(budget {budget:.1f} s) {verdict}"
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f} on {os.cpu_count()} CPU(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
