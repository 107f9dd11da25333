"""YAML entity fragments (README, docs/entities.md): mapping, errors with file:line, provider check,
JSON Schema."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer import entities
from composer.diagnostics import ComposeError, Diagnostic, Source
from composer.entities import GeneratedFragment, check_provider, entity_json_schema, load_entities

from .helpers import cli_env

HEADER = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}

"""


def src(name: str, text: str) -> Source:
    return Source(name, textwrap.dedent(text).lstrip("\n"), f"/project/{name}")


def sources(**files: str) -> list[Source]:
    """Entity files given as `name_yaml="..."` (the file is `name.yaml`)."""
    return [src(key.replace("_yaml", ".yaml"), text) for key, text in files.items()]


def load(**files: str) -> list[GeneratedFragment]:
    """Load entity files given as `name_yaml="..."` (the file is `name.yaml`)."""
    return load_entities(sources(**files))


def one(text: str) -> GeneratedFragment:
    return load(entity_yaml=text)[0]


def errors(**files: str) -> list[Diagnostic]:
    with pytest.raises(ComposeError) as info:
        load(**files)
    return info.value.diagnostics


def only_error(text: str) -> Diagnostic:
    found = errors(entity_yaml=text)
    assert len(found) == 1, [d.render() for d in found]
    return found[0]


def at(diagnostic: Diagnostic) -> tuple[str, int]:
    assert diagnostic.location is not None
    return diagnostic.location.file, diagnostic.location.line


def schema_of(*fragments: GeneratedFragment) -> str:
    return HEADER + "\n".join(f.text for f in fragments)


VENUE = """
schema:
  name: Venue
  description: A place to play
  extends: null
fields:
  - name: venue_id
    type: string
    description: Unique id
    nullable: false
    primary_key: true
    unique: false
    index: true
    default: cuid()
    prisma:
      name: id
    python:
      validator: uuid
  - name: name
    type: string
    index: true
    search: {boost: 2}
  - name: slug
    type: string
    unique: true
    index: true
  - name: capacity
    type: integer
    nullable: true
    default: 100
  - name: tags
    type: list[string]
    default: []
    notes: free-form
  - name: legacy_code
    type: string
    prisma:
      skip: true
extraction_fields: []
"""

BASE = """
schema:
  name: BaseEntity
  description: |
    Columns every entity has.
fields:
  - name: id
    type: string
    primary_key: true
    default: uuid()
  - name: created_at
    type: datetime
    default: now()
    prisma:
      name: createdAt
  - name: updated_at
    type: datetime
    prisma:
      name: updatedAt
      attributes: ["@updatedAt", "@map(\\"updated_at\\")"]
"""

EVENT = """
schema:
  name: Event
  description: Something that happens at a venue
  extends: BaseEntity
fields:
  - name: title
    type: string
    description: |
      Shown in listings.
      Keep it short.
  - name: starts_at
    type: datetime
    index: true
  - name: venue_id
    type: string
    index: true
"""

EVERYTHING = """
schema:
  name: Everything
  prisma:
    attributes: ['@@map("everything")', "@@unique([label, ratio])"]
fields:
  - name: id
    type: integer
    primary_key: true
    default: autoincrement()
  - name: label
    type: string
    default: "say \\"hi\\"\\\\ \\u00e9\\n"
  - name: ratio
    type: float
    default: 1e-7
  - name: active
    type: boolean
    default: yes
  - name: seen_at
    type: datetime
    nullable: true
    default: 2024-01-31T12:00:00Z
  - name: payload
    type: json
    default: {a: [1, 2], b: null}
  - name: raw
    type: json
    nullable: true
    default: '{"x": 1}'
  - name: scores
    type: list[float]
    nullable: true
    default: [1, 2.5]
  - name: flags
    type: list[boolean]
  - name: dates
    type: list[datetime]
  - name: blobs
    type: list[json]
    default: [{}, [1]]
  - name: counts
    type: list[integer]
    default: [1, 2, 3]
  - name: body
    type: string
    prisma:
      attributes: ["@db.Text", '@default( "" )']
  - name: location
    type: string
    nullable: true
    prisma:
      type: Unsupported("geometry")?
  - name: sort-order
    type: integer
    unique: true
    prisma:
      name: sortOrder
  - name: embedding
    type: vector
    prisma: {skip: true}
"""


# -- generated fragments ------------------------------------------------------------------------


def test_venue(snapshot: object, assert_prisma_valid: Callable[..., object], prisma6: object) -> None:
    fragment = one(VENUE)
    assert (fragment.name, fragment.model_name) == ("entity", "Venue")
    assert fragment.text == snapshot(name="text")
    assert fragment.line_map == snapshot(name="line_map")
    assert [name for name, _ in fragment.scalar_lists] == ["tags"]
    assert_prisma_valid(schema_of(fragment))
    assert_formatted(prisma6, schema_of(fragment))


def test_event_extends_base(
    snapshot: object, assert_prisma_valid: Callable[..., object], prisma6: object
) -> None:
    event, base = load(event_yaml=EVENT, base_yaml=BASE)  # the parent may come later
    assert (event.name, base.name) == ("event", "base")
    assert event.text == snapshot(name="event")
    assert base.text == snapshot(name="base")
    # inherited lines point at `extends:`, own lines at their field
    lines = event.text.splitlines()
    assert event.line_map[lines.index("  id        String   @id @default(uuid())")] == 4
    assert event.line_map[next(i for i, t in enumerate(lines) if t.startswith("  title"))] == 6
    assert_prisma_valid(schema_of(event, base))
    assert_formatted(prisma6, schema_of(event, base))


def test_every_type_and_override(
    snapshot: object, assert_prisma_valid: Callable[..., object], prisma6: object
) -> None:
    fragment = one(EVERYTHING)
    assert fragment.text == snapshot(name="text")
    assert [name for name, _ in fragment.scalar_lists] == ["scores", "flags", "dates", "blobs", "counts"]
    assert fragment.json_lists == ["blobs"]
    assert_prisma_valid(schema_of(fragment))
    assert_formatted(prisma6, schema_of(fragment))


def assert_formatted(prisma6: object, schema: str) -> None:
    """`prisma format` leaves the generated model as it is."""
    [(_, formatted)] = prisma6.format(schema)  # type: ignore[attr-defined]
    assert formatted == schema


