#!/bin/sh
# Packages the extension into prisma-compose-<version>.vsix with @vscode/vsce (from npm).
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund
npx --no-install vsce package --skip-license --allow-missing-repository "$@"
