"""Count the work a backtracking regular-expression engine does, without a clock.

Python's `re` is a backtracking engine and reports no step count, so this module runs the same
pattern (as `re`'s own parser reads it) on a small backtracking machine that explores the same
choices in the same order (greedy/lazy repeats, alternatives left to right, lookarounds, atomic
groups and possessive repeats) and counts the instructions it executes. An exponential or
quadratic pattern shows the same growth here as in `re`, deterministically: the tests compare
the counts on inputs of size n and 2n (tests/test_psl_linear.py), `benchmarks/fuzz.py --regex`
does the same with random shapes.

It covers what the parser's patterns use; anything else raises `NotImplementedError`, so a new
construct cannot be counted wrongly in silence.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

if sys.version_info >= (3, 11):
    from re import _constants as C  # type: ignore[attr-defined]
    from re import _parser as P  # type: ignore[attr-defined]
else:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as P

Pred = Callable[[str], bool]
Program = list[tuple[Any, ...]]


class BudgetExceeded(Exception):
    """More steps than the caller allowed: the pattern is far from linear on this input."""


_CATEGORIES: dict[Any, Pred] = {
    C.CATEGORY_DIGIT: lambda c: unicodedata.category(c) == "Nd",
    C.CATEGORY_NOT_DIGIT: lambda c: unicodedata.category(c) != "Nd",
    C.CATEGORY_SPACE: str.isspace,
    C.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    C.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    C.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


def _is(x: str) -> Pred:
    return lambda c: c == x


def _is_not(x: str) -> Pred:
    return lambda c: c != x


def _in_pred(items: list[tuple[Any, Any]]) -> Pred:
    negate = False
    tests: list[Pred] = []
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            tests.append(_is(chr(av)))
        elif op is C.RANGE:
            lo, hi = av
            tests.append(lambda c, lo=lo, hi=hi: lo <= ord(c) <= hi)
        elif op is C.CATEGORY:
            tests.append(_CATEGORIES[av])
        else:
            raise NotImplementedError(f"class item {op}")
    if negate:
        return lambda c: not any(t(c) for t in tests)
    return lambda c: any(t(c) for t in tests)


def _nullable(nodes: Any) -> bool:
    """Can this sequence match the empty string? (Loops over a nullable body are refused.)"""
    for op, av in nodes:
        if op in (C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY):
            return False
        if op in _REPEATS and av[0] > 0 and not _nullable(av[2]):
            return False
        if op is C.SUBPATTERN and not _nullable(av[3]):
            return False
        if op is _ATOMIC_GROUP and not _nullable(av):
            return False
        if op is C.BRANCH and not any(_nullable(alt) for alt in av[1]):
            return False
    return True


_ATOMIC_GROUP = getattr(C, "ATOMIC_GROUP", None)
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, *([C.POSSESSIVE_REPEAT] if hasattr(C, "POSSESSIVE_REPEAT") else [])}


class _Compiler:
    def __init__(self, flags: int) -> None:
        self.prog: Program = []
        self.flags = flags

    def emit(self, *ins: Any) -> int:
        self.prog.append(ins)
        return len(self.prog) - 1

    def sub(self, nodes: Any) -> Program:
        c = _Compiler(self.flags)
        c.seq(nodes)
        c.emit("match")
        return c.prog

    def seq(self, nodes: Any) -> None:
        for op, av in nodes:
            self.node(op, av)

    def node(self, op: Any, av: Any) -> None:
        if op is C.LITERAL:
            self.emit("char", _is(chr(av)))
        elif op is C.NOT_LITERAL:
            self.emit("char", _is_not(chr(av)))
        elif op is C.IN:
            self.emit("char", _in_pred(av))
        elif op is C.ANY:
            dotall = bool(self.flags & re.DOTALL)
            self.emit("char", (lambda c: True) if dotall else (lambda c: c != "\n"))
        elif op is C.SUBPATTERN:
            self.seq(av[3])
        elif op is C.BRANCH:
            ends = []
            alts = av[1]
            for i, alt in enumerate(alts):
                if i < len(alts) - 1:
                    split = self.emit("split", None, None)
                    self.prog[split] = ("split", split + 1, None)
                    self.seq(alt)
                    ends.append(self.emit("jmp", None))
                    self.prog[split] = ("split", split + 1, len(self.prog))
                else:
                    self.seq(alt)
            for e in ends:
                self.prog[e] = ("jmp", len(self.prog))
        elif op in _REPEATS:
            lo, hi, body = av
            if _nullable(body):
                raise NotImplementedError("a repeat whose body can match the empty string")
            if hasattr(C, "POSSESSIVE_REPEAT") and op is C.POSSESSIVE_REPEAT:
                inner = [(C.MAX_REPEAT, (lo, hi, body))]
                self.emit("atomic", self.sub(inner))
                return
            lazy = op is C.MIN_REPEAT
            for _ in range(lo):
                self.seq(body)
            if hi == C.MAXREPEAT:
                loop = self.emit("split", None, None)
                self.seq(body)
                self.emit("jmp", loop)
                out = len(self.prog)
                self.prog[loop] = ("split", out, loop + 1) if lazy else ("split", loop + 1, out)
            else:
                splits = []
                for _ in range(hi - lo):
                    splits.append(self.emit("split", None, None))
                    self.seq(body)
                out = len(self.prog)
                for s in splits:
                    self.prog[s] = ("split", out, s + 1) if lazy else ("split", s + 1, out)
        elif op is C.ASSERT or op is C.ASSERT_NOT:
            direction, nodes = av
            if direction != 1:
                raise NotImplementedError("lookbehind")
            self.emit("look", self.sub(nodes), op is C.ASSERT_NOT)
        elif _ATOMIC_GROUP is not None and op is _ATOMIC_GROUP:
            self.emit("atomic", self.sub(av))
        elif op is C.AT:
            self.emit("at", av)
        else:
            raise NotImplementedError(str(op))


def compile_steps(pattern: re.Pattern[str]) -> Program:
    """The pattern as a program of the counting machine."""
    tree = P.parse(pattern.pattern, pattern.flags)
    c = _Compiler(pattern.flags)
    c.seq(tree)
    c.emit("match")
    return c.prog


class Counter:
    """Runs programs and adds up their steps; `budget` stops a runaway count."""

    def __init__(self, budget: int = 5_000_000) -> None:
        self.steps = 0
        self.budget = budget

    def run(self, prog: Program, text: str, pos: int, endpos: int, multiline: bool) -> int | None:
        """The end of the first match at `pos` in the engine's order, or None."""
        stack: list[tuple[int, int]] = []
        pc = 0
        steps = 0
        while True:
            steps += 1
            ins = prog[pc]
            kind = ins[0]
            ok = True
            if kind == "char":
                if pos < endpos and ins[1](text[pos]):
                    pos += 1
                    pc += 1
                else:
                    ok = False
            elif kind == "split":
                stack.append((ins[2], pos))
                pc = ins[1]
            elif kind == "jmp":
                pc = ins[1]
            elif kind == "match":
                self._add(steps)
                return pos
            elif kind == "look":
                self._add(steps)
                steps = 0
                found = self.run(ins[1], text, pos, endpos, multiline) is not None
                if found != ins[2]:
                    pc += 1
                else:
                    ok = False
            elif kind == "atomic":
                self._add(steps)
                steps = 0
                end = self.run(ins[1], text, pos, endpos, multiline)
                if end is None:
                    ok = False
                else:
                    pos = end
                    pc += 1
            elif kind == "at":
                ok = _at(ins[1], text, pos, endpos, multiline)
                if ok:
                    pc += 1
            if not ok:
                if not stack:
                    self._add(steps)
                    return None
                pc, pos = stack.pop()
            if steps > 10_000:
                self._add(steps)
                steps = 0

    def _add(self, steps: int) -> None:
        self.steps += steps
        if self.steps > self.budget:
            raise BudgetExceeded(f"more than {self.budget} steps")