def test_the_documented_example(assert_prisma_valid: Callable[..., object], prisma6: object) -> None:
    doc = (Path(__file__).parents[1] / "docs" / "entities.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```(\w+)\n(.*?)```", doc, re.S)
    base, venue = (text for lang, text in blocks if lang == "yaml")
    expected = next(text for lang, text in blocks if lang == "prisma")
    fragments = load_entities([Source("base_entity.yaml", base), Source("venue.yaml", venue)])
    assert fragments[1].text == expected
    assert_prisma_valid(schema_of(*fragments))
    assert_formatted(prisma6, schema_of(*fragments))


PURE_PYTHON_YAML = """
import json, sys
sys.modules["yaml._yaml"] = None  # no libyaml: PyYAML's own loader
import yaml
from composer.diagnostics import ComposeError, Source
from composer.entities import load_entities

assert not yaml.__with_libyaml__
asked = json.load(sys.stdin)
fragments = load_entities([Source(name, text, "/project/" + name) for name, text in asked["files"]])
try:
    load_entities([Source("entity.yaml", asked["bad"], "/project/entity.yaml")])
except ComposeError as exc:
    where = [exc.diagnostics[0].location.file, exc.diagnostics[0].location.line]
print(json.dumps({"texts": [f.text for f in fragments], "error": where}))
"""


def test_pure_python_yaml() -> None:
    """Without libyaml, PyYAML's own safe loader gives the same fragments and error places."""
    files = {"base_yaml": BASE, "event_yaml": EVENT, "everything_yaml": EVERYTHING}
    bad = "schema:\n  name: T\n fields: []\n"
    asked = {"files": [[s.path.removeprefix("/project/"), s.text] for s in sources(**files)], "bad": bad}
    done = subprocess.run(
        [sys.executable, "-c", PURE_PYTHON_YAML],
        input=json.dumps(asked),
        capture_output=True,
        text=True,
        timeout=120,
        env=cli_env(),
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["texts"] == [f.text for f in load(**files)]
    assert tuple(answer["error"]) == at(only_error(bad)) == ("entity.yaml", 3)


def test_line_map_covers_every_line() -> None:
    for fragment in load(venue_yaml=VENUE, base_yaml=BASE, event_yaml=EVENT, everything_yaml=EVERYTHING):
        assert fragment.text.endswith("}\n")
        assert len(fragment.line_map) == fragment.text.count("\n")
        assert all(1 <= line <= fragment.yaml_source.text.count("\n") + 1 for line in fragment.line_map)


def test_line_map_points_at_the_field() -> None:
    fragment = one(VENUE)
    psl = fragment.text.splitlines()
    yaml_lines = fragment.yaml_source.text.splitlines()
    for i, text in enumerate(psl):
        if text.startswith("  capacity"):
            assert yaml_lines[fragment.line_map[i] - 1].strip() == "- name: capacity"
        if text.startswith("  /// Unique id"):
            assert yaml_lines[fragment.line_map[i] - 1].strip() == "description: Unique id"
        if text.startswith("  @@index([name])"):
            assert yaml_lines[fragment.line_map[i] - 1].strip() == "- name: name"


def test_output_order_is_input_order() -> None:
    names = [f.model_name for f in load(b_yaml=EVENT, a_yaml=BASE, c_yaml=VENUE)]
    assert names == ["Event", "BaseEntity", "Venue"]


def test_other_generators_keys_are_ignored() -> None:
    fragment = one("""
        version: 3
        python: {module: app.models}
        schema:
          name: Thing
          table: things
          python: {base: Model}
        fields:
          - name: id
            type: string
            primary_key: true
            python: {alias: pk}
            search: {index: false}
            notes: anything at all
            exclude: [web]
            extraction_fields: [a]
        extraction_fields:
          - name: summary
        exclude: true
        """)
    assert fragment.text == "model Thing {\n  id String @id\n}\n"
    assert fragment.warnings == []  # other generators' keys are far from every key of the format


def test_nullable_list_has_no_question_mark() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - {name: id, type: integer, primary_key: true}
          - {name: tags, type: "list[string]", nullable: true}
          - {name: note, type: string, nullable: true}
        """).text
    assert "tags String[]\n" in text
    assert "note String?\n" in text


def test_index_rules() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - {name: id, type: integer, primary_key: true, unique: true, index: true}
          - {name: a, type: string, unique: true, index: true}
          - {name: b, type: string, index: true}
          - {name: c, type: string, index: true, prisma: {attributes: ["@unique"]}}
          - {name: d, type: string, index: true, prisma: {skip: true}}
        """).text
    assert "  id Int    @id\n" in text  # @unique dropped: an id is unique already
    assert "  a  String @unique\n" in text
    assert "@@index([b])" in text
    assert "@@index([a])" not in text and "@@index([c])" not in text and "@@index([id])" not in text
    assert "\n  d " not in text


def test_composite_primary_key() -> None:
    text = one("""
        schema: {name: Membership}
        fields:
          - {name: user_id, type: string, primary_key: true}
          - {name: group_id, type: string, primary_key: true, unique: true}
        """).text
    assert text == (
        "model Membership {\n"
        "  user_id  String\n"
        "  group_id String @unique\n"
        "\n"
        "  @@id([user_id, group_id])\n"
        "}\n"
    )


def test_id_from_attributes_or_block_attribute() -> None:
    one("""
        schema: {name: A}
        fields:
          - name: id
            type: string
            prisma: {attributes: ["@id", "@default(dbgenerated(\\"gen_random_uuid()\\"))"]}
        """)
    text = one("""
        schema:
          name: B
          prisma: {attributes: ["@@id([a, b])"]}
        fields:
          - {name: a, type: string}
          - {name: b, type: string}
        """).text
    assert "@@id([a, b])" in text


def test_prisma_name_maps_the_column() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - {name: id, type: integer, primary_key: true, prisma: {name: id}}
          - {name: first_name, type: string, prisma: {name: firstName}}
        """).text
    assert '  firstName String @map("first_name")\n' in text
    assert "  id        Int    @id\n" in text  # same name: no @map


def test_attributes_replace_computed_ones_in_prisma_order() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - name: id
            type: string
            primary_key: true
            unique: true
            default: cuid()
            prisma:
              name: key
              attributes: ["@db.VarChar( 30 )", "@default(uuid())   @id"]
        """).text
    assert text == "model T {\n  key String @id @default(uuid()) @db.VarChar(30)\n}\n"


