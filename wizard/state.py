"""What the wizard knows and where it goes next: plain Python, no Qt (tested without a GUI).

Pages read and write this object; the navigation rules live here, not in the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from core.engine.regions import country_has_payroll, version_for_country

if TYPE_CHECKING:
    from core.app.connections import QBTimeCompany
    from core.app.context import AppContext
    from core.engine.importer import Importer, ImportRun
    from core.engine.plan import ImportOptions, ImportPlan
    from core.store.models import Connection

    from .billing_dates import BillingChoice


class PageId(IntEnum):
    HOME = 0  # "Import again", when already set up
    WELCOME = 1  # country + language
    QBTIME = 2
    XERO_CONNECT = 3
    ORGANISATION = 4
    OPTIONS = 5
    REVIEW = 6
    PREVIEW = 7
    IMPORT = 8
    DONE = 9
    # "Send hours to Xero" (payroll organisations, from the home page)
    PAYROLL_PERIOD = 20
    PAYROLL_PROBLEMS = 21
    PAYROLL_PREVIEW = 22
    PAYROLL_SEND = 23
    PAYROLL_DONE = 24
    # "Bill time in Xero" (from the home page): range, preview, send and result
    BILL_RANGE = 30
    BILL_PREVIEW = 31
    BILL_SEND = 32


FLOW = (
    PageId.WELCOME,
    PageId.QBTIME,
    PageId.XERO_CONNECT,
    PageId.ORGANISATION,
    PageId.OPTIONS,
    PageId.REVIEW,
    PageId.PREVIEW,
    PageId.IMPORT,
    PageId.DONE,
)

#: "Bill time in Xero": a way of its own from the home page (not part of the import's FLOW).
BILLING_FLOW = (PageId.BILL_RANGE, PageId.BILL_PREVIEW, PageId.BILL_SEND)

#: "Send hours to Xero": the pay period, what cannot be sent, the preview, sending, the result.
PAYROLL_FLOW = (
    PageId.PAYROLL_PERIOD,
    PageId.PAYROLL_PROBLEMS,
    PageId.PAYROLL_PREVIEW,
    PageId.PAYROLL_SEND,
    PageId.PAYROLL_DONE,
)


#: The pages whose way forward writes to Xero or QuickBooks Time: the preview of an import
#: ("Start import"), of the hours of a pay period and of the invoices ("Send to Xero"). Enter
#: never presses that button (it is clicked, or pressed with its mnemonic): Enter in their
#: tables and lists would otherwise send without a look at what is sent.
WRITING_PAGES = frozenset({PageId.PREVIEW, PageId.PAYROLL_PREVIEW, PageId.BILL_PREVIEW})


class StepMark(Enum):
    """How the list of steps beside the pages shows a step."""

    DONE = "done"
    CURRENT = "current"
    TODO = "todo"


class Detour(NamedTuple):
    """Going forward from ``origin`` straight to ``target``, skipping the usual next page.
    (A named tuple: a dataclass is made at import, ~0.4 ms on the way to the first page.)"""

    origin: PageId
    target: PageId


@dataclass
class WizardState:
    ctx: AppContext
    language: str = "en"
    country: str | None = None  # ISO 3166-1 alpha-2 chosen on the first page
    qbtime_company: QBTimeCompany | None = None
    organisations: list[dict[str, Any]] = field(default_factory=list)  # just authorised
    connection_id: int | None = None
    options: ImportOptions | None = None
    plan: ImportPlan | None = None
    fetched: bool = False  # snapshots refreshed in this session
    fetch_error: str | None = None  # why the last refresh failed (review works offline)
    last_run: ImportRun | None = None
    last_importer: Importer | None = None  # outcomes and problems of the last run
    #: a shortcut forward the next "Next" takes (the home page's Review and Options buttons)
    detour: Detour | None = None
    #: "Send hours to Xero": the preview of the chosen period, then the result of sending it
    payroll_available: bool = False  # core.app.payroll.payroll_available, read by the home page
    payroll_preview: Any = None
    payroll_result: Any = None
    #: "Bill time in Xero": the range and options chosen, the preview shown, the result
    billing: BillingChoice | None = None
    billing_preview: Any = None
    billing_result: Any = None

    def __setattr__(self, name: str, value: Any) -> None:
        # Another organisation means other data: what was read, planned or chosen for the
        # previous one must not leak into the next pages.
        if name == "connection_id" and getattr(self, "connection_id", value) != value:
            for stale, empty in (
                ("fetched", False),
                ("fetch_error", None),
                ("plan", None),
                ("options", None),
                ("last_run", None),
                ("last_importer", None),
                ("payroll_available", False),
                ("payroll_preview", None),
                ("payroll_result", None),
                ("billing", None),
                ("billing_preview", None),
                ("billing_result", None),
            ):
                object.__setattr__(self, stale, empty)
        object.__setattr__(self, name, value)

    def forget_connection(self) -> None:
        """After a disconnection: nothing of the organisation is left to show or import."""
        self.connection_id = None
        self.plan = self.options = self.last_run = None
        self.qbtime_company = None
        self.organisations = []
        self.fetched = False
        self.fetch_error = None
        self.detour = None

    # ------------------------------------------------------------------ derived
    @property
    def expected_version(self) -> str | None:
        return version_for_country(self.country) if self.country else None

    @property
    def payroll_expected(self) -> bool:
        return bool(self.country) and country_has_payroll(self.country or "")

    def connection(self) -> Connection | None:
        from core.store.models import Connection

        if self.connection_id is None:
            return None
        return Connection.get_or_none(Connection.id == self.connection_id)

    def has_payroll(self) -> bool:
        from core.engine.regions import has_payroll

        conn = self.connection()
        return has_payroll(conn.xero_version) if conn else self.payroll_expected

    # ------------------------------------------------------------------ navigation
    def start_page(self, already_set_up: bool) -> PageId:
        return PageId.HOME if already_set_up else PageId.WELCOME

    def next_page(self, current: PageId) -> PageId | None:
        """The page after ``current`` (None = the last page)."""
        if self.detour is not None and self.detour.origin == current:
            return self.detour.target
        if current in BILLING_FLOW:
            index = BILLING_FLOW.index(current)
            return BILLING_FLOW[index + 1] if index + 1 < len(BILLING_FLOW) else None
        if current == PageId.HOME:
            return (
                PageId.REVIEW if self.plan is not None and self.plan.conflicts else PageId.PREVIEW
            )
        if current == PageId.DONE:
            return None
        if current in PAYROLL_FLOW:
            return self._next_payroll_page(current)
        index = FLOW.index(current)
        return FLOW[index + 1]

    # ------------------------------------------------------------------ the list of steps
    def steps(self, current: PageId) -> tuple[PageId, ...]:
        """The steps of the way ``current`` is on, in order (none on the home page).

        The import's nine pages; "Send hours to Xero" with its "cannot be sent" step only
        when the chosen period has people who cannot be sent; "Bill time in Xero".
        """
        current = PageId(current)
        if current in FLOW:
            return FLOW
        if current in BILLING_FLOW:
            return BILLING_FLOW
        if current in PAYROLL_FLOW:
            preview = self.payroll_preview
            problems = current == PageId.PAYROLL_PROBLEMS or bool(
                preview is not None and getattr(preview, "problems", None)
            )
            return tuple(p for p in PAYROLL_FLOW if problems or p != PageId.PAYROLL_PROBLEMS)
        return ()

    def step_marks(self, current: PageId) -> list[tuple[PageId, StepMark]]:
        """Each step of :meth:`steps` with its mark: the ones before ``current`` are done
        (a step the way skipped, such as a review with nothing to review, has nothing left
        to do), ``current`` is current, the ones after are still to do."""
        steps = self.steps(current)
        if not steps:
            return []
        here = steps.index(PageId(current))
        return [
            (
                step,
                StepMark.DONE
                if index < here
                else StepMark.CURRENT
                if index == here
                else StepMark.TODO,
            )
            for index, step in enumerate(steps)
        ]

    def start_detour(self, origin: PageId, target: PageId) -> None:
        """The next "Next" from ``origin`` goes to ``target``: Back then returns to ``origin``.

        The window ends it (:meth:`end_detour`) once it has moved, so a later "Next" on
        ``origin`` follows the usual rule again.
        """
        if origin == PageId.HOME and target == BILLING_FLOW[0]:  # "Bill time in Xero"
            self.detour = Detour(origin, target)
            return
        if origin == PageId.HOME and target == PageId.PAYROLL_PERIOD:
            if not self.payroll_available:
                raise ValueError("hours go to Xero Payroll only for payroll organisations")
            self.detour = Detour(origin, target)
            return
        if target not in FLOW or (origin in FLOW and FLOW.index(target) <= FLOW.index(origin)):
            raise ValueError(f"a detour goes forward: {origin.name} -> {target.name}")
        self.detour = Detour(origin, target)

    def end_detour(self) -> None:
        self.detour = None

    def on_detour(self, current: PageId) -> bool:
        """Whether "Next" from ``current`` is a detour (no page check: just go)."""
        return self.detour is not None and self.detour.origin == current

    def country_mismatch(self, organisation_country: str) -> bool:
        """The organisation chosen is in another country than the one picked first."""
        if not self.country or not organisation_country:
            return False
        return organisation_country.upper() != self.country.upper()

    # ------------------------------------------------------------------ send hours to Xero
    def _next_payroll_page(self, current: PageId) -> PageId | None:
        """The problems page only when some people cannot be sent; none after the result."""
        if current == PageId.PAYROLL_PERIOD:
            preview = self.payroll_preview
            if preview is not None and getattr(preview, "problems", None):
                return PageId.PAYROLL_PROBLEMS
            return PageId.PAYROLL_PREVIEW
        if current == PageId.PAYROLL_DONE:
            return None
        return PAYROLL_FLOW[PAYROLL_FLOW.index(current) + 1]
