#!/usr/bin/env bash
# One-time generation of the committed fake key material (run only to replace it; build.sh never calls this).
#   samples/keys/leakdex-sample.p12          APK signing keystore (password in samples/README.md)
#   samples/src/common/fake-rsa-2048.pk8.pem PKCS#8 key for the fake GCP service-account JSON
#   samples/src/common/fake-rsa-1024.pem     traditional "RSA PRIVATE KEY" planted in libsecrets.so
#   samples/src/common/fake-rsa-2048.pub.pem its public half, a decoy (a public key is not a secret)
# All of it is throwaway test material that protects nothing.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
for tool in keytool openssl; do
  command -v "$tool" >/dev/null || { echo "make-keys.sh: missing $tool" >&2; exit 1; }
done
mkdir -p "$here/keys" "$here/src/common"
ks="$here/keys/leakdex-sample.p12"
if [[ -e "$ks" && "${1:-}" != --force ]]; then
  echo "make-keys.sh: $ks exists; pass --force to replace all key material" >&2; exit 1
fi
rm -f "$ks"
keytool -genkeypair -keystore "$ks" -storetype PKCS12 -storepass leakdex-sample -keypass leakdex-sample \
  -alias leakdex-sample -keyalg RSA -keysize 2048 -validity 36500 \
  -dname 'CN=leakdex sample signer, OU=samples, O=leakdex, C=FR' >/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$here/src/common/fake-rsa-2048.pk8.pem" 2>/dev/null
openssl genrsa -traditional -out "$here/src/common/fake-rsa-1024.pem" 1024 2>/dev/null
openssl pkey -in "$here/src/common/fake-rsa-2048.pk8.pem" -pubout -out "$here/src/common/fake-rsa-2048.pub.pem"
chmod 644 "$here"/src/common/*.pem "$ks"
echo "make-keys.sh: wrote $ks and samples/src/common/*.pem"
