"""Watch's incremental build (composer/watching/incremental.py, reload.py) against a cold build.

Random sequences of edits to a small project — fields, relations with their back-relations in
`/// @extend` blocks, enum values, comments, new models, syntax and type errors — saved one at a
time; after each, `Project.build` must leave on disk exactly what a cold compose of the same files
gives (byte for byte), or, when the cold compose fails, the same errors at the same places and
the outputs of the last good build untouched. The edits that keep every fragment's declarations
take the incremental path, the others its fallback: both are compared.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from composer.diagnostics import ComposeError
from composer.output import seal
from composer.watch import Project

from .helpers import BASE, compose, write_project

FRAGMENTS = 4
MANIFEST = """
[[fragments]]
path = "prisma/base.prisma"
[[fragments]]
glob = "prisma/f/*.prisma"

[targets.app]
output = "out/app.prisma"

[targets.some]
output = "out/some/"
exclude = ["f3"]

[targets.bare]
output = "out/bare.prisma"
exclude = ["base"]
header = false
"""
# `some` leaves f3 out: a field of f3's type in another fragment is an error there only. `bare`
# has no datasource, no generator and no banner.


@dataclass
class Model:
    name: str
    fields: list[str] = field(default_factory=list)
    doc: str = ""


@dataclass
class Frag:
    index: int
    models: list[Model]
    values: list[str] = field(default_factory=lambda: ["A", "B"])
    extends: dict[str, list[str]] = field(default_factory=dict)  # extended model -> its lines
    extra: list[Model] = field(default_factory=list)  # models added by an edit (no references)
    broken: bool = False
    trailing: str = ""

    def text(self) -> str:
        i = self.index
        out = [f"// fragment {i}", "", f"enum E{i} {{", *(f"  {v}" for v in self.values), "}", ""]
        for m in [*self.models, *self.extra]:
            if m.doc:
                out.append(f"/// {m.doc}")
            out += [f"model {m.name} {{", "  id Int @id", *(f"  {f}" for f in m.fields)]
            if self.broken and m is self.models[0]:
                out.append("  oops String @@")
            out += ["}", ""]
        for name, lines in self.extends.items():
            out += ["/// @extend", f"model {name} {{", *(f"  {f}" for f in lines), "}", ""]
        if self.trailing:
            out.append(self.trailing)
        return "\n".join(out) + "\n"


def start() -> list[Frag]:
    """Each fragment extends a model of the next, so that most edits of `@extend` blocks keep
    the declarations (the incremental path), and some add a block (the fallback)."""
    frags = [Frag(i, [Model(f"M{i}a"), Model(f"M{i}b")]) for i in range(FRAGMENTS)]
    for frag in frags[:2] + frags[3:]:  # not f2's of f3's model: `some` leaves f3 out
        frag.extends[f"M{(frag.index + 1) % FRAGMENTS}a"] = [f"k{frag.index} String?"]
    return frags


OPS = ["scalar", "enum_field", "drop", "relation", "ext_scalar", "ext_index", "comment", "doc",
       "trailing", "value", "model", "unmodel", "break", "unknown"]
Edit = tuple[str, int, int, int]
edits = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, FRAGMENTS - 1), st.integers(0, 7), st.integers(0, 7)),
    min_size=2,
    max_size=20,
)


def apply(frags: list[Frag], edit: Edit, serial: int) -> int:
    """Apply `edit` to the model of the project; returns the fragment it changed."""
    op, i, a, b = edit
    frag = frags[i]
    model = frag.models[a % 2]
    other = frags[(i + 1 + b % (FRAGMENTS - 1)) % FRAGMENTS]  # another fragment
    target = other.models[b % 2]
    if op == "scalar":
        model.fields.append(f"s{serial} {['String?', 'Int', 'DateTime?'][b % 3]}")
    elif op == "enum_field":  # a dependency on the enum's fragment (the order may change)
        model.fields.append(f"e{serial} E{other.index}?")
    elif op == "drop":
        if model.fields:
            model.fields.pop(b % len(model.fields))
    elif op == "relation":  # a foreign key to another fragment, its back-relation in an `@extend`
        name = f"r{serial}"
        relation = f'@relation("{name}", fields: [{name}Id], references: [id])'
        model.fields += [f"{name}Id Int?", f"{name} {target.name}? {relation}"]
        frag.extends.setdefault(target.name, []).append(f'{name}s {model.name}[] @relation("{name}")')
    elif op == "ext_scalar":
        frag.extends.setdefault(target.name, []).append(f"x{serial} String?  // added by f{i}")
    elif op == "ext_index":
        lines = frag.extends.setdefault(target.name, [])
        lines.append("@@index([id])") if "@@index([id])" not in lines else lines.remove("@@index([id])")
    elif op == "comment":
        model.fields.append(f"// a note ({serial})")
    elif op == "doc":
        model.doc = "" if model.doc else f"Documented ({serial})."
    elif op == "trailing":
        frag.trailing = "" if frag.trailing else f"// the end ({serial})"
    elif op == "value":
        frag.values.append(f"V{serial}")
    elif op == "model":
        frag.extra.append(Model(f"N{i}x{serial}", [f"t{serial} String"]))
    elif op == "unmodel":
        if frag.extra:
            frag.extra.pop()
    elif op == "break":
        frag.broken = not frag.broken
    elif op == "unknown":
        model.fields.append(f"u{serial} Nope{b}")  # E206 until dropped
    return i


def cold(root: Path) -> dict[str, str] | list[tuple[str, str]]:
    """What a cold build writes (output path -> text), or its errors (message, place)."""
    try:
        comp = compose(root)
    except ComposeError as exc:
        return sorted((d.message, str(d.location)) for d in exc.diagnostics)
    return {f.path: seal(t.banner, f.body) for t in comp.targets for f in t.files}


def on_disk(root: Path) -> dict[str, str]:
    out = root / "out"
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(out.rglob("*.prisma"))}


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("incremental")


def new_project(root: Path, frags: list[Frag]) -> Project:
    if root.exists():
        shutil.rmtree(root)
    files = {"prisma.compose.toml": MANIFEST, "prisma/base.prisma": BASE}
    write_project(root, files)
    (root / "prisma/f").mkdir()
    for frag in frags:
        (root / f"prisma/f/f{frag.index}.prisma").write_text(frag.text())
    return Project(root / "prisma.compose.toml")


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(edits)
@example([("enum_field", 0, 0, 1), ("scalar", 2, 0, 0), ("drop", 0, 0, 0)])  # an order that changes back
@example([("relation", 0, 0, 0), ("ext_scalar", 1, 0, 0), ("relation", 3, 0, 0), ("drop", 0, 0, 1)])
@example([("break", 1, 0, 0), ("scalar", 2, 0, 0), ("break", 1, 0, 0)])  # two saves during an error
@example([("enum_field", 1, 0, 1), ("scalar", 0, 0, 0), ("drop", 1, 0, 0)])  # an error in one target
@example([("model", 0, 0, 0), ("scalar", 0, 0, 0), ("unmodel", 0, 0, 0), ("ext_index", 3, 0, 0)])
def test_every_edit_gives_what_a_cold_build_gives(scratch: Path, edits: list[Edit]) -> None:
    root = scratch / "p"
    frags = start()
    p = new_project(root, frags)
    first = p.build()
    assert first.ok, first.errors
    good = on_disk(root)
    assert good == cold(root)
    for serial, edit in enumerate(edits):
        i = apply(frags, edit, serial)
        path = root / f"prisma/f/f{i}.prisma"
        path.write_text(frags[i].text())
        b = p.build([str(path)])
        expected = cold(root)
        if isinstance(expected, list):
            assert sorted((d.message, str(d.location)) for d in b.errors) == expected, edit
            assert on_disk(root) == good, "a failed build changed an output"
        else:
            assert b.ok, (edit, [d.message for d in b.errors])
            good = on_disk(root)
            assert good == expected, edit


@pytest.mark.parametrize("count", [6, 12])
def test_an_edit_lays_out_what_it_touches_not_the_project(
    tmp_path: Path, count: int, assert_prisma_valid: Callable[..., object]
) -> None:
    """The work of an edit does not grow with the project: at 6 and at 12 fragments, a field
    added to a model lays out its fragment's section, and, when that fragment `@extend`s a model
    of another, that one's too; a new model (the declarations change) lays out every section."""
    frags = [Frag(i, [Model(f"M{i}a"), Model(f"M{i}b")]) for i in range(count)]
    frags[2].extends["M3a"] = ["x0 String?"]
    manifest = MANIFEST.split("[targets.some]")[0] + '[targets.folder]\noutput = "out/some/"\n'
    write_project(tmp_path, {"prisma.compose.toml": manifest, "prisma/base.prisma": BASE})
    (tmp_path / "prisma/f").mkdir()
    for frag in frags:
        (tmp_path / f"prisma/f/f{frag.index}.prisma").write_text(frag.text())
    p = Project(tmp_path / "prisma.compose.toml")
    assert p.build().ok

    def edit(op: str, i: int) -> int:
        apply(frags, (op, i, 0, 0), 100 + len(op))
        path = tmp_path / f"prisma/f/f{i}.prisma"
        path.write_text(frags[i].text())
        b = p.build([str(path)])
        assert b.ok and b.written, b.errors
        assert on_disk(tmp_path) == cold(tmp_path)
        return b.laid_out

    # The two targets: a single file and a folder.
    assert edit("scalar", 4) == 2  # f4's section, in each of the two targets
    assert edit("scalar", 2) == 4  # f2's and f3's: f2 extends a model of f3
    assert edit("ext_scalar", 2) == 4
    assert edit("model", 2) == 2 * (count + 1)  # new declarations: the full path (base.prisma too)
    assert_prisma_valid((tmp_path / "out/app.prisma").read_text())


