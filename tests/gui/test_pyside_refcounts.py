"""The Qt binding keeps Python's reference counts right.

PySide6 6.12.0 drops one reference to ``None`` at every call that returns nothing
(``setText``, ``setChecked``, ``setEnabled``…). Before Python 3.12 ``None`` is an ordinary
object: after a few thousand such calls (a window left open for a day does far more) its
count reaches zero and the process aborts with "Fatal Python error: none_dealloc:
deallocating None". pyproject.toml pins a version without the fault; this test fails on one
that has it, whatever the Python version (on 3.12+ the count of an immortal ``None`` does not
move either way, so the check is done on another object passed through a setter too).
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QCheckBox, QLabel

CALLS = 2000


def test_calls_that_return_nothing_keep_none_alive(qtbot):
    box, label = QCheckBox(), QLabel()
    qtbot.addWidget(box)
    qtbot.addWidget(label)
    for call in (
        lambda: box.setText("x"),
        lambda: box.setChecked(True),
        lambda: label.setText("x"),
        lambda: label.setEnabled(True),
    ):
        before = sys.getrefcount(None)
        for _ in range(CALLS):
            call()
        # a few references may come and go with the interpreter's own work; a leak or a
        # loss of one per call moves it by thousands
        assert abs(sys.getrefcount(None) - before) < CALLS // 10


def test_a_text_passed_to_qt_keeps_its_count(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    text = "".join(["a text", " of our own"])  # not interned
    before = sys.getrefcount(text)
    for _ in range(CALLS):
        label.setText(text)
    assert sys.getrefcount(text) == before
