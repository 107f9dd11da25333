"""The output order of fragments holding `/// @extend` blocks, read a file at a time on a cold
build (`compose.extended_file_dependencies`), is the order read a declaration at a time (what
`watch` does, with a memo): the fields an `@extend` block adds count for the declaration it
extends, never for the fragment that holds the block.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from composer.compose import compose_target
from composer.diagnostics import Source
from composer.manifest import Manifest, load_manifest
from composer.psl import parse
from composer.sources import Fragment, Loader

from .helpers import write_project

COUNT = 4
MANIFEST = "".join(f'[[fragments]]\npath = "f{i}.prisma"\n' for i in range(COUNT)) + (
    '\n[targets.all]\noutput = "out/schema.prisma"\n'
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Manifest, list[Fragment]]:
    files = {f"f{i}.prisma": f"model M{i} {{\n  id Int @id\n}}\n" for i in range(COUNT)}
    files["prisma.compose.toml"] = MANIFEST
    root = write_project(tmp_path_factory.mktemp("order"), files)
    manifest = load_manifest(root / "prisma.compose.toml")
    return manifest, Loader().load(manifest).fragments


@st.composite
def added_field(draw: st.DrawFn, name: str) -> str:
    """A field an `@extend` block adds: one that makes a declaration depend on another (a
    foreign key, an enum), or one that does not (a list)."""
    other = draw(st.integers(0, COUNT - 1))
    kind = draw(st.sampled_from(["key", "enum", "list", "scalar"]))
    if kind == "key":
        return f"  {name}Id Int\n  {name} M{other} @relation(fields: [{name}Id], references: [id])\n"
    if kind == "enum":
        return f"  {name} E{other}\n"
    if kind == "list":
        return f"  {name} M{other}[]\n"
    return f"  {name} String?\n"


@st.composite
def fragment_texts(draw: st.DrawFn) -> list[str]:
    texts = []
    for i in range(COUNT):
        text = f"model M{i} {{\n  id Int @id\n{draw(added_field(f'own{i}'))}}}\n\nenum E{i} {{\n  A\n}}\n"
        for k in range(draw(st.integers(0, 3))):
            target = draw(st.integers(0, COUNT - 1))
            if draw(st.integers(0, 5)) == 0:  # an enum extended: its header names the enum
                text += f"\n/// @extend\nenum E{target} {{\n  V{i}x{k}\n}}\n"
            else:
                text += f"\n/// @extend\nmodel M{target} {{\n{draw(added_field(f'x{i}x{k}'))}}}\n"
        texts.append(text)
    return texts


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fragment_texts())
def test_cold_build_orders_extending_fragments_as_a_declaration_at_a_time(
    project: tuple[Manifest, list[Fragment]], texts: list[str]
) -> None:
    manifest, loaded = project
    fragments = [
        f.with_schema(parse(Source(f"f{i}.prisma", t)))
        for i, (f, t) in enumerate(zip(loaded, texts, strict=True))
    ]
    assert all(f.schema.clean for f in fragments)  # read a file at a time, when it may be
    cold = compose_target(manifest, fragments, manifest.targets["all"])
    by_declaration = compose_target(manifest, fragments, manifest.targets["all"], memo={})
    note("\n----\n".join(texts))
    assert [f.name for f in cold.fragments] == [f.name for f in by_declaration.fragments]
    assert [f.body for f in cold.files] == [f.body for f in by_declaration.files]