def _at(kind: Any, text: str, pos: int, endpos: int, multiline: bool) -> bool:
    if kind is C.AT_END_STRING:
        return pos == endpos
    if kind is C.AT_END:
        return pos == endpos or (pos == endpos - 1 and text[pos] == "\n") or (multiline and text[pos] == "\n")
    if kind is C.AT_BEGINNING_STRING:
        return pos == 0
    if kind is C.AT_BEGINNING:
        return pos == 0 or (multiline and text[pos - 1] == "\n")
    raise NotImplementedError(str(kind))


def count_steps(
    pattern: re.Pattern[str], text: str, how: str = "match", pos: int = 0, budget: int = 5_000_000
) -> int:
    """Steps of `pattern.match(text, pos)` (how="match"), `.search` or `.findall` ("all": a
    match tried at every position from `pos` on, as `finditer` does, resuming after each one)."""
    prog = compile_steps(pattern)
    counter = Counter(budget)
    multiline = bool(pattern.flags & re.MULTILINE)
    n = len(text)
    if how == "match":
        counter.run(prog, text, pos, n, multiline)
        return counter.steps
    while pos <= n:
        end = counter.run(prog, text, pos, n, multiline)
        if end is not None and how == "search":
            break
        pos = pos + 1 if end is None or end == pos else end
    return counter.steps


def matches_like_re(pattern: re.Pattern[str], text: str, pos: int = 0) -> bool:
    """Does the machine find the same match end as `re` (a check of the machine itself)?"""
    m = pattern.match(text, pos)
    end = Counter().run(compile_steps(pattern), text, pos, len(text), bool(pattern.flags & re.MULTILINE))
    return end == (m.end() if m else None)