def test_skipped_field_needs_no_valid_type() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - {name: id, type: integer, primary_key: true}
          - {name: vec, type: "vector(1536)", prisma: {skip: true}}
        """).text
    assert "vec" not in text


def test_yaml_anchors_and_merge_keys() -> None:
    text = one("""
        defs:
          key: &key {type: string, primary_key: true, default: cuid()}
        schema: {name: T}
        fields:
          - <<: *key
            name: id
          - {name: other_id, <<: *key, primary_key: false}
        """).text
    assert "  id       String @id @default(cuid())\n" in text
    assert "  other_id String @default(cuid())\n" in text


# -- hostile YAML: aliases that expand ------------------------------------------------------------


def _laughs(levels: int, key: str = "default") -> str:
    """An entity whose json `default` is a "billion laughs": each level repeats the one before 9 times."""
    lines = ["schema: {name: Bomb}", "fields:", "  - {name: id, type: string, primary_key: true}",
             "  - name: data", "    type: json", f"    {key}:",
             '      a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, level in zip("abcdefghijkl", "bcdefghijklm"[: levels - 1], strict=False):
        lines.append(f"      {level}: &{level} [{','.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


_ID = "fields:\n  - {name: id, type: string, primary_key: true}\n"


def _limit_memory() -> None:  # in the child, before it runs compose: a regression fails, not the machine
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_billion_laughs_is_refused_at_its_line(tmp_path: Path) -> None:
    """9 levels: 387 million strings if expanded; without the check, a MemoryError after ~20 s."""
    import subprocess
    import sys

    from tests.helpers import write_project

    write_project(tmp_path, {
        "prisma.compose.toml": '[[fragments]]\npath = "base.prisma"\n'
        '[[fragments]]\nyaml = "entities/*.yaml"\n[targets.app]\noutput = "out/schema.prisma"\n',
        "base.prisma": 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n',
    })
    (tmp_path / "entities").mkdir()
    (tmp_path / "entities" / "bomb.yaml").write_text(_laughs(9), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
           "COMPOSE_NO_CACHE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "composer", "build"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, env=env, preexec_fn=_limit_memory,
    )
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1, result.stderr
    assert "entities/bomb.yaml:12:10: error: the aliases of this file repeat more than 100,000" in (
        result.stderr
    )
    assert not (tmp_path / "out").exists()


def test_aliases_that_expand_too_far_anywhere_in_the_file() -> None:
    # Under another generator's key too: reading any of it would expand it.
    d = only_error(_laughs(7, key="python"))
    assert (d.code, at(d)) == ("E415", ("entity.yaml", 12))
    # `<<` merges of merges: what PyYAML before 6.0.3 expands in its flatten_mapping.
    merges = "x0: &x0 {a: 1, b: 2, c: 3}\n" + "".join(
        f"x{i}: &x{i} {{<<: [{','.join([f'*x{i - 1}'] * 9)}]}}\n" for i in range(1, 10)
    )
    d = only_error(f"{merges}schema: {{name: T, <<: *x9}}\n{_ID}")
    assert (d.code, at(d)) == ("E415", ("entity.yaml", 6))


def test_an_alias_inside_its_own_value() -> None:
    d = only_error("schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true}\n"
                   "  - {name: d, type: json, default: &a [1, *a]}\n")
    assert (d.code, at(d)) == ("E415", ("entity.yaml", 4))
    assert "endless" in d.message
    d = only_error("schema: &s {name: T, <<: *s}\nfields:\n  - {name: id, type: string, primary_key: true}\n")
    assert (d.code, at(d)) == ("E415", ("entity.yaml", 1))


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 12), levels=st.integers(1, 9), key=st.sampled_from(["default", "python"]))
def test_alias_limit_is_exact(width: int, levels: int, key: str) -> None:
    """Refused exactly when the aliases add more than the limit's nodes; otherwise expanded whole."""
    names = "abcdefghijk"
    lines = ["schema: {name: T}", "fields:", "  - {name: id, type: string, primary_key: true}",
             "  - name: data", "    type: json", f"    {key}:", f"      a: &a [{', '.join(['1'] * width)}]"]
    for prev, name in itertools.pairwise(names[:levels]):
        lines.append(f"      {name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    sizes = [1 + width]
    for _ in range(levels - 1):
        sizes.append(1 + width * sizes[-1])
    added = sum(width * size for size in sizes[:-1])
    text = "\n".join(lines) + "\n"
    if added > entities.MAX_ALIAS_NODES:
        assert only_error(text).code == "E415"
    elif key == "default":
        assert one(text).text.count("1") >= width**levels
    else:
        assert one(text).warnings == []


def test_aliases_within_the_limit_expand() -> None:
    text = one(_laughs(4)).text  # 9 ** 4 strings: 6,561 + the levels below
    assert text.count("lol") == 9 + 81 + 729 + 6561


def test_default_literals() -> None:
    text = one("""
        schema: {name: T}
        fields:
          - {name: id, type: integer, primary_key: true, default: 0x10}
          - {name: s, type: string, default: 'tab\tquote" back\\ é'}
          - {name: f, type: float, default: 1.5e+20}
          - {name: g, type: float, default: -3}
          - {name: b, type: boolean, default: false}
          - {name: d, type: datetime, default: "2024-01-31 12:00:00+01:00"}
          - {name: j, type: json, default: '"hello"'}
          - {name: k, type: json, default: [1, "two", {three: 3}]}
          - {name: n, type: string, nullable: true, default: null}
        """).text
    assert "@default(16)" in text
    assert '@default("tab\\tquote\\" back\\\\ é")' in text
    assert "@default(150000000000000000000.0)" in text or "@default(150000000000000000000)" in text
    assert "@default(-3)" in text
    assert "@default(false)" in text
    assert '@default("2024-01-31 12:00:00+01:00")' in text
    assert '@default("\\"hello\\"")' in text
    assert '@default("[1,\\"two\\",{\\"three\\":3}]")' in text
    assert "  n  String?\n" in text


# -- entity files as they exist in the wild ------------------------------------------------------

_WILD_ID = "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true}\n"


def _wild(assert_prisma_valid: Callable[..., object], text: str) -> GeneratedFragment:
    """One entity (after an id field), valid for Prisma 6 and 7."""
    fragment = one(_WILD_ID + textwrap.indent(textwrap.dedent(text).lstrip("\n"), "  "))
    _valid_for_prisma_6_and_7(assert_prisma_valid, fragment)
    return fragment


def _valid_for_prisma_6_and_7(assert_prisma_valid: Callable[..., object], f: GeneratedFragment) -> None:
    assert_prisma_valid(schema_of(f))
    assert_prisma_valid(schema_of(f).replace('  url      = env("DATABASE_URL")\n', ""), version="7")


def test_python_default_factories_are_no_default(assert_prisma_valid: Callable[..., object]) -> None:
    fragment = _wild(assert_prisma_valid, """
          - {name: meta, type: json, default: dict}
          - {name: items, type: json, nullable: true, default: list}
          - {name: tags, type: "list[string]", default: list}
        """)
    assert fragment.text.splitlines()[2:5] == ["  meta  Json", "  items Json?", "  tags  String[]"]
    assert fragment.warnings == []


def test_null_and_none_are_no_default(assert_prisma_valid: Callable[..., object]) -> None:
    fragment = _wild(assert_prisma_valid, """
          - {name: a, type: integer, default: null}
          - {name: b, type: datetime, default: ~}
          - {name: c, type: json, default: none}
          - {name: d, type: boolean, default: None}
          - {name: e, type: string, default: "none"}
        """)
    assert "@default" not in fragment.text.replace('@default("none")', "")
    assert '  e  String   @default("none")' in fragment.text  # quoted: the text `none`


def test_unknown_default_function_goes_to_prisma_with_a_warning(
    assert_prisma_valid: Callable[..., object],
) -> None:
    fragment = _wild(assert_prisma_valid, """
          - {name: short_id, type: string, unique: true, default: nanoid()}
          - name: token
            type: string
            default: dbgenerated(  "gen_random_uuid()"  )
          - {name: v7, type: string, default: uuid(7)}
        """)
    lines = fragment.text.splitlines()
    assert lines[2:5] == [
        "  short_id String @unique @default(nanoid())",
        '  token    String @default(dbgenerated("gen_random_uuid()"))',  # spaced as `prisma format` does
        "  v7       String @default(uuid(7))",
    ]
    assert [(w.severity, w.code, str(w.location)) for w in fragment.warnings] == [
        ("warning", "W401", "entity.yaml:4:59"),
        ("warning", "W401", "entity.yaml:7:14"),
        ("warning", "W401", "entity.yaml:8:39"),
    ]
    assert "`nanoid()`" in fragment.warnings[0].message
    assert "for Prisma to check" in fragment.warnings[0].message


def test_typo_of_a_known_key_is_a_warning_with_did_you_mean(
    assert_prisma_valid: Callable[..., object],
) -> None:
    fragment = one("""
        shcema: {name: Ignored}
        schema: {name: T, descripton: A thing}
        defs:
          flags: &flags {uniqe: true}
        fields:
          - {name: id, type: string, primary_key: true}
          - {name: a, type: string, nulable: true, <<: *flags}
          - {name: b, type: string, <<: *flags, primaryKey: false, tpye: integer}
        """)
    assert "@unique" not in fragment.text and "?" not in fragment.text  # ignored: warned, not guessed
    found = [(str(w.location), w.code, w.hint.split("?")[0] if w.hint else None) for w in fragment.warnings]
    assert found == [
        ("entity.yaml:1:1", "W402", "did you mean `schema`"),
        ("entity.yaml:2:19", "W402", "did you mean `description`"),
        ("entity.yaml:4:18", "W402", "did you mean `unique`"),  # once, though merged into two fields
        ("entity.yaml:7:29", "W402", "did you mean `nullable`"),
        ("entity.yaml:8:41", "W402", "did you mean `primary_key`"),
        ("entity.yaml:8:60", "W402", "did you mean `type`"),
    ]
    assert all(w.severity == "warning" for w in fragment.warnings)
    assert "`nulable` is not a key of the entity format" in fragment.warnings[3].message
    _valid_for_prisma_6_and_7(assert_prisma_valid, fragment)


def test_keys_three_edits_away_are_other_generators() -> None:
    fragment = one("""
        schema: {name: T, table: t, python: {}}
        fields:
          - name: id
            type: string
            primary_key: true
            python: {}
            notes: x
            search: {}
            exclude: []
            label: L
            nullable_if: x
            unique_together: [a]
        """)
    assert fragment.warnings == []


def test_known_keys_come_from_the_json_schema() -> None:
    defs = json.loads(entity_json_schema())["definitions"]
    assert frozenset(defs["field"]["properties"]) == entities.FIELD_KEYS
    assert {"nullable", "unique", "primary_key"} <= entities.FIELD_KEYS


def test_prisma_style_types_suggest_the_entity_type() -> None:
    for written, meant in [("string[]", "list[string]"), ("Int[]", "list[integer]"), ("String", "string"),
                           ("List[bool]", "list[boolean]"), ("DateTime?", "datetime` with `nullable: true")]:
        d = only_error(f"schema: {{name: T}}\nfields:\n  - {{name: id, type: '{written}'}}\n")
        assert (d.code, d.hint) == ("E406", f"did you mean `{meant}`?"), written


def test_one_error_of_a_file_does_not_hide_the_next() -> None:
    found = errors(a_yaml="""
        schema: {name: enum, prisma: {attributes: ["@@index(("]}}
        fields:
          - {name: id, type: strin, primary_key: true}
          - {name: n, type: integer, default: abc}
        """, b_yaml="schema: {name: B, extends: enum}\nfields:\n  - {name: x, type: json, default: dict}\n")
    assert [(at(d), d.code) for d in found] == [
        (("a.yaml", 1), "E402"), (("a.yaml", 1), "E409"), (("a.yaml", 3), "E406"), (("a.yaml", 4), "E408"),
    ]  # and b.yaml's `extends` of a file without a valid name: no error of its own
    assert found[3].message == "the default `abc` does not fit an integer field"


WILD_MANIFEST = """
[[fragments]]
path = "base.prisma"
[[fragments]]
yaml = "entities/*.yaml"

[targets.engine]
output = "out/engine.prisma"

[targets.web]
output = "out/web.prisma"
[targets.web.datasource]
url = false
"""
WILD_ACCOUNT = """
schema:
  name: Account
  description: A customer account.
  extends: null
fields:
  - name: id
    type: string
    primary_key: true
    default: nanoid()
    python: {alias: pk}
  - name: settings
    type: json
    default: dict
    python: {default_factory: dict}
  - name: tags
    type: list[string]
    default: list
    search: {facet: true}
  - name: plan
    type: string
    default: none
    notes: billing decides
  - name: email
    type: string
    uniqe: true
  - name: deleted_at
    type: datetime
    nulable: true
    exclude: [web]
python:
  module: app.models.account
search:
  index: accounts
"""
WILD_TOKEN = """
schema:
  name: Token
fields:
  - name: id
    type: string
    primary_key: true
    default: dbgenerated("gen_random_uuid()")
  - name: account_id
    type: string
    index: true
  - name: payload
    type: json
    nullable: true
    default: null
  - name: scopes
    type: list[string]
    default: list
"""


def test_entity_files_from_the_wild_build(tmp_path: Path, assert_prisma_valid: Callable[..., object]) -> None:
    """The format's files as another generator's project keeps them: each rule above, through the CLI."""
    from tests.fuzzing import run_in_process
    from tests.helpers import BASE, write_project

    write_project(tmp_path, {
        "prisma.compose.toml": WILD_MANIFEST, "base.prisma": BASE,
        "entities/account.yaml": WILD_ACCOUNT, "entities/token.yaml": WILD_TOKEN,
    })
    result = run_in_process(tmp_path, "build")
    assert result.code == 0, result.stderr
    warnings = re.findall(r"^(\S+:\d+:\d+): warning: .*?(`[^`]+`)", result.stderr, re.M)
    assert warnings == [
        ("entities/account.yaml:9:14", "`nanoid()`"),
        ("entities/account.yaml:25:5", "`uniqe`"),
        ("entities/account.yaml:28:5", "`nulable`"),
        ("entities/token.yaml:7:14", '`dbgenerated("gen_random_uuid()")`'),
    ]
    engine = (tmp_path / "out/engine.prisma").read_text(encoding="utf-8")
    for line in ["  id         String   @id @default(nanoid())", "  settings   Json", "  tags       String[]",
                 "  plan       String", "  email      String", "  deleted_at DateTime",
                 '  id         String   @id @default(dbgenerated("gen_random_uuid()"))',
                 "  payload    Json?", "  scopes     String[]"]:
        assert line + "\n" in engine, line
    assert_prisma_valid(engine)
    assert_prisma_valid((tmp_path / "out/web.prisma").read_text(encoding="utf-8"), version="7")


def test_every_yaml_error_of_a_build_together(tmp_path: Path) -> None:
    from tests.fuzzing import run_in_process
    from tests.helpers import write_project

    listed = "schema: {{name: {0}}}\nfields:\n  - {{name: id, type: string, primary_key: true}}\n" \
        "  - {{name: tags, type: 'list[string]'}}\n"
    write_project(tmp_path, {
        "prisma.compose.toml": '[[fragments]]\npath = "base.prisma"\n[[fragments]]\npath = "broken.prisma"\n'
        '[[fragments]]\nyaml = "entities/*.yaml"\n[targets.app]\noutput = "out/schema.prisma"\n',
        "base.prisma": 'datasource db {\n  provider = "sqlite"\n  url      = "file:dev.db"\n}\n',
        "broken.prisma": "model Broken {\n  id Int @id\n",
        "entities/a.yaml": listed.format("A"),
        "entities/b.yaml": listed.format("B"),
    })
    result = run_in_process(tmp_path, "build")
    assert result.code == 1
    # a fragment's syntax error does not hide the YAML files' errors
    assert re.findall(r"^(\S+:\d+:\d+): error:", result.stderr, re.M) == ["broken.prisma:1:1"]
    (tmp_path / "broken.prisma").write_text("model Broken {\n  id Int @id\n}\n", encoding="utf-8")
    result = run_in_process(tmp_path, "build")
    # the lists of every file on a datasource without lists, not only the first file's
    assert re.findall(r"^(\S+:\d+:\d+): error:", result.stderr, re.M) == [
        "entities/a.yaml:4:24", "entities/b.yaml:4:24",
    ]
    (tmp_path / "broken.prisma").write_text("model Broken {\n  id Int @id\n", encoding="utf-8")
    (tmp_path / "entities/c.yaml").write_text("schema: {name: C}\nfields:\n  - {name: id, type: strin}\n")
    result = run_in_process(tmp_path, "build")
    assert re.findall(r"^(\S+:\d+:\d+): error:", result.stderr, re.M) == [
        "broken.prisma:1:1", "entities/c.yaml:3:22",
    ]
    assert not (tmp_path / "out").exists()


# -- errors: each names the file and the line -----------------------------------------------------


def test_malformed_yaml() -> None:
    d = only_error("""
        schema:
          name: Venue
        fields:
          - name: id
           type: string
        """)
    assert at(d) == ("entity.yaml", 5)
    assert "invalid YAML" in d.message


def test_unclosed_flow_mapping() -> None:
    d = only_error("schema: {name: Venue\nfields: []\n")
    assert d.location is not None and d.location.file == "entity.yaml" and d.location.line in (2, 3)
    assert d.code == "E400"


def test_forbidden_character() -> None:
    d = only_error("schema:\n  name: T\x07\n")
    assert at(d) == ("entity.yaml", 2)
    assert "control characters" in d.message


def test_empty_file() -> None:
    assert at(only_error("# nothing here\n")) == ("entity.yaml", 1)


def test_not_a_mapping() -> None:
    assert at(only_error("- just\n- a list\n")) == ("entity.yaml", 1)


def test_unknown_type() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - name: id
            type: int
        """)
    assert at(d) == ("entity.yaml", 4)
    assert "unknown type `int`" in d.message
    assert d.hint == "did you mean `integer`?"


def test_unknown_list_element_type() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: string, primary_key: true}
          - {name: xs, type: "list[list[string]]"}
        """)
    assert at(d) == ("entity.yaml", 4)


