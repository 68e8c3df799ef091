#!/usr/bin/env bash
# Builds the VS Code extension: installs the pinned npm packages exactly as
# package-lock.json says, compiles the client, runs the grammar's and the client's tests, and
# packs guidelang-<version>.vsix here. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

# Runs on Debian's Node 18 as well as on newer ones: the packages are the last
# that support it (@vscode/vsce 2.32.0), and package.json's `overrides` holds
# vsce's cheerio at 1.0.0, since later ones need undici 7, that is Node 20.

# No package's install script runs: none is needed (vsce's optional keytar
# would try to download or build a native module, for publishing only).
npm ci --ignore-scripts --no-audit --no-fund
npm run compile
npm test
npx vsce package --allow-missing-repository --out "guidelang-$(node -p 'require("./package.json").version').vsix"
