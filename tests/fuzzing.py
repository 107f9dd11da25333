"""Mutation fuzzing of a small valid project: shared by tests/test_fuzz.py and benchmarks/fuzz.py.

A valid project (fragments with relations and an `/// @extend`, one YAML entity, two targets) is
built once into a template folder. Each case copies the template, mutates one input (a fragment,
the YAML entity or the manifest) at the byte or line level, runs `compose build` and `judge`s the
outcome against the contract: no traceback, exit 0/1/2, errors located at a real `file:line`,
outputs untouched (bytes and mtime) unless the build succeeded, no temporary files left behind.

Mutators draw from a `random.Random`, so the same code serves hypothesis (`st.randoms()`, which
shrinks) and the benchmark's seeded loop.
"""

from __future__ import annotations

import contextlib
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from composer.inputfiles import STATE_FILE
from composer.seal import digest, verify

from .helpers import run_cli, run_cli_inprocess

# -- the valid starting project -------------------------------------------------------------------

MANIFEST = """\
[[fragments]]
path = "prisma/base.prisma"

[[fragments]]
glob = "prisma/domains/*.prisma"

[[fragments]]
yaml = "prisma/entities/*.yaml"

[targets.web]
output = "out/web/schema.prisma"

[targets.engine]
output = "out/engine/"
header = false
exclude = ["note"]
[targets.engine.generators.client]
provider = "prisma-client-py"
interface = "asyncio"
"""

BASE = """\
datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}
"""

USER = """\
/// A person who can sign in.
model User {
  id    Int    @id @default(autoincrement())
  email String @unique
  role  Role   @default(MEMBER)
  name  String? // display name

  @@map("users")
}

enum Role {
  ADMIN
  MEMBER
}
"""

POST = """\
model Post {
  id       Int      @id @default(autoincrement())
  title    String   @db.VarChar(200)
  authorId Int
  author   User     @relation(fields: [authorId], references: [id], onDelete: Cascade)
  tags     String[]

  @@index([authorId])
  @@unique([authorId, title])
}

/// @extend
model User {
  posts Post[]
}
"""

NOTE = """\
schema:
  name: Note
  description: A short note.
fields:
  - name: note_id
    type: string
    primary_key: true
    default: cuid()
  - name: body
    type: string
    description: The text
    nullable: true
  - name: tags
    type: list[string]
  - name: created_at
    type: datetime
    default: now()
    index: true
    prisma:
      name: createdAt
python: {ignored: true}
"""

PROJECT: dict[str, str] = {
    "prisma.compose.toml": MANIFEST,
    "prisma/base.prisma": BASE,
    "prisma/domains/user.prisma": USER,
    "prisma/domains/post.prisma": POST,
    "prisma/entities/note.yaml": NOTE,
}

# Which file each fuzzed kind mutates (a fragment picks one of these).
KIND_FILES: dict[str, tuple[str, ...]] = {
    "fragment": ("prisma/base.prisma", "prisma/domains/user.prisma", "prisma/domains/post.prisma"),
    "yaml": ("prisma/entities/note.yaml",),
    "manifest": ("prisma.compose.toml",),
}
KINDS = tuple(KIND_FILES)
OUTPUT_DIRS = ("out",)

# -- mutators -------------------------------------------------------------------------------------

