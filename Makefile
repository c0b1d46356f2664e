# Two promises to a newcomer on a fresh Debian/Ubuntu with Python 3.11+:
#   make demo   -> sets everything up, opens the product on the Demo Company
#   make test   -> sets everything up, runs the whole suite headless
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export QT_QPA_PLATFORM ?= offscreen

# Debian packages Qt needs offscreen, a real Secret Service for the keyring tests, and a C
# compiler for the power-loss test's fsync shim (tests/reliability/powerloss_shim.c).
APT_PACKAGES := libglib2.0-0 libgl1 libegl1 libfontconfig1 libxkbcommon0 libdbus-1-3 \
                fonts-dejavu-core dbus gnome-keyring dbus-x11 gcc libc6-dev

# Building the Linux bundle: binutils (PyInstaller strips with it) and the xcb libraries the
# Qt xcb plugin links (not installed at build time = left out of the bundle), plus the
# validators of the desktop entry and the AppStream metadata.
PACKAGE_APT := binutils libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
               libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
               libxkbcommon-x11-0 desktop-file-utils appstream
PACKAGING_STAMP := $(VENV)/.installed-packaging

.PHONY: venv apt demo sandbox test test-fast lint bench screenshots translations package clean

venv: apt $(STAMP) resources/i18n/wizard_fr.qm

apt:
	@bash tools/ensure_apt.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create a virtual environment. On Debian/Ubuntu run: sudo apt-get install -y python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# The wizard on the built-in Demo Company (local simulators, no account needed).
demo: venv
	$(PY) main.py --demo

# French: extract new strings into resources/i18n/wizard_fr.ts, then build the .qm.
translations: $(STAMP)
	@bash tools/translations.sh

resources/i18n/wizard_fr.qm: resources/i18n/wizard_fr.ts $(STAMP)
	@bash tools/translations.sh --release-only

screenshots: venv
	$(PY) main.py screenshots --out docs/screenshots --lang en,fr

sandbox: venv
	$(PY) -m core.sandbox --data resources/demo/company.json --state .demo-state

# The whole suite, headless, with the keyring tests against a throwaway gnome-keyring.
test: venv
	@bash tools/with_secret_service.sh $(PY) -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(PY) -m pytest -m "not keyring_integration" -x -q $(PYTEST_ARGS)

# The gate CI runs before the tests: lint, format, the layers (import contracts), types,
# and the release workflow (actionlint; it runs only on GitHub).
lint: venv
	$(PY) -m ruff check core wizard tests main.py tools
	$(PY) -m ruff format --check core wizard tests main.py tools
	$(VENV)/bin/lint-imports
	$(PY) -m mypy
	$(VENV)/bin/actionlint .github/workflows/*.yml

# Merges the figures into bench-results.json (committed), then rewrites the README's table.
bench: venv
	$(PY) -m pip install --quiet -e '.[benchmarks]'
	XQB_RESULTS_FULL=$(if $(PYTEST_ARGS),0,1) $(PY) -m pytest tests/benchmarks \
	  -p no:cacheprovider -s -q $(PYTEST_ARGS); status=$$?; \
	  $(PY) tools/readme_tables.py; exit $$status

# The Linux bundle (dist/xero-qbtime-bridge/ and its .tar.gz), checked by its own --self-test.
# Windows and macOS installers: see packaging/README.md.
package: venv $(PACKAGING_STAMP)
	@bash tools/ensure_apt.sh $(PACKAGE_APT)
	@bash tools/translations.sh --release-only
	@bash packaging/build_linux.sh

$(PACKAGING_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[packaging]'
	@touch $(PACKAGING_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .demo-state build dist

# The long reliability runs (20 crash points, 30 faulty imports, power losses on the importer's
# write path, lost answers on the large organisation); the fast part is in make test. Prints the
# figures and merges them into soak-results.json (like bench-results.json; see tests/figures.py).
# The safety cases (tests/e2e/test_safety_*.py, one attack or bad input each) are counted too.
# The README's Reliability table is then rewritten from soak-results.json.
soak: venv
	XQB_SOAK=1 XQB_RESULTS_FULL=$(if $(PYTEST_ARGS),0,1) $(PY) -m pytest tests/reliability tests/e2e/test_engine_properties.py \
	  $(wildcard tests/e2e/test_safety_*.py) -q -rN $(PYTEST_ARGS); status=$$?; \
	  $(PY) tools/readme_tables.py; exit $$status
