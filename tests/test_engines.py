"""The Prisma schema engines shipped as package data (composer/engines/) are the pinned builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from composer.engine_choice import SHIPPED_MAJORS, shipped_engine

ROOT = Path(__file__).resolve().parents[1]
FILES = ("package.json", "src/prisma_schema_build.js", "src/prisma_schema_build_bg.wasm", "LICENSE", "NOTICE")


def pins() -> dict[str, str]:
    dependencies = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    return {alias.rsplit("-", 1)[1]: spec.rsplit("@", 1)[1] for alias, spec in dependencies.items()}


@pytest.mark.parametrize("major", SHIPPED_MAJORS)
def test_shipped_engine_is_the_pinned_build_with_its_licence(major: str) -> None:
    folder = shipped_engine(major)
    assert all((folder / rel).is_file() for rel in FILES)
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    assert (package["name"], package["version"], package["license"]) == (
        "@prisma/prisma-schema-wasm", pins()[major], "Apache-2.0"
    )
    assert "Apache License\n                           Version 2.0" in (folder / "LICENSE").read_text()
    notice = (folder / "NOTICE").read_text()
    assert f"@prisma/prisma-schema-wasm@{pins()[major]}" in notice
    assert "github.com/prisma/prisma-engines" in notice
    installed = ROOT / "node_modules" / f"prisma-schema-wasm-{major}"
    if installed.is_dir():  # after `npm ci`: byte for byte what npm installs (scripts/ship_engines.py)
        for rel in FILES[:3]:
            assert (folder / rel).read_bytes() == (installed / rel).read_bytes(), rel
