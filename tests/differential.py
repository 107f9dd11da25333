"""Differential fuzzing of compose against an older checkout of it (a helper, not a test).

    PYTHONPATH=$PWD /work/venv/bin/python -m tests.differential OLD_TREE [--cases N] [--seed S]
        [--validate-every K] [--parse-only]

Generates projects of odd but real PSL (comments everywhere, CRLF and bare CR, BOM, tabs, unicode,
strings holding `{ } // @`, Unsupported, enums with @map, views, composite types, block
attributes, `/// @extend` in many placements, fields added twice), mutates some (truncation,
single characters, unicode white space, line swaps), and runs `compose build`, `check`, the
composed files' origins/anchors and merged fields, and every K-th case `validate --format json`,
once with PYTHONPATH=OLD_TREE and once with this tree, each in a long-lived worker process; it
prints every case whose exit code, stdout/stderr (timings masked), outputs or source maps differ
and writes it to /tmp/differential/. `--parse-only` compares `psl.parse` itself (declarations,
members, field summaries, syntax errors) on generated blocks and token soup.
"""

# ruff: noqa
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


IDS = ["User", "Post", "Tag", "Ünïcødé", "Café", "A_b", "X1", "Role", "Status", "Kind", "Profile", "Addr"]


def comment(r):
    return r.choice(
        ["// c", "/// doc", "//", "///", '// { } @ " \\', "/// @extend? no", "//@extend", "// é ✓"]
    )


def sp(r):
    return r.choice([" ", "  ", "\t", " \t ", "   "])


def strlit(r):
    return (
        '"'
        + r.choice(["x", "{ }", "// not", "@id", '\\"q\\"', "\\\\", "é✓", "a}b", "", "@@map", "/// @extend"])
        + '"'
    )


def field(r, name, others):
    t = r.choice(
        [
            "Int",
            "String",
            "Boolean",
            "DateTime",
            "Json",
            "Float",
            "Bytes",
            "Decimal",
            "BigInt",
            'Unsupported("circle")',
            'Unsupported("a { } // b")',
        ]
        + others
    )
    mod = r.choice(["", "", "?", "[]"])
    if t.startswith("Unsupported") and mod == "[]":
        mod = "?"
    attrs = []
    for _ in range(r.choice([0, 0, 1, 2, 3])):
        attrs.append(
            r.choice(
                [
                    "@id",
                    "@unique",
                    "@default(autoincrement())",
                    f"@default({strlit(r)})",
                    f"@map({strlit(r)})",
                    "@db.VarChar(200)",
                    "@updatedAt",
                    "@default(now())",
                    "@ignore",
                    '@default(dbgenerated("a(b)"))',
                    f"@relation({strlit(r)})",
                    "@relation(fields: [ref], references: [id])",
                    '@relation("n", fields: [ref, x], references: [id, x], onDelete: Cascade)',
                    '@relation(fields: ["ref"], references: [id])',
                    "@relation(fields:[ref],references:[id])",
                    '@relation(name: "fields: [x]")',
                    "@relation(fields: [1], references: [id])",
                ]
            )
        )
    if r.random() < 0.25 and others:
        t = r.choice(others)
        if r.random() < 0.6:
            attrs = ["@relation(fields: [ref], references: [id])"] + attrs[:1]
    line = sp(r) + name + sp(r) + t + mod
    if attrs:
        line += sp(r) + sp(r).join(attrs)
    if r.random() < 0.3:
        line += sp(r) + comment(r)
    return line


def block_attr(r, fields):
    f = r.choice(fields) if fields else "id"
    return sp(r) + r.choice(
        [
            f"@@index([{f}])",
            f"@@unique([{f}])",
            f"@@map({strlit(r)})",
            "@@ignore",
            f"@@id([{f}])",
            f"@@index([{f}], map: {strlit(r)})",
            f'@@schema("public")',
            f"@@unique([{f}, id])",
        ]
    )


