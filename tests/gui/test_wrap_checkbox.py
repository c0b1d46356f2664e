"""WrapCheckBox (wizard/widgets.py): its height for a width is worked out once per width,
and worked out again when the text or the font changes."""

from __future__ import annotations

from wizard.widgets import WrapCheckBox

LONG = "Archive the Xero customers that match no QuickBooks Time job, " * 3


def counted(box: WrapCheckBox) -> list[int]:
    """Counts the label's height-for-width work behind ``box.heightForWidth``."""
    widths: list[int] = []
    label_height = box.label.heightForWidth

    def counting(width: int) -> int:
        widths.append(width)
        return label_height(width)

    box.label.heightForWidth = counting  # type: ignore[method-assign]
    return widths


def test_height_for_a_width_is_worked_out_once(qtbot):
    box = WrapCheckBox()
    qtbot.addWidget(box)
    box.setText(LONG)
    work = counted(box)
    first = [box.heightForWidth(w) for w in (200, 400, 200, 400, 200)]
    assert first[0] == first[2] == first[4] and first[1] == first[3]
    assert len(work) == 2  # once for 200, once for 400
    box.sizeHint()
    box.minimumSizeHint()
    assert box.heightForWidth(200) == first[0] and len(work) <= 4


def test_new_text_or_font_is_measured_again(qtbot):
    box = WrapCheckBox()
    qtbot.addWidget(box)
    box.setText("&Short")
    short = box.heightForWidth(200)
    box.setText(LONG)
    longer = box.heightForWidth(200)
    assert longer > short  # the wrapped lines, not the cached one-line height

    font = box.font()
    font.setPointSizeF(font.pointSizeF() * 2)
    box.setFont(font)
    assert box.heightForWidth(200) > longer

    box.setFont(box.font())  # same font: nothing changes
    assert box.heightForWidth(200) > longer


def test_the_indent_is_worked_out_once_per_style(qtbot):
    from PySide6.QtWidgets import QStyleFactory

    box = WrapCheckBox()
    qtbot.addWidget(box)
    box.setText(LONG)
    asked: list[object] = []
    init_option = box.initStyleOption

    def counting(option) -> None:
        asked.append(option)
        init_option(option)

    box.initStyleOption = counting  # type: ignore[method-assign]
    for width in (200, 300, 400):
        box.heightForWidth(width)
    box.sizeHint()
    box.minimumSizeHint()
    assert len(asked) == 1
    indent = box._indent()

    style = QStyleFactory.create("Windows")  # another style: measured again
    style.setParent(box)  # lives as long as the box
    box.setStyle(style)
    box.heightForWidth(500)
    assert len(asked) == 2
    assert box._indent() == box.style().pixelMetric(
        box.style().PixelMetric.PM_IndicatorWidth, None, box
    ) + box.style().pixelMetric(box.style().PixelMetric.PM_CheckBoxLabelSpacing, None, box)
    assert indent > 0