def test_missing_type() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: string, primary_key: true}
          - name: other
        """)
    assert at(d) == ("entity.yaml", 4)
    assert "no `type`" in d.message


def test_missing_schema_name() -> None:
    d = only_error("""
        fields: []
        schema:
          description: nameless
        """)
    assert at(d) == ("entity.yaml", 3)
    assert "`schema.name`" in d.message


def test_missing_schema_section() -> None:
    d = only_error("""
        fields:
          - {name: id, type: string}
        """)
    assert at(d) == ("entity.yaml", 1)
    assert "schema" in d.message


def test_description_cannot_be_the_extend_marker() -> None:
    d = only_error("schema:\n  name: T\n  description: |\n    Users.\n    @extend\n")
    assert at(d) == ("entity.yaml", 3)


def test_invalid_model_name() -> None:
    d = only_error("schema:\n  name: 2fast\n")
    assert at(d) == ("entity.yaml", 2)
    d = only_error("schema:\n  name: PrismaClient\n")
    assert at(d) == ("entity.yaml", 2) and "reserved" in d.message


def test_invalid_field_name() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: string, primary_key: true}
          - {name: sort-order, type: integer}
        """)
    assert at(d) == ("entity.yaml", 4)
    assert d.hint is not None and "prisma.name" in d.hint


