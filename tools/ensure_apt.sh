#!/usr/bin/env bash
# Installs the Debian packages given as arguments when some are missing.
# As root it installs them; otherwise it prints the exact command to run.
set -u
missing=()
for pkg in "$@"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
((${#missing[@]} == 0)) && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Note: not a Debian/Ubuntu system; make sure these (or their equivalents) are installed: ${missing[*]}"
  exit 0
fi
if [[ $(id -u) -eq 0 ]]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null \
    || { echo "apt-get failed; run: apt-get install -y ${missing[*]}"; exit 1; }
else
  echo "Missing system packages. Please run:"
  echo "  sudo apt-get install -y ${missing[*]}"
  exit 1
fi
