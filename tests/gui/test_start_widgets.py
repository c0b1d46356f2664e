"""The widgets on the way to the first page set what they set before, without Qt's namespace
(issue 16: wizard.widgets.set_enum, the banner's button placed at its first message, the list
of steps a QFrame, the primary look and the steps' marks polished again whenever they change;
tests/gui/test_cold_start_imports.py checks the namespace is not made)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QLabel, QPushButton, QVBoxLayout, QWidget

from wizard.pages.welcome import CODE
from wizard.widgets import PRIMARY_STYLE, Banner, StepList, paragraph, set_enum, set_primary


def test_set_enum_sets_the_property_by_its_key_and_refuses_a_wrong_one(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    set_enum(label, "textFormat", "RichText")
    assert label.textFormat() == Qt.TextFormat.RichText
    set_enum(label, "textInteractionFlags", "TextSelectableByMouse|LinksAccessibleByMouse")
    assert label.textInteractionFlags() == (
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    completer = QCompleter()
    set_enum(completer, "filterMode", "MatchContains")
    assert completer.filterMode() == Qt.MatchFlag.MatchContains
    with pytest.raises(ValueError):
        set_enum(label, "textFormat", "NoSuchFormat")
    with pytest.raises(ValueError):
        set_enum(label, "noSuchProperty", "PlainText")


def test_a_paragraph_is_plain_text_and_the_country_role_is_the_user_role(qtbot):
    label = paragraph("a <b>bold</b> word")
    qtbot.addWidget(label)
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert CODE == Qt.ItemDataRole.UserRole


def test_a_banner_s_text_is_selectable_and_its_button_at_the_top(qtbot):
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.label.textInteractionFlags() == Qt.TextInteractionFlag.TextSelectableByMouse
    banner.show_message("Something went wrong. " * 20, "error", action_text="Retry", action=print)
    layout = banner.layout()
    assert layout.itemAt(1).widget() is banner.button
    assert layout.itemAt(1).alignment() == Qt.AlignmentFlag.AlignTop
    assert banner.testAttribute(Qt.WidgetAttribute.WA_StyledBackground)


def test_the_list_of_steps_draws_its_background_and_marks_the_current_step(qtbot):
    steps = StepList()
    qtbot.addWidget(steps)
    steps.show_steps("Import", [("Country", "done"), ("Xero", "current")], {})
    steps.show()
    qtbot.waitExposed(steps)
    assert steps.testAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # its style sheet's
    current = steps.labels[1]
    highlight = current.palette().color(current.backgroundRole())
    steps.show_steps("Import", [("Country", "current"), ("Xero", "todo")], {})  # once shown
    assert steps.labels[0].palette().color(steps.labels[0].backgroundRole()) == highlight
    assert current.palette().color(current.backgroundRole()) != highlight


def test_the_primary_look_follows_a_button_polished_before_its_window_shows(qtbot):
    """A button polished early (its size asked before the window shows, as big_button
    does) that becomes primary then is drawn primary once shown."""
    window = QWidget()
    qtbot.addWidget(window)
    window.setStyleSheet(PRIMARY_STYLE)
    layout = QVBoxLayout(window)
    button = QPushButton("Connect", window)
    layout.addWidget(button)
    button.sizeHint()  # polishes it now
    assert button.testAttribute(Qt.WidgetAttribute.WA_WState_Polished)
    assert not button.font().bold()
    set_primary(button, True)
    window.show()
    qtbot.waitExposed(window)
    assert button.font().bold()