def test_duplicate_field_names() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: string, primary_key: true}
          - {name: title, type: string}
          - {name: title, type: string}
        """)
    assert at(d) == ("entity.yaml", 5)
    assert [(loc.file, loc.line) for _, loc in d.notes if loc] == [("entity.yaml", 4)]


def test_duplicate_after_prisma_name() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: string, primary_key: true}
          - {name: created_at, type: datetime, prisma: {name: createdAt}}
          - {name: createdAt, type: datetime}
        """)
    assert at(d) == ("entity.yaml", 5)
    assert "`createdAt`" in d.message
    assert [loc.line for _, loc in d.notes if loc] == [4]


def test_duplicate_of_an_inherited_field() -> None:
    [d] = errors(base_yaml=BASE, event_yaml="""
        schema: {name: Event, extends: BaseEntity}
        fields:
          - {name: title, type: string}
          - {name: created_at, type: datetime}
        """)
    assert at(d) == ("event.yaml", 4)
    [(note, loc)] = d.notes
    assert "inherited" in note and loc is not None and (loc.file, loc.line) == ("base.yaml", 10)


def test_duplicate_key_in_a_field() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - name: id
            type: string
            primary_key: true
            type: integer
        """)
    assert at(d) == ("entity.yaml", 6)


def test_unknown_extends() -> None:
    [d] = errors(base_yaml=BASE, event_yaml="""
        schema:
          name: Event
          extends: BaseEntitty
        fields:
          - {name: title, type: string}
        """)
    assert at(d) == ("event.yaml", 3)
    assert d.hint == "did you mean `BaseEntity`?"


def test_cyclic_extends() -> None:
    found = errors(
        a_yaml="schema:\n  name: A\n  extends: B\nfields:\n  - {name: id, type: string, primary_key: true}\n",
        b_yaml="schema:\n  name: B\n  extends: A\n",
    )
    assert len(found) == 1
    assert "cycle" in found[0].message
    assert at(found[0]) in {("a.yaml", 3), ("b.yaml", 3)}


def test_self_extends() -> None:
    d = only_error("schema:\n  name: A\n  extends: A\n")
    assert at(d) == ("entity.yaml", 3)
    assert "cycle" in d.message


def test_two_files_define_one_entity() -> None:
    [d] = errors(a_yaml=VENUE, b_yaml=VENUE)
    assert at(d) == ("b.yaml", 2)
    assert [(loc.file, loc.line) for _, loc in d.notes if loc] == [("a.yaml", 2)]


def test_unknown_prisma_key() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - name: id
            type: string
            primary_key: true
            prisma:
              atributes: ["@id"]
        """)
    assert at(d) == ("entity.yaml", 7)
    assert d.hint == "did you mean `attributes`?"


