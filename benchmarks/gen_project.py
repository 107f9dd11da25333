"""Generate a large prisma-compose project for benchmarks.

Each fragment holds N models; every model has a foreign key into a model of the previous fragment
(a cross-fragment relation) and adds the back-relation to that model with a `/// @extend` block,
so the project exercises parsing, dependency ordering and @extend merging at scale.

    python benchmarks/gen_project.py DIR --fragments 1000 --models-per-fragment 5
"""

from __future__ import annotations

import argparse
from pathlib import Path

BASE = """datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

generator client {
  provider = "prisma-client-js"
}
"""


def model_name(frag: int, i: int) -> str:
    return f"M{frag:04d}x{i}"


def fragment_text(frag: int, per: int, last: int | None = None) -> str:
    """Fragment `frag`'s text. With `last` (the number of the last fragment), the project is
    plain PSL: each back-relation sits in its own model, referencing the next fragment's model,
    instead of in a `/// @extend` block; the input the text joiners and Prisma's folder take."""
    parts = [f"// Fragment {frag}: generated for benchmarks.\n"]
    enum = f"Status{frag:04d}"
    parts.append(f"enum {enum} {{\n  ACTIVE\n  ARCHIVED\n}}\n")
    for i in range(per):
        name = model_name(frag, i)
        lines = [
            f"/// Model {i} of fragment {frag}.",
            f"model {name} {{",
            "  id        Int      @id @default(autoincrement())",
            "  title     String   @db.VarChar(200)",
            "  body      String?",
            f"  status    {enum.ljust(8)} @default(ACTIVE)",
            "  createdAt DateTime @default(now())",
        ]
        if last is not None and frag < last:
            child = model_name(frag + 1, i)
            lines.append(f"  children{child} {child}[]")
        if frag > 0:
            parent = model_name(frag - 1, i)
            lines.append("  parentId  Int")
            lines.append(
                f"  parent    {parent} @relation(fields: [parentId], references: [id], onDelete: Cascade)"
            )
            lines.append("")
            lines.append("  @@index([parentId])")
        lines.append("}")
        parts.append("\n".join(lines) + "\n")
        if frag > 0 and last is None:
            parent = model_name(frag - 1, i)
            parts.append(f"/// @extend\nmodel {parent} {{\n  children{name} {name}[]\n}}\n")
    return "\n".join(parts)


def generate(root: Path, fragments: int = 1000, per: int = 5, plain: bool = False) -> Path:
    frag_dir = root / "prisma" / "fragments"
    frag_dir.mkdir(parents=True, exist_ok=True)
    (frag_dir / "base.prisma").write_text(BASE)
    # Manifest order is the reverse of the dependency order, so the sort has real work to do.
    names = [f"f{n:04d}" for n in range(fragments)]
    for n, name in enumerate(names):
        (frag_dir / f"{name}.prisma").write_text(fragment_text(n, per, fragments - 1 if plain else None))
    entries = ['[[fragments]]\npath = "prisma/fragments/base.prisma"\n']
    entries += [f'[[fragments]]\npath = "prisma/fragments/{name}.prisma"\n' for name in reversed(names)]
    manifest = "\n".join(entries) + '\n[targets.app]\noutput = "out/schema.prisma"\n'
    (root / "prisma.compose.toml").write_text(manifest)
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path)
    ap.add_argument("--fragments", type=int, default=1000)
    ap.add_argument("--models-per-fragment", type=int, default=5)
    ap.add_argument("--plain", action="store_true", help="back-relations inline, no `/// @extend`")
    args = ap.parse_args()
    generate(args.dir, args.fragments, args.models_per_fragment, args.plain)
    print(f"generated {args.fragments} fragments x {args.models_per_fragment} models in {args.dir}")


if __name__ == "__main__":
    main()
