"""The parser reads every syntactically valid schema of the corpus.

`tests/corpus/` (tests/corpus.py; sources and licences in tests/corpus/SOURCES.md) holds
real-world schemas and Prisma's own parser test files. A file may only be rejected when Prisma
itself expects errors for it (the trailing `//` block of a validation test) or when it is one of
the reformatter inputs that are invalid on purpose (listed below).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from composer.diagnostics import Source
from composer.psl import PSLSyntaxError, parse

from .corpus import CORPUS, all_schemas

# Reformatter inputs that Prisma's error-tolerant parser accepts but that are not valid schemas:
# Prisma's validator rejects them too.
INVALID_ON_PURPOSE = {
    "prisma-engines/reformatter/catch_all_in_a_block_must_not_influence_table_layout.prisma",
    "prisma-engines/reformatter/catch_all_in_a_block_must_not_influence_table_layout.reformatted.prisma",
    "prisma-engines/reformatter/optional_list_fields.prisma",
    "prisma-engines/reformatter/optional_list_fields.reformatted.prisma",
}


def corpus_files() -> list[Path]:
    return all_schemas()


def expects_errors(text: str) -> bool:
    """Prisma's validation tests end with a `//` block holding the expected diagnostics."""
    lines = text.rstrip("\n").split("\n")
    block = []
    for line in reversed(lines):
        if not line.startswith("//"):
            break
        block.append(line)
    return any("error" in line for line in block)


def test_corpus_is_there() -> None:
    assert CORPUS.is_dir(), f"corpus not found at {CORPUS}"
    assert len(corpus_files()) > 300


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.relative_to(CORPUS).as_posix())
def test_parses(path: Path) -> None:
    rel = path.relative_to(CORPUS).as_posix()
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    try:
        schema = parse(Source(rel, text))
    except PSLSyntaxError as exc:
        if rel in INVALID_ON_PURPOSE or expects_errors(text):
            return
        pytest.fail(exc.diagnostics[0].render())
    # Spans: each declaration ends with its closing-brace line and names itself at name_start.
    for decl in schema.declarations:
        if decl.keyword != "alias":
            assert text[decl.close_start : decl.end].lstrip().startswith("}"), rel
        assert text[decl.name_start : decl.name_end] == decl.name