# Tokens that are meaningful somewhere in the grammars (PSL, YAML, TOML) or notoriously awkward
# bytes: an inserted token is far likelier than a random byte to reach deep into a parser.
COMMON_TOKENS: tuple[bytes, ...] = (
    b"{", b"}", b"[", b"]", b"(", b")", b'"', b"'", b":", b"-", b",", b"=", b"?", b"@", b"#", b"\\",
    b"\t", b"\n", b"\r", b"\r\n", b" ", b"\x00", b"\x0b", b"\x7f", b"\xff", b"\xc3", b"\xc3\x28",
    b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\xe2\x80\xa8", b"\xf0\x9f\x98\x80", b"User", b"Post", b"Note",
    b"Role", b"null", b"true", b"1e999", b"-0", b"9" * 30,
)
KIND_TOKENS: dict[str, tuple[bytes, ...]] = {
    "fragment": (
        b"model", b"enum", b"type", b"view", b"datasource", b"generator", b"///@extend", b"/// @extend\n",
        b"@relation(", b"@relation(fields: [", b"references: [id]", b"@@id([", b"@@index([", b"@id",
        b"@default(", b"@db.", b"Unsupported(\"", b"//", b"///", b"/*", b"[]", b"String", b"Int?",
        b"model X {\n", b"enum E {\n", b"\n}\n", b"env(\"", b"\\u", b"\\\"",
    ),
    "yaml": (
        b"- ", b"- name: x\n", b"type: ", b"list[string]", b"list[", b"json", b"primary_key: true",
        b"nullable: true", b"unique: true", b"index: true", b"default: ", b"cuid()", b"prisma:",
        b"attributes: [", b"skip: true", b"extends: ", b"schema:", b"fields:", b"&a ", b"*a", b"<<: ",
        b"!!python/object:os.system", b"!!binary", b"%YAML 1.1\n", b"---\n", b"...\n", b"|", b">", b"~",
        b"{", b"? ", b"  ", b"\t",
    ),
    "manifest": (
        b"[[fragments]]\n", b"[targets.x]\n", b"[targets.web]\n", b"[compose]\n", b"[watch]\n",
        b'path = "', b'glob = "', b'yaml = "', b'output = "', b'output = "../x"', b'output = "/"',
        b'"**"', b'"prisma/"', b"header = ", b"false", b"include = [", b"exclude = [", b"{ env = ",
        b"{ raw = ", b"name = ", b"generators.", b"datasource.", b'"""', b"'''", b"=", b".",
        b"1979-05-27T07:32:00Z", b"0x1f", b"inf", b"nan",
    ),
}


def _pos(data: bytes, rnd: random.Random) -> int:
    """A position to mutate at; half the time a line start, where structure begins."""
    if data and rnd.random() < 0.5:
        starts = [0, *(i + 1 for i, b in enumerate(data) if b == 0x0A)]
        return rnd.choice(starts)
    return rnd.randint(0, len(data))


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def insert_token(data: bytes, rnd: random.Random, kind: str) -> bytes:
    token = rnd.choice(COMMON_TOKENS + KIND_TOKENS[kind])
    at = _pos(data, rnd)
    return data[:at] + token + data[at:]


def insert_random_bytes(data: bytes, rnd: random.Random, kind: str) -> bytes:
    at = _pos(data, rnd)
    return data[:at] + bytes(rnd.randint(0, 255) for _ in range(rnd.randint(1, 4))) + data[at:]


def delete_bytes(data: bytes, rnd: random.Random, kind: str) -> bytes:
    at = _pos(data, rnd)
    return data[:at] + data[at + rnd.randint(1, 12) :]


def duplicate_bytes(data: bytes, rnd: random.Random, kind: str) -> bytes:
    at = _pos(data, rnd)
    return data[:at] + data[at : at + rnd.randint(1, 24)] + data[at:]


def swap_bytes(data: bytes, rnd: random.Random, kind: str) -> bytes:
    if len(data) < 2:
        return data
    a, b = rnd.randrange(len(data)), rnd.randrange(len(data))
    out = bytearray(data)
    out[a], out[b] = out[b], out[a]
    return bytes(out)


def replace_byte(data: bytes, rnd: random.Random, kind: str) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    out[rnd.randrange(len(data))] = rnd.choice((0x00, 0x09, 0x0A, 0x0D, 0x22, 0x7B, 0x7D, 0x80, 0xFF))
    return bytes(out)


def delete_line(data: bytes, rnd: random.Random, kind: str) -> bytes:
    lines = _lines(data)
    if lines:
        del lines[rnd.randrange(len(lines))]
    return b"".join(lines)


def duplicate_line(data: bytes, rnd: random.Random, kind: str) -> bytes:
    lines = _lines(data)
    if lines:
        i = rnd.randrange(len(lines))
        lines.insert(rnd.randint(0, len(lines)), lines[i])
    return b"".join(lines)


def swap_lines(data: bytes, rnd: random.Random, kind: str) -> bytes:
    lines = _lines(data)
    if len(lines) >= 2:
        a, b = rnd.randrange(len(lines)), rnd.randrange(len(lines))
        lines[a], lines[b] = lines[b], lines[a]
    return b"".join(lines)


def truncate(data: bytes, rnd: random.Random, kind: str) -> bytes:
    return data[: rnd.randint(0, len(data))]


