"""Tests for composer.manifest: parsing, validation, locations and the TOML -> PSL value mapping."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.diagnostics import ComposeError, Diagnostic, Location, Source, did_you_mean
from composer.manifest import (
    COMPOSE_KEYS,
    DATASOURCE_PROPERTIES,
    FRAGMENT_KEYS,
    MANIFEST_NAME,
    TARGET_KEYS,
    TOP_KEYS,
    WATCH_KEYS,
    FragmentSpec,
    Manifest,
    _Locator,  # private, but the location scanner deserves direct property tests
    find_manifest,
    load_manifest,
    parse_manifest,
)
from composer.manifest.positions import simple_key
from composer.manifest.values import psl_value
from composer.psl.render import string_literal as psl_string_literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "composer" / "schemas" / "manifest.schema.json"
DISPLAY = MANIFEST_NAME

EXAMPLE = """\
[compose]
header = true                       # "DO NOT EDIT" banner at the top of each output (default true)

[[fragments]]                       # order here = preferred order in the output
path = "prisma/fragments/base.prisma"

[[fragments]]
path = "prisma/fragments/user.prisma"
name = "user"                       # optional; default: file stem. Names must be unique.

[[fragments]]
glob = "modules/*/schema/*.prisma"  # module-local fragments; sorted by path; one fragment per file

[[fragments]]
yaml = "prisma/entities/*.yaml"     # domain entities, one generated fragment per YAML file (§4)

[targets.web]
output = "web/prisma/schema.prisma"

[targets.engine]
output = "engine/schema.prisma"
exclude = ["contact"]               # fragment names left out of this target (or `include = [...]`)
[targets.engine.generators.client]  # replaces the `client` generator block from the fragments
provider = "prisma-client-py"
interface = "asyncio"
[targets.engine.datasource]         # fields set on (or added to) the datasource block
url = { env = "ENGINE_DATABASE_URL" }

[targets.web_folder]
output = "prisma/schema/"           # trailing slash: folder output for Prisma's multi-file schema (§5)

[watch]
run = "npx prisma generate --schema web/prisma/schema.prisma"   # after a build that changed an output
"""

MINIMAL = """\
[[fragments]]
path = "prisma/fragments/base.prisma"

