#!/usr/bin/env bash
# Runs a command inside a throwaway D-Bus session with an unlocked gnome-keyring, so the
# keyring_integration tests talk to a real Secret Service and never touch the user's own.
set -euo pipefail
if ! command -v dbus-run-session >/dev/null || ! command -v gnome-keyring-daemon >/dev/null; then
  echo "dbus-run-session / gnome-keyring-daemon not found: run 'make venv' as root or" \
       "'sudo apt-get install -y dbus gnome-keyring dbus-x11'" >&2
  exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch"/{data,config,cache,runtime}
chmod 700 "$scratch/runtime"
export XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
       XDG_CACHE_HOME="$scratch/cache" XDG_RUNTIME_DIR="$scratch/runtime"
export XQB_REQUIRE_SECRET_SERVICE=1
# shellcheck disable=SC2016
exec dbus-run-session -- bash -c '
  eval "$(printf %s throwaway-password | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"
' bash "$@"