def crlf(data: bytes, rnd: random.Random, kind: str) -> bytes:
    """Windows line endings everywhere, or a BOM in front (editors on Windows add both)."""
    if rnd.random() < 0.5:
        return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return b"\xef\xbb\xbf" + data


MUTATORS: tuple[Callable[[bytes, random.Random, str], bytes], ...] = (
    insert_token, insert_token, insert_token, insert_random_bytes, delete_bytes, duplicate_bytes,
    swap_bytes, replace_byte, delete_line, duplicate_line, swap_lines, truncate, crlf,
)


def mutate(data: bytes, rnd: random.Random, kind: str) -> bytes:
    """One to four random mutations of `data`; never returns it unchanged (a no-op is no test)."""
    out = data
    for _ in range(rnd.randint(1, 4)):
        out = rnd.choice(MUTATORS)(out, rnd, kind)
    if out == data:
        out = insert_token(data, rnd, kind)
    if out == data:  # the token was inserted where it changes nothing: force a change
        out = data + b"\x00"
    return out


def mutated_file(kind: str, rnd: random.Random) -> tuple[str, bytes]:
    rel = rnd.choice(KIND_FILES[kind])
    return rel, mutate(PROJECT[rel].encode("utf-8"), rnd, kind)


# -- sharp cases ---------------------------------------------------------------------------------

# Hand-picked edits at the places where random mutation found (or could hide) mishandling: encodings
# and line endings, bytes no text may hold, cut-off and doubled structure, and each grammar's own
# traps. The test suite runs all of them plus a short random run; benchmarks/fuzz.py the long one.


def _sub(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        assert old in data, old
        return data.replace(old, new, 1)

    return edit


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


_USER, _POST, _BASE = "prisma/domains/user.prisma", "prisma/domains/post.prisma", "prisma/base.prisma"
_NOTE, _MANIFEST = "prisma/entities/note.yaml", "prisma.compose.toml"


def _bom_crlf(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")


SHARP_CASES: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "fragment-bom-crlf": (_USER, _bom_crlf),
    "fragment-lone-cr": (_USER, lambda d: d.replace(b"\n", b"\r")),
    "fragment-nul-in-name": (_USER, _sub(b"model User", b"model Us\x00er")),
    "fragment-invalid-utf8": (_USER, _sub(b"display name", b"display \xff\xfe name")),
    "fragment-lone-surrogate": (_POST, _sub(b"title", b"t\xed\xa0\x80itle")),
    "fragment-line-separator": (_USER, _sub(b"email String", b"email\xe2\x80\xa8String")),
    "fragment-cut-in-half": (_POST, _half),
    "fragment-no-closing-brace": (_USER, _sub(b'@@map("users")\n}', b'@@map("users")\n')),
    "fragment-block-twice": (_USER, lambda d: d + b"\n" + d),
    "fragment-extend-unknown": (_POST, _sub(b"model User {\n  posts", b"model Usr {\n  posts")),
    "fragment-open-string": (_USER, _sub(b'@@map("users")', b'@@map("users)')),
    "fragment-empty-base": (_BASE, lambda d: b""),
    "fragment-emoji-name": (_USER, _sub(b"role  Role", b"r\xf0\x9f\x98\x80le Role")),
    "yaml-tab-indent": (_NOTE, _sub(b"  - name: body", b"\t- name: body")),
    "yaml-python-tag": (_NOTE, _sub(b"type: string\n", b"type: !!python/object:os.system ls\n")),
    "yaml-alias-bomb": (
        _NOTE,
        lambda d: b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n" + d,
    ),
    "yaml-duplicate-key": (_NOTE, _sub(b"  name: Note\n", b"  name: Note\n  name: Other\n")),
    "yaml-cut-in-half": (_NOTE, _half),
    "yaml-bom-crlf": (_NOTE, _bom_crlf),
    "yaml-list-suffix": (_NOTE, _sub(b"type: list[string]", b"type: string[]")),
    "yaml-empty": (_NOTE, lambda d: b""),
    "yaml-not-a-mapping": (_NOTE, lambda d: b"- just\n- a list\n"),
    "manifest-target-twice": (_MANIFEST, lambda d: d + b'\n[targets.web]\noutput = "x.prisma"\n'),
    "manifest-output-outside": (_MANIFEST, _sub(b'"out/web/schema.prisma"', b'"../x.prisma"')),
    "manifest-output-root": (_MANIFEST, _sub(b'output = "out/engine/"', b'output = "/"')),
    "manifest-glob-everything": (_MANIFEST, _sub(b'glob = "prisma/domains/*.prisma"', b'glob = "**"')),
    "manifest-open-string": (_MANIFEST, _sub(b'base.prisma"', b'base.prisma')),
    "manifest-invalid-utf8": (_MANIFEST, _sub(b"asyncio", b"async\xffio")),
    "manifest-bom-crlf": (_MANIFEST, _bom_crlf),
    "manifest-empty": (_MANIFEST, lambda d: b""),
    "manifest-unknown-key": (_MANIFEST, _sub(b"header = false", b"header = false\nheadre = true")),
}


def sharp_case(name: str) -> tuple[str, bytes]:
    rel, edit = SHARP_CASES[name]
    data = edit(PROJECT[rel].encode("utf-8"))
    assert data != PROJECT[rel].encode("utf-8"), name
    return rel, data


# -- running the CLI ------------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_in_process(cwd: Path, *args: str) -> Run:
    """`compose ARGS` in this process, as the console script runs it (`helpers.run_cli_inprocess`)."""
    result = run_cli_inprocess(cwd, *args)
    return Run(result.returncode, result.stdout, result.stderr)


def run_subprocess(cwd: Path, *args: str) -> Run:
    result = run_cli(cwd, *args)
    return Run(result.returncode, result.stdout, result.stderr)


# -- the project on disk --------------------------------------------------------------------------

Snapshot = dict[str, tuple[bytes, int]]  # relative path -> (content, mtime_ns)


def write_template(root: Path) -> Path:
    """The valid project, built once (its outputs are what a mutated build must not damage)."""
    for rel, text in PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    result = run_in_process(root, "build")
    if result.code != 0:
        raise AssertionError(f"the fuzzing template does not build:\n{result.stderr}")
    return root


def snapshot(root: Path) -> Snapshot:
    """Every output and the state file, with their mtimes."""
    files = [p for d in OUTPUT_DIRS for p in (root / d).rglob("*") if p.is_file()]
    if (root / STATE_FILE).exists():
        files.append(root / STATE_FILE)
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}