def doc_lines(r):
    return [
        r.choice(["/// doc", "/// more é", "///", "// plain", "/// { }"])
        for _ in range(r.choice([0, 0, 1, 2]))
    ]


def model(r, kw, name, others, n=None, extend=False):
    lines = []
    if extend:
        pre = doc_lines(r)
        post = doc_lines(r)
        marker = r.choice(
            ["/// @extend", "/// @extend  ", "///@extend", "/// @extend\t", "/// @extend", "/// @extend"]
        )
        lines += pre + [marker] + post
        if r.random() < 0.1:
            lines.append("/// @extend")
    else:
        lines += doc_lines(r)
    head = f"{kw}{sp(r)}{name}{r.choice([' ', '  ', ''])}{{"
    if r.random() < 0.15:
        head += " " + comment(r)
    lines.append(head)
    fields = []
    nf = r.choice([0, 1, 2, 3, 5]) if n is None else n
    if not extend and kw != "type":
        fields.append("id")
        lines.append(sp(r) + "id Int @id @default(autoincrement())")
    for i in range(nf):
        fname = r.choice(["name", "email", "count", "títle", "x", "data", "when", "id2", f"f{i}", "ref"])
        if extend and r.random() < 0.85:
            fname = f"e{r.randrange(10**6)}"
        if r.random() < 0.03:
            fname += r.choice(["(", " @default(\n", "{"])
        if r.random() < 0.2:
            lines.append(sp(r) + comment(r))
        if r.random() < 0.1:
            lines.append("")
        lines.append(field(r, fname, others))
        fields.append(fname)
    for _ in range(r.choice([0, 0, 1, 2])):
        if kw == "type" and r.random() < 0.5:
            break
        lines.append(
            r.choice(
                [
                    "  shared String?",
                    "  shared  String?",
                    "  shared String? // c",
                    "\tshared String?",
                    "  shared String",
                    "  shared2 Int @default(1)",
                    "  shared2 Int  @default(1)",
                    "  shared2 Int @default( 1 )",
                    "  /// d\n  shared3 Json",
                    "  shared3 Json",
                    "  shared4 Role?",
                    "  @@index([shared])",
                    "  @@index([ shared ])",
                    '  @@map("t")',
                ]
            )
        )
    if r.random() < 0.4:
        if r.random() < 0.5:
            lines.append("")
        for _ in range(r.choice([1, 2])):
            lines.append(block_attr(r, fields))
    lines.append(r.choice(["}", "}", "} // end", " }"]))
    return lines


def enum(r, name, extend=False):
    lines = []
    if extend:
        lines += doc_lines(r) + [r.choice(["/// @extend", "/// @extend  "])] + doc_lines(r)
    lines.append(f"enum {name} {{")
    for v in r.sample(["A", "B", "C", "Dé", "MEMBER", "ADMIN"], r.choice([0, 1, 2, 3])):
        l = sp(r) + v
        if r.random() < 0.3:
            l += f" @map({strlit(r)})"
        if r.random() < 0.3:
            l += sp(r) + comment(r)
        lines.append(l)
        if r.random() < 0.15:
            lines.append(sp(r) + comment(r))
    if r.random() < 0.2:
        lines.append(f"  @@map({strlit(r)})")
    lines.append("}")
    return lines


def fragment(r, names, own, ext):
    lines = []
    if r.random() < 0.2:
        lines.append(comment(r))
    for kind, name in own:
        if kind == "enum":
            lines += enum(r, name)
        else:
            lines += model(r, kind, name, names)
        lines += [""] * r.choice([0, 1, 1, 2])
    for kind, name in ext:
        if kind == "enum":
            lines += enum(r, name, extend=True)
        else:
            lines += model(r, kind, name, names, extend=True)
        lines += [""] * r.choice([0, 1, 1, 2])
    nl = r.choice(["\n"] * 6 + ["\r\n", "\r\n", "\r"])
    text = nl.join(lines)
    if r.random() < 0.7:
        text += nl
    if r.random() < 0.1:
        text = "\ufeff" + text
    return text


