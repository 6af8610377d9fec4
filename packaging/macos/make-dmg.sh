#!/usr/bin/env bash
# Makes fieldkit's disk image from the app bundle (packaging/fieldkit.spec's dist/fieldkit.app):
# the app beside a link to /Applications, so installing is a drag. macOS only (hdiutil).
#   bash packaging/macos/make-dmg.sh APP_BUNDLE VERSION OUT_DIR     (packaging/build.sh runs it)
# The app is signed ad hoc only (PyInstaller's default): until it is signed with a Developer ID
# and notarized, Gatekeeper asks users to confirm the first opening (docs/install.md says how).
set -euo pipefail

app="$(cd "$1" && pwd)"
version="$2"
out="$(mkdir -p "$3" && cd "$3" && pwd)"
[ -x "$app/Contents/MacOS/fieldkit" ] || { echo "make-dmg: $app is not fieldkit's app bundle" >&2; exit 1; }

staging="$(mktemp -d "${TMPDIR:-/tmp}/fieldkit-dmg.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/fieldkit.app"
ln -s /Applications "$staging/Applications"

dmg="$out/fieldkit-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "fieldkit $version" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$dmg" >/dev/null
hdiutil verify "$dmg" >/dev/null
echo "$dmg ($(du -h "$dmg" | cut -f1))"
