#!/usr/bin/env bash
# make translations: extract every self.tr() string of wizard/ into the French .ts (keeping
# the translations already there), then build the .qm the app loads.
# make venv only runs the second step (lrelease), so a fresh clone gets its .qm.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
if [[ "${1:-}" != "--release-only" ]]; then
  "$BIN/pyside6-lupdate" $(find wizard -name '*.py' | sort) -locations none -no-obsolete \
      -ts resources/i18n/wizard_fr.ts
fi
"$BIN/pyside6-lrelease" -silent resources/i18n/wizard_fr.ts -qm resources/i18n/wizard_fr.qm