BASE = 'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n\ngenerator client {\n  provider = "prisma-client-js"\n}\n'

MANIFEST = '[[fragments]]\npath = "prisma/base.prisma"\n\n[[fragments]]\nglob = "prisma/d/*.prisma"\n\n[targets.web]\noutput = "out/web/schema.prisma"\n'


def project(r):
    n = r.randint(2, 5)
    names = r.sample(IDS, n)
    kinds = {nm: r.choice(["model", "model", "model", "enum", "view", "type"]) for nm in names}
    m = MANIFEST
    if r.random() < 0.5:
        m += '\n[targets.engine]\noutput = "out/engine/"\nheader = false\nexclude = ["f0"]\n'
    files = {"prisma.compose.toml": m, "prisma/base.prisma": BASE}
    nfr = r.randint(1, 4)
    owner = {nm: r.randrange(nfr) for nm in names}
    for i in range(nfr):
        own = [(kinds[nm], nm) for nm in names if owner[nm] == i]
        ext = [(kinds[nm], nm) for nm in names if owner[nm] != i and r.random() < 0.5]
        if r.random() < 0.05 and names:
            ext.append(("model", r.choice(names)))  # kind mismatch / extend of wrong kind
        if r.random() < 0.05:
            ext.append(("model", "Nowhere"))
        files[f"prisma/d/f{i}.prisma"] = fragment(r, names, own, ext)
    return files


def mutate(r, text):
    op = r.random()
    if op < 0.3:
        return text[: r.randint(0, len(text))]
    i = r.randint(0, len(text))
    ch = r.choice(list('{}()[]"@/\\\n\r\t =,:?.') + ["é", "\ufeff", "\x00", "///", "// ", "@@", "@extend"])
    if op < 0.6:
        return text[:i] + ch + text[i:]
    if op < 0.8:
        return text[:i] + text[i + 1 :]
    return text[:i] + ch + text[i + 1 :]


WEIRD = [
    "\u00a0",
    "\u2028",
    "\u2029",
    "\u0085",
    "\x0c",
    "\x0b",
    "\u3000",
    "\u0661",
    "\u00df",
    "\u01c5",
    "\u0301",
    "\ufb01",
    "_",
    "-",
    "a",
    "1",
    "\U0001d518",
    "\u0130",
    "\u200b",
    "\u200d",
    "\t",
    " ",
    ".",
    "?",
    "[]",
    "@@",
    "//",
    "///",
    "/// @extend\n",
    "}\n",
    "{",
    "model X {\n",
    "enum E {\n",
    "\n",
    "\r",
    "\r\n",
    '"',
    "\\",
    "(",
    ")",
    ",",
    "=",
    ":",
    "@",
    "@id",
    "@relation(",
    "Unsupported(",
    "\ufeff",
    "\x00",
    "\x7f",
]


def mutate2(r, text):
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        op = r.random()
        lines = text.splitlines(keepends=True)
        if op < 0.15 and text:
            return text[: r.randint(0, len(text))]
        if op < 0.3 and len(lines) > 1:
            i = r.randrange(len(lines))
            j = r.randrange(len(lines))
            if r.random() < 0.5:
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "".join(lines)
            continue
        i = r.randint(0, len(text))
        ch = r.choice(WEIRD)
        if op < 0.65:
            text = text[:i] + ch + text[i:]
        elif op < 0.8:
            text = text[:i] + text[i + r.randint(1, 3) :]
        else:
            text = text[:i] + ch + text[i + 1 :]
    return text


