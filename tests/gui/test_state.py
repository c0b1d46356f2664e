"""The wizard's navigation rules, without a GUI."""

import itertools
from types import SimpleNamespace

from wizard.state import FLOW, PageId, WizardState


def test_flow_and_home_shortcuts():
    state = WizardState(ctx=None)
    assert state.start_page(False) == PageId.WELCOME and state.start_page(True) == PageId.HOME
    for here, there in itertools.pairwise(FLOW):
        assert state.next_page(here) == there
    assert state.next_page(PageId.DONE) is None
    state.plan = SimpleNamespace(conflicts=[object()])
    assert state.next_page(PageId.HOME) == PageId.REVIEW
    state.plan = SimpleNamespace(conflicts=[])
    assert state.next_page(PageId.HOME) == PageId.PREVIEW


def test_country_rules():
    state = WizardState(ctx=None, country="AU")
    assert state.payroll_expected and state.expected_version == "AU"
    assert not state.country_mismatch("au") and state.country_mismatch("NZ")
    state.country = "CA"
    assert not state.payroll_expected and state.expected_version == "GLOBAL"


def test_changing_organisation_forgets_what_was_read_for_the_previous_one():
    state = WizardState(ctx=None, connection_id=1)
    state.fetched, state.plan, state.fetch_error = True, object(), "offline"
    state.connection_id = 1
    assert state.fetched  # same organisation: nothing forgotten
    state.connection_id = 2
    assert not state.fetched and state.plan is None and state.fetch_error is None