@contextlib.contextmanager
def project_copy(template: Path, scratch: Path) -> Iterator[Path]:
    """A fresh copy of the template (mtimes preserved) in `scratch`, removed afterwards."""
    root = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copytree(template, root, dirs_exist_ok=True)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- judging the outcome --------------------------------------------------------------------------

# The head of a rendered diagnostic: `file:line:col: error: message` (col optional).
_LOCATED = re.compile(r"^(?P<file>[^\s:][^:\n]*):(?P<line>\d+)(?::(?P<col>\d+))?: (?P<sev>error|warning): ")
_UNLOCATED = re.compile(r"^(?:compose: )?error: ", re.MULTILINE)
_TEMP = re.compile(r"^\..*\.tmp$")


def error_locations(stderr: str) -> list[tuple[str, int, int]]:
    """(file, line, column) of every error in rendered diagnostics (column 1 when not given)."""
    return [
        (m["file"], int(m["line"]), int(m["col"] or 1))
        for line in stderr.split("\n")
        if (m := _LOCATED.match(line)) and m["sev"] == "error"
    ]


def located_problems(root: Path, stderr: str) -> list[str]:
    """Why the error output of a failed run does not point at real places ([] if it does)."""
    problems = []
    if _UNLOCATED.search(stderr):
        problems.append("an error without a file:line location")
    found = error_locations(stderr)
    if not found:
        problems.append("no `file:line: error:` in the output")
    for rel, line, col in found:
        path = root / rel
        if not path.is_file():
            problems.append(f"location `{rel}:{line}` names no file of the project")
        elif not _within(path.read_bytes(), line, col):
            problems.append(f"location `{rel}:{line}:{col}` is past the end of its line or file")
    return problems


