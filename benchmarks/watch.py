"""Benchmark `compose watch`: save-to-output latency, median of N edits.

Runs the real `python -m composer watch` in a subprocess on a copy of the example project and on
a generated project (benchmarks/gen_project.py: 1,000 fragments x 5 models by default), saves an
edit of one fragment the way an editor does, and measures the time from the end of the save to
the moment the output file holds the edit. Between edits it waits `--gap` seconds, as a person
would (long enough for the idle garbage collection to happen off the measured path).

    python benchmarks/watch.py                       # both projects, 20 edits each
    python benchmarks/watch.py --project big --edits 50 --atomic
    python benchmarks/watch.py --project big --profile   # in-process: stages and a cProfile
    python benchmarks/watch.py --project big --profile

Reported per project: median / p90 / min / max latency, and the median build time the watcher
itself printed (the rest is the file event reaching it: watchfiles' step, see composer/watch.py).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

from gen_project import generate  # noqa: E402

STATUS_MS = re.compile(r"changed → .*\((\d+) ms\)")
Project = tuple[Path, Path, str]  # fragment to edit, output that shows the edit, text to replace


def example_project(into: Path) -> Project:
    """Copy the example; returns (fragment to edit, output that shows the edit, text to replace)."""
    shutil.copy(REPO / "prisma.compose.toml", into / "prisma.compose.toml")
    for folder in ("fragments", "entities"):
        if (REPO / "prisma" / folder).is_dir():
            shutil.copytree(REPO / "prisma" / folder, into / "prisma" / folder)
    return into / "prisma/fragments/user.prisma", into / "prisma/schema.prisma", "/// A person who signs in"


def big_project(into: Path, fragments: int, per: int, plain: bool = False) -> Project:
    generate(into, fragments, per, plain=plain)
    middle = fragments // 2
    frag = into / f"prisma/fragments/f{middle:04d}.prisma"
    return frag, into / "out/schema.prisma", f"/// Model 0 of fragment {middle}"


def save(path: Path, text: str, atomic: bool) -> None:
    if atomic:  # as vim, JetBrains, VS Code with some settings: write a new file, rename it over
        tmp = path.with_name(f".{path.name}.swp")
        tmp.write_text(text)
        os.replace(tmp, path)
    else:  # as VS Code by default: truncate and write in place
        with open(path, "w") as fh:
            fh.write(text)


def wait_for(output: Path, marker: str, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    last = None
    while time.perf_counter() < deadline:
        try:
            st = output.stat()
            sig = (st.st_ino, st.st_mtime_ns, st.st_size)
            if sig != last:
                last = sig
                if marker in output.read_text():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.001)
    return False


def measure(name: str, project: Project, root: Path, args: argparse.Namespace) -> dict[str, float]:
    fragment, out, anchor = project
    log_path = root.parent / f"{name}-watch.log"
    log = open(log_path, "w")  # noqa: SIM115 (closed below, after the subprocess)
    cmd = [sys.executable, "-m", "composer", "watch"]
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(REPO))
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env)
    latencies: list[float] = []
    try:
        deadline = time.perf_counter() + 120
        while "watching" not in log_path.read_text():
            if proc.poll() is not None or time.perf_counter() > deadline:
                raise SystemExit(f"{name}: watch did not start:\n{log_path.read_text()}")
            time.sleep(0.01)
        startup = time.perf_counter() - started
        original = fragment.read_text()
        assert anchor in original, anchor
        time.sleep(args.gap)
        for i in range(args.edits):
            marker = f"{anchor} (edit {i})"
            save(fragment, original.replace(anchor, marker, 1), args.atomic)
            t0 = time.perf_counter()
            if not wait_for(out, marker, 30):
                raise SystemExit(f"{name}: edit {i} never reached {out}:\n{log_path.read_text()}")
            latencies.append((time.perf_counter() - t0) * 1000)
            time.sleep(args.gap)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
    builds = [float(m.group(1)) for m in STATUS_MS.finditer(log_path.read_text())]
    latencies.sort()
    result = {
        "median": statistics.median(latencies),
        "p90": latencies[int(len(latencies) * 0.9) - 1] if len(latencies) >= 10 else max(latencies),
        "min": latencies[0],
        "max": latencies[-1],
        "build": statistics.median(builds) if builds else float("nan"),
        "startup": startup * 1000,
    }
    how = "rename-save" if args.atomic else "in-place save"
    print(
        f"{name:8} save-to-output over {len(latencies)} edits ({how}): "
        f"median {result['median']:.0f} ms, p90 {result['p90']:.0f}, min {result['min']:.0f}, "
        f"max {result['max']:.0f}; watcher's build median {result['build']:.0f} ms; "
        f"start to watching {result['startup']:.0f} ms (exit code {proc.returncode})"
    )
    return result


def profile(project: Project, root: Path, edits: int) -> None:
    """One process, no file watching: the stages of an incremental build, then a cProfile of one."""
    import cProfile
    import gc
    import pstats

    from composer.watch import Project


    fragment, _, anchor = project
    os.chdir(root)
    gc.disable()  # as in `watch` (see composer/watch.py, _Collector)
    p = Project(root / "prisma.compose.toml")
    first = p.build()
    print(f"initial build: {first.ms:.0f} ms {', '.join(f'{k} {v:.0f}' for k, v in first.timings.items())}")
    gc.collect()
    gc.freeze()
    original = fragment.read_text()
    stages: dict[str, list[float]] = {}
    for i in range(edits):
        fragment.write_text(original.replace(anchor, f"{anchor} (edit {i})", 1))
        b = p.build([str(fragment)])
        assert b.written and not b.errors, b
        for k, v in {**b.timings, "total": b.ms}.items():
            stages.setdefault(k, []).append(v)
        gc.collect()
    print(
        f"one-fragment edit, median of {edits}: "
        + ", ".join(f"{k} {statistics.median(v):.0f} ms" for k, v in stages.items())
    )
    fragment.write_text(original.replace(anchor, f"{anchor} (profiled)", 1))
    prof = cProfile.Profile()
    prof.enable()
    p.build([str(fragment)])
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


GOALS = [(1000, True, 50), (5000, True, 100), (10000, True, 150), (1000, False, 80)]


def goals(args: argparse.Namespace) -> None:
    """The watch rows of the goals table (benchmarks/run.py), with the in-process stages."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="compose-watch-goals-") as tmp:
        for n, plain, budget in GOALS:
            name = f"{n:,} {'plain' if plain else '`@extend`'}"
            root = Path(tmp) / f"{n}-{plain}"
            root.mkdir()
            project = big_project(root, n, args.models_per_fragment, plain)
            result = measure(name, project, root, args)
            rows.append(
                f"| {name} | {result['median']:.0f} ms (p90 {result['p90']:.0f}, {result['min']:.0f}–"
                f"{result['max']:.0f}) | {result['build']:.0f} ms | ≤ {budget} ms |"
            )
    load = os.getloadavg()[0]
    head = f"save → output, median of {args.edits}"
    print(f"\n| watch, one-fragment edit | {head} | the watcher's build | goal |")
    print("|---|---:|---:|---|")
    print("\n".join(rows))
    print(f"\n(load average at the end: {load:.1f} on {os.cpu_count()} cores)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", choices=["example", "big", "both"], default="both")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--gap", type=float, default=1.5, help="seconds between saves (default 1.5)")
    ap.add_argument("--atomic", action="store_true", help="save by renaming a new file over the old one")
    ap.add_argument("--fragments", type=int, default=1000)
    ap.add_argument("--models-per-fragment", type=int, default=5)
    ap.add_argument("--plain", action="store_true", help="the big project without `@extend` (run.py's plain)")
    ap.add_argument("--profile", action="store_true", help="in-process stages and cProfile instead")
    ap.add_argument("--goals", action="store_true",
                    help="the watch rows of issue 17: 1,000 / 5,000 / 10,000 plain and 1,000 `@extend`")
    args = ap.parse_args()
    if args.goals:
        goals(args)
        return
    with tempfile.TemporaryDirectory(prefix="compose-watch-bench-") as tmp:
        for name in ("example", "big"):
            if args.project not in (name, "both"):
                continue
            root = Path(tmp) / name
            root.mkdir()
            if name == "example":
                project = example_project(root)
            else:
                project = big_project(root, args.fragments, args.models_per_fragment, args.plain)
            if args.profile:
                profile(project, root, args.edits)
            else:
                measure(name, project, root, args)


if __name__ == "__main__":
    main()
