"""Closing the window and deleting it at once (the screenshots command, the app's exit): nothing
the window left pending runs on it afterwards.

Closing resets QWizard (its current page becomes -1), and the window then looks at its buttons
once more on the next turn of the event loop; that look must die with the window instead of
calling it once deleted ("Internal C++ object (BridgeWizard) already deleted")."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent

from wizard.state import WizardState
from wizard.wizard import BridgeWizard


def test_a_window_closed_and_deleted_at_once_gets_no_late_call(demo_env, qtbot):
    ctx, _box, _tenants = demo_env
    wizard = BridgeWizard(WizardState(ctx, language="en"))
    wizard.show()
    qtbot.waitExposed(wizard)
    qtbot.wait(10)  # the first page's own late look has run
    with qtbot.captureExceptions() as exceptions:
        wizard.close()  # QWizard resets: the current page is -1, a look is left pending
        wizard.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        assert not shiboken6.isValid(wizard)
        qtbot.wait(50)  # the event loop turns: a pending call would reach the deleted window
    assert [str(value) for _type, value, _tb in exceptions] == []
