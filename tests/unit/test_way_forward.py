"""Issue 15, the way forward: the rules behind the list of steps, the country proposed from
the system's locale, and how a failed access-key check is sorted (no Qt here)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from core.engine.regions import country_from_locale
from core.errors import (
    ApiError,
    NetworkError,
    QBTimePermissionMissing,
    QBTimeTokenInvalid,
    SecureStorageUnavailable,
)
from core.services.qbtime.keycheck import KeyProblem, key_problem, looks_like_a_key
from wizard.state import BILLING_FLOW, FLOW, PageId, StepMark, WizardState


# ---------------------------------------------------------------------------- country
@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("en_AU", "AU"),
        ("fr_CA", "CA"),
        ("en-NZ", "NZ"),
        ("en_GB.UTF-8", "GB"),
        ("en_UK", "GB"),
        ("de_DE@euro", "DE"),
        ("zh_Hant_TW", "TW"),
        ("sr_Latn_RS", "RS"),
        ("en_US_POSIX", "US"),
        ("C", None),
        ("fr", None),
        ("en_001", None),
        ("", None),
        (None, None),
    ],
)
def test_country_from_locale(name, country):
    assert country_from_locale(name) == country


# ---------------------------------------------------------------------------- steps
def state() -> WizardState:
    return WizardState(ctx=SimpleNamespace())  # type: ignore[arg-type]


def test_the_import_shows_its_nine_steps_with_done_current_and_to_do():
    s = state()
    marks = s.step_marks(PageId.XERO_CONNECT)
    assert [step for step, _ in marks] == list(FLOW)
    assert [mark for _, mark in marks] == [
        StepMark.DONE,
        StepMark.DONE,
        StepMark.CURRENT,
        *[StepMark.TODO] * 6,
    ]
    assert s.step_marks(PageId.WELCOME)[0] == (PageId.WELCOME, StepMark.CURRENT)
    assert all(mark is StepMark.DONE for _, mark in s.step_marks(PageId.DONE)[:-1])


def test_home_has_no_steps_and_the_other_ways_have_their_own():
    s = state()
    assert s.steps(PageId.HOME) == () and s.step_marks(PageId.HOME) == []
    assert s.steps(PageId.BILL_PREVIEW) == BILLING_FLOW
    # "What cannot be sent" is a step only when the period has people who cannot be sent.
    assert PageId.PAYROLL_PROBLEMS not in s.steps(PageId.PAYROLL_PERIOD)
    s.payroll_preview = SimpleNamespace(problems=["Chris has no pay calendar"])
    assert PageId.PAYROLL_PROBLEMS in s.steps(PageId.PAYROLL_PERIOD)
    s.payroll_preview = SimpleNamespace(problems=[])
    assert PageId.PAYROLL_PROBLEMS in s.steps(PageId.PAYROLL_PROBLEMS)  # on it: shown
    marks = dict(s.step_marks(PageId.PAYROLL_PREVIEW))
    assert marks[PageId.PAYROLL_PERIOD] is StepMark.DONE
    assert marks[PageId.PAYROLL_DONE] is StepMark.TODO


# ---------------------------------------------------------------------------- the key
def tagged(exc: Exception, **attrs) -> Exception:
    for key, value in attrs.items():
        setattr(exc, key, value)
    return exc


@pytest.mark.parametrize(
    ("exc", "problem"),
    [
        (tagged(QBTimeTokenInvalid(), status=401), KeyProblem.REJECTED),
        (QBTimeTokenInvalid(detail="empty or malformed key"), KeyProblem.MALFORMED),
        (tagged(QBTimePermissionMissing(permission="x"), user_name="Sam"), KeyProblem.NOT_ADMIN),
        (tagged(ApiError(service="QuickBooks Time", reason="x"), status=402), KeyProblem.BILLING),
        (
            tagged(ApiError(service="QuickBooks Time", reason="x"), status=499),
            KeyProblem.IP_BLOCKED,
        ),
        (tagged(ApiError(service="QuickBooks Time", reason="x"), status=500), KeyProblem.OTHER),
        (NetworkError(service="QuickBooks Time"), KeyProblem.UNREACHABLE),
        (SecureStorageUnavailable(hint=""), KeyProblem.STORAGE),
        (RuntimeError("?"), KeyProblem.OTHER),
    ],
)
def test_key_problems_are_told_apart(exc, problem):
    assert key_problem(exc) is problem


def test_a_text_is_checked_by_itself_only_once_it_looks_like_a_key():
    assert looks_like_a_key("S.1__" + "ab12" * 10)
    assert looks_like_a_key("  84ec7a2f2b1379990caea347d67e713f34f2d5dz\n")
    assert not looks_like_a_key("S.1__ab12")  # still being typed
    assert not looks_like_a_key("84ec7a2f2b1379990cae a347d67e713f34f2d5dz")  # two words
    assert not looks_like_a_key("")
