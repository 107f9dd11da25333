"""`referential_actions = "no_action"` on SQL Server (composer/adapt/cascade_cuts.py), and the
relation arguments SQL Server spells its own way (composer/adapt/relation_arguments.py).

Each output is checked by Prisma 6 and 7; each input is first checked to be refused by Prisma on
SQL Server as written, so the test fails if the adapting did nothing."""

from __future__ import annotations

import json
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from composer.diagnostics import ComposeError

from .helpers import compose, run_cli_inprocess
from .test_adapt import PG, TWO_PATHS, diamond_chain, fragment_line, project

NO_ACTION = 'referential_actions = "no_action"'

CYCLE = PG + textwrap.dedent(
    """\
    model A {
      id  Int @id
      bId Int
      b   B   @relation(fields: [bId], references: [id], onDelete: Cascade)
      bs  B[] @relation("back")
    }

    model B {
      id  Int @id
      aId Int
      a   A   @relation("back", fields: [aId], references: [id], onDelete: Cascade)
      as  A[]
    }
    """
)

SELF = PG + textwrap.dedent(
    """\
    model Employee {
      id        Int        @id
      managerId Int?
      manager   Employee?  @relation("boss", fields: [managerId], references: [id], onDelete: NoAction)
      reports   Employee[] @relation("boss")
    }
    """
)

# Every `Membership` reaches `User` twice (directly and through `Project`): one relation, the
# one from `Project`, breaks all three diamonds; the relation that closes each as read would be
# three.
HUB = PG + "model User {\n  id Int @id\n  projects Project[]\n" + "".join(
    f"  m{i} Membership{i}[]\n" for i in range(3)
) + "}\n\nmodel Project {\n  id Int @id\n  userId Int\n" + (
    "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n"
) + "".join(f"  m{i} Membership{i}[]\n" for i in range(3)) + "}\n" + "".join(
    f"\nmodel Membership{i} {{\n  id Int @id\n  userId Int\n  projectId Int\n"
    "  user User @relation(fields: [userId], references: [id], onDelete: Cascade)\n"
    "  project Project @relation(fields: [projectId], references: [id], onDelete: Cascade)\n}\n"
    for i in range(3)
)


def refused_on_sqlserver(fragment: str, prisma6) -> None:
    schema = fragment.replace('provider = "postgresql"', 'provider = "sqlserver"')
    assert [d for d in prisma6.validate(schema) if d.is_error], "Prisma takes it as written"


def no_action_targets(tmp_path, fragment: str, adapt: str = NO_ACTION):
    return compose(project(tmp_path, "sqlserver", adapt, fragment)).targets


def changed_notes(target) -> list:
    return [n for n in target.notes if "no_action" in n.message]


def test_a_diamond_gets_no_action_on_one_relation(tmp_path, prisma6, assert_prisma_valid):
    fragment = textwrap.dedent(TWO_PATHS)
    refused_on_sqlserver(fragment, prisma6)
    for t in no_action_targets(tmp_path, fragment):
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert body.count("onDelete: Cascade") == 2 and "relationMode" not in body
        assert (
            "@relation(fields: [projectId], references: [id], onDelete: NoAction, onUpdate: NoAction)"
            in body
        )
        (n,) = changed_notes(t)
        assert n.severity == "info" and n.location.file == "f.prisma"
        assert n.location.line == fragment_line(fragment, "project   Project @relation")
        assert "second path from `Org` to `Task`" in n.message
        assert "the database no longer carries out the action here" in n.message
        assert "1 relations given `NoAction`" in (t.adapted or "")


def test_a_cycle_gets_no_action_on_the_relation_that_closes_it(tmp_path, prisma6, assert_prisma_valid):
    refused_on_sqlserver(CYCLE, prisma6)
    for t in no_action_targets(tmp_path, CYCLE):
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert body.count("NoAction") == 2 and body.count("onDelete: Cascade") == 1
        (n,) = changed_notes(t)
        assert "closed the cycle" in n.message
        lines = (fragment_line(CYCLE, "b   B   @relation"), fragment_line(CYCLE, "a   A   @relation"))
        assert n.location.line in lines


