"""What adapting a target to another provider costs: a cold `compose build` of a generated project
with one target on the fragments' own provider (PostgreSQL), against the same project whose
target is adapted to SQLite (docs/providers.md). The goal (issue "One set of fragments, any
database"): at most 15% more at 1,000 fragments.

    python benchmarks/adapt.py [--fragments 1000] [--runs 7]

Runs are paired (plain, adapted, plain, adapted, ...) so that a drift of the machine's speed
moves both; the ratio is taken pair by pair. Prints a Markdown table of medians and spreads.
Two variants: the generator's plain fragments (each model has a `@db.VarChar`, dropped on
SQLite: every block changes, on the text-level path), and the same with a scalar list and a
`@db.Text` field added to every model (the list becomes `Json` on the text-level path too, and
its type cell changes width, so each block's columns are laid out again, from the text).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_project import generate

ROOT = Path(__file__).resolve().parents[1]


def project(root: Path, fragments: int, rich: bool) -> None:
    generate(root, fragments, 5, plain=True)
    if rich:  # native types, a list and an enum on every model: each block needs rewriting
        for path in (root / "prisma").rglob("*.prisma"):
            text = path.read_text()
            extra = r"\1\n  tags String[] @db.VarChar(40)\n  note String? @db.Text"
            text = re.sub(r"(\n  id +\S+ +@id[^\n]*)", extra, text)
            path.write_text(text)


def adapted(manifest_text: str) -> str:
    return re.sub(
        r"(\[targets\.(\w+)\]\n(?:[^\[\n][^\n]*\n)*)",
        lambda m: m.group(1) + f'[targets.{m.group(2)}.datasource]\nprovider = "sqlite"\n'
        f'[targets.{m.group(2)}.adapt]\nlists = "json"\n',
        manifest_text,
        count=1,
    )


def cold(cwd: Path, manifest_name: str) -> float:
    for out in cwd.rglob("schema.prisma"):
        if "fragments" not in out.parts:
            out.unlink()
    env = {**os.environ, "COMPOSE_NO_CACHE": "1"}
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "composer", "build", "-m", manifest_name],
        cwd=cwd, env={**env, "PYTHONPATH": str(ROOT)}, check=True, capture_output=True,
    )
    return time.perf_counter() - start


def spread(values: list[float], scale: float, unit: str) -> str:
    med, lo, hi = (f * scale for f in (statistics.median(values), min(values), max(values)))
    digits = 0 if unit == "ms" else 2
    return f"{med:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fragments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for rich in (False, True):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            project(root, args.fragments, rich)
            plain_manifest = (root / "prisma.compose.toml").read_text()
            (root / "adapted.toml").write_text(adapted(plain_manifest))
            cold(root, "prisma.compose.toml"), cold(root, "adapted.toml")  # warm the file cache
            plain, adapt, ratios = [], [], []
            for _ in range(args.runs):
                a, b = cold(root, "prisma.compose.toml"), cold(root, "adapted.toml")
                plain.append(a), adapt.append(b), ratios.append(b / a)
            rows.append((rich, plain, adapt, ratios))
    print(f"\n{args.fragments} fragments, {args.runs} paired cold builds (median, min–max):\n")
    print("| fragments | PostgreSQL target (as written) | adapted to SQLite | ratio |")
    print("|---|---:|---:|---:|")
    for rich, plain, adapt, ratios in rows:
        kind = "generated (a native type per model)" if not rich else "plus a list and `Text` per model"
        cells = (spread(plain, 1000, "ms"), spread(adapt, 1000, "ms"), spread(ratios, 1, "×"))
        print(f"| {kind} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