def test_a_new_or_deleted_file_takes_the_full_load(scratch: Path) -> None:
    """A path the last load did not read (a new file matching the glob), or one that is gone:
    the build looks at everything, as a cold build does."""
    root = scratch / "files"
    frags = start()
    p = new_project(root, frags)
    assert p.build().ok
    new = root / "prisma/f/f9.prisma"
    new.write_text("model Extra {\n  id Int @id\n}\n")
    b = p.build([str(new)])
    assert b.ok and b.changed == ["prisma/f/f9.prisma"] and "model Extra" in on_disk(root)["out/app.prisma"]
    assert on_disk(root) == cold(root)
    new.unlink()
    b = p.build([str(new)])
    assert b.ok and b.changed == ["prisma/f/f9.prisma"] and on_disk(root) == cold(root)


def test_hard_linked_inputs_always_take_the_full_load(tmp_path: Path) -> None:
    """Two hard links to one file are one input, read once. An editor that saves one of them by
    renaming a new file over it makes them two: only a full load sees the other one again."""
    manifest = (
        '[[fragments]]\npath = "prisma/base.prisma"\n[[fragments]]\npath = "prisma/a.prisma"\n'
        '[[fragments]]\nglob = "prisma/g/*.prisma"\n\n[targets.app]\noutput = "out/app.prisma"\n'
    )
    a = tmp_path / "prisma/a.prisma"
    write_project(tmp_path, {"prisma.compose.toml": manifest, "prisma/base.prisma": BASE})
    a.write_text("model A {\n  id Int @id\n}\n")
    (tmp_path / "prisma/g").mkdir()
    os.link(a, tmp_path / "prisma/g/b.prisma")
    p = Project(tmp_path / "prisma.compose.toml")
    assert p.build().ok
    assert "fragment b" not in on_disk(tmp_path)["out/app.prisma"]  # the same file: taken once
    swap = a.with_name(".a.prisma.swp")
    swap.write_text("model A {\n  id   Int    @id\n  name String\n}\n")
    os.replace(swap, a)  # b.prisma keeps the old text: now a second `model A`
    b = p.build([str(a)])
    expected = cold(tmp_path)
    assert isinstance(expected, list) and "declared twice" in expected[0][0]
    assert sorted((d.message, str(d.location)) for d in b.errors) == expected


