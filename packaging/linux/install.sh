#!/bin/sh
# Adds Xero to QuickBooks Time to the applications menu, from the folder this script is in.
#
#   ./install.sh              for you only (~/.local), no root needed
#   sudo ./install.sh         for every user of this computer (/usr/local)
#   ./install.sh --uninstall  removes the menu entry, icons and command (not this folder,
#                             and not your data: ~/.local/share/XeroQBTimeBridge)
#
# The app stays in this folder: move the folder first (e.g. to ~/.local/opt or /opt), then run
# this script from its new place. Nothing is downloaded; nothing outside the paths below changes.
set -eu
APP=xero-qbtime-bridge
APP_ID=com.xeroqbtimebridge.XeroQBTimeBridge
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -eq 0 ]; then
  DATA=/usr/local/share
  BIN=/usr/local/bin
else
  DATA=${XDG_DATA_HOME:-$HOME/.local/share}
  BIN=$HOME/.local/bin
fi
DESKTOP=$DATA/applications/$APP_ID.desktop
METAINFO=$DATA/metainfo/$APP_ID.metainfo.xml
ICON_SIZES="256 128 64 48"

refresh() {  # let menus and icon themes notice (no icon cache is written: it would go stale)
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$DATA/applications" || true
  touch "$DATA/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--uninstall" ]; then
  rm -f "$DESKTOP" "$METAINFO" "$DATA/icons/hicolor/scalable/apps/$APP_ID.svg"
  for size in $ICON_SIZES; do rm -f "$DATA/icons/hicolor/${size}x${size}/apps/$APP_ID.png"; done
  if [ -L "$BIN/$APP" ]; then rm -f "$BIN/$APP"; fi
  refresh
  echo "Removed the menu entry and the '$APP' command. The app folder ($HERE) is still there:"
  echo "delete it to remove the app."
  exit 0
fi
if [ -n "${1:-}" ]; then
  echo "usage: $0 [--uninstall]" >&2
  exit 2
fi

[ -x "$HERE/$APP" ] || { echo "$HERE/$APP not found: run this script from the app folder." >&2; exit 1; }

mkdir -p "$DATA/applications" "$DATA/metainfo" "$BIN" "$DATA/icons/hicolor/scalable/apps"
# The menu entry starts the app from this folder (quoted: the path may contain spaces).
sed -e "s|^Exec=.*|Exec=\"$HERE/$APP\"|" -e "s|^TryExec=.*|TryExec=$HERE/$APP|" \
    "$HERE/share/applications/$APP_ID.desktop" > "$DESKTOP"
chmod 644 "$DESKTOP"
cp "$HERE/share/metainfo/$APP_ID.metainfo.xml" "$METAINFO"
cp "$HERE/share/icons/hicolor/scalable/apps/$APP_ID.svg" "$DATA/icons/hicolor/scalable/apps/"
for size in $ICON_SIZES; do
  mkdir -p "$DATA/icons/hicolor/${size}x${size}/apps"
  cp "$HERE/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png" "$DATA/icons/hicolor/${size}x${size}/apps/"
done
ln -sf "$HERE/$APP" "$BIN/$APP"
refresh

echo "Installed: 'Xero to QuickBooks Time' is in your applications menu, and '$APP' is a command"
echo "(in $BIN). To check this installation: $APP --self-test"