def relational_project(r):
    """Models in separate fragments that reference each other both ways, one side owning the
    foreign key (which decides the fragments' order), back-relations own or `@extend`ed."""
    n = r.randint(2, 4)
    names = r.sample(["User", "Post", "Tag", "Café", "Ünï", "Org", "Team"], n)
    frag = {nm: f"f{r.randrange(n)}" for nm in names}
    blocks = {f"f{i}": [] for i in range(n)}
    extends = {f"f{i}": [] for i in range(n)}
    for i, nm in enumerate(names):
        lines = [f"model {nm} {{", "  id Int @id"]
        for other in names[i + 1 :]:
            if r.random() < 0.7:
                rel = r.choice(
                    [
                        "@relation(fields: [{o}Id], references: [id])",
                        '@relation("r{o}", fields: [{o}Id], references: [id])',
                        "@relation(fields:[{o}Id],references:[id], onDelete: Cascade)",
                        '@relation("{o}")',
                    ]
                ).format(o=other.lower())
                opt = r.choice(["", "?"])
                lines.append(f"  {other.lower()}Id Int{opt}")
                lines.append(f"  {other.lower()}  {other}{opt} {rel}" + r.choice(["", " // fk"]))
                back = (
                    f"  {nm.lower()}s {nm}[]"
                    + (f' @relation("r{other.lower()}")' if '"r' in rel else "")
                    + (f' @relation("{other.lower()}")' if rel.startswith('@relation("' + other) else "")
                )
                if r.random() < 0.5:
                    extends[r.choice(list(blocks))].append((other, back))
                else:
                    extends[frag[other]].append((other, back))  # own fragment: joined below
        lines.append(r.choice(["}", "} // end"]))
        blocks[frag[nm]].append(lines)
    files = {"prisma.compose.toml": MANIFEST, "prisma/base.prisma": BASE}
    for f in blocks:
        out = []
        for b in blocks[f]:
            out += b + [""]
        for target, line in extends[f]:
            out += r.choice([["/// @extend"], ["/// doc", "/// @extend"], ["/// @extend  "]]) + [
                f"model {target} {{",
                line,
                "}",
                "",
            ]
        nl = r.choice(["\n", "\n", "\r\n"])
        files[f"prisma/d/{f}.prisma"] = nl.join(out)
    return files


SOUP_IDS = [
    "a",
    "id",
    "x1",
    "é",
    "Ünï",
    "a-b",
    "a_b",
    "_a",
    "1a",
    "A",
    "model",
    "enum",
    "type",
    "view",
    "Unsupported",
    "String",
    "Int",
    "ß",
    "\u0661",
    "ǅ",
    "ﬁ",
    "a\u0301",
    "İ",
    "𝔘",
    "db",
    "extend",
]
SOUP_WS = [" ", "  ", "\t", "\u00a0", "\u3000", "", " \t", "\x0c", "\x0b"]
SOUP_TAIL = ["", "", "", "?", "[]", "[]?", "?[]", "!", "[ ]"]


def soup_attr(r):
    base = r.choice(
        [
            "@id",
            "@unique",
            "@default",
            "@map",
            "@db.VarChar",
            "@relation",
            "@updatedAt",
            "@ignore",
            "@@index",
            "@",
            "@ id",
            "@db.",
            "@x.y.z",
            "@default()",
            "@é",
        ]
    )
    if r.random() < 0.6:
        args = r.choice(
            [
                "",
                "1",
                '"s"',
                '"a\\"b"',
                '"\\\\"',
                '"{}"',
                '"//"',
                "now()",
                "a(b(c))",
                "[a, b]",
                "fields: [a], references: [id]",
                "x: 1",
                "-1.5",
                "1e5",
                '"unterminated',
                "(",
                ")",
                ",",
                "a,",
                "[",
                "]",
                '"\\u00e9"',
                "'s'",
                'dbgenerated("a(b)")',
                "true",
                'name: "x", map: "y"',
            ]
        )
        base += "(" + args + r.choice([")", ")", ")", "", "))"])
    return base


