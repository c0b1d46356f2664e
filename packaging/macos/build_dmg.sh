#!/usr/bin/env bash
# Builds the macOS app and its disk image:
#   dist/Xero to QuickBooks Time.app
#   dist/xero-qbtime-bridge-<version>-macos-<arch>.dmg   (the .app + a link to /Applications)
#
#   bash packaging/macos/build_dmg.sh
#
# Needs: macOS 12 or newer, Python 3.11 (python.org installer or Homebrew), the Xcode command
# line tools (xcode-select --install: codesign, hdiutil, xcrun notarytool, stapler).
# Build on the architecture you ship (arm64 on Apple silicon, x86_64 on Intel); run it once on
# each for both. Build on the oldest macOS you support: the app runs on that one and newer.
#
# Signing and notarisation (both optional; without them the .dmg works on the build Mac, but
# Gatekeeper blocks it elsewhere with "cannot be opened because the developer cannot be verified"):
#   1. Signing: a "Developer ID Application" certificate in the login keychain (Apple Developer
#      Program > Certificates). Export its name:
#        export XQB_CODESIGN_IDENTITY="Developer ID Application: Your Company (TEAMID1234)"
#      PyInstaller then signs every binary and the .app with the hardened runtime and
#      packaging/macos/entitlements.plist; this script signs the .dmg and verifies both.
#   2. Notarisation: store an app-specific password (appleid.apple.com) once:
#        xcrun notarytool store-credentials xqb-notary --apple-id you@example.com \
#              --team-id TEAMID1234 --password abcd-efgh-ijkl-mnop
#      then:  export XQB_NOTARY_PROFILE=xqb-notary
#      The .dmg is submitted to Apple (xcrun notarytool submit --wait, a few minutes), the
#      ticket is stapled to it (xcrun stapler staple) and Gatekeeper is asked (spctl).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ "$(uname -s)" == "Darwin" ]] || { echo "build_dmg.sh runs on macOS only" >&2; exit 1; }

APP_NAME="Xero to QuickBooks Time"
PYTHON=${PYTHON:-python3.11}
IDENTITY=${XQB_CODESIGN_IDENTITY:-}
NOTARY=${XQB_NOTARY_PROFILE:-}

[[ -x .venv/bin/python ]] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[packaging]'
VERSION=$(.venv/bin/python -c 'from core.version import __version__; print(__version__)')
ARCH=$(uname -m)
APP="dist/$APP_NAME.app"
DMG="dist/xero-qbtime-bridge-$VERSION-macos-$ARCH.dmg"

echo "== translations, icons"
VENV_BIN=.venv/bin bash tools/translations.sh --release-only
QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/render_icons.py build/icons

echo "== PyInstaller (signature: ${IDENTITY:-ad hoc, not distributable})"
rm -rf "$APP" dist/xero-qbtime-bridge "$DMG"
XQB_CODESIGN_IDENTITY="$IDENTITY" .venv/bin/pyinstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/xqb.spec

echo "== frozen self-test"
start=$(date +%s)
QT_QPA_PLATFORM=offscreen "$APP/Contents/MacOS/xero-qbtime-bridge" --self-test
echo "self-test passed in $(( $(date +%s) - start )) s; app size: $(du -sh "$APP" | cut -f1)"

if [[ -n "$IDENTITY" ]]; then
  echo "== verifying the signature"
  codesign --verify --deep --strict --verbose=2 "$APP"
fi

echo "== disk image"
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$APP" "$staging/"
ln -s /Applications "$staging/Applications"
hdiutil create -volname "$APP_NAME" -srcfolder "$staging" -fs HFS+ -format UDZO -ov "$DMG"

if [[ -n "$IDENTITY" ]]; then
  codesign --sign "$IDENTITY" --timestamp "$DMG"
  codesign --verify --verbose=2 "$DMG"
fi
if [[ -n "$NOTARY" ]]; then
  [[ -n "$IDENTITY" ]] || { echo "notarisation needs a signed app: set XQB_CODESIGN_IDENTITY" >&2; exit 1; }
  echo "== notarisation (Apple's notary service; takes a few minutes)"
  xcrun notarytool submit "$DMG" --keychain-profile "$NOTARY" --wait
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
fi
echo "$DMG ($(du -h "$DMG" | cut -f1))"