# -- writing an edit's outputs (composer/plan.py, output.py with `wrote=`) -----------------------


def _edit_f0(root: Path, frags: list[Frag], serial: int) -> Path:
    frags[0].models[0].fields.append(f"w{serial} String?")
    path = root / "prisma/f/f0.prisma"
    path.write_text(frags[0].text())
    return path


@pytest.mark.parametrize("output", ["out/app.prisma", "out/bare.prisma", "out/some/f1.prisma"])
def test_an_output_edited_by_hand_between_builds_is_never_taken_for_what_watch_wrote(
    tmp_path: Path, output: str
) -> None:
    """Watch keeps the bytes it wrote, to tell its own output without a checksum pass: a hand
    edit of the same size (so a size or stat comparison could miss it) is still a hand edit,
    and stays on disk."""
    frags = start()
    p = new_project(tmp_path, frags)
    assert p.build().ok
    assert p.build([str(_edit_f0(tmp_path, frags, 0))]).ok  # written by this process, remembered
    target = tmp_path / output
    data = target.read_bytes()
    at = data.rindex(b"String")
    edited = data[:at] + b"Strinx" + data[at + 6 :]  # the same size
    target.write_bytes(edited)
    b = p.build([str(_edit_f0(tmp_path, frags, 1))])
    assert not b.ok and any(d.code == "E303" for d in b.errors), b.errors
    assert target.read_bytes() == edited


