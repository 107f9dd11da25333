"""Benchmark `compose lsp`: from a keystroke to its diagnostics, through the real server over stdio.

    python benchmarks/lsp.py                 # the example project, 100 and 1,000 fragments
    python benchmarks/lsp.py --only example --keystrokes 20

A client (pygls) starts `python -m composer lsp` in a copy of the project, opens one fragment,
waits for the first analysis (Prisma's engine warm), then types: each keystroke is a `didChange`
of the whole buffer that adds or removes `@@index([nope])` in a model, an error only Prisma's
own validation finds, so every keystroke runs the whole pipeline (load through the overlay,
compose every target, Prisma's lint of every output, the source map back). The time is from
sending the change to receiving the `publishDiagnostics` of that file that says the right thing
(the error at its line, or no error), the 150 ms debounce included: on a large project that is
the focused lint's answer (composer/lsp/focus.py). "Complete" is the end of the same run, after
the lint of the whole output, which starts once the buffers were still for 0.5 s more. The
server's own stage timings (its `compose: analysis` log lines) are printed beside. Budgets
(issue 18), for the first diagnostics: 300 ms on the example project, 1 s at 1,000 fragments.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_project import generate  # noqa: E402

BUDGETS = {"example": 0.3, "100 fragments": 1.0, "1,000 fragments": 1.0}


def example_project(workdir: Path) -> tuple[Path, Path]:
    root = workdir / "example"
    root.mkdir()
    shutil.copy(ROOT / "prisma.compose.toml", root)
    shutil.copytree(ROOT / "prisma" / "fragments", root / "prisma" / "fragments")
    shutil.copytree(ROOT / "prisma" / "entities", root / "prisma" / "entities")
    return root, root / "prisma" / "fragments" / "contact.prisma"


def generated_project(workdir: Path, fragments: int) -> tuple[Path, Path]:
    root = generate(workdir / f"gen{fragments}", fragments=fragments, per=5)
    return root, root / "prisma" / "fragments" / f"f{fragments // 2:04d}.prisma"


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("compose-lsp-bench", "1")
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()
        self.stages: list[str] = []
        self.runs: asyncio.Queue[str] = asyncio.Queue()


async def measure(root: Path, fragment: Path, keystrokes: int) -> tuple[list[float], list[float], list[str]]:
    client = Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        client.published.put_nowait(params)

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        if params.message.startswith("compose: analysis"):
            client.stages.append(params.message)
            client.runs.put_nowait(params.message)

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    await client.start_io(sys.executable, "-m", "composer", "lsp", "--manifest",
                          str(root / "prisma.compose.toml"), env=env, cwd=str(root))
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root))
    ))
    client.initialized(types.InitializedParams())
    uri = from_fs_path(str(fragment))
    text = fragment.read_text()
    # The last block attribute line of the first model: `@@index([nope])` goes below it.
    lines = text.split("\n")
    model = next(i for i, line in enumerate(lines) if line.startswith("model "))
    close = next(i for i in range(model, len(lines)) if lines[i].startswith("}"))
    broken = "\n".join([*lines[:close], "  @@index([nope])", *lines[close:]])
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        types.TextDocumentItem(uri, "prisma", 1, text)
    ))
    await wait_for(client, uri, None, timeout=120)  # the first analysis: cold parse, Node start-up
    await asyncio.sleep(1)
    while not client.runs.empty():
        client.runs.get_nowait()
    times: list[float] = []
    complete: list[float] = []
    for n in range(keystrokes):
        wanted = close if n % 2 == 0 else None
        started = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=n + 2, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(broken if wanted is not None else text)],
        ))
        await wait_for(client, uri, wanted)
        times.append(time.perf_counter() - started)
        await asyncio.wait_for(client.runs.get(), 60)  # the end of the run: the full lint's verdict
        complete.append(time.perf_counter() - started)
        await asyncio.sleep(0.2)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times, complete, client.stages[-keystrokes:]


async def wait_for(client: Client, uri: str, line: int | None, timeout: float = 30) -> None:
    """Until the file's diagnostics are: one error at `line` (0-based), or no error (None)."""
    deadline = time.perf_counter() + timeout
    while True:
        try:
            params = await asyncio.wait_for(client.published.get(), deadline - time.perf_counter())
        except asyncio.TimeoutError:
            if line is None:
                return  # nothing published: the file never had an error
            raise
        if params.uri != uri:
            continue
        errors = [d for d in params.diagnostics if d.severity == types.DiagnosticSeverity.Error]
        if line is None and not errors:
            return
        if line is not None and [d.range.start.line for d in errors] == [line]:
            return


def stage_medians(stages: list[str]) -> str:
    found: dict[str, list[float]] = {}
    for message in stages:
        for name, ms in re.findall(r"(\w+) (\d+) ms", message):
            found.setdefault(name, []).append(float(ms))
    return ", ".join(f"{name} {statistics.median(v):.0f}" for name, v in found.items() if name != "total")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keystrokes", type=int, default=10)
    ap.add_argument("--only", choices=["example", "100", "1000"])
    args = ap.parse_args()
    rows = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="compose-lsp-bench-") as tmp:
        work = Path(tmp)
        projects = {
            "example": lambda: example_project(work),
            "100 fragments": lambda: generated_project(work, 100),
            "1,000 fragments": lambda: generated_project(work, 1000),
        }
        for label, make in projects.items():
            if args.only and not label.startswith(args.only.replace("1000", "1,000")):
                continue
            root, fragment = make()
            times, complete, stages = asyncio.run(measure(root, fragment, args.keystrokes))
            median, worst = statistics.median(times), max(times)
            ok = median <= BUDGETS[label]
            failed |= not ok
            rows.append((label, median, worst, statistics.median(complete), stage_medians(stages),
                         BUDGETS[label], ok))
    print(f"keystroke → diagnostics, {args.keystrokes} keystrokes each, debounce 150 ms included "
          f"(load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)\n")
    print("| project | first diagnostics, median | worst | complete (full lint), median "
          "| server stages, median ms | budget | |")
    print("|---|---|---|---|---|---|---|")
    for label, median, worst, done, stages, budget, ok in rows:
        figures = f"{median * 1000:.0f} ms | {worst * 1000:.0f} ms | {done * 1000:.0f} ms"
        print(f"| {label} | {figures} | {stages} | {budget * 1000:.0f} ms | {'ok' if ok else 'OVER'} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