def test_unknown_schema_prisma_key() -> None:
    d = only_error("schema:\n  name: T\n  prisma:\n    attribute: []\n")
    assert at(d) == ("entity.yaml", 4)
    assert d.hint == "did you mean `attributes`?"


def test_no_primary_key() -> None:
    d = only_error("""
        schema:
          name: Orphan
        fields:
          - {name: title, type: string, unique: true}
        """)
    assert at(d) == ("entity.yaml", 2)
    assert "primary key" in d.message


def test_primary_key_must_be_required() -> None:
    d = only_error("""
        schema: {name: T}
        fields:
          - name: id
            type: string
            primary_key: true
            nullable: true
        """)
    assert at(d) == ("entity.yaml", 6)
    d = only_error("""
        schema: {name: T}
        fields:
          - {name: id, type: "list[string]", primary_key: true}
        """)
    assert at(d) == ("entity.yaml", 3)


@pytest.mark.parametrize(
    ("type_", "default", "words"),
    [
        ("integer", '"12"', "does not fit"),
        ("integer", "1.5", "does not fit"),
        ("integer", "true", "does not fit"),
        ("string", "12", "does not fit"),
        ("boolean", "1", "does not fit"),
        ("float", ".nan", "finite"),
        ("datetime", "2024-02-30T00:00:00Z", "does not fit"),
        ("datetime", "yesterday", "does not fit"),
        ("string", "now()", "not for string fields"),
        ("integer", "cuid()", "not for integer fields"),
        ("string", "'now() @unique @default(cuid())'", "not one function call"),
        ("string", "'f(x: )'", "has no value"),
        ("list[string]", "dict", "not of list[string] fields"),
        ("integer", "list", "not of integer fields"),
        ("json", "'dict'", "JSON"),  # quoted: JSON text, which `dict` is not
        ("json", "not json", "JSON"),
        ("list[string]", "abc", "must be a list"),
        ("list[integer]", "[1, x]", "does not fit"),
        ("list[datetime]", "now()", "not for list[datetime] fields"),
    ],
)
def test_default_that_does_not_fit(type_: str, default: str, words: str) -> None:
    d = only_error(f"""
        schema: {{name: T}}
        fields:
          - name: id
            type: string
            primary_key: true
          - name: value
            type: "{type_}"
            default: {default}
        """)
    assert at(d) == ("entity.yaml", 8)
    assert words in d.message
    assert d.code == "E408"


@pytest.mark.parametrize("flag", ["nullable", "primary_key", "unique", "index"])
def test_flags_must_be_booleans(flag: str) -> None:
    d = only_error(f"""
        schema: {{name: T}}
        fields:
          - name: id
            type: string
            primary_key: true
          - name: value
            type: string
            {flag}: "sometimes"
        """)
    assert at(d) == ("entity.yaml", 8)


@pytest.mark.parametrize(
    "prisma_type", ['"String @db.Text"', '"String?[]"', '"Unsupported(geometry)"', '""', '"[String]"']
)
def test_bad_prisma_type(prisma_type: str) -> None:
    d = only_error(f"""
        schema: {{name: T}}
        fields:
          - name: id
            type: string
            primary_key: true
            prisma:
              type: {prisma_type}
        """)
    assert at(d) == ("entity.yaml", 7)


@pytest.mark.parametrize(
    "attribute", ['"@default("', '"@@index([id])"', '"id"', '"@map(\\"x\\") // note"', '"@relation(fields:)"']
)
def test_bad_field_attribute(attribute: str) -> None:
    d = only_error(f"""
        schema: {{name: T}}
        fields:
          - name: id
            type: string
            primary_key: true
            prisma:
              attributes:
                - "@id"
                - {attribute}
        """)
    assert at(d) == ("entity.yaml", 9)