def soup_line(r):
    k = r.random()
    ws = lambda: r.choice(SOUP_WS)
    if k < 0.08:
        return ws() + r.choice(["//", "///", "// x", "/// @extend", "//{", "/// }"])
    if k < 0.12:
        return ws()
    if k < 0.2:
        return (
            ws()
            + "@@"
            + r.choice(["index", "unique", "id", "map", "ignore", "schema", "x"])
            + r.choice(["([a])", '("m")', "", '([a, b], map: "i")', "(", "([a]"])
        )
    s = ws() + r.choice(SOUP_IDS)
    if r.random() < 0.92:
        s += (
            r.choice([" ", "\t", "  ", "\u00a0", ""])
            + r.choice(
                SOUP_IDS
                + ['Unsupported("x")', 'Unsupported("a { } // b")', "Unsupported(x)", 'Unsupported("x"']
                + ["String", "Int", "DateTime"] * 3
            )
            + r.choice(SOUP_TAIL)
        )
    for _ in range(r.choice([0, 0, 1, 1, 2, 3])):
        s += r.choice([" ", "\t", "", "  "]) + soup_attr(r)
    if r.random() < 0.2:
        s += ws() + r.choice(["// c", "///", "//", "// @extend {"])
    if r.random() < 0.05:
        s += r.choice(["=", "= 1", "{", "}", ",", '"', "\\"])
    return s


def soup_block(r):
    kw = r.choice(["model", "model", "view", "type", "enum", "datasource", "generator", "modle", "type"])
    pre = r.choice(
        [
            [],
            [],
            ["/// @extend"],
            ["/// doc", "/// @extend"],
            ["/// @extend", "/// d"],
            ["// c"],
            ["/// @extend  "],
            ["///  @extend"],
            ["/// @extend x"],
        ]
    )
    head = (
        kw
        + r.choice([" ", "\t", "  "])
        + r.choice(SOUP_IDS[:12])
        + r.choice([" ", "", "\t"])
        + "{"
        + r.choice(["", "", " // c", " ", " x"])
    )
    body = [soup_line(r) for _ in range(r.choice([0, 1, 2, 3, 5, 8]))]
    if kw == "type" and r.random() < 0.2:
        return [f"type {r.choice(SOUP_IDS[:5])} = String"]
    return pre + [head] + body + [r.choice(["}", "}", " }", "} // e", "}x", "};"])]


def soup_text(r):
    lines = []
    for _ in range(r.choice([1, 1, 2, 3])):
        lines += soup_block(r) + [""] * r.choice([0, 1])
    nl = r.choice(["\n"] * 5 + ["\r\n", "\r"])
    t = nl.join(lines) + r.choice(["", nl, nl])
    if r.random() < 0.05:
        t = "\ufeff" + t
    return t


