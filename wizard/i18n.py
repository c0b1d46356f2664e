"""Languages of the interface: Qt's own strings (buttons) + ours (.qm) + core's messages."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from core import i18n as core_i18n
from core.resources import resources_dir

log = logging.getLogger(__name__)

LANGUAGES = {"en": "English", "fr": "Français"}


def qm_path(language: str) -> Path:
    return resources_dir() / "i18n" / f"wizard_{language}.qm"


_installed: list[QTranslator] = []


def default_language() -> str:
    return core_i18n.system_language()


def install_language(language: str) -> bool:
    """Switch the whole interface to ``language``; True when our translation was loaded."""
    app = QCoreApplication.instance()
    language = language if language in LANGUAGES else "en"
    core_i18n.set_language(language)
    QLocale.setDefault(QLocale(language))
    if app is None:
        return language == "en"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        return True
    from PySide6.QtCore import QLibraryInfo  # (its enums: only for a translation)

    ok = True
    qt = QTranslator(app)
    if qt.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    ours = QTranslator(app)
    if ours.load(str(qm_path(language))):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("Translation %s not found; run `make translations`", qm_path(language))
        ok = False
    return ok