def test_bad_block_attribute() -> None:
    d = only_error("""
        schema:
          name: T
          prisma:
            attributes:
              - "@@index([a])"
              - "@unique"
        fields:
          - {name: id, type: string, primary_key: true}
        """)
    assert at(d) == ("entity.yaml", 6)


def test_fields_must_be_a_list() -> None:
    d = only_error("schema: {name: T}\nfields:\n  id: {type: string}\n")
    assert at(d) == ("entity.yaml", 3)


def test_all_errors_of_all_files_at_once() -> None:
    found = errors(
        a_yaml="schema: {name: A}\nfields:\n  - {name: id, type: strin, primary_key: true}\n"
        "  - {name: x, type: integer, default: abc}\n",
        b_yaml="schema: {name: B\n",
        c_yaml=VENUE,
    )
    assert [at(d) for d in found] == [("a.yaml", 3), ("a.yaml", 4), ("b.yaml", 2)]


def test_an_entity_extending_a_broken_one_adds_no_error() -> None:
    found = errors(
        base_yaml="schema: {name: Base}\nfields:\n  - {name: id, type: strin, primary_key: true}\n",
        event_yaml="schema: {name: Event, extends: Base}\nfields:\n  - {name: title, type: string}\n",
    )
    assert [at(d) for d in found] == [("base.yaml", 3)]


def test_errors_render_with_a_caret() -> None:
    d = only_error("schema: {name: T}\nfields:\n  - {name: id, type: int, primary_key: true}\n")
    rendered = d.render()
    assert rendered.startswith("entity.yaml:3:")
    assert "  - {name: id, type: int, primary_key: true}" in rendered
    assert "^~~" in rendered


# -- provider check -----------------------------------------------------------------------------

LISTS = """
schema: {name: Post}
fields:
  - {name: id, type: integer, primary_key: true}
  - name: tags
    type: list[string]
  - name: meta
    type: list[json]
  - name: labels
    type: list[string]
    prisma: {type: Json}
  - name: aliases
    type: list[string]
    prisma: {skip: true}
  - name: codes
    type: string
    prisma: {type: "String[]"}
"""


@pytest.mark.parametrize("provider", ["sqlite", "mysql", "sqlserver"])
def test_lists_need_a_provider_with_scalar_lists(provider: str) -> None:
    fragment = one(LISTS)
    with pytest.raises(ComposeError) as info:
        check_provider(fragment, provider)
    found = info.value.diagnostics
    assert [at(d) for d in found] == [("entity.yaml", 5), ("entity.yaml", 7), ("entity.yaml", 16)]
    assert "`tags`" in found[0].message and provider in found[0].message
    assert "`codes`" in found[2].message


@pytest.mark.parametrize("provider", ["postgresql", "postgres", "mongodb", None])
def test_lists_allowed(provider: str | None) -> None:
    check_provider(one(LISTS), provider)


def test_cockroachdb_has_no_json_lists() -> None:
    with pytest.raises(ComposeError) as info:
        check_provider(one(LISTS), "cockroachdb")
    [d] = info.value.diagnostics
    assert at(d) == ("entity.yaml", 7) and "`meta`" in d.message


def test_no_lists_no_error() -> None:
    check_provider(one(BASE), "sqlite")


def test_inherited_list_is_reported_in_the_parent_file() -> None:
    event = load(
        base_yaml="schema: {name: Base}\nfields:\n  - {name: id, type: string, primary_key: true}\n"
        "  - {name: tags, type: 'list[string]'}\n",
        event_yaml="schema: {name: Event, extends: Base}\n",
    )[1]
    with pytest.raises(ComposeError) as info:
        check_provider(event, "sqlite")
    assert [at(d) for d in info.value.diagnostics] == [("base.yaml", 4)]


# -- no exception but ComposeError ----------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("schema:nfieldstyp[]{}-,&*<!|>'\"\n #@1.?")), max_size=120))
def test_any_text_gives_fragments_or_compose_error(text: str) -> None:
    try:
        load_entities([Source("fuzz.yaml", text)])
    except ComposeError as exc:
        for d in exc.diagnostics:
            assert d.location is not None and d.location.file == "fuzz.yaml"


@settings(max_examples=100, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["schema", "name", "fields", "type", "prisma", "default", "extends", "attributes",
                         "skip", "primary_key", "nullable", "description", "x"]), inner, max_size=4),
    max_leaves=12,
))
def test_any_yaml_value_gives_fragments_or_compose_error(value: object) -> None:
    with contextlib.suppress(ComposeError):
        load_entities([Source("fuzz.yaml", yaml.safe_dump(value))])


# -- JSON Schema ----------------------------------------------------------------------------------


def test_json_schema_matches_the_loader() -> None:
    schema = json.loads(entity_json_schema())
    defs = schema["definitions"]
    assert tuple(defs["type"]["enum"]) == entities.ENTITY_TYPES
    assert set(defs["prisma"]["properties"]) == entities.PRISMA_KEYS
    assert defs["prisma"]["additionalProperties"] is False
    schema_props = schema["properties"]["schema"]["properties"]
    assert set(schema_props) == entities.SCHEMA_KEYS
    assert set(schema_props["prisma"]["properties"]) == entities.SCHEMA_PRISMA_KEYS
    assert set(defs["field"]["properties"]) == entities.FIELD_KEYS
    assert set(schema["properties"]) == entities.TOP_KEYS
    assert defs["identifier"]["pattern"] == entities.IDENTIFIER_PATTERN
    assert schema_props["name"]["pattern"] == entities.IDENTIFIER_PATTERN
    assert set(defs["reservedModelName"]["enum"]) == entities.RESERVED_MODEL_NAMES



def test_every_key_the_loader_reads_is_declared_in_the_json_schema() -> None:
    """The loader keeps only the keys the schema declares (`read_mapping`), so a key read but not
    declared would silently never be found: every `spec["k"]`, `spec.get("k")` and `"k" in spec`
    of the entity model names a key of the section that variable holds."""
    import ast

    sections = {
        "top": entities.TOP_KEYS,
        "schema": entities.SCHEMA_KEYS,
        "spec": entities.FIELD_KEYS,
        "prisma": entities.PRISMA_KEYS | entities.SCHEMA_PRISMA_KEYS,
    }
    tree = ast.parse((Path(__file__).parents[1] / "composer/entities/model.py").read_text(encoding="utf-8"))
    read: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            holder, key = node.value.id, node.slice
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            holder = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
            key = node.args[0] if node.args else None
        elif isinstance(node, ast.Compare) and isinstance(node.comparators[0], ast.Name):
            holder, key = node.comparators[0].id, node.left
        else:
            continue
        if holder in sections and isinstance(key, ast.Constant) and isinstance(key.value, str):
            read.append((holder, key.value))
    assert len(read) > 20  # the scan sees the reads
    assert [(holder, key) for holder, key in read if key not in sections[holder]] == []


