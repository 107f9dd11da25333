"""Benchmark `compose build`: wall time (process start to exit) and peak memory.

    python benchmarks/build.py [--runs 5]

Prints a Markdown table: the example project, `compose --help`, and a generated project of
1,000 fragments / 5,000 models (cross-fragment relations and `/// @extend` back-relations),
cold (outputs missing) and warm (nothing changed). Targets from the issues: example < 150 ms,
`--help` < 150 ms, 1,000 fragments < 1.5 s and < 150 MB.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_project import generate

ROOT = Path(__file__).resolve().parents[1]


def compose_cmd() -> list[str]:
    exe = shutil.which("compose", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "composer"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of `cmd` (wait4 gives that child's own rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{proc.stderr.read().decode()}")  # type: ignore[union-attr]
    proc.stderr.close()  # type: ignore[union-attr]
    return wall, usage.ru_maxrss / 1024


def series(cmd: list[str], cwd: Path, runs: int, prepare=None) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    walls, rss = [], 0.0
    for _ in range(runs):
        if prepare:
            prepare()
        wall, peak = timed(cmd, cwd)
        walls.append(wall)
        rss = max(rss, peak)
    return statistics.median(walls), rss


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--fragments", type=int, default=1000)
    args = ap.parse_args()
    compose = compose_cmd()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        example.mkdir()
        shutil.copy(ROOT / "prisma.compose.toml", example)
        shutil.copytree(ROOT / "prisma" / "fragments", example / "prisma" / "fragments")
        shutil.copytree(ROOT / "prisma" / "entities", example / "prisma" / "entities")

        def clean_example() -> None:
            for rel in ("prisma/schema.prisma", "engine"):
                p = example / rel
                shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)

        rows.append(("`compose --help`", *series([*compose, "--help"], example, args.runs), "< 150 ms"))
        rows.append(
            ("example, cold", *series([*compose, "build"], example, args.runs, clean_example), "< 150 ms")
        )
        rows.append(
            ("example, nothing changed", *series([*compose, "build"], example, args.runs), "< 150 ms")
        )
        big = Path(tmp) / "big"
        generate(big, args.fragments, 5)
        out = big / "out"
        rows.append(
            (
                f"{args.fragments} fragments / {args.fragments * 5} models, cold",
                *series([*compose, "build"], big, args.runs, lambda: shutil.rmtree(out, ignore_errors=True)),
                "< 1.5 s, < 150 MB",
            )
        )
        rows.append(
            (
                f"{args.fragments} fragments / {args.fragments * 5} models, nothing changed",
                *series([*compose, "build"], big, args.runs),
                "< 1.5 s, < 150 MB",
            )
        )
    print(
        f"compose build benchmark — {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"median of {args.runs} runs\n"
    )
    print("| case | wall | peak RSS | target |")
    print("|---|---:|---:|---|")
    for name, wall, rss, target in rows:
        print(f"| {name} | {wall * 1000:.0f} ms | {rss:.0f} MB | {target} |")


if __name__ == "__main__":
    main()
