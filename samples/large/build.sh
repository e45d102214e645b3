#!/usr/bin/env bash
# Build the large benchmark APK (issue 20's speed measurements) with real Android tooling: about 60 MB on disk and
# 78 MB inflated, 6 DEX files from generated smali, a 12 MB React-Native-like JS bundle, about 50 MB of PNG, JPEG, OGG
# Vorbis and random .bin assets, and 5 places holding fake secrets.
#
#   bash samples/large/build.sh [OUT.apk]     default OUT: /tmp/leakdex-large.apk
#   npm run bench:large-apk [-- OUT.apk]
#
# Writes OUT and OUT.planted.json (where each fake secret is, with its rule id; the values are only in that file)
# and nothing else: the project is generated in a temporary directory, removed on exit. OUT must be outside the
# repository: the APK is never committed. Contents are the same on every run (fixed seeds); the zip timestamps and the
# signature are not. See samples/README.md.
set -euo pipefail

case "${BASH_SOURCE[0]}" in */*) here="${BASH_SOURCE[0]%/*}" ;; *) here=. ;; esac
here="$(cd "$here" && pwd)"
samples="$(cd "$here/.." && pwd)"
repo="$(cd "$samples/.." && pwd)"
keystore="$samples/keys/leakdex-sample.p12"
keystore_pass='leakdex-sample'
framework_apk='/usr/share/android-framework-res/framework-res.apk'
python='/usr/bin/python3'
generator="$samples/tools/large_apk.py"

out="${1:-/tmp/leakdex-large.apk}"
[[ "$out" == *.apk ]] || { echo "samples/large/build.sh: OUT must end in .apk: $out" >&2; exit 2; }
out_dir="$(dirname "$out")"
[[ -d "$out_dir" ]] || { echo "samples/large/build.sh: no directory $out_dir" >&2; exit 2; }
out="$(cd "$out_dir" && pwd)/$(basename "$out")"
case "$out/" in
  "$repo"/*) echo "samples/large/build.sh: $out is inside the repository; write the APK elsewhere (it is never committed)" >&2
    exit 2 ;;
esac

missing=()
for tool in apktool aapt zipalign apksigner java unzip sox mktemp; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[[ -x "$python" ]] || missing+=("$python")
[[ -f "$framework_apk" ]] || missing+=("$framework_apk")
# JPEG: ImageMagick's convert when it is the real one, else netpbm's pnmtojpeg. OGG: sox with its vorbis format,
# else sox to WAV and oggenc.
if convert -version 2>/dev/null | grep -q ImageMagick; then
  jpeg_encoder=imagemagick
elif command -v pnmtojpeg >/dev/null 2>&1; then
  jpeg_encoder=pnmtojpeg
else
  missing+=("convert (ImageMagick) or pnmtojpeg (netpbm)")
fi
if command -v sox >/dev/null 2>&1 && sox -h 2>/dev/null | grep -A1 'AUDIO FILE FORMATS' | grep -qw vorbis; then
  ogg_encoder=sox
elif command -v oggenc >/dev/null 2>&1; then
  ogg_encoder=oggenc
else
  missing+=("sox with libsox-fmt-ogg, or oggenc")
fi
if ((${#missing[@]})); then
  printf '%s\n' "samples/large/build.sh: missing tools: ${missing[*]}" \
    'Install them (Debian 12) with:' \
    '  apt-get install apktool aapt zipalign apksigner android-framework-res default-jdk-headless unzip \' \
    '                  sox libsox-fmt-all vorbis-tools imagemagick' >&2
  exit 1
fi
[[ -f "$keystore" ]] || { echo "samples/large/build.sh: missing $keystore (see samples/tools/make-keys.sh)" >&2; exit 1; }

log() { printf 'samples/large: %s\n' "$*" >&2; }
start_us=${EPOCHREALTIME/[.,]/}
since() { local d=$((${EPOCHREALTIME/[.,]/} - start_us)); printf '%d.%d s' $((d / 1000000)) $((d % 1000000 / 100000)); }

work="$(mktemp -d /tmp/leakdex-large.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/framework"
ln -s "$framework_apk" "$work/framework/1.apk"

log "generating the apktool project in $work"
"$python" "$generator" project "$work"
apk_dir="$work/apk"

log "encoding JPEGs ($jpeg_encoder)"
mkdir -p "$apk_dir/assets/images/photos"
for ppm in "$work"/ppm/*.ppm; do
  jpg="$apk_dir/assets/images/photos/$(basename "$ppm" .ppm).jpg"
  case "$jpeg_encoder" in
    imagemagick) convert "$ppm" -strip -quality 88 "$jpg" ;;
    pnmtojpeg) pnmtojpeg --quality=88 "$ppm" >"$jpg" ;;
  esac
done

log "encoding OGG Vorbis ($ogg_encoder)"
mkdir -p "$apk_dir/assets/audio"
# name|channels|sox quality|synth effect chain
sounds=(
  'ambient_rain_loop|2|6|synth 60 pinknoise vol 0.6'
  'theme_music|2|5|synth 90 sine 220:440 sine 330:660 tremolo 4 60 vol 0.5'
  'engine_drone|2|5|synth 45 brownnoise synth 45 sine mix 110 vol 0.5'
  'ui_tap|1|4|synth 0.25 pluck C5 fade 0 0.25 0.2'
  'notification_chime|1|4|synth 1.2 pluck E5 pluck G5 fade 0 1.2 0.8'
)
for s in "${sounds[@]}"; do
  IFS='|' read -r name channels quality effects <<<"$s"
  ogg="$apk_dir/assets/audio/$name.ogg"
  # shellcheck disable=SC2086 # the effect chain is a list of words
  case "$ogg_encoder" in
    sox) sox -R -n -r 44100 -c "$channels" -C "$quality" "$ogg" $effects ;;
    oggenc) sox -R -n -r 44100 -c "$channels" "$work/$name.wav" $effects
      oggenc -Q -s 20 -q "$quality" -o "$ogg" "$work/$name.wav" ;;
  esac
done

if command -v node >/dev/null 2>&1; then
  # A .js copy outside any package.json: node --check parses it as a script, as React Native's runtime would.
  cp "$apk_dir/assets/index.android.bundle" "$work/bundle-check.js"
  node --check "$work/bundle-check.js"
  rm -f "$work/bundle-check.js"
fi

log "apktool b (smali -> 6 DEX, aapt) after $(since)"
apktool --quiet b -f -p "$work/framework" "$apk_dir" -o "$work/unsigned.apk"
log "zipalign and apksigner after $(since)"
zipalign -f -p 4 "$work/unsigned.apk" "$work/aligned.apk"
apksigner sign --ks "$keystore" --ks-pass "pass:$keystore_pass" --ks-key-alias leakdex-sample \
  --v1-signer-name CERT --v1-signing-enabled true --v2-signing-enabled true --v3-signing-enabled true --v4-signing-enabled false \
  --out "$out" "$work/aligned.apk"
rm -f "$out.idsig"
apksigner verify "$out"
zipalign -c -p 4 "$out"

"$python" "$generator" check "$out" "$work/planted.json" "$out.planted.json"
log "built $out in $(since) (JPEG: $jpeg_encoder, OGG: $ogg_encoder)"