_T_ID = "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true"
AGREEMENT = {  # entity file -> accepted by the loader (and so by the schema)
    VENUE: True,
    EVERYTHING: True,
    "schema: {name: T}\nfields:\n  - {name: id, type: integer, primary_key: true}\n": True,
    "schema: {name: T}\nfields:\n  - {name: id, type: int, primary_key: true}\n": False,
    "schema: {name: T}\nfields:\n  - {name: id, primary_key: true}\n": False,
    "schema: {name: T}\nfields:\n  - {type: string, primary_key: true}\n": False,
    "schema: {name: 9T}\nfields:\n  - {name: id, type: string, primary_key: true}\n": False,
    "schema: {name: enum}\nfields:\n  - {name: id, type: string, primary_key: true}\n": False,
    "schema: {description: x}\n": False,
    "fields: []\n": False,
    "schema: {name: T}\nfields: {id: 1}\n": False,
    "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: 'yes'}\n": False,
    "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true, prisma: {nmae: x}}\n": False,
    f"{_T_ID}, prisma: {{name: 1x}}}}\n": False,
    f"{_T_ID}, prisma: {{attributes: '@id'}}}}\n": False,
    f"{_T_ID}, prisma: {{attributes: [id]}}}}\n": False,
    "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true}\n"
    "  - {name: bad-name, type: string}\n": False,
    "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true}\n"
    "  - {name: bad-name, type: string, prisma: {name: good}}\n": True,
    "schema: {name: T}\nfields:\n  - {name: id, type: string, primary_key: true}\n"
    "  - {name: bad-name, type: 'vector', prisma: {skip: true}}\n": True,
    "schema: {name: T, prisma: {attributes: ['@map(\"t\")']}}\n"
    "fields:\n  - {name: id, type: string, primary_key: true}\n": False,
    "schema: {name: T, prisma: {attributes: ['@@map(\"t\")']}}\n"
    "fields:\n  - {name: id, type: string, primary_key: true}\n": True,
    f"{_T_ID}, default: nanoid()}}\n  - {{name: j, type: json, default: dict, nulable: true}}\n": True,
    f"{_T_ID}}}\n  - {{name: j, type: 'string[]'}}\n": False,
}


@pytest.mark.parametrize(("text", "accepted"), list(AGREEMENT.items()))
def test_json_schema_agrees_with_the_loader(text: str, accepted: bool) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    document = yaml.safe_load(textwrap.dedent(text))
    schema_ok = jsonschema.Draft7Validator(json.loads(entity_json_schema())).is_valid(document)
    try:
        load_entities([src("entity.yaml", text)])
        loader_ok = True
    except ComposeError:
        loader_ok = False
    assert (loader_ok, schema_ok) == (accepted, accepted)


def test_json_schema_is_a_valid_draft7_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft7Validator.check_schema(json.loads(entity_json_schema()))


# -- property: every valid entity is a model Prisma accepts ---------------------------------------

_identifiers = st.from_regex(r"[a-z][A-Za-z0-9_]{0,12}", fullmatch=True)
_texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=20)
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
_LITERALS: dict[str, st.SearchStrategy[object]] = {
    "string": _texts,
    "integer": st.integers(-(2**31), 2**31 - 1),
    "float": st.floats(allow_nan=False, allow_infinity=False, width=32),
    "boolean": st.booleans(),
    "datetime": st.datetimes().map(lambda d: d.isoformat(timespec="seconds") + "Z"),
    # A YAML string default of a json field is JSON text; any other YAML value is the JSON value.
    "json": _json_values.filter(lambda v: not isinstance(v, str)) | _json_values.map(json.dumps),
}
_FUNCTIONS = {"string": ["cuid()", "uuid()"], "integer": ["autoincrement()"], "datetime": ["now()"]}


@st.composite
def _field(draw: st.DrawFn, name: str) -> dict[str, object]:
    base = draw(st.sampled_from(sorted(entities.SCALAR_TYPES)))
    is_list = draw(st.booleans())
    spec: dict[str, object] = {"name": name, "type": f"list[{base}]" if is_list else base}
    for flag in ("nullable", "unique", "index"):
        if draw(st.booleans()):
            spec[flag] = draw(st.booleans())
    if draw(st.booleans()):
        spec["description"] = draw(_texts)
    choice = draw(st.sampled_from(["none", "literal", "function"]))
    if choice == "literal":
        literal = _LITERALS[base]
        spec["default"] = draw(st.lists(literal, max_size=3)) if is_list else draw(literal)
    elif choice == "function" and base in _FUNCTIONS and not is_list:
        spec["default"] = draw(st.sampled_from(_FUNCTIONS[base]))
    if draw(st.integers(0, 4)) == 0:
        spec["prisma"] = {"name": name + "_p"}
    if draw(st.integers(0, 9)) == 0:
        spec["prisma"] = {"skip": True}
    return spec


@st.composite
def _entity(draw: st.DrawFn) -> dict[str, object]:
    names = draw(st.lists(_identifiers, min_size=1, max_size=8, unique_by=str.lower))
    fields = [draw(_field(n)) for n in names if not n.lower().endswith("_p")]
    keys = draw(st.integers(1, 2))
    for i in range(min(keys, len(fields))):  # 1 id, or a composite one
        scalar = str(fields[i]["type"]).removeprefix("list[").removesuffix("]")
        fields[i].update(primary_key=True, nullable=False, type=scalar)
        fields[i].pop("prisma", None)
        if isinstance(fields[i].get("default"), list):
            fields[i].pop("default")
    entity: dict[str, object] = {"schema": {"name": "Entity", "description": draw(_texts)}, "fields": fields}
    return entity


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entity=_entity())
def test_valid_entities_are_valid_prisma(
    entity: dict[str, object], assert_prisma_valid: Callable[..., object], prisma6: object
) -> None:
    text = yaml.safe_dump(entity, allow_unicode=True, sort_keys=False)
    try:
        [fragment] = load_entities([Source("entity.yaml", text)])
    except ComposeError as exc:
        # The only entity the strategy can make that the loader refuses: every id field skipped.
        assert all(d.code == "E414" for d in exc.diagnostics), exc
        return
    schema = schema_of(fragment)
    assert_prisma_valid(schema)
    assert_formatted(prisma6, schema)
