#!/usr/bin/env bash
# Rebuild the leakdex native-code samples (samples/native: native-ios.ipa, native-jni.apk) from samples/native/src,
# with their expected.json and golden tool outputs. Tests never run this script.
# Debian 12: apt-get install clang lld llvm lld-19 llvm-19 python3   (lld-19: ld64.lld with -fixup_chains)
set -euo pipefail

case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
python='/usr/bin/python3'

missing=()
for tool in clang ld.lld ld64.lld-14 ld64.lld-19 llvm-lipo-14 llvm-strip-19 llvm-objdump-19 llvm-nm-19 llvm-readobj-19 mktemp; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x "$python" ]] || missing+=("$python")
if ((${#missing[@]})); then
  printf '%s\n' "samples/native/build.sh: missing tools: ${missing[*]}" \
    'Install them (Debian 12) with: apt-get install clang lld llvm lld-19 llvm-19 python3' >&2
  exit 1
fi

work="$(mktemp -d /tmp/leakdex-native-samples.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$python" "$here/tools/make_native.py" "$work"
