"""Where the app's read-only files are: translations, icons, the Demo Company, OAuth pages.

From a source checkout they are in ``resources/`` at the project root. A frozen app
(PyInstaller) unpacks them beside its code, in ``sys._MEIPASS/resources`` (on macOS the
``.app`` keeps them in ``Contents/Resources``, which PyInstaller links from ``_MEIPASS``).
Every module finds its files through this one helper; none computes paths from ``__file__``.
"""

from __future__ import annotations

import sys
from pathlib import Path


def is_frozen() -> bool:
    """True in a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def resources_dir() -> Path:
    """The ``resources`` folder of a source checkout or of a frozen bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "resources"
    return Path(__file__).resolve().parents[1] / "resources"


def resource(*parts: str) -> Path:
    """A path inside the resources folder, e.g. ``resource("demo", "company.json")``."""
    return resources_dir().joinpath(*parts)
