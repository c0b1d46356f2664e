"""What the pages that send a preview to Xero share — hours to Xero Payroll (payroll_send.py)
and invoices (billing_send.py): a line that says what happens, a progress bar, what was done,
the stop that asks first (StoppablePage), then the result with its Undo.

Each page's worker (its module's ``send_task``, journaled) checks the cancel event between two
writes, so sending the same again later sends only what is left, never twice. Each page keeps
its own words, in its own translation context, and what it shows of the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QProgressBar, QWidget

from ..widgets import paragraph
from .base import StoppablePage


class WordedLog(QPlainTextEdit):
    """A read-only log of what was done whose lines are kept as the functions that word them,
    so a language change words every line again (``reword``), names and numbers kept. The
    sending pages and the import page (run.py) show one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTabChangesFocus(True)
        self._lines: list[Callable[[], str]] = []

    def add(self, words: Callable[[], str]) -> None:
        """A line, worded now and again at each language change."""
        self._lines.append(words)
        self.appendPlainText(words())

    def clear_lines(self) -> None:
        self._lines.clear()
        self.clear()

    def reword(self) -> None:
        """Every line in the current language; the last line stays in view."""
        if self._lines:
            self.setPlainText("\n".join(words() for words in self._lines))
            bar = self.verticalScrollBar()
            bar.setValue(bar.maximum())


class SendingPage(StoppablePage):
    """``build`` makes the status line, the bar, what ``build_report`` adds, then the stop row
    (``stop_row``); the page's ``start`` resets what it shows and calls ``send``."""

    stop_row: QHBoxLayout

    def build(self) -> None:
        self.setCommitPage(True)  # what was sent is undone from its result, not by Back
        self._sending_words: Callable[[], str] | None = None
        self.status = paragraph(parent=self)
        self.body.addWidget(self.status)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.body.addWidget(self.bar)
        self.build_report()
        self.stop_row = self.add_stop_row(self.ask_to_stop)
        # Top-aligned when what build_report added is hidden (the invoices before the result):
        # the space left goes below, not around the status line. A report that stretches (the
        # hours' log, the invoices' table) takes it instead.
        self.body.addStretch(0)

    def build_report(self) -> None:
        """What shows between the bar and the stop button: what was done, the result."""

    def initializePage(self) -> None:
        if self._running:
            return
        self.start()

    def start(self) -> None:
        """Send (again, after a problem): reset what the page shows, then ``send``."""
        raise NotImplementedError(f"{type(self).__name__} says nothing to send")

    def send(
        self,
        task: Callable[..., Any],
        preview: Any,
        *,
        message: Callable[[], str],
        nothing: str,
        on_done: Callable[[Any], None],
        on_error: Callable[[Any], None],
    ) -> bool:
        """Run ``task`` (the page module's worker) on ``preview`` with the stop's cancel event,
        ``message`` wording the busy line meanwhile (in each language the user switches to);
        without a preview, say ``nothing``. True once it has started."""
        if preview is None or self.state.connection_id is None:
            self.show_error(nothing)
            return False
        self.begin_sending()
        self.bar.setRange(0, 0)
        self.bar.show()
        self._sending_words = message
        self.run_task(
            task,
            self.state.ctx,
            self.state.connection_id,
            preview,
            message=message(),
            on_done=on_done,
            on_error=on_error,
            on_progress=self._progress,
            cancel=self._cancel,
        )
        return True

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)  # the page's retranslate()
        if event.type() == QEvent.Type.LanguageChange and self._running:
            if self.busy and self._sending_words is not None:
                self.busy_label.setText(self._sending_words())

    def _progress(self, event: Any) -> None:
        """The worker's progress: the bar, once it knows how much there is to send."""
        done, total = getattr(event, "done", None), getattr(event, "total", None)
        if isinstance(done, int) and isinstance(total, int) and total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