[targets.schema]
output = "prisma/schema.prisma"
"""


def parse(text: str, root: Path = Path("/project")) -> Manifest:
    return parse_manifest(text, root / MANIFEST_NAME, display=DISPLAY)


def diagnostics(text: str) -> list[Diagnostic]:
    with pytest.raises(ComposeError) as info:
        parse(text)
    return info.value.diagnostics


def find(diags: list[Diagnostic], keypath: str) -> Diagnostic:
    for diag in diags:
        if diag.message.startswith(keypath + ":"):
            return diag
    raise AssertionError(f"no diagnostic for {keypath}: {[d.message for d in diags]}")


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def assert_error(text: str, keypath: str, line: int, *, contains: str = "") -> Diagnostic:
    diag = find(diagnostics(text), keypath)
    assert diag.location is not None
    assert diag.location.line == line, (diag.message, str(diag.location))
    assert str(diag.location) == f"{DISPLAY}:{line}:{diag.location.column}"
    assert contains in diag.message + (diag.hint or "")
    return diag


# -- the §2 example -----------------------------------------------------------------------------


def test_product_example_parses() -> None:
    manifest = parse(EXAMPLE)
    assert manifest.path == Path("/project") / MANIFEST_NAME
    assert manifest.root == Path("/project")
    assert manifest.source.display == DISPLAY
    assert manifest.header is True
    assert manifest.watch_run == "npx prisma generate --schema web/prisma/schema.prisma"

    kinds = [(f.kind, f.pattern, f.name, f.index) for f in manifest.fragments]
    assert kinds == [
        ("path", "prisma/fragments/base.prisma", None, 0),
        ("path", "prisma/fragments/user.prisma", "user", 1),
        ("glob", "modules/*/schema/*.prisma", None, 2),
        ("yaml", "prisma/entities/*.yaml", None, 3),
    ]
    for spec in manifest.fragments:
        assert spec.location.line == line_of(EXAMPLE, spec.pattern)
        assert manifest.source.text[spec.location.start : spec.location.end] == f'"{spec.pattern}"'

    assert list(manifest.targets) == ["web", "engine", "web_folder"]
    web, engine, folder = manifest.targets.values()
    assert (web.output, web.folder, web.include, web.exclude) == ("web/prisma/schema.prisma", False, None, [])
    assert (web.generators, web.datasource, web.header) == ({}, {}, True)
    assert engine.output == "engine/schema.prisma"
    assert engine.exclude == ["contact"] and engine.include is None
    assert engine.generators == {"client": {"provider": '"prisma-client-py"', "interface": '"asyncio"'}}
    assert list(engine.generators["client"]) == ["provider", "interface"]  # manifest order
    assert engine.datasource == {"url": 'env("ENGINE_DATABASE_URL")'}
    assert (folder.output, folder.folder) == ("prisma/schema/", True)

    assert web.location.line == line_of(EXAMPLE, "[targets.web]")
    assert engine.location.line == line_of(EXAMPLE, "[targets.engine]")
    assert str(engine.key_location("output")) == f"{DISPLAY}:{line_of(EXAMPLE, 'engine/schema.prisma')}:1"
    assert engine.key_location("generators", "client").line == line_of(EXAMPLE, "generators.client")
    assert engine.key_location("generators", "client", "provider").line == line_of(
        EXAMPLE, "prisma-client-py"
    )
    assert engine.key_location("datasource", "url").line == line_of(EXAMPLE, "ENGINE_DATABASE_URL")
    # unknown keys fall back to the nearest written ancestor
    assert engine.key_location("generators", "client", "nope").line == line_of(EXAMPLE, "generators.client")
    assert manifest.location_of("fragments", 2).line == line_of(EXAMPLE, "[[fragments]]", 3)
    assert manifest.location_of("watch", "run").line == line_of(EXAMPLE, "run =")
    assert manifest.location_of("nothing", "here").line == 1


def test_defaults_and_header_override() -> None:
    manifest = parse(
        "[compose]\nheader = false\n" + MINIMAL + '[targets.other]\noutput = "o.prisma"\nheader = true\n'
    )
    assert manifest.header is False
    assert manifest.targets["schema"].header is False
    assert manifest.targets["other"].header is True
    assert manifest.watch_run is None


def test_generator_and_datasource_false_mean_removal() -> None:
    text = MINIMAL + "[targets.schema.generators]\nclient = false\n[targets.schema.datasource]\nurl = false\n"
    target = parse(text).targets["schema"]
    assert target.generators == {"client": None}
    assert target.datasource == {"url": None}


def test_value_kinds_in_a_generator() -> None:
    text = MINIMAL + (
        "[targets.schema.generators.client]\n"
        'provider = "prisma-client-js"\n'
        'previewFeatures = ["views", "relationJoins"]\n'
        "binaryTargets = []\n"
        "engineType = { raw = 'binary' }\n"
        "flag = true\n"
        "depth = 1_000\n"
        "ratio = 1.50\n"
        'output = { env = "OUT" }\n'
    )
    gen = parse(text).targets["schema"].generators["client"]
    assert gen == {
        "provider": '"prisma-client-js"',
        "previewFeatures": '["views", "relationJoins"]',
        "binaryTargets": "[]",
        "engineType": "binary",
        "flag": "true",
        "depth": "1000",
        "ratio": "1.50",
        "output": 'env("OUT")',
    }


def test_alternative_toml_shapes_give_the_same_manifest() -> None:
    dotted = (
        'fragments = [\n  { path = "a.prisma" },\n  { glob = "m/*.prisma" },\n]\n'
        "[targets]\n"
        'engine.output = "engine/schema.prisma"\n'
        'engine.generators.client = { provider = "prisma-client-py" }\n'
        'engine.datasource.url = { env = "DB" }\n'
    )
    manifest = parse(dotted)
    engine = manifest.targets["engine"]
    assert engine.generators == {"client": {"provider": '"prisma-client-py"'}}
    assert engine.datasource == {"url": 'env("DB")'}
    assert engine.location.line == 6  # `engine.output = ...` is the first place that defines it
    assert engine.key_location("output").line == 6
    assert engine.key_location("generators", "client", "provider").line == 7
    assert engine.key_location("datasource", "url").line == 8
    assert [f.location.line for f in manifest.fragments] == [2, 3]


# -- errors: each class names the key path and the right line -------------------------------------


def test_toml_syntax_error_has_line_and_column() -> None:
    text = MINIMAL + '[targets.web]\noutput = "web.prisma\n'
    with pytest.raises(ComposeError) as info:
        parse(text)
    (diag,) = info.value.diagnostics
    assert diag.location is not None
    assert diag.location.line == 7
    assert "invalid TOML" in diag.message
    rendered = diag.render()
    assert 'output = "web.prisma' in rendered and "^" in rendered


def test_toml_syntax_error_column() -> None:
    text = "[[fragments]]\npath = 3 4\n"
    (diag,) = diagnostics(text)
    assert str(diag.location) == f"{DISPLAY}:2:10"
    frame = diag.render().splitlines()
    code = next(i for i, line in enumerate(frame) if line.endswith("path = 3 4"))
    assert frame[code + 1].index("^") == frame[code].index("4")


def test_misspelt_key_suggests_the_right_one() -> None:
    text = MINIMAL.replace("output =", "ouput =")
    diags = diagnostics(text)
    diag = assert_error(text, "targets.schema.ouput", 5, contains="unknown key")
    assert diag.hint == "did you mean `output`?"
    assert "did you mean `output`?" in str(ComposeError(diags))
    # ... and the missing `output` is reported at the target's header
    assert_error(text, "targets.schema.output", 4, contains="missing")


@pytest.mark.parametrize(
    ("text", "keypath", "needle", "contains"),
    [
        ("[compose]\nheder = true\n" + MINIMAL, "compose.heder", "heder", "did you mean `header`"),
        ("[compos]\n" + MINIMAL, "compos", "[compos]", "did you mean `compose`"),
        (MINIMAL + "[watch]\nrum = 'x'\n", "watch.rum", "rum", "did you mean `run`"),
        (
            '[[fragments]]\npaht = "a.prisma"\npath = "b.prisma"\n[targets.s]\noutput = "s.prisma"\n',
            "fragments[0].paht",
            "paht",
            "did you mean `path`",
        ),
        (MINIMAL + "exlude = []\n", "targets.schema.exlude", "exlude", "did you mean `exclude`"),
        (
            MINIMAL + '[targets.schema.datasource]\ndirectURL = "x"\n',
            "targets.schema.datasource.directURL",
            "directURL",
            "did you mean `directUrl`",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = { evn = 'X' }\n",
            "targets.schema.datasource.url.evn",
            "evn",
            "did you mean `env`",
        ),
    ],
)
def test_unknown_keys(text: str, keypath: str, needle: str, contains: str) -> None:
    assert_error(text, keypath, line_of(text, needle), contains=contains)


@pytest.mark.parametrize(
    ("text", "keypath", "needle", "contains"),
    [
        (
            '[compose]\nheader = "yes"\n' + MINIMAL,
            "compose.header",
            "header",
            "expected `true` or `false`, found a string",
        ),
        ("compose = 1\n" + MINIMAL, "compose", "compose", "expected a table"),
        (
            MINIMAL + 'exclude = "contact"\n',
            "targets.schema.exclude",
            "exclude",
            "expected an array of fragment names, found a string",
        ),
        (MINIMAL + 'include = ["a", 3]\n', "targets.schema.include[1]", "include", "found an integer"),
        (MINIMAL + "header = 1\n", "targets.schema.header", "header = 1", "expected `true` or `false`"),
        (MINIMAL + "generators = []\n", "targets.schema.generators", "generators", "expected a table"),
        (
            MINIMAL + "[targets.schema.generators]\nclient = true\n",
            "targets.schema.generators.client",
            "client",
            "or `false` to drop it, found `true`",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = 1979-05-27\n",
            "targets.schema.datasource.url",
            "url",
            "found a date",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = { env = '' }\n",
            "targets.schema.datasource.url.env",
            "url",
            "environment variable",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = { raw = '  ' }\n",
            "targets.schema.datasource.url.raw",
            "url",
            "a PSL expression",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = { env = 'A', raw = 'b' }\n",
            "targets.schema.datasource.url",
            "url",
            "found both `env` and `raw`",
        ),
        (
            MINIMAL + "[targets.schema.datasource]\nurl = {}\n",
            "targets.schema.datasource.url",
            "url",
            "found an empty table",
        ),
        (
            MINIMAL + "[targets.schema.generators.client]\nx = [1, { y = 1 }]\n",
            "targets.schema.generators.client.x[1].y",
            "x = ",
            "unknown key",
        ),
        (
            MINIMAL + "[targets.schema.generators.client]\nx = nan\n",
            "targets.schema.generators.client.x",
            "x = nan",
            "finite number",
        ),
        (
            MINIMAL + "[targets.schema.generators.client.sub]\nx = 1\n",
            "targets.schema.generators.client.sub.x",
            "x = 1",
            "unknown key",
        ),
        (MINIMAL + "[watch]\nrun = ['a']\n", "watch.run", "run", "expected a shell command"),
        (
            "fragments = 'a.prisma'\n[targets.s]\noutput = 's.prisma'\n",
            "fragments",
            "fragments",
            "expected an array of tables",
        ),
        (
            "fragments = ['a.prisma']\n[targets.s]\noutput = 's.prisma'\n",
            "fragments[0]",
            "fragments",
            "expected a table",
        ),
        (
            '[[fragments]]\npath = 3\n[targets.s]\noutput = "s.prisma"\n',
            "fragments[0].path",
            "path = 3",
            "expected a file path",
        ),
        (
            '[[fragments]]\nglob = ""\n[targets.s]\noutput = "s.prisma"\n',
            "fragments[0].glob",
            "glob",
            "found an empty string",
        ),
        (
            MINIMAL + "output2 = 1\n[targets.web]\noutput = 5\n",
            "targets.web.output",
            "output = 5",
            "found an integer",
        ),
        (
            "[[fragments]]\npath = 'a.prisma'\n[targets]\nweb = 'x.prisma'\n",
            "targets.web",
            "web =",
            "expected a table",
        ),
        (
            "targets = 3\n[[fragments]]\npath = 'a.prisma'\n",
            "targets",
            "targets",
            "expected a table of targets",
        ),
    ],
)
def test_wrong_types_and_values(text: str, keypath: str, needle: str, contains: str) -> None:
    assert_error(text, keypath, line_of(text, needle), contains=contains)


def test_missing_fragments() -> None:
    text = '[compose]\nheader = true\n\n[targets.schema]\noutput = "prisma/schema.prisma"\n'
    diag = assert_error(text, "fragments", 1, contains="at least one [[fragments]]")
    assert diag.hint is not None and "[[fragments]]" in diag.hint
    assert_error("fragments = []\n" + text, "fragments", 1, contains="missing")


def test_no_targets_shows_an_example() -> None:
    text = '[[fragments]]\npath = "a.prisma"\n'
    diag = assert_error(text, "targets", 1, contains="no targets")
    assert diag.hint is not None
    assert '[targets.schema]\n    output = "prisma/schema.prisma"' in diag.hint
    assert_error(text + "\n[targets]\n", "targets", 4, contains="no targets")


def test_fragment_needs_exactly_one_kind() -> None:
    text = '[[fragments]]\nname = "x"\n[[fragments]]\npath = "a.prisma"\nglob = "b/*.prisma"\n' + (
        '[targets.s]\noutput = "s.prisma"\n'
    )
    diags = diagnostics(text)
    none = find(diags, "fragments[0]")
    assert none.location is not None and none.location.line == 1 and "found none" in none.message
    both = find(diags, "fragments[1]")
    assert both.location is not None and both.location.line == 5
    assert "found `path` and `glob`" in both.message


def test_fragment_name_rules() -> None:
    text = (
        '[[fragments]]\nglob = "m/*.prisma"\nname = "m"\n[[fragments]]\npath = "a.prisma"\nname = "a b"\n'
        + ('[targets.s]\noutput = "s.prisma"\n')
    )
    assert_error(text, "fragments[0].name", 3, contains="only allowed with `path`")
    assert_error(text, "fragments[1].name", 6, contains="invalid fragment name")


def test_duplicate_fragment_names() -> None:
    text = (
        '[[fragments]]\npath = "a.prisma"\nname = "user"\n'
        '[[fragments]]\npath = "b.prisma"\nname = "user"\n'
        '[[fragments]]\npath = "c.prisma"\n'
        '[[fragments]]\npath = "x/c.prisma"\n'
        '[targets.s]\noutput = "s.prisma"\n'
    )
    diags = diagnostics(text)
    explicit = find(diags, "fragments[1].name")
    assert explicit.location is not None and explicit.location.line == 6
    assert "duplicate fragment name `user`" in explicit.message
    assert explicit.notes[0][1] is not None and explicit.notes[0][1].line == 2
    stem = find(diags, "fragments[3].path")  # both are named after their stem `c`
    assert stem.location is not None and stem.location.line == 10
    assert "duplicate fragment name `c`" in stem.message


@pytest.mark.parametrize(
    ("output", "contains"),
    [
        ("/abs/schema.prisma", "is absolute"),
        ("C:\\\\schema.prisma", "is absolute"),
        ("../schema.prisma", "outside the manifest's folder"),
        ("a/../../schema.prisma", "outside the manifest's folder"),
        (".", "outside the manifest's folder"),
        ("", "found an empty string"),
        ("prisma.compose.toml", "would overwrite the manifest"),
        ("prisma/fragments/base.prisma", "would overwrite fragment"),
        ("prisma/", "is a folder that contains fragment"),
        # compose's own files (issue 12, item 15): writing there would destroy them
        (".compose-state.json", "is compose's own `.compose-state.json`"),
        (".compose.lock", "is compose's own `.compose.lock`"),
        ("out/schema.prisma.bak", "named like a backup"),
        ("out/schema.prisma.bak.3", "named like a backup"),
        # control characters (item 17): a NUL reached the OS as `ValueError: embedded null byte`
        ("out/x\\u0000.prisma", "control character U+0000"),
        ("out/x\\n.prisma", "control character U+000A"),
        ("out\\u001b[31m/", "control character U+001B"),
    ],
)
def test_bad_outputs(output: str, contains: str) -> None:
    text = MINIMAL + f'\n[targets.bad]\noutput = "{output}"\n'
    assert_error(text, "targets.bad.output", 8, contains=contains)


@pytest.mark.parametrize(
    ("first", "second", "contains"),
    [
        ("out/schema.prisma", "out/schema.prisma", "is also the output of target `a`"),
        ("out/schema.prisma", "./out/../out/schema.prisma", "is also the output of target `a`"),
        ("Out/Schema.prisma", "out/schema.prisma", "is also the output"),
        ("out/", "out/x/schema.prisma", "is inside the output folder of target `a`"),
        ("out/x/schema.prisma", "out/", "is a folder that contains the output of target `a`"),
        ("out/", "out/", "is also the output"),
        # a file output on the path of another one (issue 12, item 14): one of them cannot be written
        ("out/schema.prisma", "out", "is a file on the path of the output of target `a`"),
        ("out", "out/schema.prisma", "is inside the output file of target `a`"),
        ("out/web", "out/web/sub/", "is inside the output file of target `a`"),
        ("out/", "out", "is also the output"),
    ],
)
def test_colliding_outputs(first: str, second: str, contains: str) -> None:
    text = MINIMAL + f'[targets.a]\noutput = "{first}"\n\n[targets.b]\noutput = "{second}"\n'
    diag = assert_error(text, "targets.b.output", 10, contains=contains)
    assert diag.notes and diag.notes[0][1] is not None and diag.notes[0][1].line == 7


def test_include_and_exclude_together() -> None:
    text = MINIMAL + 'include = ["a"]\nexclude = ["b"]\n'
    assert_error(text, "targets.schema", 7, contains="cannot both be set")


@pytest.mark.parametrize("name", ["my app", "web.v2", "ünï"])
def test_invalid_target_names(name: str) -> None:
    text = MINIMAL + f'[targets."{name}"]\noutput = "x.prisma"\n'
    diag = assert_error(text, f'targets."{name}"', 6, contains="invalid target name")
    assert "letters, digits" in diag.message


def test_invalid_generator_and_property_names() -> None:
    text = MINIMAL + '[targets.schema.generators."my-client"]\nprovider = "x"\n'
    assert_error(text, "targets.schema.generators.my-client", 6, contains="PSL identifier")
    text = MINIMAL + '[targets.schema.generators.client]\n"bad key" = "x"\n'
    assert_error(text, 'targets.schema.generators.client."bad key"', 7, contains="PSL identifier")


def test_all_errors_are_reported_together_in_file_order() -> None:
    text = '[compose]\nheader = 1\n[[fragments]]\npath = 2\n[targets.a]\nouput = "x"\n'
    diags = diagnostics(text)
    lines = [d.location.line for d in diags if d.location is not None]
    assert lines == sorted(lines)
    assert len(diags) >= 4


# -- files ----------------------------------------------------------------------------------------


def test_find_manifest_from_a_nested_directory(tmp_path: Path) -> None:
    project = tmp_path / "project"
    nested = project / "web" / "src" / "deep"
    nested.mkdir(parents=True)
    manifest = project / MANIFEST_NAME
    manifest.write_text(MINIMAL)
    assert find_manifest(nested) == manifest
    assert find_manifest(project) == manifest
    assert find_manifest(manifest) == manifest
    (nested / "file.txt").write_text("")
    assert find_manifest(nested / "file.txt") == manifest
    assert find_manifest(tmp_path) is None


def test_nearest_manifest_wins(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text(MINIMAL)
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / MANIFEST_NAME).write_text(MINIMAL)
    assert find_manifest(inner / "x") == inner / MANIFEST_NAME


def test_load_manifest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(("\ufeff" + MINIMAL).replace("\n", "\r\n").encode())
    monkeypatch.chdir(tmp_path)
    manifest = load_manifest(Path(MANIFEST_NAME))
    assert manifest.path == path and manifest.root == tmp_path
    assert manifest.source.display == MANIFEST_NAME
    assert manifest.targets["schema"].key_location("output").line == 5
    monkeypatch.chdir("/")
    assert load_manifest(path).source.display == path.relative_to("/").as_posix()
    assert load_manifest(path, display="shown.toml").source.display == "shown.toml"


def test_load_manifest_outside_cwd_shows_the_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a" / MANIFEST_NAME
    path.parent.mkdir()
    path.write_text(MINIMAL)
    elsewhere = tmp_path / "b"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert load_manifest(path).source.display == MANIFEST_NAME


def test_unreadable_and_undecodable_manifests(tmp_path: Path) -> None:
    with pytest.raises(ComposeError, match="cannot read manifest"):
        load_manifest(tmp_path / MANIFEST_NAME)
    with pytest.raises(ComposeError, match="cannot read manifest"):
        load_manifest(tmp_path)
    path = tmp_path / MANIFEST_NAME
    path.write_bytes(MINIMAL.encode() + b"# caf\xe9\n")
    with pytest.raises(ComposeError, match="not valid UTF-8") as info:
        load_manifest(path)
    location = info.value.diagnostics[0].location
    assert location is not None and (location.line, location.column) == (6, 6)


# -- to_psl ---------------------------------------------------------------------------------------


LOC = Location(Source("m.toml", "x = 1\n"), 4, 5)


def loc() -> Location:
    return LOC


def to_psl(value: object, keypath: str, location: Location) -> str:
    """A TOML value as the PSL text the validator makes of it, for a key written at `location`."""
    return psl_value(value, keypath, (), lambda _path: location)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("postgresql", '"postgresql"'),
        ('say "hi"\\', '"say \\"hi\\"\\\\"'),
        ("tab\tline\nret\r", '"tab\\tline\\nret\\r"'),
        ("\x00\x1f\x7f", '"\\u0000\\u001f\\u007f"'),
        ("ünïcødé ✓", '"ünïcødé ✓"'),
        ({"env": "DATABASE_URL"}, 'env("DATABASE_URL")'),
        ({"env": 'we"ird'}, 'env("we\\"ird")'),
        ({"raw": 'dbgenerated("gen_random_uuid()")'}, 'dbgenerated("gen_random_uuid()")'),
        (["native", "debian-openssl-3.0.x"], '["native", "debian-openssl-3.0.x"]'),
        ([1, 2.5, True, ["x"]], '[1, 2.5, true, ["x"]]'),
        ([], "[]"),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (-7, "-7"),
        (2.5, "2.5"),
        (1e-07, "0.0000001"),
        (1e16, "10000000000000000"),
    ],
)
def test_to_psl(value: object, expected: str) -> None:
    assert to_psl(value, "k", loc()) == expected


def test_to_psl_keeps_numbers_as_written() -> None:
    source = Source("m.toml", "a = 1.50\nb = 0x1f\nc = 1e3\nd = 1_000\n")
    assert to_psl(1.5, "a", Location(source, 4, 8)) == "1.50"
    assert to_psl(31, "b", Location(source, 13, 17)) == "31"
    assert to_psl(1000.0, "c", Location(source, 22, 25)) == "1000.0"
    assert to_psl(1000, "d", Location(source, 30, 35)) == "1000"


@pytest.mark.parametrize(
    ("value", "contains"),
    [
        (math.inf, "finite number"),
        (dt.date(2024, 1, 1), "found a date"),
        ({"env": 1}, "found an integer"),
        ({"nope": "x"}, "unknown key"),
        ({}, "found an empty table"),
    ],
)
def test_to_psl_errors(value: object, contains: str) -> None:
    with pytest.raises(ComposeError, match=re.escape(contains)) as info:
        to_psl(value, "targets.x.datasource.url", loc())
    diag = info.value.diagnostics[0]
    assert diag.message.startswith("targets.x.datasource.url")
    assert diag.location == loc()


# -- property tests -------------------------------------------------------------------------------

PSL_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f"}
PSL_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
PSL_RAW_CALL = re.compile(r"[a-z]+\(\)")


def decode_psl_string(text: str, pos: int = 0) -> tuple[str, int]:
    """A PSL (= JSON) string literal starting at `pos`: its value and the index after it."""
    assert text[pos] == '"'
    out: list[str] = []
    i = pos + 1
    while True:
        char = text[i]
        assert char >= " " and char != "\x7f", f"raw control character {char!r}"
        if char == '"':
            return "".join(out), i + 1
        if char == "\\":
            escape = text[i + 1]
            if escape == "u":
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
            else:
                out.append(PSL_SIMPLE_ESCAPES[escape])
                i += 2
        else:
            out.append(char)
            i += 1


def decode_psl(text: str) -> object:
    """Decode the PSL expressions to_psl produces; `name()` calls stand for `raw` values."""

    def value(pos: int) -> tuple[object, int]:
        if text[pos] == '"':
            return decode_psl_string(text, pos)
        if text[pos] == "[":
            items: list[object] = []
            pos += 1
            while text[pos] != "]":
                item, pos = value(pos)
                items.append(item)
                if text.startswith(", ", pos):
                    pos += 2
            return items, pos + 1
        for word, result in (("true", True), ("false", False)):
            if text.startswith(word, pos):
                return result, pos + len(word)
        if text.startswith('env("', pos):
            name, pos = decode_psl_string(text, pos + 4)
            assert text[pos] == ")"
            return {"env": name}, pos + 1
        if match := PSL_RAW_CALL.match(text, pos):
            return {"raw": match.group()}, match.end()
        match = PSL_NUMBER.match(text, pos)
        assert match, f"not PSL at {pos}: {text!r}"
        number = float(match.group()) if match[1] else int(match.group())
        return number, match.end()

    result, end = value(0)
    assert end == len(text), text
    return result


def same(psl: object, toml: object) -> bool:
    if isinstance(toml, float):
        # the PSL text is the shortest decimal that reads back as the same double
        return isinstance(psl, int | float) and not isinstance(psl, bool) and float(psl) == toml
    if isinstance(toml, list):
        return isinstance(psl, list) and len(psl) == len(toml) and all(map(same, psl, toml))
    return type(psl) is type(toml) and psl == toml


@given(st.text())
def test_psl_string_literal_round_trips(text: str) -> None:
    literal = psl_string_literal(text)
    assert decode_psl_string(literal) == (text, len(literal))
    assert json.loads(literal) == text
    assert to_psl(text, "k", loc()) == literal


# TOML writers for the generated manifests.


def toml_basic(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char < " " or char == "\x7f":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def toml_string(text: str, rnd: random.Random) -> str:
    plain = not any((c < " " and c != "\t") or c == "\x7f" for c in text)
    choice = rnd.random()
    if choice < 0.25 and plain and "'" not in text:
        return f"'{text}'"
    if (
        choice < 0.5
        and "'''" not in text
        and not text.endswith("'")
        and not any((c < " " and c not in "\t\n") or c == "\x7f" for c in text)
    ):
        return f"'''\n{text}'''" if "\r" not in text else toml_basic(text)
    if choice < 0.75:
        body = toml_basic(text)[1:-1]
        return f'"""{body}"""'
    return toml_basic(text)


def toml_key(key: str, rnd: random.Random) -> str:
    if re.fullmatch(r"[A-Za-z0-9_-]+", key) and rnd.random() < 0.8:
        return key
    if (
        "'" not in key
        and "\n" not in key
        and not any(c < " " or c == "\x7f" for c in key)
        and rnd.random() < 0.5
    ):
        return f"'{key}'"
    return toml_basic(key)


def toml_value(value: Any, rnd: random.Random) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value >= 0 and rnd.random() < 0.2:
            return hex(value)
        if abs(value) >= 1000 and rnd.random() < 0.3:
            return f"{value:_}"
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return toml_string(value, rnd)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=rnd.choice(" T"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        sep = rnd.choice([", ", ",\n  ", " ,", ",  # note\n"])
        return "[" + sep.join(toml_value(v, rnd) for v in value) + "]"
    assert isinstance(value, dict)
    items = ", ".join(f"{toml_key(k, rnd)} = {toml_value(v, rnd)}" for k, v in value.items())
    return "{ " + items + " }" if items else "{}"


def is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def render_toml(doc: dict[str, Any], rnd: random.Random) -> str:
    """`doc` as TOML, each table written as a [header], with dotted keys or inline, at random."""
    lines: list[str] = []

    def comment() -> str:
        return rnd.choice(["", "", "", "  # [not.a.table] = 'x'", " #"])

    def table(path: list[str], body: dict[str, Any]) -> None:
        later: list[tuple[str, Any]] = []
        for key, value in body.items():
            if (isinstance(value, dict) and value and rnd.random() < 0.5) or (
                is_table_array(value) and rnd.random() < 0.7
            ):
                later.append((key, value))
            elif isinstance(value, dict) and value and rnd.random() < 0.5:
                for sub, item in value.items():
                    lines.append(
                        f"{toml_key(key, rnd)} . {toml_key(sub, rnd)} = {toml_value(item, rnd)}{comment()}"
                    )
            else:
                lines.append(f"{toml_key(key, rnd)} = {toml_value(value, rnd)}{comment()}")
        for key, value in later:
            header = ".".join(toml_key(k, rnd) for k in [*path, key])
            for item in value if isinstance(value, list) else [value]:
                if rnd.random() < 0.3:
                    lines.append("")
                lines.append(f"[[{header}]]" if isinstance(value, list) else f"[ {header} ]")
                table([*path, key], item)

    table([], doc)
    return "\n".join(lines) + "\n"


def leaves(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every non-table value with its key path (array elements included, arrays of tables not)."""
    out: list[tuple[tuple[str | int, ...], Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(leaves(item, (*path, key)))
    elif is_table_array(value):
        for i, item in enumerate(value):
            out.extend(leaves(item, (*path, i)))
    else:
        out.append((path, value))
        if isinstance(value, list):
            for i, item in enumerate(value):
                out.extend(leaves(item, (*path, i)))
    return out


keys = st.one_of(
    st.from_regex(r"[A-Za-z0-9_-]{1,6}", fullmatch=True),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6),
)
scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=dt.date(1, 1, 1)),
    st.datetimes(min_value=dt.datetime(1, 1, 1)),
)
toml_docs = st.recursive(
    st.dictionaries(keys, scalars, max_size=4),
    lambda children: st.dictionaries(
        keys,
        st.one_of(
            scalars, children, st.lists(scalars, max_size=3), st.lists(children, min_size=1, max_size=2)
        ),
        max_size=4,
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toml_docs, st.randoms(use_true_random=False))
def test_locations_point_at_the_written_values(doc: dict[str, Any], rnd: random.Random) -> None:
    text = render_toml(doc, rnd)
    assert tomllib.loads(text) == doc, text
    source = Source(DISPLAY, text)
    locator = _Locator(source)
    for path, value in leaves(doc):
        where = locator.value(path)
        written = text[where.start : where.end]
        assert tomllib.loads(f"x = {written}")["x"] == value, (path, written, text)
        key_place = locator.key(path)
        assert key_place.start <= where.start


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(toml_docs, st.randoms(use_true_random=False))
def test_a_plainly_written_key_is_found_where_the_scanner_finds_it(
    doc: dict[str, Any], rnd: random.Random
) -> None:
    """`simple_key`, which spares composing the scan of a large manifest, gives the scanner's
    span or none at all."""
    text = re.sub(r"(?m)^\[ (.*) \]$", r"[\1]", render_toml(doc, rnd))  # headers also as `[a.b]`
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:  # a line of a multi-line string changed
        return
    spans = _Locator(Source(DISPLAY, text)).spans()
    for path, span in spans.items():
        found = simple_key(text, path)
        assert found is None or found == (span.key_start, span.value_end), (path, text)


bare_keys = st.from_regex(r"[a-z0-9_-]{1,4}", fullmatch=True)
plain_values = st.one_of(st.booleans(), st.integers(0, 99), st.text("ab \\\"#[]=\n", max_size=5))
plain_tables = st.dictionaries(
    bare_keys,
    st.dictionaries(bare_keys, st.dictionaries(bare_keys, plain_values, max_size=3), min_size=1, max_size=3),
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(plain_tables, st.randoms(use_true_random=False))
def test_keys_under_plain_headers_are_found_where_the_scanner_finds_them(
    doc: dict[str, Any], rnd: random.Random
) -> None:
    lines = []
    for top, tables in doc.items():
        for name, body in tables.items():
            lines.append(f"[{top}.{name}]")
            for key, value in body.items():
                written = json.dumps(value) if isinstance(value, str) else str(value).lower()
                lines.append(f"{key} = {written}" + rnd.choice(["", " # x", "  "]))
    text = "\n".join(lines) + rnd.choice(["", "\n"])
    assert tomllib.loads(text) == doc
    spans = _Locator(Source(DISPLAY, text)).spans()
    for path, span in spans.items():
        found = simple_key(text, path)
        assert found is None or found == (span.key_start, span.value_end), (path, text)
        if len(path) == 3 and "\\" not in text[span.value_start : span.value_end]:
            assert found is not None, (path, text)  # written the plain way: found without a scan


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('[a]\nx = 1\n[a.b]\nprovider = "sqlite"\n', True),
        ('[a.b]\nprovider = "sqlite" # why\n', True),
        ('[a.b]\nprovider = "sq\\"lite"\n', False),  # an escape: the scanner reads it
        ('[a]\nb.provider = "sqlite"\n', False),
        ('[a.b]\nprovider = "sqlite"\nx = """\n[a.b]\n"""\n', False),
        ('[a.b]\r\nprovider = "sqlite"\r\n', False),
    ],
)
def test_simple_key_reads_only_the_plain_spelling(text: str, plain: bool) -> None:
    found = simple_key(text, ("a", "b", "provider"))
    span = _Locator(Source(DISPLAY, text)).spans()[("a", "b", "provider")]
    assert found == ((span.key_start, span.value_end) if plain else None)
    if plain:
        assert text[found[0] : found[1]].startswith("provider = ")  # type: ignore[index]


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_raises_only_compose_errors(text: str) -> None:
    try:
        parse(text)
    except ComposeError as exc:
        assert all(d.location is not None for d in exc.diagnostics)
        for diag in exc.diagnostics:
            diag.render()


