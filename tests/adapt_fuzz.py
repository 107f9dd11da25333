"""Random realistic PostgreSQL schemas, adapted to every other provider: shared by
tests/test_adapt.py (a few hypothesis examples) and benchmarks/fuzz.py (a long seeded run).

`schema(rng)` draws a fragment from a grammar of the fields real schemas have (scalar types ×
PostgreSQL native types × `?`/`[]` × `@id`/`@unique`/`@default`/relations, indexes with `type:` and
`ops:`, `@@schema`, enums with `@map`, comments). `judge` composes it into a target on another
provider and holds the outcome to the contract of docs/providers.md: Prisma accepts the output,
or compose stops with errors located at fragment lines; each info note is at the line of the text
it names. A draw that Prisma itself rejects on PostgreSQL is skipped by the caller.
"""

from __future__ import annotations

import random
import re
import textwrap
from collections.abc import Callable
from pathlib import Path

from composer.diagnostics import ComposeError

from .helpers import compose, write_project

PROVIDERS = ("sqlite", "mysql", "sqlserver", "cockroachdb")
ALL = 'lists = "json"\nenums = "string"\njson = "string"'

# scalar -> (native types PostgreSQL has for it, defaults that make sense)
SCALARS: dict[str, tuple[list[str], list[str]]] = {
    "String": (
        ["", "@db.VarChar(255)", "@db.VarChar", "@db.Text", "@db.Char(2)", "@db.Uuid", "@db.Citext",
         "@db.VarChar(20000)", "@db.Xml", "@db.Inet", "@db.Bit(3)"],
        ["", '@default("x")', "@default(uuid())", "@default(cuid())", '@default("")'],
    ),
    "Int": (["", "@db.Integer", "@db.SmallInt", "@db.Oid"], ["", "@default(0)", "@default(-1)"]),
    "BigInt": (["", "@db.BigInt"], ["", "@default(0)"]),
    "Float": (["", "@db.Real", "@db.DoublePrecision"], ["", "@default(1.5)"]),
    "Decimal": (
        ["", "@db.Decimal(10, 2)", "@db.Decimal", "@db.Money", "@db.Decimal(40, 5)"],
        ["", "@default(0)"],
    ),
    "Boolean": (["", "@db.Boolean"], ["", "@default(false)"]),
    "DateTime": (
        ["", "@db.Timestamptz(6)", "@db.Timestamp(3)", "@db.Timestamp", "@db.Date", "@db.Time(2)",
         "@db.Timetz"],
        ["", "@default(now())", '@default(dbgenerated("now()"))'],
    ),
    "Json": (["", "@db.JsonB", "@db.Json"], ["", '@default("{}")', '@default("[]")']),
    "Bytes": (["", "@db.ByteA"], [""]),
}
LIST_DEFAULTS = {"String": '@default(["a", "b"])', "Int": "@default([1, 2])", "Boolean": "@default([true])"}
INDEX_TYPES = ["", ", type: BTree", ", type: Hash", ", type: Gin", ", type: Brin"]


