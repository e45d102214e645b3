#!/usr/bin/env bash
# Rebuild the JavaScript code-context sample: readable (Cordova www/js/app.js) and minified by esbuild (a React
# Native index.android.bundle shipped as plain JS), and their goldens.
#
#   bash samples/js/build.sh
#
# Outputs (committed): www/js/app.js, index.android.bundle, expected.json, golden/*.literals.json (every string
# literal and template element with line and column, listed by acorn's parser: an independent JS implementation).
# Both forms must pass `node --check`. Tests never run this.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d /tmp/leakdex-js.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$here/www/js" "$here/golden"
python3 "$here/tools/make_js.py" render "$here/www/js/app.js"
"$root/node_modules/.bin/esbuild" --minify --log-level=warning "$here/www/js/app.js" --outfile="$work/index.js"
cp "$work/index.js" "$here/index.android.bundle"
node --check "$here/www/js/app.js"
node --check "$work/index.js"
node "$here/tools/literals.mjs" "$here/www/js/app.js" > "$here/golden/app.js.literals.json"
node "$here/tools/literals.mjs" "$here/index.android.bundle" > "$here/golden/index.android.bundle.literals.json"
python3 "$here/tools/make_js.py" expected "$here/expected.json"
echo "samples/js: built ($("$root/node_modules/.bin/esbuild" --version))" >&2
