#!/bin/sh
# A plain CI step for any runner (fastlane, Bitrise, Jenkins, a Makefile): scans an app, writes an HTML report,
# prints one line and exits like `leakdex scan`:
#   0 no new leak, 1 new finding at or above LEAKDEX_FAIL_ON, 2 usage or unreadable app, 3 service error,
#   4 incomplete scan (part of the app, e.g. FairPlay-encrypted code, was not scanned; LEAKDEX_ALLOW_INCOMPLETE=1
#   lets it pass).
#
#   sh docs/ci/leakdex-step.sh app/build/outputs/apk/release/app-release.apk
#
# fastlane:  sh("sh", "../docs/ci/leakdex-step.sh", lane_context[SharedValues::GRADLE_APK_OUTPUT_PATH])
# Bitrise:   a Script step running: sh docs/ci/leakdex-step.sh "$BITRISE_APK_PATH"
#
# Environment: LEAKDEX (command, default leakdex), LEAKDEX_FAIL_ON (default high), LEAKDEX_OUT (report path
# without extension, default leakdex-report), LEAKDEX_BASELINE (default leakdex-baseline.json when present),
# LEAKDEX_ALLOW_INCOMPLETE=1 (pass --allow-incomplete);
# LEAKDEX_SERVER and LEAKDEX_API_KEY switch to remote mode.
set -u
app="${1:?usage: leakdex-step.sh APP}"
leakdex="${LEAKDEX:-leakdex}"
out="${LEAKDEX_OUT:-leakdex-report}"
fail_on="${LEAKDEX_FAIL_ON:-high}"
baseline="${LEAKDEX_BASELINE:-leakdex-baseline.json}"

set -- scan "$app" --format html --output "$out.html" --fail-on "$fail_on" --quiet
if [ -f "$baseline" ]; then set -- "$@" --baseline "$baseline"; fi
if [ "${LEAKDEX_ALLOW_INCOMPLETE:-}" = 1 ]; then set -- "$@" --allow-incomplete; fi

$leakdex "$@"
status=$?
case $status in
  0) echo "leakdex: no finding at or above $fail_on in $app (report: $out.html)" ;;
  1) echo "leakdex: new hardcoded secret(s) at or above $fail_on in $app: see $out.html" ;;
  4) echo "leakdex: incomplete scan of $app: part of it was not scanned, so it cannot pass: see $out.html" ;;
  *) echo "leakdex: could not scan $app (exit $status)" ;;
esac
exit $status