def _within(data: bytes, line: int, col: int) -> bool:
    """Is `line:col` a place in the file? Lines as compose counts them: TOML breaks lines at `\n`
    only, the other inputs also at a lone `\r` (as editors do); columns in characters."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    for lines in (text.split("\n"), text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if 1 <= line <= len(lines) and 1 <= col <= len(lines[line - 1].rstrip("\r")) + 1:
            return True
    return False


def stray_temp_files(root: Path) -> list[str]:
    places = [root, *(p for d in OUTPUT_DIRS for p in (root / d).rglob("*") if p.is_dir())]
    found = (p for d in places if d.is_dir() for p in d.iterdir() if _TEMP.match(p.name))
    return sorted(p.relative_to(root).as_posix() for p in found)


def outputs_valid(root: Path) -> list[str]:
    """After exit 0: every output is exactly what compose wrote (checksum or state entry), and
    compose's own parser reads it back (what compose writes, compose must be able to read)."""
    import json

    from composer.diagnostics import ComposeError, Source
    from composer.psl import parse

    problems = []
    state_path = root / STATE_FILE
    state = json.loads(state_path.read_text("utf-8")) if state_path.exists() else {}
    for d in OUTPUT_DIRS:
        for path in sorted((root / d).rglob("*.prisma")):
            rel = path.relative_to(root).as_posix()
            text = path.read_bytes().decode("utf-8")
            if verify(text) is not True and state.get(rel) != digest(text):
                problems.append(f"output `{rel}` is neither sealed nor recorded in {STATE_FILE}")
            try:
                parse(Source(rel, text))
            except ComposeError as exc:
                problems.append(f"output `{rel}` does not parse: {exc.diagnostics[0].message}")
    return problems


@dataclass
class Verdict:
    outcome: str  # "ok" (exit 0), "rejected" (clean exit 1/2) or "mishandled"
    problems: list[str] = field(default_factory=list)


def judge(root: Path, result: Run, before: Snapshot) -> Verdict:
    problems: list[str] = []
    if "Traceback" in result.stderr:
        problems.append("a Python traceback")
    if result.code not in (0, 1, 2):
        problems.append(f"exit code {result.code}")
    problems += [f"temporary file `{p}` left behind" for p in stray_temp_files(root)]
    if result.code == 0:
        problems += outputs_valid(root)
    elif "Traceback" not in result.stderr:
        problems += located_problems(root, result.stderr)
    if result.code != 0:
        after = snapshot(root)
        for rel, (data, mtime) in before.items():
            now = after.get(rel)
            if now is None:
                problems.append(f"output `{rel}` was removed")
            elif now[0] != data:
                problems.append(f"output `{rel}` was changed")
            elif now[1] != mtime and rel != STATE_FILE:  # bookkeeping, not an output: content counts
                problems.append(f"output `{rel}` was rewritten (mtime changed)")
        problems += [f"new file `{rel}` appeared among the outputs" for rel in after.keys() - before.keys()]
    if problems:
        return Verdict("mishandled", problems)
    return Verdict("ok" if result.code == 0 else "rejected")


def fuzz_case(
    template: Path, scratch: Path, kind: str, rnd: random.Random, runner: Callable[..., Run] = run_in_process
) -> tuple[str, bytes, Run, Verdict]:
    """Mutate one file of a fresh copy of the template, build, judge. Returns (file, bytes, run, verdict)."""
    rel, data = mutated_file(kind, rnd)
    return (rel, data, *build_and_judge(template, scratch, rel, data, runner))


def build_and_judge(
    template: Path, scratch: Path, rel: str, data: bytes, runner: Callable[..., Run] = run_in_process
) -> tuple[Run, Verdict]:
    """`rel` replaced by `data` in a fresh copy of the template, built and judged (a build that
    succeeds must also pass `check`)."""
    with project_copy(template, scratch) as root:
        before = snapshot(root)
        (root / rel).write_bytes(data)
        result = runner(root, "build")
        verdict = judge(root, result, before)
        if result.code == 0:
            # A build that succeeded is what `check` expects to find: the same inputs compose the
            # same outputs (no nondeterminism, nothing half-recorded).
            check = runner(root, "check")
            if check.code != 0:
                problem = f"`check` after the build exits {check.code}: {check.stderr}"
                verdict = Verdict("mishandled", [problem])
    return result, verdict


def describe(kind: str, rel: str, data: bytes, result: Run, verdict: Verdict) -> str:
    """A mishandled case, for a test failure or the benchmark's list."""
    shown = repr(data) if len(data) < 1500 else repr(data[:1500]) + "…"
    return (
        f"{kind} `{rel}` mutated to:\n{shown}\nexit {result.code}; problems: {'; '.join(verdict.problems)}\n"
        f"stderr:\n{result.stderr[-2000:]}"
    )
