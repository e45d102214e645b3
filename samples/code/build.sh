#!/usr/bin/env bash
# Rebuild the code-context samples (samples/code/NAME.apk), their goldens (golden/) and NAME.expected.json, then
# check every expected pointer against the dexdump -d golden with tools/check_code.py (the build fails on a mismatch).
#
#   bash samples/code/build.sh            every sample (code-getters ... code-shape-pairs)
#   bash samples/code/build.sh NAME...    only these
#
# Called at the end of samples/build.sh. Tests never run it. See samples/code/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python='/usr/bin/python3'

missing=()
for tool in smali aapt zipalign apksigner dexdump javac kotlinc clang ld.lld llvm-strip readelf; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x "$python" ]] || missing+=("$python")
[[ -f /usr/share/android-framework-res/framework-res.apk ]] || missing+=(/usr/share/android-framework-res/framework-res.apk)
[[ -f /usr/share/java/kotlin-stdlib.jar ]] || missing+=(/usr/share/java/kotlin-stdlib.jar)
if ((${#missing[@]})); then
  printf '%s\n' "samples/code/build.sh: missing tools: ${missing[*]}" \
    'Install them (Debian 12) with:' \
    '  apt-get install smali aapt zipalign apksigner dexdump android-framework-res default-jdk-headless \' \
    '                  kotlin clang lld llvm binutils' >&2
  exit 1
fi

PYTHONDONTWRITEBYTECODE=1 "$python" "$here/tools/build_code.py" "$@"
PYTHONDONTWRITEBYTECODE=1 "$python" "$here/tools/check_code.py" "$@"
