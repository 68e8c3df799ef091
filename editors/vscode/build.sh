#!/usr/bin/env bash
# Builds the VS Code extension: installs the pinned npm packages exactly as
# package-lock.json says, compiles the client, runs the grammar's tests, and
# packs guidelang-<version>.vsix here. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

# No package's install script runs: none is needed (vsce's optional keytar
# would try to download or build a native module, for publishing only).
npm ci --ignore-scripts --no-audit --no-fund
npm run compile
npm test
npx --no-install vsce package --allow-missing-repository --out "guidelang-$(node -p 'require("./package.json").version').vsix"
