"""Copy the pinned Prisma schema engines from node_modules into composer/engines/ (package data).

The wheel carries Prisma's schema engine (`@prisma/prisma-schema-wasm`, Apache-2.0) so that
`compose validate` and `compose format` work for a pip-installed user with nothing but Node.js.
Run after changing the pins in package.json and `npm ci`:

    python scripts/ship_engines.py

and commit composer/engines/. `tests/test_engines.py` checks the copies against the pins.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ROOT / "composer" / "engines"
FILES = ("src/prisma_schema_build.js", "src/prisma_schema_build_bg.wasm", "package.json")
LICENSE = ENGINES / "LICENSE"  # the Apache-2.0 text, as Prisma ships it in its `prisma` npm package

NOTICE = """\
This folder holds a copy of the npm package {name}@{version}
(files {files}), unchanged:
https://www.npmjs.com/package/{name}/v/{version}
built from https://github.com/prisma/prisma-engines (folder prisma-schema-wasm), commit {commit}.

Author: Prisma. License: Apache License, Version 2.0 (the package.json's "license": "Apache-2.0").
The text of the License is in LICENSE in this folder: the npm package ships no licence file, so
it is the text Prisma ships in its `prisma` npm package. You may not use these files except in
compliance with the License. Distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS
OF ANY KIND, either express or implied.

prisma-compose loads it through composer/node/prisma_wasm.cjs to run Prisma's own schema
validator and formatter; see composer/prisma_wasm.py.
"""


def main() -> int:
    pins = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for alias, spec in sorted(pins.items()):
        if not alias.startswith("prisma-schema-wasm-"):
            continue
        major = alias.rsplit("-", 1)[1]
        name, version = spec.removeprefix("npm:").rsplit("@", 1)
        source = ROOT / "node_modules" / alias
        installed = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
        if installed != version:
            print(f"{source} is {installed}, package.json pins {version}: run `npm ci`", file=sys.stderr)
            return 1
        target = ENGINES / f"prisma{major}"
        if target.exists():
            shutil.rmtree(target)
        for rel in FILES:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, target / rel)
        shutil.copyfile(LICENSE, target / "LICENSE")
        commit = version.rsplit(".", 1)[1]
        text = NOTICE.format(name=name, version=version, files=", ".join(FILES), commit=commit)
        (target / "NOTICE").write_text(text, encoding="utf-8")
        print(f"{target.relative_to(ROOT)}: {name}@{version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
