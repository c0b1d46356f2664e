"""Reliability tests: slow ones are marked ``soak`` and run only with XQB_SOAK=1."""

from __future__ import annotations

import pytest

from tests.reliability.support import SOAK


def pytest_configure(config):
    # Registered here (not in pyproject) so `--strict-markers` accepts it.
    config.addinivalue_line("markers", "soak: slow reliability runs; only with XQB_SOAK=1")


def pytest_collection_modifyitems(config, items):
    if SOAK:
        return
    skip = pytest.mark.skip(reason="soak test: set XQB_SOAK=1")
    for item in items:
        if item.get_closest_marker("soak"):
            item.add_marker(skip)