TOKENS = [
    "[targets.a]",
    "[targets.b.generators.client]",
    "[targets.a.datasource]",
    "[[fragments]]",
    "[compose]",
    "[watch]",
    "output",
    "path",
    "glob",
    "yaml",
    "name",
    "include",
    "exclude",
    "header",
    "run",
    "env",
    "raw",
    "generators",
    "datasource",
    "targets",
    "fragments",
    " = ",
    "=",
    ".",
    ",",
    "[",
    "]",
    "{",
    "}",
    "\n",
    "\n",
    " ",
    '"x.prisma"',
    '"out/"',
    "'a'",
    '"../x"',
    '"/abs"',
    "true",
    "false",
    "1",
    "1.5",
    "1979-05-27",
    '"""',
    "'''",
    "#",
    "\\",
    '"',
    "ü",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_toml_like_text_raises_only_compose_errors(text: str) -> None:
    try:
        parse(text)
    except ComposeError as exc:
        for diag in exc.diagnostics:
            diag.render()


@settings(max_examples=200, deadline=None)
@given(toml_docs, st.randoms(use_true_random=False))
def test_arbitrary_toml_documents_raise_only_compose_errors(doc: dict[str, Any], rnd: random.Random) -> None:
    # Mix the generated tables into manifest keys so that validation (not just parsing) is exercised.
    names = ["compose", "fragments", "targets", "watch", "output", "generators", "datasource", "header"]
    for key in list(doc)[:3]:
        doc[rnd.choice(names)] = doc.pop(key)
    try:
        parse(render_toml(doc, rnd))
    except ComposeError as exc:
        for diag in exc.diagnostics:
            diag.render()


# Generated valid manifests.

identifiers = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,8}", fullmatch=True)
target_names = st.from_regex(r"[A-Za-z0-9_-]{1,10}", fullmatch=True)
nonblank = st.text(min_size=1, max_size=10).filter(str.strip)
raw_calls = st.from_regex(r"[a-z]{1,6}\(\)", fullmatch=True).filter(lambda s: s != "env()")
psl_scalars = st.one_of(
    st.text(max_size=10),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    nonblank.map(lambda name: {"env": name}),
    raw_calls.map(lambda expr: {"raw": expr}),
)
psl_values = st.one_of(psl_scalars, st.lists(psl_scalars, max_size=3))
datasource_keys = st.one_of(
    st.sampled_from(DATASOURCE_PROPERTIES),
    identifiers.filter(lambda k: did_you_mean(k, list(DATASOURCE_PROPERTIES)) is None),
)


