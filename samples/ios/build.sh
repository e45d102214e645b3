#!/usr/bin/env bash
# Rebuild the leakdex iOS samples from samples/ios/src with real tools, then record golden outputs.
#
#   bash samples/ios/build.sh            build every iOS sample
#   bash samples/ios/build.sh NAME...    only these (leaky-ios encrypted-ios zipped-app fat64 bplist-bomb)
#
# Outputs (committed): samples/ios/*.ipa|*.app.zip, NAME.expected.json, golden/NAME.* (llvm-objdump, plistlib).
# Tests never run this script. Debian 12: apt-get install clang lld llvm openssl python3
set -euo pipefail

case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
python='/usr/bin/python3'

missing=()
for tool in clang ld64.lld-14 llvm-lipo-14 llvm-objdump openssl mktemp; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x "$python" ]] || missing+=("$python")
if ((${#missing[@]})); then
  printf '%s\n' "samples/ios/build.sh: missing tools: ${missing[*]}" \
    'Install them (Debian 12) with: apt-get install clang lld llvm openssl python3' >&2
  exit 1
fi
[[ -f "$here/keys/profile-signer.key" ]] || { echo "samples/ios/build.sh: missing $here/keys/profile-signer.key" >&2; exit 1; }

work="$(mktemp -d /tmp/leakdex-ios-samples.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$python" "$here/tools/make_ios.py" "$work" "$@"