def schema(rng: random.Random) -> str:
    """One PostgreSQL fragment: a datasource, a few enums and models, relations between them."""
    multi = rng.random() < 0.3
    out = ['datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n']
    if multi:
        out.append('  schemas  = ["public", "auth"]\n')
    out.append("}\n\n")
    if multi:
        out.append(
            'generator c {\n  provider        = "prisma-client-js"\n'
            '  previewFeatures = ["multiSchema"]\n}\n\n'
        )
    enums = [f"E{i}" for i in range(rng.randint(0, 2))]
    for name in enums:
        out.append(f"/// the {name} values\nenum {name} {{\n")
        for v in range(rng.randint(1, 3)):
            mapped = f' @map("v{v}")' if rng.random() < 0.3 else ""
            out.append(f"  V{v}{mapped}\n")
        if multi:
            out.append('\n  @@schema("auth")\n')
        out.append("}\n\n")
    models = [f"M{i}" for i in range(rng.randint(1, 3))]
    ids: dict[str, tuple[str, str]] = {}
    for name in models:
        kind = rng.choice(["int", "uuid", "bigint", "cuid", "text"])
        ids[name] = {
            "int": ("Int", "@id @default(autoincrement())"),
            "uuid": ("String", "@id @default(uuid()) @db.Uuid"),
            "bigint": ("BigInt", "@id @default(autoincrement())"),
            "cuid": ("String", "@id @default(cuid())"),
            "text": ("String", '@id(map: "pk") @db.Text'),
        }[kind]
    for mi, name in enumerate(models):
        fields: list[str] = []
        id_type, id_attrs = ids[name]
        fields.append(f"id {id_type} {id_attrs}")
        names: list[str] = []
        for fi in range(rng.randint(1, 6)):
            field = f"f{fi}"
            pick = rng.random()
            if enums and pick < 0.15:
                enum = rng.choice(enums)
                mark = rng.choice(["", "?", "[]"])
                default = "@default(V0)" if mark == "" and rng.random() < 0.5 else ""
                if mark == "[]" and rng.random() < 0.4:
                    default = "@default([V0])"
                fields.append(f"{field} {enum}{mark} {default}".rstrip())
            else:
                scalar = rng.choice(list(SCALARS))
                natives, defaults = SCALARS[scalar]
                mark = rng.choice(["", "", "?", "[]"])
                native = rng.choice(natives)
                default = rng.choice(defaults) if mark != "[]" else ""
                if mark == "[]" and scalar in LIST_DEFAULTS and rng.random() < 0.4:
                    default = LIST_DEFAULTS[scalar]
                if mark == "[]" and rng.random() < 0.3:
                    default = "@default([])"
                unique = "@unique" if mark != "[]" and scalar not in ("Json",) and rng.random() < 0.2 else ""
                comment = " // why" if rng.random() < 0.2 else ""
                line = " ".join(p for p in (field, scalar + mark, unique, default, native) if p)
                fields.append(line + comment)
                if mark != "[]" and scalar not in ("Json", "Bytes"):
                    names.append(field)
            if rng.random() < 0.1:
                fields.append(f"/// about {field}")
        if mi > 0 and rng.random() < 0.7:
            parent = models[rng.randrange(mi)]
            ptype, pattrs = ids[parent]
            native = " @db.Uuid" if "@db.Uuid" in pattrs else " @db.Text" if "@db.Text" in pattrs else ""
            opt = rng.choice(["", "?"])
            action = rng.choice(["", ", onDelete: Cascade", ", onDelete: NoAction, onUpdate: NoAction"])
            fields.append(f"parentId {ptype}{opt}{native}")
            fields.append(f"parent {parent}{opt} @relation(fields: [parentId], references: [id]{action})")
            out_back = f"  children{name} {name}[]\n"
        else:
            out_back = ""
        blocks: list[str] = []
        if names and rng.random() < 0.5:
            target = rng.choice(names)
            ops = ""
            blocks.append(f"@@index([{target}{ops}]{rng.choice(INDEX_TYPES)})")
        if len(names) >= 2 and rng.random() < 0.3:
            blocks.append(f"@@unique([{names[0]}, {names[1]}])")
        if multi:
            comment = " // where it lives" if rng.random() < 0.3 else ""
            blocks.append(f'@@schema("public"){comment}')
        body = "".join(f"  {f}\n" for f in fields)
        if blocks:
            body += "\n" + "".join(f"  {b}\n" for b in blocks)
        out.append(f"model {name} {{\n{body}}}\n\n")
        if out_back:  # the back relation on the parent model
            parent_text = next(i for i, piece in enumerate(out) if piece.startswith(f"model {parent} {{"))
            out[parent_text] = out[parent_text].replace("  id ", out_back + "  id ", 1)
    return "".join(out)


def judge(tmp: Path, fragment: str, provider: str, adapt: str, validate: Callable[[str], list[str]]) -> str:
    """"accepted" or "refused"; raises AssertionError on any other outcome. `validate(text)` gives
    Prisma 6's error messages for a schema."""
    manifest = (
        f'[[fragments]]\npath = "f.prisma"\n[targets.t]\noutput = "out.prisma"\n'
        f'[targets.t.datasource]\nprovider = "{provider}"\n'
    )
    if adapt:
        manifest += f"[targets.t.adapt]\n{adapt}\n"
    root = write_project(tmp, {"f.prisma": fragment, "prisma.compose.toml": manifest})
    lines = textwrap.dedent(fragment).lstrip("\n").splitlines()
    try:
        comp = compose(root)
    except ComposeError as exc:
        for d in exc.diagnostics:
            assert d.location is not None and d.location.file == "f.prisma", d.render()
            assert 1 <= d.location.line <= len(lines), d.render()
            assert d.hint, d.render()
        return "refused"
    body = comp.targets[0].files[0].body
    errors = validate(body)
    assert not errors, f"Prisma rejects the {provider} output: {errors[:2]}\n{body}"
    for note in comp.targets[0].notes:
        loc = note.location
        assert loc is not None and loc.file == "f.prisma", note.render()
        line = lines[loc.line - 1]
        named = re.findall(r"`([^`]+)`", note.message.partition(": ")[2])
        assert any(n.rpartition(".")[2].split("(")[0] in line for n in named), (note.message, line)
    return "accepted"