@st.composite
def manifests(draw: st.DrawFn) -> dict[str, Any]:
    fragments = []
    for i in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["path", "glob", "yaml"]))
        stem = f"f{i}_" + draw(st.from_regex(r"[a-z]{0,5}", fullmatch=True))
        entry: dict[str, Any] = {
            "path": {"path": f"frag/{stem}.prisma"},
            "glob": {"glob": f"frag/{stem}/*.prisma"},
            "yaml": {"yaml": f"entities/{stem}/*.yaml"},
        }[kind]
        if kind == "path" and draw(st.booleans()):
            entry["name"] = f"n{i}-" + draw(st.from_regex(r"[A-Za-z0-9_-]{0,5}", fullmatch=True))
        fragments.append(entry)
    targets: dict[str, Any] = {}
    for i, name in enumerate(draw(st.lists(target_names, min_size=1, max_size=4, unique=True))):
        target: dict[str, Any] = {"output": f"out/t{i}/" if draw(st.booleans()) else f"out/t{i}.prisma"}
        which = draw(st.sampled_from([None, "include", "exclude"]))
        if which:
            target[which] = draw(st.lists(nonblank, max_size=3))
        generators = draw(
            st.dictionaries(
                identifiers,
                st.one_of(st.just(False), st.dictionaries(identifiers, psl_values, max_size=3)),
                max_size=2,
            )
        )
        if generators or draw(st.booleans()):
            target["generators"] = generators
        datasource = draw(st.dictionaries(datasource_keys, st.one_of(st.just(False), psl_values), max_size=3))
        if datasource:
            target["datasource"] = datasource
        if draw(st.booleans()):
            target["header"] = draw(st.booleans())
        targets[name] = target
    doc: dict[str, Any] = {}
    if draw(st.booleans()):
        doc["compose"] = {"header": draw(st.booleans())}
    doc["fragments"] = fragments
    doc["targets"] = targets
    if draw(st.booleans()):
        doc["watch"] = {"run": draw(nonblank)}
    return doc


