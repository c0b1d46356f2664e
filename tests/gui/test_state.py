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


# ---------------------------------------------------------------------------- send hours to Xero
def test_send_hours_to_xero_is_a_way_of_its_own_from_home_for_payroll_organisations_only():
    from wizard.state import PAYROLL_FLOW

    state = WizardState(ctx=None, connection_id=1)
    with pytest.raises(ValueError):  # not known to have Xero Payroll: no way there
        state.start_detour(PageId.HOME, PageId.PAYROLL_PERIOD)
    state.payroll_available = True
    with pytest.raises(ValueError):  # only from the home page
        state.start_detour(PageId.DONE, PageId.PAYROLL_PERIOD)
    state.start_detour(PageId.HOME, PageId.PAYROLL_PERIOD)
    assert state.next_page(PageId.HOME) == PageId.PAYROLL_PERIOD
    state.end_detour()
    assert not set(PAYROLL_FLOW) & set(FLOW)  # never on the import's way

    # the problems page only when there are problems; the result is the last page
    state.payroll_preview = SimpleNamespace(problems=[SimpleNamespace(who="A", reason="r")])
    assert state.next_page(PageId.PAYROLL_PERIOD) == PageId.PAYROLL_PROBLEMS
    state.payroll_preview = SimpleNamespace(problems=[])
    assert state.next_page(PageId.PAYROLL_PERIOD) == PageId.PAYROLL_PREVIEW
    assert state.next_page(PageId.PAYROLL_PROBLEMS) == PageId.PAYROLL_PREVIEW
    assert state.next_page(PageId.PAYROLL_PREVIEW) == PageId.PAYROLL_SEND
    assert state.next_page(PageId.PAYROLL_SEND) == PageId.PAYROLL_DONE
    assert state.next_page(PageId.PAYROLL_DONE) is None

    # another organisation: its preview, result and payroll are not this one's
    state.payroll_result = object()
    state.connection_id = 2
    assert state.payroll_preview is None and state.payroll_result is None
    assert not state.payroll_available


def test_bill_time_goes_from_home_through_its_own_pages_and_ends_on_the_result():
    from wizard.state import BILLING_FLOW

    state = WizardState(ctx=None)
    state.plan = SimpleNamespace(conflicts=[])
    state.start_detour(PageId.HOME, PageId.BILL_RANGE)  # the home page's "Bill time in Xero"
    assert state.next_page(PageId.HOME) == PageId.BILL_RANGE
    state.end_detour()
    assert state.next_page(PageId.HOME) == PageId.PREVIEW  # Import again as before
    assert state.next_page(PageId.BILL_RANGE) == PageId.BILL_PREVIEW
    assert state.next_page(PageId.BILL_PREVIEW) == PageId.BILL_SEND
    assert state.next_page(PageId.BILL_SEND) is None  # the result is the last page
    assert not set(BILLING_FLOW) & set(FLOW)
    with pytest.raises(ValueError):  # only from the home page, only to its first page
        state.start_detour(PageId.HOME, PageId.BILL_SEND)


def test_the_days_proposed_for_billing():
    from datetime import date

    from wizard.billing_dates import default_billing_range

    # never billed: the last full month (also across a new year)
    assert default_billing_range(date(2026, 12, 6)) == (date(2026, 11, 1), date(2026, 11, 30))
    assert default_billing_range(date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    # billed up to the 22nd: from the 23rd up to yesterday
    last = date(2026, 11, 22)
    assert default_billing_range(date(2026, 12, 6), last) == (date(2026, 11, 23), date(2026, 12, 5))
    # billed up to yesterday already: the last full month again (the preview shows it is billed)
    assert default_billing_range(date(2026, 12, 6), date(2026, 12, 5)) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )


def test_another_organisation_forgets_the_billing_preview_and_result():
    state = WizardState(ctx=None, connection_id=1)
    state.billing_preview, state.billing_result = object(), object()
    state.connection_id = 2
    assert state.billing_preview is None and state.billing_result is None
