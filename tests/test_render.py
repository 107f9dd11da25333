"""`composer/psl/render.py`, the one layer that writes PSL text, held to what Prisma writes and reads:
string literals, numbers, the attribute order and the column layout of `prisma format`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from composer.diagnostics import Location, Source
from composer.entities import load_entities
from composer.manifest.values import psl_value
from composer.prisma_wasm import PrismaWasm
from composer.psl.render import (
    ATTRIBUTE_ORDER,
    attribute_rank,
    lay_out,
    number_literal,
    string_literal,
    text_width,
)

from .helpers import BASE, compose, write_project

# The characters where the two writers of PSL strings disagreed before there was one: a YAML
# default wrote DEL raw and a backspace as `\b`, a manifest value wrote `\u007f` and `\u0008`.
AWKWARD = 'a\x7fb\x08c\x0cd\x00e\x1ff"g\\h\ni\rj\tk é ✓'
AWKWARD_LITERAL = '"a\\u007fb\\u0008c\\u000cd\\u0000e\\u001ff\\"g\\\\h\\ni\\rj\\tk é ✓"'


def model_with_default(literal: str) -> str:
    return f"model A {{\n  id Int    @id\n  s  String @default({literal})\n}}\n"


def test_string_literal_escapes_as_prismas_renderer() -> None:
    """Prisma's renderer (schema-ast `StringLiteral`) writes `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`, and
    every other ASCII control character, DEL included, as `\\u00XX`; anything else as it is."""
    assert string_literal(AWKWARD) == AWKWARD_LITERAL


def test_prisma_reads_the_literal_back_and_its_formatter_keeps_it(
    prisma6: PrismaWasm, prisma7: PrismaWasm
) -> None:
    schema = model_with_default(AWKWARD_LITERAL)
    assert [d for d in prisma6.validate(schema) if d.is_error] == []
    for engine in (prisma6, prisma7):
        [(_, formatted)] = engine.format(schema)
        assert formatted == schema
    [model] = prisma7.dmmf(schema)["datamodel"]["models"]
    assert model["fields"][1]["default"] == AWKWARD


def test_yaml_default_and_manifest_value_are_spelled_alike(prisma6: PrismaWasm) -> None:
    text = textwrap.dedent(
        """\
        schema:
          name: A
        fields:
          - name: id
            type: integer
            primary_key: true
          - name: s
            type: string
            default: "a\\x7fb\\bc\\fd\\0e\\x1ff\\"g\\\\h\\ni\\rj\\tk é ✓"
        """
    )
    [fragment] = load_entities([Source("a.yaml", text, "/p/a.yaml")])
    assert f"@default({AWKWARD_LITERAL})" in fragment.text
    where = Location(Source("m.toml", "k = 1\n"), 4, 5)
    assert psl_value(AWKWARD, "k", (), lambda _path: where) == AWKWARD_LITERAL
    [(_, formatted)] = prisma6.format(fragment.text)
    assert formatted == fragment.text


@given(st.text())
def test_string_literal_is_a_json_string(text: str) -> None:
    import json

    assert json.loads(string_literal(text)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (-7, "-7"), (2.5, "2.5"), (-0.5, "-0.5"), (1e-07, "0.0000001"), (1e16, "10000000000000000")],
)
def test_number_literal_has_no_exponent(value: float, expected: str) -> None:
    assert number_literal(value) == expected


def test_widths_count_utf8_bytes() -> None:
    assert [text_width(t) for t in ("id", "é", "✓", "")] == [2, 2, 3, 0]
    assert lay_out("field", "é", "Int", "@id", True, 3, 6)[0] == "  é  Int    @id"


# Every ranked name, then attributes Prisma does not rank (`@@schema` among them), each list in
# an order that is none of the sorted ones.
NAMES = [*reversed(ATTRIBUTE_ORDER), "zzz", "schema", "shardKey", "aaa"]


def by_rank(attrs: list[str]) -> list[str]:
    return sorted(attrs, key=lambda a: attribute_rank(a.lstrip("@").split("(")[0]))


@pytest.mark.parametrize("version", ["6", "7"])
def test_attribute_order_is_prismas(version: str, request: pytest.FixtureRequest) -> None:
    engine: PrismaWasm = request.getfixturevalue(f"prisma{version}")
    field_attrs = [f"@{n}" for n in NAMES]
    block_attrs = [f"@@{n}" for n in NAMES]
    block = "".join(f"  {a}\n" for a in block_attrs)
    schema = "model A {\n  a Int " + " ".join(field_attrs) + "\n\n" + block + "}\n"
    [(_, formatted)] = engine.format(schema)
    expected = (
        "model A {\n  a Int " + " ".join(by_rank(field_attrs)) + "\n\n"
        + "".join(f"  {a}\n" for a in by_rank(block_attrs)) + "}\n"
    )
    assert formatted == expected


def test_merged_block_attributes_in_prismas_order(tmp_path: Path, prisma6: PrismaWasm) -> None:
    """`@@schema` is not ranked by Prisma: it keeps its place after `@@shardKey` when an `@extend`
    block adds an attribute (compose used to move it up). No connector takes both attributes, so
    the output is held to Prisma's formatter, not to its validator."""
    write_project(tmp_path, {
        "prisma.compose.toml": '[[fragments]]\npath = "base.prisma"\n[[fragments]]\npath = "a.prisma"\n'
        '[[fragments]]\npath = "more.prisma"\n\n[targets.all]\noutput = "out/schema.prisma"\n',
        "base.prisma": BASE,
        "a.prisma": 'model A {\n  id     Int    @id\n  region String\n\n  @@shardKey([region])\n'
        '  @@schema("s")\n}\n',
        "more.prisma": "/// @extend\nmodel A {\n  @@index([region])\n}\n",
    })
    text = compose(tmp_path).targets[0].files[0].body
    block = text[text.index("model A") :]
    assert block.index("@@index") < block.index("@@shardKey") < block.index("@@schema")
    [(_, formatted)] = prisma6.format(text)
    assert formatted == text


def test_reading_the_manifest_compiles_no_parser() -> None:
    """The manifest writes its values with `psl.render`; that loads no parser (adapt_policy.py and
    `psl/__init__.py` keep it so)."""
    import subprocess
    import sys

    code = "import sys, composer.manifest; print('composer.psl.parser' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(root), "PATH": ""})
    assert done.stdout.strip() == "False"


def test_row_at_run_time_is_the_typed_row() -> None:
    """`render.Row` is a `typing.NamedTuple` for type checkers and a `collections.namedtuple` at
    run time (no `typing` import): the same fields, in the same order, with the same defaults."""
    import ast

    from composer.psl import render

    tree = ast.parse(Path(render.__file__).read_text(encoding="utf-8"))
    typed = next(node for node in ast.walk(tree) if isinstance(node, ast.ClassDef) and node.name == "Row")
    fields = [node for node in typed.body if isinstance(node, ast.AnnAssign)]
    names = tuple(node.target.id for node in fields if isinstance(node.target, ast.Name))
    pairs = zip(names, fields, strict=True)
    defaults = {name: ast.literal_eval(node.value) for name, node in pairs if node.value is not None}
    assert names == render.Row._fields
    assert defaults == render.Row._field_defaults