def value_at(doc: Any) -> Any:
    """The value inside a `key = value` (or `a.b.key = value`) span."""
    while isinstance(doc, dict) and len(doc) == 1:
        ((_, doc),) = doc.items()
    return doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifests(), st.randoms(use_true_random=False))
def test_generated_manifests_round_trip(doc: dict[str, Any], rnd: random.Random) -> None:
    text = render_toml(doc, rnd)
    assert tomllib.loads(text) == doc
    doc = tomllib.loads(text)  # the same, in the order the text defines things (= manifest order)
    manifest = parse(text)
    source = manifest.source.text

    assert manifest.header is doc.get("compose", {}).get("header", True)
    assert manifest.watch_run == doc.get("watch", {}).get("run")
    assert len(manifest.fragments) == len(doc["fragments"])
    for i, (spec, entry) in enumerate(zip(manifest.fragments, doc["fragments"], strict=True)):
        assert isinstance(spec, FragmentSpec)
        assert (spec.kind, spec.pattern, spec.name, spec.index) == (
            next(k for k in ("path", "glob", "yaml") if k in entry),
            entry.get(spec.kind),
            entry.get("name"),
            i,
        )
        written = source[spec.location.start : spec.location.end]
        assert tomllib.loads(f"x = {written}")["x"] == spec.pattern

    assert list(manifest.targets) == list(doc["targets"])
    for name, body in doc["targets"].items():
        target = manifest.targets[name]
        assert target.output == body["output"]
        assert target.folder is body["output"].endswith("/")
        assert target.include == body.get("include")
        assert target.exclude == body.get("exclude", [])
        assert target.header is body.get("header", manifest.header)
        lines = source.split("\n")
        assert name in lines[target.location.line - 1]
        span = target.key_location("output")
        assert value_at(tomllib.loads(source[span.start : span.end])) == body["output"]

        assert list(target.generators) == list(body.get("generators", {}))
        for gen, settings_ in body.get("generators", {}).items():
            if settings_ is False:
                assert target.generators[gen] is None
                continue
            produced = target.generators[gen]
            assert produced is not None and list(produced) == list(settings_)
            for key, value in settings_.items():
                assert same(decode_psl(produced[key]), value), (produced[key], value)
                span = target.key_location("generators", gen, key)
                assert key in lines[span.line - 1] or gen in lines[span.line - 1]

        assert list(target.datasource) == list(body.get("datasource", {}))
        for key, value in body.get("datasource", {}).items():
            text_ = target.datasource[key]
            if value is False:
                assert text_ is None
            else:
                assert text_ is not None and same(decode_psl(text_), value), (text_, value)