WORKER = '"""Long-lived worker: reads JSON lines {cwd, args, cache}, runs compose in-process, answers JSON."""\nimport contextlib, io, json, os, sys, traceback\nfrom composer import entry\nfor line in sys.stdin:\n    req = json.loads(line)\n    out, err = io.StringIO(), io.StringIO()\n    code = 0\n    old = os.getcwd()\n    os.chdir(req["cwd"])\n    os.environ["XDG_CACHE_HOME"] = req["cache"]\n    os.environ["NO_COLOR"] = "1"\n    sys.argv = ["compose", *req["args"]]\n    saved_in=sys.stdin; sys.stdin=io.StringIO()\n    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n        try:\n          if req["args"] == ["__maps__"]:\n            from composer import pipeline\n            try:\n                comp = pipeline.load(None, None)\n            except Exception as e:\n                print("LOADFAIL", type(e).__name__); comp = None\n            def R(x):\n                if x is None: return None\n                if hasattr(x, "display"): return ("SRC", x.display)\n                if isinstance(x, (tuple, list)): return tuple(R(y) for y in x)\n                return x\n            for t in (comp.targets if comp else []):\n                for f in t.files:\n                    print("FILE", f.path)\n                    for i, (l, o) in enumerate(zip(f.lines, f.origins)):\n                        a = f.anchors[i] if i < len(f.anchors) else None\n                        print(repr(l), R(o), R(a))\n                    print(len(f.lines), len(f.origins), len(f.anchors))\n                for name, m in t.declarations.items():\n                    flds = getattr(m, "fields", None)\n                    print("DECL", name, type(m).__name__, [ (getattr(x[0], "display", None), x[-1].kind, x[-1].name, x[-1].start, x[-1].end, x[-1].line_start, x[-1].type_name, x[-1].type_start, x[-1].optional, x[-1].is_list, [(a.name, a.start, a.end) for a in x[-1].attributes]) if isinstance(x, tuple) else repr(x) for x in (flds or [])])\n          else:\n            entry.main()\n        except SystemExit as exc:\n            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)\n            if isinstance(exc.code, str):\n                err.write(exc.code + "\\n")\n        except BaseException:\n            err.write("TRACEBACK\\n" + traceback.format_exc())\n            code = 99\n    os.chdir(old); sys.stdin=saved_in\n    import gc; gc.enable()\n    sys.stdout.write(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}) + "\\n")\n    sys.stdout.flush()\n'
PWORKER = 'import json, sys\nfrom composer.diagnostics import Source\nfrom composer.psl import parse, PSLSyntaxError\ndef E(e):\n    if e is None: return None\n    return [e.kind, e.start, e.end, e.value, [E(i) for i in e.items], [A(a) for a in e.args]]\ndef A(a):\n    return [a.name, E(a.value), a.start, a.end]\ndef AT(a):\n    return [a.name, a.start, a.end, None if a.args is None else [A(x) for x in a.args]]\ndef M(m):\n    return [m.kind, m.name, m.start, m.line_start, m.end, m.name_start, m.name_end, m.type_name, m.type_start, m.type_end, m.optional, m.is_list, [AT(a) for a in m.attributes], E(m.value)]\nfor line in sys.stdin:\n    text = json.loads(line)\n    try:\n        s = parse(Source("f.prisma", text))\n        decls = []\n        for d in s.declarations:\n            decls.append([d.keyword, d.name, d.start, d.keyword_start, d.name_start, d.name_end, d.body_start, d.close_start, d.end, d.is_extend, d.doc, [M(m) for m in d.members], d.field_summary() if d.keyword in ("model", "view", "type") else None])\n        ff = s.fields()\n        res = {"decls": decls, "trailing": s.trailing, "clean": s.clean, "ff": None if ff is None else [sorted(ff.types), sorted(ff.owners), ff.extends]}\n    except PSLSyntaxError as exc:\n        res = {"err": [str(d.location) + " " + d.message for d in exc.diagnostics]}\n    except BaseException as exc:\n        import traceback\n        res = {"tb": traceback.format_exc()}\n    sys.stdout.write(json.dumps(res) + "\\n"); sys.stdout.flush()\n'


def _worker(tree: str, code: str) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=tree, NO_COLOR="1")
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )


def _ask(p: subprocess.Popen[str], req: object) -> dict:
    assert p.stdin and p.stdout
    p.stdin.write(json.dumps(req) + "\n")
    p.stdin.flush()
    return json.loads(p.stdout.readline())


