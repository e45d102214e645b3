#!/usr/bin/env bash
# Rebuild the leakdex sample APKs from samples/src with real Android tooling, then record golden outputs.
#
#   bash samples/build.sh            build every sample (leaky-multidex, leaky-v2, clean-app)
#   bash samples/build.sh NAME...    build only these samples
#
# Outputs (committed): samples/android/NAME.apk, NAME.expected.json, golden/NAME.*.
# Tests never run this script; it is only needed to change the samples. See samples/README.md.
set -euo pipefail

case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
repo="$(cd "$here/.." && pwd)"
out="$here/android"
golden="$out/golden"
keystore="$here/keys/leakdex-sample.p12"
keystore_pass='leakdex-sample'
framework_apk='/usr/share/android-framework-res/framework-res.apk'
python='/usr/bin/python3'
oracle="$repo/../shared/tools/oracle.py"

missing=()
for tool in apktool aapt aapt2 zipalign apksigner java clang ld.lld llvm-objcopy readelf dexdump unzip androguard \
  mktemp sed stat; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x "$python" ]] || missing+=("$python")
[[ -f "$framework_apk" ]] || missing+=("$framework_apk")
if ((${#missing[@]} == 0)) && ! "$python" -c 'import androguard' 2>/dev/null; then missing+=("androguard (python module)"); fi
if ((${#missing[@]})); then
  printf '%s\n' "samples/build.sh: missing tools: ${missing[*]}" \
    'Install them (Debian 12) with:' \
    '  apt-get install apktool aapt zipalign apksigner android-framework-res dexdump \' \
    '                  clang lld llvm binutils unzip default-jdk-headless androguard' >&2
  exit 1
fi
[[ -f "$keystore" ]] || { echo "samples/build.sh: missing $keystore (see samples/tools/make-keys.sh)" >&2; exit 1; }

all_samples=(leaky-multidex leaky-v2 clean-app)
if (($#)); then samples=("$@"); else samples=("${all_samples[@]}"); fi
for name in "${samples[@]}"; do
  [[ " ${all_samples[*]} " == *" $name "* ]] || { echo "samples/build.sh: unknown sample '$name' (${all_samples[*]})" >&2; exit 2; }
done

work="$(mktemp -d /tmp/leakdex-samples.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/framework" "$work/aapt-utf16" "$golden"
ln -s "$framework_apk" "$work/framework/1.apk"
# apktool 2.7 runs the first `aapt` on PATH; this one asks aapt1 for a UTF-16 resources.arsc string pool.
cat >"$work/aapt-utf16/aapt" <<'EOF'
#!/bin/sh
if [ "$1" = p ] || [ "$1" = package ]; then cmd=$1; shift; exec /usr/bin/aapt "$cmd" --utf16 "$@"; fi
exec /usr/bin/aapt "$@"
EOF
chmod +x "$work/aapt-utf16/aapt"

log() { printf 'samples: %s\n' "$*" >&2; }

build_native() {
  local src="$1" apk_dir="$2" abi target
  for abi in arm64-v8a armeabi-v7a; do
    case "$abi" in
      arm64-v8a) target=aarch64-linux-android21 ;;
      armeabi-v7a) target=armv7a-linux-androideabi21 ;;
    esac
    mkdir -p "$apk_dir/lib/$abi"
    clang --target="$target" -shared -nostdlib -fuse-ld=lld -fPIC -O2 -Wall -Werror \
      -Wl,-soname,libsecrets.so -Wl,--build-id=sha1 -o "$apk_dir/lib/$abi/libsecrets.so" "$src"
  done
}

record_golden() {
  local name="$1" apk="$2" tmp="$3" dex so abi entries=()
  aapt dump badging "$apk" >"$golden/$name.badging.txt"
  aapt dump --values resources "$apk" >"$golden/$name.resources.txt"
  aapt dump xmltree "$apk" AndroidManifest.xml >"$golden/$name.manifest-xmltree.txt"
  androguard axml "$apk" 2>/dev/null >"$golden/$name.manifest.axml.xml"
  apksigner verify --verbose --print-certs "$apk" >"$golden/$name.apksigner.txt"
  mkdir -p "$tmp/unzipped"
  unzip -q -o "$apk" -d "$tmp/unzipped"
  for dex in "$tmp"/unzipped/classes*.dex; do
    dexdump -f "$dex" | sed "s#$tmp/unzipped/##" >"$golden/$name.$(basename "$dex" .dex).dexdump.txt"
  done
  "$python" "$here/tools/golden.py" dex-strings "$apk" "$golden/$name.dex-strings.json"
  "$python" "$here/tools/golden.py" resources "$apk" "$golden/$name.resources.json"
  "$python" "$here/tools/golden.py" manifest "$apk" "$golden/$name.manifest.json"
  for so in "$tmp"/unzipped/lib/*/*.so; do
    [[ -e "$so" ]] || continue
    abi="$(basename "$(dirname "$so")")"
    readelf --unicode=escape -p .rodata "$so" >"$golden/$name.$abi.$(basename "$so" .so).rodata.txt"
    entries+=("lib/$abi/$(basename "$so")=$so")
  done
  if ((${#entries[@]})); then
    "$python" "$here/tools/golden.py" rodata "$golden/$name.so-rodata.json" "${entries[@]}"
  fi
  if [[ -f "$oracle" ]]; then
    (cd "$out" && "$python" "$oracle" "$name.apk") >"$golden/$name.oracle.json" 2>/dev/null
  else
    log "note: $oracle not found; golden/$name.oracle.json left as it was"
  fi
}

build_sample() {
  local name="$1" tmp="$work/$1" flavour apk
  log "building $name"
  "$python" "$here/tools/fake_secrets.py" render "$name" "$tmp"
  if "$python" "$here/tools/fake_secrets.py" has-native "$name"; then
    build_native "$tmp/native/libsecrets.c" "$tmp/apk"
  fi
  flavour="$("$python" "$here/tools/fake_secrets.py" aapt "$name")"
  case "$flavour" in
    aapt-utf16) PATH="$work/aapt-utf16:$PATH" apktool --quiet b -f -p "$work/framework" "$tmp/apk" -o "$tmp/unsigned.apk" ;;
    aapt2) apktool --quiet b -f --use-aapt2 -p "$work/framework" "$tmp/apk" -o "$tmp/unsigned.apk" ;;
    *) echo "samples/build.sh: unknown aapt flavour $flavour" >&2; exit 1 ;;
  esac
  zipalign -f -p 4 "$tmp/unsigned.apk" "$tmp/aligned.apk"
  apk="$out/$name.apk"
  apksigner sign --ks "$keystore" --ks-pass "pass:$keystore_pass" --ks-key-alias leakdex-sample \
    --v1-signer-name CERT --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled true --v4-signing-enabled false \
    --out "$apk" "$tmp/aligned.apk"
  rm -f "$apk.idsig"
  apksigner verify "$apk"
  zipalign -c -p 4 "$apk"
  record_golden "$name" "$apk" "$tmp"
  "$python" "$here/tools/golden.py" facts "$golden/$name.badging.txt" "$golden/$name.apksigner.txt" "$tmp/facts.json"
  "$python" "$here/tools/golden.py" build-facts "$apk" "$tmp/build.json"
  "$python" "$here/tools/fake_secrets.py" expected "$name" "$tmp/facts.json" "$tmp/build.json" "$out/$name.expected.json"
  "$python" "$here/tools/check_expected.py" "$apk"
  log "$name.apk: $(stat -c %s "$apk") bytes"
}

for name in "${samples[@]}"; do
  build_sample "$name"
done

# Sample sets with builds of their own, in this order.
for set in quirks code native unity hermes js; do
  if [[ -f "$here/$set/build.sh" ]]; then
    log "running samples/$set/build.sh"
    bash "$here/$set/build.sh"
  fi
done
