#!/usr/bin/env bash
# Rebuild the Hermes code-context sample with the real compiler (npm hermes-compiler), and its golden.
#
#   bash samples/hermes/build.sh
#
# Outputs (committed): index.android.bundle (HBC 99), index.android.bundle.expected.json, golden/index.bytecode.txt
# (`hermesc -dump-bytecode -pretty=false`, the compiler's own listing of every instruction). Tests never run this.
# tools/hermes_opcodes.py regenerates decoders/hermes-opcodes.ts from the compilers (see its docstring).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d /tmp/leakdex-hermes.XXXXXX)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent hermes-compiler@260318099.0.8 >/dev/null)
mkdir -p "$work/hermes" && tar xzf "$work"/hermes-compiler-*.tgz -C "$work/hermes"
hermesc="$work/hermes/package/hermesc/linux64-bin/hermesc"
chmod +x "$hermesc"
python3 "$here/tools/make_hermes.py" render "$work/index.js"
"$hermesc" -emit-binary -O -out "$here/index.android.bundle" "$work/index.js"
mkdir -p "$here/golden"
"$hermesc" -b -dump-bytecode -pretty=false "$here/index.android.bundle" > "$here/golden/index.bytecode.txt"
python3 "$here/tools/make_hermes.py" expected "$here/index.android.bundle.expected.json"
echo "samples/hermes: built" >&2
