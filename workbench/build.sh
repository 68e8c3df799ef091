#!/usr/bin/env bash
# Builds the workbench from a fresh clone into workbench/dist/: the library
# compiled to WebAssembly, its JavaScript glue, the page and its bundle.
# Open dist/index.html from a file URL or serve dist/ from any static host.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

# The wasm-bindgen CLI must be the version of the wasm-bindgen crate.
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)
# Installed once per machine, outside the clone (a fresh clone would
# otherwise compile the CLI again, minutes of CI); the version is checked
# below, so a stale copy is replaced.
tools="${GUIDELANG_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/guidelang/tools}"
bindgen="$tools/bin/wasm-bindgen"

# The target follows the toolchain in use (rustup pins it to that toolchain).
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown

if ! [ -x "$bindgen" ] || [ "$("$bindgen" --version | cut -d' ' -f2)" != "$version" ]; then
  echo "installing wasm-bindgen-cli $version into $tools"
  # --locked first; should the registry have dropped a locked dependency
  # (it happens: a yanked release), resolve afresh within the same version.
  cargo install wasm-bindgen-cli --locked --version "$version" --root "$tools" --quiet \
    || { echo "the locked dependencies of wasm-bindgen-cli $version are not all available: resolving afresh"; \
         cargo install wasm-bindgen-cli --version "$version" --root "$tools" --quiet; }
fi

cargo build --release -p guidelang-workbench --target wasm32-unknown-unknown --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
rm -rf pkg
"$bindgen" --target web --out-dir pkg --no-typescript \
  "$target_dir/wasm32-unknown-unknown/release/guidelang_workbench.wasm"

npm ci --no-audit --no-fund --loglevel=error
rm -rf build dist
mkdir -p build dist
esbuild=node_modules/.bin/esbuild
# The worker first, as one classic script (a file:// page may start a worker
# only from a Blob URL of its code, and only a classic one), with the wasm
# inlined: nothing is fetched (the glue's fetch by `import.meta.url` is never
# called, hence the silenced warning).
"$esbuild" www/src/worker.js --bundle --format=iife --minify --log-level=warning \
  --loader:.wasm=binary --outfile=build/worker.txt \
  --log-override:empty-import-meta=silent
# The page: a classic script too (module scripts are refused from file://),
# with the worker's code, the bundled guideline and its suites as text.
"$esbuild" www/src/main.js --bundle --format=iife --minify --log-level=warning \
  --loader:.gl=text --loader:.toml=text --loader:.txt=text \
  --outfile=dist/main.js
cp www/index.html www/main.css dist/
echo "built $here/dist/index.html"