# -- JSON Schema agreement ------------------------------------------------------------------------


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_schema_declares_the_loaders_keys() -> None:
    schema = load_schema()
    props = schema["properties"]
    defs = schema["definitions"]
    assert schema["additionalProperties"] is False
    assert set(props) == set(TOP_KEYS)
    assert set(schema["required"]) == {"fragments", "targets"}
    assert set(props["compose"]["properties"]) == set(COMPOSE_KEYS)
    assert set(props["watch"]["properties"]) == set(WATCH_KEYS)
    assert set(defs["fragment"]["properties"]) == set(FRAGMENT_KEYS)
    assert set(defs["target"]["properties"]) == set(TARGET_KEYS)
    assert defs["target"]["required"] == ["output"]
    assert set(defs["target"]["properties"]["datasource"]["properties"]) == set(DATASOURCE_PROPERTIES)
    for table in (schema, props["compose"], props["watch"], defs["fragment"], defs["target"]):
        assert table["additionalProperties"] is False

    def described(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, sub in node.get("properties", {}).items():
                assert "description" in sub, f"{where}.{key} has no description"
            for key, sub in node.items():
                described(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                described(sub, f"{where}[{i}]")

    described(schema, "schema")


def schema_validator() -> Any:
    jsonschema = pytest.importorskip("jsonschema")
    schema = load_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def test_schema_accepts_the_product_example() -> None:
    validator = schema_validator()
    assert list(validator.iter_errors(tomllib.loads(EXAMPLE))) == []


@pytest.mark.parametrize(
    "text",
    [
        '[compose]\nheader = "yes"\n' + MINIMAL,
        MINIMAL.replace("output =", "ouput ="),
        MINIMAL + 'include = ["a"]\nexclude = ["b"]\n',
        MINIMAL + '[targets."my app"]\noutput = "x.prisma"\n',
        MINIMAL + '[targets.x]\noutput = "/abs.prisma"\n',
        MINIMAL + '[targets.x]\noutput = "../x.prisma"\n',
        '[[fragments]]\npath = "a.prisma"\nglob = "b/*"\n[targets.s]\noutput = "s.prisma"\n',
        '[[fragments]]\nglob = "b/*"\nname = "b"\n[targets.s]\noutput = "s.prisma"\n',
        '[[fragments]]\npath = "a.prisma"\n',
        '[targets.s]\noutput = "s.prisma"\n',
        MINIMAL + "[targets.schema.generators]\nclient = true\n",
        MINIMAL + "[targets.schema.datasource]\nurl = { env = 'A', raw = 'b' }\n",
        MINIMAL + "[watch]\nrun = 1\n",
    ],
)
def test_schema_and_loader_reject_the_same_manifests(text: str) -> None:
    validator = schema_validator()
    with pytest.raises(ComposeError):
        parse(text)
    assert list(validator.iter_errors(tomllib.loads(text))) != []


@settings(max_examples=100, deadline=None)
@given(manifests())
def test_schema_accepts_generated_manifests(doc: dict[str, Any]) -> None:
    validator = schema_validator()
    assert list(validator.iter_errors(doc)) == []


@pytest.mark.parametrize(
    "output",
    [
        "./x.prisma",
        "x/",
        "a/../b.prisma",
        ".x",
        "..x/y",
        "..",
        "../x",
        ".",
        "./",
        "/x",
        "\\x",
        "C:\\x",
        "c:x",
        " ",
    ],
)
def test_schema_and_loader_agree_on_outputs(output: str) -> None:
    # `a/../../x` is the one escape a JSON Schema pattern cannot see; the loader catches it.
    validator = schema_validator()
    text = f'[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = {json.dumps(output)}\n'
    try:
        parse(text)
        loader_ok = True
    except ComposeError:
        loader_ok = False
    schema_ok = not list(validator.iter_errors(tomllib.loads(text)))
    assert schema_ok == loader_ok


def test_adapt_policy_defaults_are_the_schemas_first_choices() -> None:
    """The allowed values of `[targets.X.adapt]` are read from the JSON Schema; `AdaptPolicy`'s
    defaults are the first of each."""
    from composer.adapt_policy import AdaptPolicy
    from composer.manifest.shape import ADAPT_CHOICES

    assert set(ADAPT_CHOICES) == {"lists", "enums", "json", "referential_actions"}
    assert {key: getattr(AdaptPolicy(), key) for key in ADAPT_CHOICES} == {
        key: values[0] for key, values in ADAPT_CHOICES.items()
    }


# -- the plain subset read without tomllib (manifest/plain_toml.py) ---------------------------------

PLAIN_LINES = [
    "", "# a comment", "  # indented\t", "[[fragments]]", "[[ fragments ]]", "[[targets]]", "[targets]",
    "[targets.web]", "[ targets . web ]", "[targets.web.datasource]", "[targets.web.datasource.url]",
    "[fragments]", "[fragments.x]", "[a.b]", "[a]", "[a.b.c]", 'path = "x.prisma"', "path = 'x'",
    'path = "a\\tb"', 'name = "n"', "header = true", "header = false", 'output = "out/"',
    "include = [\"a\", 'b',]", "include = []", 'url = { env = "X" }', "url = {}", "url = {a = true}",
    'url = { env = "X", env = "Y" }', 'url = { env = "X", }', 'b = "x"', "x = 1", 'path = "x" # c',
    'path = "x"#c', 'key = "\x7f"', 'k = "tab\there"', 'k = "\\u00e9"', "bad line", 'path = "open',
    "fragments = []", 'a = "x"', "c = 'it\"s'", 'glob = "prisma/**/*.prisma"', "TRUE = true",
    'k = "é"', "k = true # \x7f", "[targets.web]\r", "\r",
    # Key order across headers that reopen an implied table, and look-alikes inside strings.
    "[b]", "[a.c]", "[b.a]", 'x = "a#b" # c', "y = '[a]'", 'z = "k = 1"', "w = '\\\\'", 'v = { b = "x = y" }',
    "u = ['\"', \"'\"]", 'c = {b = true, a = "z"}', "\ufeffx = 'bom'",
]


@given(st.lists(st.sampled_from(PLAIN_LINES), max_size=12), st.sampled_from(["\n", "\r\n"]))
def test_the_plain_reader_gives_what_tomllib_gives(lines: list[str], newline: str) -> None:
    from composer.manifest.plain_toml import plain_toml

    text = newline.join(lines)
    plain = plain_toml(text)
    if plain is None:
        return  # tomllib reads it
    # json.dumps: key order and types too (`==` on dicts holds neither to tomllib's)
    assert json.dumps(plain) == json.dumps(tomllib.loads(text)), text


def test_the_plain_reader_reads_the_example_and_the_benchmarks_manifests(tmp_path: Path) -> None:
    from benchmarks.gen_project import generate
    from composer.manifest.plain_toml import plain_toml

    generate(tmp_path, 20, 1, plain=True)
    for path in (Path(__file__).parent.parent / "prisma.compose.toml", tmp_path / "prisma.compose.toml"):
        text = path.read_text(encoding="utf-8")
        assert plain_toml(text) == tomllib.loads(text)
