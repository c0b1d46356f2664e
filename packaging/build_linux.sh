#!/usr/bin/env bash
# Builds the Linux bundle: dist/xero-qbtime-bridge/ (one folder: the app, its desktop entry,
# AppStream metadata, icons and install.sh) and dist/xero-qbtime-bridge-VERSION-linux-ARCH.tar.gz.
# Then runs the frozen app's --self-test offscreen and prints the bundle size and start times.
#
# `make package` installs what this needs first (binutils, the xcb libraries, the venv with
# .[packaging], the .qm files) and then runs this script. Run it alone with the venv ready:
#   bash packaging/build_linux.sh
# Environment: VENV_BIN (default .venv/bin), XQB_SKIP_SELFTEST=1 to only build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${VENV_BIN:-.venv/bin}
APP=xero-qbtime-bridge
APP_ID=com.xeroqbtimebridge.XeroQBTimeBridge
DIST=$ROOT/dist
BUNDLE=$DIST/$APP
WORK=$ROOT/build/pyinstaller
ICONS=$ROOT/build/icons
VERSION=$("$BIN/python" -c 'from core.version import __version__; print(__version__)')
ARCH=$(uname -m)
TARBALL=$DIST/$APP-$VERSION-linux-$ARCH.tar.gz

step() { printf '\n== %s\n' "$*"; }
fail() { echo "build_linux.sh: $*" >&2; exit 1; }

[[ -x "$BIN/pyinstaller" ]] || fail "PyInstaller is not in $BIN: run 'make package' (or pip install -e '.[packaging]')"
command -v strip >/dev/null || fail "'strip' not found: install binutils (sudo apt-get install -y binutils)"
ls resources/i18n/*.qm >/dev/null 2>&1 || fail "no .qm file in resources/i18n: run 'make translations'"

step "Icons (app.svg -> PNG 256/128/64/48, .ico, .icns)"
rm -rf "$ICONS"
QT_QPA_PLATFORM=offscreen "$BIN/python" packaging/render_icons.py "$ICONS"

step "PyInstaller (one folder)"
start=$(date +%s)
rm -rf "$BUNDLE" "$TARBALL"
"$BIN/pyinstaller" --noconfirm --clean --log-level WARN --distpath "$DIST" --workpath "$WORK" \
    packaging/xqb.spec
echo "built in $(( $(date +%s) - start )) s"

step "Checking that the xcb libraries are in the bundle (the app must run on any X11 desktop)"
qt=$BUNDLE/_internal/PySide6/Qt
missing=()
for lib in $(readelf -d "$qt/plugins/platforms/libqxcb.so" "$qt/lib/libQt6XcbQpa.so.6" \
             | awk '/NEEDED/ {gsub(/[][]/, "", $5); print $5}' | sort -u); do
  case $lib in
    libxcb.so.1) ;;  # PyInstaller leaves libxcb itself to the system, on purpose (ABI of the X server side)
    libxcb-*|libxkbcommon*|libX11*)
      [[ -e "$BUNDLE/_internal/$lib" || -e "$qt/lib/$lib" ]] || missing+=("$lib") ;;
  esac
done
if ((${#missing[@]})); then
  fail "not bundled: ${missing[*]}. Install them before building (make package does, as root)."
fi
echo "ok: every xcb/xkb library the xcb platform plugin needs is bundled"

step "Desktop entry, AppStream metadata, icons, install.sh"
share=$BUNDLE/share
install -Dm644 "packaging/linux/$APP_ID.desktop" "$share/applications/$APP_ID.desktop"
install -Dm644 "packaging/linux/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
install -Dm644 resources/icons/app.svg "$share/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in 256 128 64 48; do
  install -Dm644 "$ICONS/app-$size.png" "$share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -Dm755 packaging/linux/install.sh "$BUNDLE/install.sh"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$share/applications/$APP_ID.desktop" || fail "the .desktop file is not valid"
  echo "ok: desktop-file-validate"
fi
if command -v appstreamcli >/dev/null; then
  appstreamcli validate --no-net "$share/metainfo/$APP_ID.metainfo.xml" \
    || fail "the AppStream metadata is not valid"
fi
grep -q "<release version=\"$VERSION\"" "$share/metainfo/$APP_ID.metainfo.xml" \
  || fail "packaging/linux/$APP_ID.metainfo.xml has no <release version=\"$VERSION\">: add it"

step "Archive"
tar -C "$DIST" -czf "$TARBALL" "$APP"
echo "$TARBALL"

step "Size"
bundle_mb=$(du -sm "$BUNDLE" | cut -f1)
tar_mb=$(awk -v b="$(stat -c %s "$TARBALL")" 'BEGIN { printf "%.1f", b / 1048576 }')
files=$(find "$BUNDLE" -type f | wc -l)
echo "bundle: $bundle_mb MB in $files files ($BUNDLE); archive: $tar_mb MB"
# (awk takes the first six and reads the rest: with head, sort could be cut off by SIGPIPE
# and pipefail then failed the build, exit 141, seen once in a CI rehearsal)
du -sm "$BUNDLE/_internal/"* | sort -rn | awk 'NR <= 6 { printf "  %5d MB  %s\n", $1, $2 }'

if [[ "${XQB_SKIP_SELFTEST:-}" == "1" ]]; then
  echo "XQB_SKIP_SELFTEST=1: frozen self-test not run"
  exit 0
fi

step "Frozen self-test (offscreen) and start times"
# A true cold start needs the page cache emptied (root only; skipped where not allowed).
drop_caches() { sync; { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null && echo cold || echo "first run"; }
seconds() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; local rc=$?; t1=$(date +%s.%N)
            awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; return $rc; }
export QT_QPA_PLATFORM=offscreen
kind=$(drop_caches)
version_s=$(seconds "$BUNDLE/$APP" --version) || fail "the frozen app does not start ($APP --version)"
kind=$(drop_caches)
t0=$(date +%s.%N)
set +e
"$BUNDLE/$APP" --self-test
rc=$?
set -e
selftest_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
warm_s=$(seconds "$BUNDLE/$APP" --self-test || true)
echo
echo "bundle size: $bundle_mb MB ($tar_mb MB as .tar.gz)"
echo "start ($kind): $APP --version in $version_s s; --self-test in $selftest_s s (warm: $warm_s s)"
if [[ $rc -ne 0 ]]; then
  fail "the frozen self-test failed (exit $rc): see the FAILED lines above"
fi
echo "frozen self-test passed"