def test_only_the_conflicting_action_is_changed(tmp_path, prisma6, assert_prisma_valid):
    """The self-relation already deletes with `NoAction`: only its implicit `onUpdate: Cascade`
    closes the cycle, and only that is added."""
    refused_on_sqlserver(SELF, prisma6)
    for t in no_action_targets(tmp_path, SELF):
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert "onDelete: NoAction, onUpdate: NoAction)" in body and body.count("onDelete") == 1
        (n,) = changed_notes(t)
        assert "`onUpdate: NoAction` (was `Cascade`, implicit)" in n.message and "onDelete:" not in n.message
        assert "a self-relation" in n.message
        assert ": updating a `Employee` that `Employee` rows refer to fails instead" in n.message


def test_the_fewest_relations_are_changed(tmp_path, prisma6, assert_prisma_valid):
    refused_on_sqlserver(HUB, prisma6)
    for t in no_action_targets(tmp_path, HUB):
        assert_prisma_valid(t.files[0].body, t.target.name[1])
        (n,) = changed_notes(t)
        assert "`Project.user`" in n.message


def test_under_prisma_relation_mode_only_cycles_are_changed(tmp_path, assert_prisma_valid):
    """Prisma Client carries out several paths (`relationMode = "prisma"`), not a cycle."""
    emulated = 'provider = "postgresql"\n  relationMode = "prisma"'
    fragment = (CYCLE + "\n" + textwrap.dedent(TWO_PATHS).split("}\n", 1)[1]).replace(
        'provider = "postgresql"', emulated
    )
    for t in no_action_targets(tmp_path, fragment):
        assert_prisma_valid(t.files[0].body, t.target.name[1])
        (n,) = changed_notes(t)
        assert "cycle" in n.message


def test_error_and_emulate_are_unchanged(tmp_path):
    for adapt in ("", 'referential_actions = "emulate"'):
        with pytest.raises(ComposeError) as exc:
            no_action_targets(tmp_path / str(len(adapt)), CYCLE, adapt)
        assert "form a cycle" in exc.value.diagnostics[0].message
        assert NO_ACTION in (exc.value.diagnostics[0].hint or "")
    with pytest.raises(ComposeError) as exc:
        no_action_targets(tmp_path / "paths", textwrap.dedent(TWO_PATHS), "")
    assert "along more than one path" in exc.value.diagnostics[0].message
    emulate = 'referential_actions = "emulate"'
    emulated = no_action_targets(tmp_path / "emulated", textwrap.dedent(TWO_PATHS), emulate)
    assert all("NoAction" not in t.files[0].body for t in emulated)


def test_the_notes_are_in_the_json_report(tmp_path):
    root = project(tmp_path, "sqlserver", NO_ACTION, CYCLE)
    done = run_cli_inprocess(root, "build", "--format", "json", COMPOSE_NO_CACHE="1")
    assert done.returncode == 0, done.stderr
    found = [d for d in json.loads(done.stdout)["diagnostics"] if "no_action" in d["message"]]
    assert len(found) == 2  # one per target
    assert all(d["severity"] == "info" and d["file"] == "f.prisma" and d["line"] for d in found)


def test_a_chain_of_diamonds_is_cut_once_per_diamond(tmp_path):
    """2^n paths, n diamonds: one relation each (the paths are counted, not walked)."""
    n = 30
    models = diamond_chain(n)
    (t, _) = no_action_targets(tmp_path, PG + "\n".join(models))
    assert len(changed_notes(t)) == n


RESTRICT = PG + textwrap.dedent(
    """\
    model A {
      id Int @id
      bs B[]
    }

    model B {
      id  Int @id
      aId Int
      a   A   @relation(fields: [aId], references: [id], onDelete: Restrict, onUpdate: Restrict)
    }
    """
)


