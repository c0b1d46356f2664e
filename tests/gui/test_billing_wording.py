"""The billing preview's "Invoice wording" choice: English or French lines, proposed from the
business (Australia, the app in English: English; the app in French: French), changed on the
page without reading Xero again, remembered for the business, and sent as shown."""

from __future__ import annotations

import re

from core.app.invoicing import chosen_wording
from core.store.models import Connection
from tests.gui.test_billing_pages import (  # noqa: F401  (the fixtures)
    WAIT,
    go_to_range,
    hours_range,
    imported,
    org_invoices,
    preview,
    send,
    signed_in_for_invoicing,
    wizard,
)
from wizard.i18n import install_language

NB = "\u00a0"
ENGLISH = re.compile(r"[^\u00a0]: (\d+ days, )?20\d\d-\d\d-\d\d")
FRENCH = re.compile(r"\u00a0: .*(novembre|décembre) 20\d\d")


def line_texts(prev):
    tree = prev.tree
    return [
        tree.topLevelItem(n).child(k).text(0)
        for n in range(tree.topLevelItemCount())
        for k in range(tree.topLevelItem(n).childCount())
    ]


def choose(prev, qtbot, name):
    index = prev.wording.findText(name)
    assert index >= 0
    prev.wording.setCurrentIndex(index)
    prev.wording.activated.emit(index)  # as a click on the item does
    qtbot.waitUntil(lambda: not prev.busy and prev.wording.isEnabled(), timeout=WAIT)


def test_the_wording_is_chosen_on_the_preview_and_sent_as_shown(wizard, imported, qtbot):  # noqa: F811
    ctx, box, conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard("en")
    page = go_to_range(wiz, qtbot)
    prev = preview(wiz, qtbot, page, *hours_range(box))
    assert prev.wording_label.text() == "Invoice &wording:"
    assert prev.wording_label.buddy() is prev.wording
    assert [prev.wording.itemText(n) for n in range(prev.wording.count())] == [
        "English",
        "Français",
    ]
    assert prev.wording.currentText() == "English" and prev.wording.isEnabled()
    english = line_texts(prev)
    assert english and all(ENGLISH.search(t) for t in english), english
    assert chosen_wording(Connection.get_by_id(conn.id)) is None

    choose(prev, qtbot, "Français")
    french = line_texts(prev)
    assert len(french) == len(english) and french != english
    assert all(FRENCH.search(t) and not ENGLISH.search(t) for t in french), french
    assert wiz.state.billing_preview.language == "fr"
    assert chosen_wording(Connection.get_by_id(conn.id)) == "fr"  # remembered
    # the headline's numbers do not change with the words
    assert prev.headline.text().startswith(tuple(str(n) for n in range(1, 10)))

    send(wiz, qtbot)
    sent = [x["Description"] for inv in org_invoices(box, conn) for x in inv["LineItems"]]
    assert sorted(sent) == sorted(french)


def test_the_app_in_french_proposes_french_lines(wizard, imported, qtbot):  # noqa: F811
    ctx, box, _conn = imported
    signed_in_for_invoicing(ctx)
    wiz = wizard("fr")
    page = go_to_range(wiz, qtbot)
    prev = preview(wiz, qtbot, page, *hours_range(box))
    assert prev.wording_label.text() == "&Langue des factures\u00a0:"
    assert prev.wording.currentText() == "Français"
    assert all(f"{NB}: " in t for t in line_texts(prev))
    choose(prev, qtbot, "English")
    assert all(f"{NB}: " not in t for t in line_texts(prev))
    install_language("en")
