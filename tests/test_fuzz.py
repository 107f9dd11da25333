"""Fuzzing `compose build` with mutated inputs (tests/fuzzing.py holds the mutators and the judge).

From a valid project that was built once, one input at a time is mutated: a fragment, the YAML
entity, or the manifest. Whatever the bytes, `build` must exit 0 with valid outputs (that `check`
then finds fresh) or reject the input with exit 1/2 and a `file:line:col` inside a real file of
the project, leaving every output exactly as it was (bytes and mtime) and no temporary file.
Most examples run in-process (`composer.entry.main`, as the console script does); a few go
through the real CLI in a subprocess, which must behave identically.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .fuzzing import (
    KINDS,
    PROJECT,
    SHARP_CASES,
    Run,
    build_and_judge,
    describe,
    fuzz_case,
    judge,
    mutate,
    project_copy,
    run_in_process,
    run_subprocess,
    sharp_case,
    snapshot,
    write_template,
)

# The CLI runs in this process: typer's import warns about click's deprecations, which are not ours.
pytestmark = pytest.mark.filterwarnings("ignore:'click.utils.get_:DeprecationWarning")

# A few ms an example in-process on a 2-core machine: 3 x 100 examples take ~2-3 s. The sharp cases
# below aim where the random ones would need luck; `python benchmarks/fuzz.py` is the long run
# (2,000 inputs per kind).
IN_PROCESS = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch")


@pytest.mark.parametrize("kind", KINDS)
@IN_PROCESS
@given(rnd=st.randoms(use_true_random=False))
def test_mutated_input_is_built_or_rejected_cleanly(
    template: Path, scratch: Path, kind: str, rnd: random.Random
) -> None:
    rel, data, result, verdict = fuzz_case(template, scratch, kind, rnd)
    assert verdict.outcome != "mishandled", describe(kind, rel, data, result, verdict)


@pytest.mark.parametrize("name", SHARP_CASES)
def test_sharp_mutations_are_built_or_rejected_cleanly(template: Path, scratch: Path, name: str) -> None:
    rel, data = sharp_case(name)
    result, verdict = build_and_judge(template, scratch, rel, data)
    assert verdict.outcome != "mishandled", describe(name, rel, data, result, verdict)


def _same_output(run: Run) -> tuple[int, str, str]:
    # The summary line carries the build's duration: everything else must be identical.
    return run.code, run.stdout, re.sub(r"\(\d+ ms\)", "(… ms)", run.stderr)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False))
def test_real_cli_agrees_with_in_process_runs(
    template: Path, scratch: Path, kind: str, rnd: random.Random
) -> None:
    """The real CLI in a subprocess: the same verdict, and the same exit code and messages as the
    in-process run that the fuzzing above relies on."""
    state = rnd.getstate()
    rel, data, result, verdict = fuzz_case(template, scratch, kind, rnd, run_subprocess)
    assert verdict.outcome != "mishandled", describe(kind, rel, data, result, verdict)
    rnd.setstate(state)
    rel2, data2, again, _ = fuzz_case(template, scratch, kind, rnd, run_in_process)
    assert (rel2, data2) == (rel, data)
    assert _same_output(again) == _same_output(result)


def test_template_outputs_are_valid_prisma(template: Path, assert_prisma_valid) -> None:  # type: ignore[no-untyped-def]
    """The fuzzing starts from a project whose outputs Prisma accepts."""
    assert_prisma_valid((template / "out/web/schema.prisma").read_text("utf-8"))
    folder = template / "out/engine"
    assert_prisma_valid([(p.name, p.read_text("utf-8")) for p in sorted(folder.glob("*.prisma"))])


def test_mutations_change_the_input() -> None:
    rnd = random.Random(7)
    for kind in KINDS:
        for rel in PROJECT:
            data = PROJECT[rel].encode()
            assert all(mutate(data, rnd, kind) != data for _ in range(50))


# -- the judge itself must be able to fail ---------------------------------------------------------


def test_judge_rejects_what_the_contract_forbids(template: Path, scratch: Path) -> None:
    with project_copy(template, scratch) as root:
        before = snapshot(root)
        fine = "prisma/domains/user.prisma:3:5: error: something\n"
        assert judge(root, Run(1, "", fine), before).outcome == "rejected"

        def problems(run: Run) -> str:
            verdict = judge(root, run, before)
            assert verdict.outcome == "mishandled"
            return " ".join(verdict.problems)

        assert "traceback" in problems(Run(1, "", "Traceback (most recent call last):\n  ...\nKeyError: 1\n"))
        assert "exit code 3" in problems(Run(3, "", fine))
        assert "without a file:line" in problems(Run(1, "", "error: no place\n"))
        assert "no `file:line" in problems(Run(1, "", "something went wrong\n"))
        assert "names no file" in problems(Run(1, "", "prisma/nope.prisma:1:1: error: x\n"))
        assert "past the end" in problems(Run(1, "", "prisma/domains/user.prisma:999:1: error: x\n"))
        assert "past the end" in problems(Run(1, "", "prisma/domains/user.prisma:1:999: error: x\n"))

        out = root / "out/web/schema.prisma"
        mtime = out.stat().st_mtime_ns
        out.write_bytes(out.read_bytes())  # same bytes, newer mtime: the output was rewritten
        if out.stat().st_mtime_ns == mtime:
            import os

            os.utime(out, ns=(mtime + 10**9, mtime + 10**9))
        assert "rewritten" in problems(Run(1, "", fine))
        out.write_text("changed")
        assert "was changed" in problems(Run(1, "", fine))
        assert "neither sealed nor recorded" in problems(Run(0, "", ""))
        (root / "out/web/.schema.prisma.123.abc.tmp").write_text("x")
        assert "temporary file" in problems(Run(1, "", fine))