def test_restrict_is_written_no_action_on_sqlserver(tmp_path, prisma6, assert_prisma_valid):
    """SQL Server has no `Restrict`; its NO ACTION refuses the change the same way."""
    refused_on_sqlserver(RESTRICT, prisma6)
    for t in compose(project(tmp_path, "sqlserver", "", RESTRICT)).targets:
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert "onDelete: NoAction, onUpdate: NoAction" in body and "Restrict" not in body
        found = [n for n in t.notes if "Restrict" in n.message]
        assert len(found) == 2 and found[0].location.line == fragment_line(RESTRICT, "a   A   @relation")


KEY_ORDER = PG + textwrap.dedent(
    """\
    model A {
      x  Int
      y  Int
      bs B[]

      @@unique([x, y])
    }

    model B {
      id Int @id
      ay Int
      ax Int
      a  A   @relation(fields: [ay, ax], references: [y, x])
    }
    """
)


def test_references_follow_the_key_order_on_sqlserver(tmp_path, prisma6, assert_prisma_valid):
    """SQL Server needs `references` in the key's order: both lists are put in it, pairwise
    (the same foreign key); SQLite takes the fragment as it is."""
    refused_on_sqlserver(KEY_ORDER, prisma6)
    for t in compose(project(tmp_path, "sqlserver", "", KEY_ORDER)).targets:
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert "@relation(fields: [ax, ay], references: [x, y])" in body
        (n,) = [n for n in t.notes if "order of the key" in n.message]
        assert n.location.line == fragment_line(KEY_ORDER, "a  A   @relation")
    for t in compose(project(tmp_path / "sqlite", "sqlite", "", KEY_ORDER)).targets:
        assert "@relation(fields: [ay, ax], references: [y, x])" in t.files[0].body


def test_a_trailing_comma_in_the_relation_takes_the_added_actions(tmp_path, prisma6, assert_prisma_valid):
    """Compose's parser takes `references: [id],)`: the actions added after it are separated by
    that comma, not by a second one (`,, onDelete: NoAction` did not parse: an error quoting text
    the fragment does not hold)."""
    for written in ("references: [id],)", "references: [id], )", "references: [id], onDelete: Cascade,)"):
        fragment = SELF.replace("references: [id], onDelete: NoAction)", written)
        refused_on_sqlserver(fragment, prisma6)
        for t in no_action_targets(tmp_path / str(len(written)), fragment):
            body = t.files[0].body
            assert_prisma_valid(body, t.target.name[1])
            assert "references: [id], onDelete: NoAction, onUpdate: NoAction)" in body


def test_a_relation_mode_the_target_removes_gives_foreign_keys(tmp_path, prisma6, assert_prisma_valid):
    """The fragments emulate their relations (`relationMode = "prisma"`, two cascade paths are
    fine there); a SQL Server target that removes it (`relationMode = false`) has foreign keys,
    so the paths are its problem: cut with `no_action`, an error else (both were taken as
    emulated: an output Prisma refuses, and no word)."""
    fragment = textwrap.dedent(TWO_PATHS).replace(
        'provider = "postgresql"', 'provider = "postgresql"\n  relationMode = "prisma"'
    )
    refused_on_sqlserver(fragment.replace('  relationMode = "prisma"\n', ""), prisma6)
    for adapt in (NO_ACTION, ""):
        root = project(tmp_path / str(len(adapt)), "sqlserver", adapt, fragment)
        manifest = root / "prisma.compose.toml"
        removed = manifest.read_text().replace('"sqlserver"\n', '"sqlserver"\nrelationMode = false\n')
        manifest.write_text(removed)
        if not adapt:
            with pytest.raises(ComposeError) as exc:
                compose(root)
            assert "along more than one path" in exc.value.diagnostics[0].message
            continue
        for t in compose(root).targets:
            body = t.files[0].body
            assert "relationMode" not in body
            assert_prisma_valid(body, t.target.name[1])
            (n,) = changed_notes(t)
            assert "second path from `Org` to `Task`" in n.message