def _write(root: Path, files: dict[str, str]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    for k, v in files.items():
        p = root / k
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(v.encode("utf-8", "surrogatepass"))


def _mask(text: str, trees: list[str]) -> str:
    for t in trees:
        text = text.replace(t, "TREE")
    return re.sub(r"\d+ ms\)", "N ms)", text)


def run_projects(old: str, new: str, seed: int, cases: int, validate_every: int, out: Path) -> int:
    workers = {"old": _worker(old, WORKER), "new": _worker(new, WORKER)}
    r = random.Random(seed)
    work = Path(tempfile.mkdtemp())
    diffs = 0
    for i in range(cases):
        files = relational_project(r) if r.random() < 0.4 else project(r)
        if r.random() < 0.4:
            k = r.choice([k for k in files if k.startswith("prisma/d/")])
            files[k] = (mutate2 if r.random() < 0.7 else mutate)(r, files[k])
        steps = [["build"], ["check"], ["__maps__"]]
        if validate_every and i % validate_every == 0:
            steps.append(["validate", "--format", "json"])
        res = {}
        for name, w in workers.items():
            root = work / "p"
            _write(root, files)
            cache = work / ("cache-" + name)
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            got = [_ask(w, {"cwd": str(root), "args": s, "cache": str(cache)}) for s in steps[:1]]
            outputs = {
                str(p.relative_to(root)): p.read_bytes().decode("utf-8", "replace")
                for p in sorted((root / "out").rglob("*"))
                if p.is_file()
            }
            got += [_ask(w, {"cwd": str(root), "args": s, "cache": str(cache)}) for s in steps[1:]]
            # a hand edit in the middle of each output: `check` and `build` refuse it, `--force` keeps it aside
            for p in sorted((root / "out").rglob("*.prisma")):
                t = p.read_bytes()
                p.write_bytes(t[: len(t) // 2] + b"// hand edit\n" + t[len(t) // 2 + 3 :])
            for s in (["check"], ["build"], ["build", "--force"], ["check"]):
                got.append(_ask(w, {"cwd": str(root), "args": s, "cache": str(cache)}))
            for g in got:
                g["out"], g["err"] = _mask(g["out"], [old, new]), _mask(g["err"], [old, new])
            res[name] = (got, outputs)
        if res["old"] != res["new"]:
            diffs += 1
            out.mkdir(parents=True, exist_ok=True)
            (out / f"project_{seed}_{i}.json").write_text(
                json.dumps({"files": files, "result": res}, indent=1)
            )
            print("DIFF", out / f"project_{seed}_{i}.json", flush=True)
    shutil.rmtree(work, ignore_errors=True)
    print(f"projects: seed {seed}, {cases} cases, {diffs} differences", flush=True)
    return diffs


def run_parse(old: str, new: str, seed: int, cases: int, out: Path) -> int:
    a_w, b_w = _worker(old, PWORKER), _worker(new, PWORKER)
    r = random.Random(seed)
    diffs = 0
    for i in range(cases):
        if r.random() < 0.5:
            files = project(r)
            t = r.choice([v for k, v in files.items() if k.startswith("prisma/d/")])
            if r.random() < 0.7:
                t = (mutate2 if r.random() < 0.7 else mutate)(r, t)
        else:
            t = soup_text(r)
        a, b = _ask(a_w, t), _ask(b_w, t)
        # which file counts as "clean" and the types it lists may differ (own block names)
        if {k: v for k, v in a.items() if k not in ("clean", "ff")} != {
            k: v for k, v in b.items() if k not in ("clean", "ff")
        }:
            diffs += 1
            out.mkdir(parents=True, exist_ok=True)
            (out / f"parse_{seed}_{i}.json").write_text(json.dumps({"text": t, "old": a, "new": b}))
            print("DIFF", out / f"parse_{seed}_{i}.json", flush=True)
    print(f"parse: seed {seed}, {cases} cases, {diffs} differences", flush=True)
    return diffs


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("--new", default=str(Path(__file__).resolve().parents[1]))
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--validate-every", type=int, default=25)
    ap.add_argument("--parse-only", action="store_true")
    ap.add_argument("--out", default=str(Path(tempfile.gettempdir()) / "differential"))
    a = ap.parse_args()
    if a.parse_only:
        n = run_parse(a.old, a.new, a.seed, a.cases, Path(a.out))
    else:
        n = run_projects(a.old, a.new, a.seed, a.cases, a.validate_every, Path(a.out))
    sys.exit(1 if n else 0)


if __name__ == "__main__":
    main()
