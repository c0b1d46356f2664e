"""PySide's import hook, told beforehand about the standard library (issue 16).

Once PySide6 is loaded, every import statement of the process goes through its hook
(``builtins.__import__`` is shiboken's). The first time the hook sees a module it reads the
module's whole source (``inspect.getsource``) to find whether it names PySide6, for its
``__feature__`` switches (snake_case, true_property): "ignore this module" (-1) when it does
not. The app's modules name ~40 standard-library modules loaded already (typing, argparse,
logging, dataclasses…): the first import statement naming each after PySide was loaded read
its source, ~4 ms before a first run's window was painted. No standard-library module names
PySide6: their answer is known, and is written in PySide's table before the hook looks, for
every top-level module of the standard library and the submodules loaded so far. The table
holds what the hook would have found; a PySide without it: nothing is done. The app itself
uses no ``__feature__``.

Importing this module marks them: main.py imports it first (PySide6 is loaded already when
the app is started by a script that imported it: tests, benchmarks), and
wizard.app.ensure_app marks again once PySide6 is loaded. Imports nothing but ``sys``.
"""

from __future__ import annotations

import sys

#: the value PySide's hook gives a module that does not name PySide6: "ignore this module"
IGNORED = -1


def skip_standard_library() -> int:
    """Mark the standard library's modules as PySide's hook would once it had read them:
    every top-level one (loaded or not) and the submodules loaded so far. How many were
    marked (0 when PySide is not loaded yet, or has no table)."""
    feature = sys.modules.get("shibokensupport.feature")  # PySide6's, once it is loaded
    seen = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(seen, dict):
        return 0
    standard = sys.stdlib_module_names
    marked = 0
    for name in (*standard, *list(sys.modules)):
        if name not in seen and name.partition(".")[0] in standard:
            seen[name] = IGNORED
            marked += 1
    return marked


skip_standard_library()