VIEWS = 'generator client {\n  provider        = "prisma-client-js"\n  previewFeatures = ["views"]\n}\n\n'
VIEW_CYCLE = PG + VIEWS + textwrap.dedent(
    """\
    model A {
      id  Int @id
      vId Int
      v   V   @relation(fields: [vId], references: [id], onDelete: Cascade)
      vs  V[] @relation("back")
    }

    view V {
      id  Int @unique
      aId Int
      a   A   @relation("back", fields: [aId], references: [id], onDelete: Restrict)
      as  A[]
    }
    """
)


def test_a_view_s_relations_count_as_a_model_s(tmp_path, prisma6, assert_prisma_valid):
    """Prisma's validator checks a view's relations on SQL Server as a model's: the cycle through
    a view is an error or, with `no_action`, cut; its `Restrict` is written `NoAction` (a view's
    relations were left out: no error, an output Prisma refuses)."""
    refused_on_sqlserver(VIEW_CYCLE, prisma6)
    with pytest.raises(ComposeError) as exc:
        no_action_targets(tmp_path / "error", VIEW_CYCLE, "")
    assert "form a cycle" in exc.value.diagnostics[0].message
    for t in no_action_targets(tmp_path, VIEW_CYCLE):
        body = t.files[0].body
        assert_prisma_valid(body, t.target.name[1])
        assert "Restrict" not in body and len(changed_notes(t)) == 1


ACTIONS = [None, "Cascade", "SetNull", "NoAction", "Restrict", "SetDefault"]
relation_graphs = st.tuples(
    st.integers(1, 5),  # models
    st.sets(st.integers(0, 4), max_size=2),  # which of them are views
    st.lists(  # (referencing, referenced, optional, onDelete, onUpdate)
        st.tuples(st.integers(0, 4), st.integers(0, 4), st.booleans(), st.sampled_from(ACTIONS),
                  st.sampled_from(ACTIONS)),
        min_size=1,
        max_size=8,
    ),
)


Edge = tuple[int, int, bool, "str | None", "str | None"]


def relation_graph(models: int, views: set[int], relations: list[Edge]) -> str:
    key = {True: "  id Int @unique @default(0)", False: "  id Int @id @default(0)"}
    lines = {i: [key[i in views]] for i in range(models)}
    for k, (a, b, optional, on_delete, on_update) in enumerate(relations):
        a, b = a % models, b % models
        args = [f'"r{k}"', f"fields: [r{k}Id]", "references: [id]"]
        args += [f"{name}: {action}" for name, action in (("onDelete", on_delete), ("onUpdate", on_update))
                 if action is not None and (optional or action != "SetNull")]
        q = "?" if optional else ""
        lines[a] += [f"  r{k}Id Int{q} @default(0)", f"  r{k} M{b}{q} @relation({', '.join(args)})"]
        lines[b].append(f'  r{k}s M{a}[] @relation("r{k}")')
    kinds = {i: "view" if i in views else "model" for i in lines}
    blocks = [f"{kinds[i]} M{i} {{\n" + "\n".join(body) + "\n}\n" for i, body in lines.items()]
    return PG + VIEWS + "\n".join(blocks)


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(relation_graphs)
def test_random_relation_graphs_give_what_prisma_takes(tmp_path_factory, prisma6, prisma7, graph) -> None:
    """Models and views, relations between them with every action (explicit or implicit): with
    `no_action` each SQL Server output is one Prisma 6 and 7 accept."""
    fragment = relation_graph(*graph)
    if [d for d in prisma6.validate(fragment) if d.is_error]:
        return  # not a schema to start from
    for t in no_action_targets(tmp_path_factory.mktemp("graph"), fragment):
        engine = prisma6 if t.target.name == "t6" else prisma7
        errors = [d.message for d in engine.validate(t.files[0].body) if d.is_error]
        assert not errors, (fragment, errors)