def test_a_large_output_edited_in_the_middle_is_as_cold_and_a_hand_edit_between_edits_stays(
    tmp_path: Path,
) -> None:
    """An output of a few MiB (several of `seal.Checksum`'s steps, and a second name for the
    replaced file): an edit in the middle leaves the cold build's bytes and no temporary file; a
    hand edit of the same size between two edits is refused (E303) and stays on disk."""
    doc = "/// " + "x" * 2000 + "\n"
    manifest = '[[fragments]]\nglob = "prisma/f/*.prisma"\n\n[targets.app]\noutput = "out/app.prisma"\n'
    files = {"prisma.compose.toml": manifest, "prisma/f/base.prisma": BASE}
    for i in range(40):
        models = (f"{doc}model M{i}x{k} {{\n  id Int @id\n}}\n\n" for k in range(30))
        files[f"prisma/f/f{i:02d}.prisma"] = "".join(models)
    write_project(tmp_path, files)
    p = Project(tmp_path / "prisma.compose.toml")
    assert p.build().ok
    out = tmp_path / "out/app.prisma"
    assert out.stat().st_size > 2 << 20
    middle = tmp_path / "prisma/f/f20.prisma"
    original = files["prisma/f/f20.prisma"]
    for serial in range(2):
        middle.write_text(original.replace("id Int @id", f"id Int @id\n  e{serial} String?", 1))
        b = p.build([str(middle)])
        assert b.ok and b.written and b.laid_out == 1, b.errors
        assert on_disk(tmp_path) == cold(tmp_path)
        assert os.listdir(out.parent) == ["app.prisma"]  # no second name, no temporary file left
    data = out.read_bytes()
    at = data.index(b"M35x3")
    edited = data[:at] + b"N35x3" + data[at + 5 :]  # the same size, past the edited fragment
    out.write_bytes(edited)
    middle.write_text(original)
    b = p.build([str(middle)])
    assert not b.ok and [d.code for d in b.errors] == ["E303"], b.errors
    assert out.read_bytes() == edited


def test_an_edit_checks_what_watch_wrote_without_hashing_or_reading_it_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit, the outputs watch wrote are not hashed again by `verify` (nor their texts
    twice for the state file), and the first to
    be renamed is read once in `apply`, right before its rename (`plan` read it before)."""
    import composer.folders
    import composer.plan

    frags = start()
    p = new_project(tmp_path, frags)
    assert p.build().ok
    assert p.build([str(_edit_f0(tmp_path, frags, 0))]).ok
    verified: list[str] = []
    reads: list[str] = []
    real_read = composer.folders.Folder.read
    real_verify = composer.plan.verify

    def read(self: composer.folders.Folder, name: str) -> bytes | None:
        reads.append(name)
        return real_read(self, name)

    def verify(text: str) -> bool | None:
        verified.append(text)
        return real_verify(text)

    monkeypatch.setattr(composer.folders.Folder, "read", read)
    monkeypatch.setattr(composer.plan, "verify", verify)
    import composer.statefile

    # The state file's checksum of the header-less output: `PlannedFile.text_digest`, hashed once.
    monkeypatch.setattr(composer.statefile, "digest", lambda text: verified.append(text) or "")
    b = p.build([str(_edit_f0(tmp_path, frags, 1))])
    assert b.ok, b.errors
    rewritten = sorted(f.path.name for f in b.written)
    assert rewritten == ["app.prisma", "bare.prisma", "f0.prisma"]
    assert verified == []
    # The outputs are written together: the first to be renamed is read once, each other twice
    # (before the first rename, and before its own).
    assert len(reads) == 2 * len(rewritten) - 1, reads
