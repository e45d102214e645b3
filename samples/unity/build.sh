#!/usr/bin/env bash
# Rebuild the Unity IL2CPP samples: global-metadata.dat of five metadata versions written from src/game.json by
# tools/make_metadata.py, their goldens from the independent reader tools/dump_metadata.py, NAME.expected.json, and
# unity-game.apk (aapt, zipalign, apksigner) carrying the v29 file where Unity puts it.
#
#   bash samples/unity/build.sh
#
# Called at the end of samples/build.sh. Tests never run it. Needs: /usr/bin/python3, aapt, zipalign, apksigner, android-framework-res.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
py='/usr/bin/python3'
framework_apk='/usr/share/android-framework-res/framework-res.apk'
for tool in aapt zipalign apksigner; do
  command -v "$tool" >/dev/null || { echo "build.sh: missing $tool (apt-get install aapt zipalign apksigner android-framework-res)" >&2; exit 1; }
done
work="$(mktemp -d /tmp/leakdex-unity.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export PYTHONDONTWRITEBYTECODE=1

for v in 24.0 24.2 27 29 31; do
  name="global-metadata-v$v.dat"
  $py "$here/tools/make_metadata.py" write "$v" "$here/src/game.json" "$here/$name"
  $py "$here/tools/dump_metadata.py" "$here/$name" > "$here/golden/$name.json"
  $py "$here/tools/make_metadata.py" expected "$name" "$name" "$v" "$here/$name.expected.json"
done

# The APK: a manifest, no code, the metadata under assets/bin/Data/Managed/Metadata/.
mkdir -p "$work/assets/bin/Data/Managed/Metadata"
cp "$here/global-metadata-v29.dat" "$work/assets/bin/Data/Managed/Metadata/global-metadata.dat"
cat > "$work/AndroidManifest.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.leakdex.sample.unity"
    android:versionCode="3" android:versionName="1.2.0">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="33" />
  <application android:label="Leakdex Unity Sample" android:hasCode="false" />
</manifest>
XML
aapt package -f -M "$work/AndroidManifest.xml" -I "$framework_apk" -A "$work/assets" -F "$work/unsigned.apk"
zipalign -f 4 "$work/unsigned.apk" "$work/aligned.apk"
apksigner sign --ks "$repo/samples/keys/leakdex-sample.p12" --ks-pass pass:leakdex-sample --ks-key-alias leakdex-sample \
  --out "$here/unity-game.apk" "$work/aligned.apk"
rm -f "$here/unity-game.apk.idsig"
$py "$here/tools/make_metadata.py" expected unity-game.apk assets/bin/Data/Managed/Metadata/global-metadata.dat 29 "$here/unity-game.expected.json"
echo "samples/unity: built" >&2
