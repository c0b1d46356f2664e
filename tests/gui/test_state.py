"""The wizard's navigation rules, without a GUI."""

import itertools
from types import SimpleNamespace

import pytest

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


def test_a_detour_goes_forward_once_then_the_usual_rule_again():
    state = WizardState(ctx=None)
    state.plan = SimpleNamespace(conflicts=[])
    state.start_detour(PageId.HOME, PageId.OPTIONS)  # the home page's "Options"
    assert state.on_detour(PageId.HOME) and state.next_page(PageId.HOME) == PageId.OPTIONS
    assert not state.on_detour(PageId.OPTIONS)  # only from where it starts
    assert state.next_page(PageId.OPTIONS) == PageId.REVIEW
    state.end_detour()
    assert not state.on_detour(PageId.HOME) and state.next_page(PageId.HOME) == PageId.PREVIEW
    state.start_detour(PageId.WELCOME, PageId.IMPORT)  # any page further on the way
    assert state.next_page(PageId.WELCOME) == PageId.IMPORT


def test_a_detour_never_goes_back_or_off_the_way():
    state = WizardState(ctx=None)
    for origin, target in (
        (PageId.PREVIEW, PageId.OPTIONS),
        (PageId.OPTIONS, PageId.OPTIONS),
        (PageId.WELCOME, PageId.HOME),
    ):
        with pytest.raises(ValueError):
            state.start_detour(origin, target)
        assert state.detour is None


def test_forgetting_the_connection_leaves_nothing_of_it():
    state = WizardState(ctx=None, connection_id=1, country="AU")
    state.fetched, state.plan, state.options, state.fetch_error = True, object(), object(), "x"
    state.organisations = [{"tenantId": "t"}]
    state.start_detour(PageId.HOME, PageId.REVIEW)
    state.forget_connection()
    assert state.connection_id is None and state.plan is None and state.options is None
    assert not state.fetched and state.fetch_error is None and not state.organisations
    assert state.detour is None and state.country == "AU"
