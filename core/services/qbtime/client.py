"""QuickBooks Time (formerly TSheets) REST API v1 client for the import.

All HTTP goes through one :class:`~core.services.http.ServiceSession` (base
``https://rest.tsheets.com/api/v1`` or the Demo Company's; its ``auth`` supplies
``Authorization: Bearer <token>``). The session retries GET/PUT/DELETE on 5xx and network
failures, waits out 429s (QB Time's 5-minute window) and raises ``AuthRejected`` on 401,
which this client turns into :class:`~core.errors.QBTimeTokenInvalid` or, when the key still
works (QB Time's 401 also means "no permission"), :class:`~core.errors.QBTimePermissionMissing`.

Reading (``shared/references/qbtime-api.md`` §2-§7)
    Every list reads **everything**: the API's defaults hide archived rows (``active=yes``),
    time-off codes (jobcodes ``type=regular``) and non-timesheet custom fields
    (``applies_to=timesheet``); reading with the defaults is how duplicates get created.
    Pages are ``limit=200`` and ``page+1`` while ``more`` is true. ``more`` is parsed as a
    boolean (JSON ``true``; the quirky ``1``/``"true"`` spellings too); anything else is an
    error rather than a silently short list (api_python compared it with the string
    ``"true"`` and never read page 2). ``supplemental_data=no`` everywhere: nothing here
    uses it. ``modified_since`` takes a datetime, epoch seconds or a QB Time timestamp and
    is sent ``since_skew_s`` earlier (the service compares exclusively and to the second).

Writing
    One generic :meth:`QBTimeClient._write`: batches of at most 50 rows (so 413 never
    happens), each answer element mapped back to its input by its "1".."n" position key
    (document order when the keys are not positions), one :class:`WriteResult` per input
    row, in input order. See :meth:`QBTimeClient._write` for what each outcome means, and
    :meth:`QBTimeClient.create_jobcodes` for ``reconcile``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import requests

from core import jsontext
from core.engine.records import (
    QBTAssignment,
    QBTCustomField,
    QBTCustomFieldItem,
    QBTJobcode,
    QBTLocation,
    QBTUser,
)
from core.engine.writes import WriteOutcomeUnknown, WriteResult
from core.errors import (
    ApiError,
    BridgeError,
    QBTimePermissionMissing,
    QBTimeTokenInvalid,
)
from core.i18n import N_, Msg, MsgList, tr
from core.services.http import (
    QBTIME,
    AuthRejected,
    RateLimiter,
    RequestCounter,
    RetryPolicy,
    ServiceSession,
    date_header_time,
    error_reason,
    qbtime_limiter,
)
from core.services.qbtime import mapping
from core.services.qbtime.mapping import CurrentUser, LocationLink

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://rest.tsheets.com/api/v1"
PAGE_LIMIT = 200  # GET ``limit`` maximum (docs, since 2023-10)
MAX_BATCH = 50  # rows per POST/PUT/DELETE; more -> HTTP 413
#: ``modified_since`` is sent this much earlier than the newest ``last_modified`` seen: the
#: service compares exclusively and to the second, and a write stamped just before our
#: read may commit just after it. Every read re-reads what changed in that margin, so it
#: stays short (a re-import right after an import re-read a third of it with 30 s); a
#: whole read every 24 h (core.services.fetch) bounds anything it could still miss.
DEFAULT_SINCE_SKEW_S = 10.0
MAX_PAGES = 10_000  # a runaway ``more: true`` cannot loop forever
#: what requests sends with ``json=``, for a body written by core.jsontext
_JSON_BODY = {"Content-Type": "application/json"}

__all__ = [
    "DEFAULT_BASE_URL",
    "ENDPOINT_NEEDS",
    "MAX_BATCH",
    "NEEDS",
    "PAGE_LIMIT",
    "CurrentUser",
    "LocationLink",
    "QBTimeClient",
    "WriteOutcomeUnknown",
    "WriteResult",
    "need_words",
]


# =========================================================================== results & errors
# =========================================================================== permissions
@dataclass(frozen=True)
class Need:
    """One thing the import writes, the plain words for it and who may do it."""

    key: str
    words: str  # completes "... belongs to a user who cannot {words}"
    any_of: tuple[str, ...]  # permission names; ``admin`` always qualifies


# Which permission each write needs. The API docs state only the jobcode-assignment rule
# (§5: admin, group manager or manage_users; a group manager covers only their group, so
# for "assign to everyone" it is admin or manage_users). The rest follow the QB Time
# permission names (manage_jobcodes = "Manage customers/jobs", manage_users = "Manage team
# members"). Custom fields are a Feature Add-on, which only administrators configure: the
# docs are silent, so we ask for admin rather than let the import fail half-way.
NEEDS: dict[str, Need] = {
    "customers": Need("customers", N_("create or change customers (jobs)"), ("manage_jobcodes",)),
    "locations": Need("locations", N_("add job locations to customers"), ("manage_jobcodes",)),
    "team_members": Need("team_members", N_("add or change team members"), ("manage_users",)),
    "assignments": Need("assignments", N_("assign customers to team members"), ("manage_users",)),
    "items": Need("items", N_("set up custom fields (only administrators can)"), ()),
}


#: Which NEEDS entry a 401 on each endpoint stands for (a write, or a read of what only
#: those who may write it can see: other users' jobcode assignments).
ENDPOINT_NEEDS: dict[str, str] = {
    "jobcodes": "customers",
    "locations": "locations",
    "users": "team_members",
    "jobcode_assignments": "assignments",
    "customfields": "items",
    "customfielditems": "items",
}
#: What a refused read of an endpoint without a NEEDS entry was for
_SEE_TIMESHEETS = N_("see the team's timesheets")
_READ_WORDS: dict[str, str] = {
    "timesheets": _SEE_TIMESHEETS,
    "timesheets_deleted": _SEE_TIMESHEETS,
    "reports/payroll": _SEE_TIMESHEETS,
}
_READ_OTHER = N_("see all of this company's records in QuickBooks Time")
_CHANGE_OTHER = N_("change these records in QuickBooks Time")
#: A write answered, for one row, "Oops! You don't have permission to manage that user"
#: (JobcodeAssignments create) or "... to remove jobcodes for that user." (delete)
_ITEM_REFUSED = N_(
    "The QuickBooks Time user whose access key this app uses may not manage this team "
    "member, which is needed to {permission}. Ask an administrator to give that user the "
    "permission to manage team members, or to create the key, then import again."
)


def need_words(method: str, endpoint: str) -> str:
    """The plain words (an ``N_`` message) for what a call to ``endpoint`` does, for a
    refusal: the NEEDS entry's when one fits, else a generic phrase."""
    key = ENDPOINT_NEEDS.get(endpoint)
    if key is not None:
        return NEEDS[key].words
    if method == "GET":
        return _READ_WORDS.get(endpoint, _READ_OTHER)
    return _CHANGE_OTHER


def _join_words(words: Sequence[str]) -> MsgList:
    """One phrase ("a, b and c"), translated part by part when the message is shown."""
    return MsgList(words)


# =========================================================================== helpers
def _tag(err: BaseException, **attrs: Any) -> BaseException:
    for key, value in attrs.items():
        setattr(err, key, value)
    return err


def _parse_more(value: Any) -> bool:
    """``more`` strictly as a boolean: JSON true/false; the API's quirky 1/0, "true"/"false",
    "yes"/"no", "" are read as such. Anything else is an error, never "no more pages"."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "1",
        "yes",
        "false",
        "0",
        "no",
        "",
    ):
        return value.strip().lower() in ("true", "1", "yes")
    raise _tag(
        ApiError(service=QBTIME, reason=f"unreadable paging flag more={value!r}"),
        service=QBTIME,
        status=200,
        maybe_applied=False,
    )


SinceValue = datetime | float | int | str | None


#: ids per read filtered by ids (``GET /jobcodes?ids=1,2,...``, ``user_ids``, ``jobcode_ids``):
#: every list reader splits its ids filter into calls of at most this many (one place:
#: :meth:`QBTimeClient._read`). A filter travels in the URL, which servers bound, and the API
#: documents no count for it; a page holds at most :data:`PAGE_LIMIT` (200) rows, so 200 ids
#: a call cost no call more than paging through the same rows would (ids filter one row
#: each). The URL stays short: an id is at most 19 digits (64-bit) and each comma goes as
#: ``%2C``, so 200 ids are at most 4.4 KB (2.6 KB with today's 10-digit ids), within the 8 KB
#: request line web servers and proxies accept by default.
IDS_PER_READ = PAGE_LIMIT


def _chunks(rows: Sequence[Any], size: int) -> Iterator[tuple[int, Sequence[Any]]]:
    for start in range(0, len(rows), size):
        yield start, rows[start : start + size]


# =========================================================================== the client
class QBTimeClient:
    """Typed access to one QB Time account. Thread-safe as far as the session is."""

    def __init__(
        self,
        session: ServiceSession,
        *,
        page_limit: int = PAGE_LIMIT,
        batch_size: int = MAX_BATCH,
        since_skew_s: float = DEFAULT_SINCE_SKEW_S,
    ) -> None:
        if not 1 <= page_limit <= PAGE_LIMIT:
            raise ValueError(f"page_limit must be 1..{PAGE_LIMIT}")
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH} (QB Time answers 413 past 50)")
        self.session = session
        self.page_limit = page_limit
        self.batch_size = batch_size
        self.since_skew_s = since_skew_s
        #: server time (the Date header) of the last GET, and of the first page of each list
        self.last_server_time: float | None = None
        self.read_at: dict[str, float | None] = {}

    @classmethod
    def connect(
        cls,
        token: str | Callable[[], str],
        base_url: str = DEFAULT_BASE_URL,
        *,
        limiter: RateLimiter | None = None,
        counter: RequestCounter | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> QBTimeClient:
        """A client with its own session: Bearer ``token`` (or a callable returning it),
        the QB Time retry policy and, unless given, a fresh per-token limiter (4 in flight,
        300 per sliding 305 s). Share one limiter per token across clients via LimiterRegistry."""
        get_token = token if callable(token) else (lambda: token)

        def auth() -> dict[str, str]:
            return {"Authorization": f"Bearer {get_token()}"}

        session = ServiceSession(
            QBTIME,
            base_url,
            auth=auth,
            counter=counter,
            clock=clock,
            sleep=sleep,
            retry=retry or RetryPolicy.qbtime(),
            limiter=limiter if limiter is not None else qbtime_limiter(clock=clock, sleep=sleep),
        )
        return cls(session, **kwargs)

    # ------------------------------------------------------------------ transport
    def _call(
        self,
        method: str,
        endpoint: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
    ) -> requests.Response:
        data = headers = None
        if body is not None:
            # The body's JSON written by orjson (requests' json= writes it with json: more CPU
            # than the rest of a write batch's request); the same JSON value is sent.
            data = jsontext.dumps_canonical(body).encode()
            headers = _JSON_BODY
        try:
            return self.session.request(
                method, endpoint, params=dict(params or {}) or None, data=data, headers=headers
            )
        except AuthRejected as exc:
            if endpoint == "current_user":
                raise _tag(
                    QBTimeTokenInvalid(), service=QBTIME, status=401, maybe_applied=False
                ) from exc
            raise self._refused(method, endpoint) from exc

    def _refused(self, method: str, endpoint: str) -> BridgeError:
        """What a 401 on ``endpoint`` means. QB Time answers 401 both to a bad key and to a
        user without the permission ("You don't have sufficient permission to perform the
        action you requested."): one current_user call tells them apart. It answers →
        QBTimePermissionMissing with the words of what was being done; a 401 too (or no
        answer) → QBTimeTokenInvalid. Either way nothing of the refused call was applied."""
        try:
            cu = self.current_user()
        except QBTimeTokenInvalid as err:
            return err
        except BridgeError as other:
            log.warning(
                "%s: %s %s -> 401, and the key could not be re-checked: %s",
                QBTIME,
                method,
                endpoint,
                other,
            )
            return _tag(  # type: ignore[return-value]
                QBTimeTokenInvalid(), service=QBTIME, status=401, maybe_applied=False
            )
        words = need_words(method, endpoint)
        log.warning(
            "%s: %s %s -> 401 for a valid key: a permission is missing", QBTIME, method, endpoint
        )
        return _tag(  # type: ignore[return-value]
            QBTimePermissionMissing(permission=_join_words([words])),
            missing=[words],
            user_name=cu.name,
            company_name=cu.company_name,
            service=QBTIME,
            status=401,
            maybe_applied=False,
        )

    @staticmethod
    def _fail(resp: requests.Response, method: str, endpoint: str) -> ApiError:
        reason = error_reason(resp)
        log.warning("%s %s %s -> %d: %s", QBTIME, method, endpoint, resp.status_code, reason)
        err = ApiError(service=QBTIME, reason=reason)
        return _tag(err, service=QBTIME, status=resp.status_code, maybe_applied=False)  # type: ignore[return-value]

    def _json(
        self, resp: requests.Response, method: str, endpoint: str, *, maybe_applied: bool = False
    ) -> dict[str, Any]:
        """The JSON object of a 2xx answer; ApiError for any other status (QB Time's reason)
        or an unreadable body (``maybe_applied`` says whether a write may have happened)."""
        if not 200 <= resp.status_code < 300:
            raise self._fail(resp, method, endpoint)
        try:
            # the body's bytes read by orjson (requests' resp.json() decodes the text first and
            # reads it with json: several times the CPU on an import's answers)
            payload = jsontext.loads(resp.content)
        except ValueError:
            try:  # a body in another declared charset: as requests reads it
                payload = resp.json()
            except ValueError:
                payload = None
        if not isinstance(payload, dict):
            raise _tag(
                ApiError(service=QBTIME, reason="the answer was not a JSON object"),
                service=QBTIME,
                status=resp.status_code,
                maybe_applied=maybe_applied,
            )
        return payload

    def _get(self, endpoint: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        resp = self._call("GET", endpoint, params=params)
        self.last_server_time = date_header_time(resp)
        return self._json(resp, "GET", endpoint)

    def _since(self, value: SinceValue) -> str | None:
        """``modified_since`` value: ISO with offset, ``since_skew_s`` earlier."""
        if value is None or value == "":
            return None
        ts = mapping.parse_timestamp(value)
        if ts is None:
            raise ValueError(f"modified_since: unreadable timestamp {value!r}")
        return mapping.format_timestamp(ts - self.since_skew_s)

    def _pages(
        self, endpoint: str, kind: str, params: Mapping[str, Any]
    ) -> Iterator[list[dict[str, Any]]]:
        """The objects of each page as it comes (the first page's server time is when the
        list was read: :attr:`read_at`). A row may come again on a later page (the list
        shifted while it was read): the caller decides (:meth:`_paged`: the last copy)."""
        base = {**params, "supplemental_data": "no", "limit": self.page_limit}
        page = 1
        while True:
            payload = self._get(endpoint, {**base, "page": page})
            if page == 1:  # what the list held at this (server) time is what we read
                self.read_at[endpoint] = self.last_server_time
            rows = mapping.results_of(payload, kind)
            more = _parse_more(payload.get("more"))
            yield rows
            if not more:
                break
            if not rows:
                log.warning(
                    "%s GET %s page %d: no rows but more=true; stopping", QBTIME, endpoint, page
                )
                break
            page += 1
            if page > MAX_PAGES:
                raise _tag(
                    ApiError(service=QBTIME, reason=f"{endpoint}: more than {MAX_PAGES} pages"),
                    service=QBTIME,
                    status=200,
                    maybe_applied=False,
                )
        log.debug("%s GET %s: %d page(s)", QBTIME, endpoint, page)

    def _paged(self, endpoint: str, kind: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every object of every page, de-duplicated by id (last copy wins), first-seen order."""
        out: dict[Any, dict[str, Any]] = {}
        for rows in self._pages(endpoint, kind, params):
            for row in rows:
                key = mapping.as_opt_int(row.get("id"))
                out[key if key is not None else ("#", len(out))] = row
        return list(out.values())

    def _read(
        self,
        endpoint: str,
        kind: str,
        params: Mapping[str, Any],
        ids: Iterable[Any] | None = None,
        *,
        key: str = "ids",
    ) -> list[dict[str, Any]]:
        """:meth:`_paged`, filtered by the ids ``ids`` (the ``key`` filter: ``ids``,
        ``user_ids``, ``jobcode_ids``) when given: :data:`IDS_PER_READ` ids a call (the filter
        is in the URL), each id asked once, every row once (by id). ``ids`` given but empty:
        no call, no row (an empty filter would read every row)."""
        if ids is None:
            return self._paged(endpoint, kind, params)
        wanted = sorted({int(i) for i in ids})
        out: dict[Any, dict[str, Any]] = {}
        for _start, chunk in _chunks(wanted, IDS_PER_READ):
            for row in self._paged(endpoint, kind, {**params, key: self._ids(chunk)}):
                row_id = mapping.as_opt_int(row.get("id"))
                out[row_id if row_id is not None else ("#", len(out))] = row
        return list(out.values())

    @staticmethod
    def _ids(values: Iterable[Any] | None) -> str | None:
        if values is None:
            return None
        return ",".join(str(int(v)) for v in values)

    def _filters(self, *, modified_since: SinceValue = None, **extra: Any) -> dict[str, Any]:
        params: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        since = self._since(modified_since)
        if since is not None:
            params["modified_since"] = since
        return params

    # ------------------------------------------------------------------ identity & settings
    def current_user(self) -> CurrentUser:
        payload = self._get("current_user")
        rows = mapping.results_of(payload, "users")
        if not rows:
            raise _tag(
                ApiError(service=QBTIME, reason="current_user returned no user"),
                service=QBTIME,
                status=200,
                maybe_applied=False,
            )
        return mapping.current_user(rows[0])

    @staticmethod
    def check_permissions(cu: CurrentUser, needs: Iterable[str] | None = None) -> list[str]:
        """Plain words for each thing of ``needs`` (keys of :data:`NEEDS`; default: all)
        that this user may not do; empty when the import can proceed. Admins may do all."""
        missing: list[str] = []
        for key in needs if needs is not None else NEEDS:
            need = NEEDS[key]
            if cu.is_admin or any(cu.permissions.get(p) for p in need.any_of):
                continue
            if need.words not in missing:
                missing.append(need.words)
        return missing

    def validate_token(self, needs: Iterable[str] | None = None) -> CurrentUser:
        """The token's user, after checking it may do what the import will write.

        Raises QBTimeTokenInvalid (401: revoked, expired, mistyped) and
        QBTimePermissionMissing(permission=<plain words>) with ``.missing`` (the list)."""
        cu = self.current_user()
        missing = self.check_permissions(cu, needs)
        if missing:
            err = QBTimePermissionMissing(permission=_join_words(missing))
            raise _tag(
                err,
                missing=missing,
                user_name=cu.name,  # the key page names whose key it is
                company_name=cu.company_name,
                service=QBTIME,
                status=None,
                maybe_applied=False,
            )
        return cu

    def effective_settings(self, user_id: int | None = None) -> dict[str, Any]:
        """``{section: {"settings": {...}, "last_modified": ...}}`` as QB Time returns it
        (values keep their quirky spellings: read them with ``mapping.as_bool``/``as_int``)."""
        payload = self._get("effective_settings", {"user_id": user_id} if user_id else None)
        results = payload.get("results")
        block = results.get("effective_settings") if isinstance(results, dict) else None
        return dict(block) if isinstance(block, dict) else {}

    def last_modified_timestamps(self, endpoints: Iterable[str] | None = None) -> dict[str, str]:
        params = {"endpoints": ",".join(endpoints)} if endpoints is not None else None
        payload = self._get("last_modified_timestamps", params)
        results = payload.get("results")
        block = results.get("last_modified_timestamps") if isinstance(results, dict) else None
        return (
            {str(k): mapping.as_str(v) for k, v in (block or {}).items()}
            if isinstance(block, dict)
            else {}
        )

    # ------------------------------------------------------------------ lists
    def users(
        self,
        *,
        modified_since: SinceValue = None,
        ids: Iterable[int] | None = None,
        usernames: Iterable[str] | None = None,
    ) -> list[QBTUser]:
        """Every user, archived included (``active=both``), or those of ``ids``
        (:data:`IDS_PER_READ` a call). No email filter exists."""
        params = self._filters(
            modified_since=modified_since,
            active="both",
            usernames=",".join(usernames) if usernames is not None else None,
        )
        return [mapping.user(r) for r in self._read("users", "users", params, ids)]

    def jobcodes(
        self,
        *,
        modified_since: SinceValue = None,
        ids: Iterable[int] | None = None,
        parent_ids: Iterable[int] | None = None,
        name: str | None = None,
        type: str = "all",
    ) -> list[QBTJobcode]:
        """Every jobcode: archived (``active=both``), time-off and breaks (``type=all``), at
        every level (``parent_ids`` left out = the documented default -1, all parents); only
        those of ``ids`` when given (:data:`IDS_PER_READ` a call)."""
        params = self._filters(
            modified_since=modified_since,
            active="both",
            type=type,
            name=name,
            parent_ids=(
                ",".join(str(int(p)) for p in parent_ids) if parent_ids is not None else None
            ),
        )
        return [mapping.jobcode(r) for r in self._read("jobcodes", "jobcodes", params, ids)]

    def jobcodes_by_ids(self, ids: Iterable[int]) -> list[QBTJobcode]:
        """The jobcodes of ``ids`` (archived ones and every type included: time off, breaks),
        read with ``GET /jobcodes?ids=...``, :data:`IDS_PER_READ` ids per call (the filter is in
        the URL). An id QuickBooks Time does not know is not in the answer. No ids: no call."""
        return self.jobcodes(ids=ids)

    def jobcode_pages(self, *, modified_since: SinceValue = None) -> Iterator[list[QBTJobcode]]:
        """:meth:`jobcodes` (every one), page after page as they come: a read of a large
        account is stored a page at a time, not held whole (issue 16). A jobcode may come
        again on a later page (the list shifted while it was read): the last copy is the one
        to keep."""
        params = self._filters(modified_since=modified_since, active="both", type="all")
        for rows in self._pages("jobcodes", "jobcodes", params):
            yield [mapping.jobcode(r) for r in rows]

    def customfields(
        self, *, modified_since: SinceValue = None, ids: Iterable[int] | None = None
    ) -> list[QBTCustomField]:
        """Every custom field: archived too, and for every target (``applies_to=all``); only
        those of ``ids`` when given (:data:`IDS_PER_READ` a call)."""
        params = self._filters(modified_since=modified_since, active="both", applies_to="all")
        return [
            mapping.customfield(r) for r in self._read("customfields", "customfields", params, ids)
        ]

    def customfielditems(
        self,
        customfield_id: int,
        *,
        modified_since: SinceValue = None,
        ids: Iterable[int] | None = None,
        name: str | None = None,
    ) -> list[QBTCustomFieldItem]:
        """Every item of one custom field (``customfield_id`` is required by the API); only
        those of ``ids`` when given (:data:`IDS_PER_READ` a call)."""
        params = self._filters(
            modified_since=modified_since,
            active="both",
            customfield_id=int(customfield_id),
            name=name,
        )
        return [
            mapping.customfielditem(r)
            for r in self._read("customfielditems", "customfielditems", params, ids)
        ]

    def jobcode_assignments(
        self, *, modified_since: SinceValue = None, jobcode_id: int | None = None
    ) -> list[QBTAssignment]:
        """Every assignment (removed ones too; ``user_id`` 0 = assigned to all), for every
        jobcode type. ``user_ids`` is never sent: api_docs issue #55 makes it return only the
        token owner's rows when that id is in the list."""
        params = self._filters(
            modified_since=modified_since,
            active="both",
            type="all",
            active_jobcodes="both",
            jobcode_id=jobcode_id,
        )
        return [
            mapping.assignment(r)
            for r in self._paged("jobcode_assignments", "jobcode_assignments", params)
        ]

    def locations(
        self, *, modified_since: SinceValue = None, ids: Iterable[int] | None = None
    ) -> list[QBTLocation]:
        """Every location, archived too; only those of ``ids`` when given (:data:`IDS_PER_READ`
        a call)."""
        params = self._filters(modified_since=modified_since, active="both")
        return [mapping.location(r) for r in self._read("locations", "locations", params, ids)]

    def locations_map(self, *, modified_since: SinceValue = None) -> list[LocationLink]:
        params = self._filters(modified_since=modified_since, active="both")
        return [
            mapping.location_link(r) for r in self._paged("locations_map", "locations_map", params)
        ]

    # ------------------------------------------------------------------ writes
    def create_jobcodes(
        self, rows: Sequence[Mapping[str, Any]], *, reconcile: bool = False
    ) -> list[WriteResult]:
        """POST /jobcodes. A 202 ("same parent_id, name and type already exists") is
        ``ok`` with ``duplicate=True`` and the existing jobcode as ``record``.

        ``reconcile=True``: when a batch's answer is lost, send the same batch once more
        instead of raising WriteOutcomeUnknown. This is safe for jobcode creates only: a
        row the lost attempt did create now answers 202 with that jobcode, a row it did not
        is created, so nothing is ever created twice. Results of the re-sent batch carry
        ``resent=True`` (a ``duplicate`` there may be our own first attempt). If the second
        answer is lost too, WriteOutcomeUnknown is raised (``safe_to_resend=True``).
        Off by default so the importer decides (and journals) every re-send.
        """
        return self._write("POST", "jobcodes", rows, reconcile=reconcile)

    def update_jobcodes(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """PUT /jobcodes (each row needs ``id``; ``active: false`` archives, and also
        archives children and drops their assignments)."""
        return self._write("PUT", "jobcodes", rows)

    def create_users(
        self, rows: Sequence[Mapping[str, Any]], *, time_tracking: bool = True
    ) -> list[WriteResult]:
        """POST /users (``username``, ``first_name``, ``last_name`` required).

        New users get ``permissions.time_tracking=false`` from QB Time, and their timesheets
        then fail (TS-1006). With ``time_tracking=True`` (default) every row that does not
        set it explicitly is sent with ``permissions.time_tracking: true``. The caller's
        row objects are not modified; ``WriteResult.input`` is the caller's row.
        """
        sent: list[Mapping[str, Any]] = []
        for row in rows:
            perms = mapping.as_map(row.get("permissions"))
            if time_tracking and "time_tracking" not in perms:
                row = {**row, "permissions": {**perms, "time_tracking": True}}
            sent.append(row)
        back = {id(x): orig for x, orig in zip(sent, rows, strict=True)}
        try:
            results = self._write("POST", "users", sent)
        except BridgeError as exc:
            # Errors carry the caller's rows too, not the copies that were sent.
            for attr in ("rows", "not_sent"):
                if isinstance(getattr(exc, attr, None), list):
                    setattr(exc, attr, [back.get(id(x), x) for x in getattr(exc, attr)])
            completed = getattr(exc, "completed", None)
            if isinstance(completed, list):
                exc.completed = [  # type: ignore[attr-defined]
                    _with_input(r, back.get(id(r.input), r.input)) for r in completed
                ]
            raise
        return [_with_input(r, back[id(r.input)]) for r in results]

    def update_users(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """PUT /users (each row identified by ``id`` or ``username``)."""
        return self._write("PUT", "users", rows)

    def create_customfields(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """POST /customfields (``name``, ``type``; ``applies_to`` must be ``timesheet``).
        At most 6 active at a time: the 7th answers 417 per item."""
        return self._write("POST", "customfields", rows)

    def update_customfields(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        return self._write("PUT", "customfields", rows)

    def create_customfielditems(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """POST /customfielditems (``customfield_id``, ``name``; short codes are unique
        across the whole account)."""
        return self._write("POST", "customfielditems", rows)

    def update_customfielditems(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        return self._write("PUT", "customfielditems", rows)

    def create_locations(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """POST /locations (see ``mapping.location_fields``). Not idempotent: a lost answer
        must be reconciled by reading ``locations(modified_since=...)`` before re-sending."""
        return self._write("POST", "locations", rows)

    def update_locations(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        return self._write("PUT", "locations", rows)

    def create_assignments(self, rows: Sequence[Mapping[str, Any]]) -> list[WriteResult]:
        """POST /jobcode_assignments ``{"user_id", "jobcode_id"}``; ``user_id`` 0 assigns
        to everyone (prefer ``assigned_to_all`` on the jobcode)."""
        return self._write("POST", "jobcode_assignments", rows)

    def delete_assignments(self, ids: Iterable[int]) -> list[WriteResult]:
        """DELETE /jobcode_assignments?ids=... (≤50 per request). The answer is keyed by id;
        each result's ``input`` is ``{"id": <id>}``."""
        rows = [{"id": int(i)} for i in ids]
        return self._write("DELETE", "jobcode_assignments", rows)

    # ------------------------------------------------------------------ the one write path
    def _write(
        self,
        method: str,
        endpoint: str,
        rows: Sequence[Mapping[str, Any]],
        *,
        kind: str | None = None,
        reconcile: bool = False,
    ) -> list[WriteResult]:
        """Send ``rows`` in batches of ≤ ``batch_size``; one WriteResult per row, in order.

        Outcomes per batch:

        * HTTP 200: each element is matched to its row by position key "1".."n" (by id for
          DELETE; in document order if the keys are neither). ``_status_code`` < 300 → ok;
          202 on a jobcode create → ok + ``duplicate``; any other code → not ok with
          ``_status_extra`` as the reason. A row with no element → ``status`` 0, not ok.
        * HTTP 4xx for the whole request (400, 402, 413, 417…): ApiError with QB Time's
          message. Nothing of that batch was applied.
        * Lost answer (``maybe_applied``): WriteOutcomeUnknown with the batch (unless
          ``reconcile`` applies, see create_jobcodes).
        * 401 → QBTimePermissionMissing when the key still works (a permission is missing),
          else QBTimeTokenInvalid (see :meth:`_refused`); 429 is waited out by the session.
        * A row refused for permission ("Oops! You don't have permission to manage that
          user"): not ok, with a plain translated ``message`` naming what the key's user
          may not do.

        Any error raised after the first batch carries ``completed`` (results so far) and
        ``not_sent`` (rows never sent) so the importer journals what was applied.
        """
        kind = kind or endpoint
        rows = list(rows)
        out: list[WriteResult] = []
        for start, batch in _chunks(rows, self.batch_size):
            not_sent = rows[start + len(batch) :]
            try:
                out.extend(self._write_batch(method, endpoint, kind, batch, reconcile=reconcile))
            except BridgeError as exc:
                maybe = bool(getattr(exc, "maybe_applied", False))
                if maybe and method != "GET":
                    raise WriteOutcomeUnknown(
                        method=method,
                        endpoint=endpoint,
                        rows=batch,
                        completed=out,
                        not_sent=not_sent,
                        cause=exc,
                        safe_to_resend=method in ("PUT", "DELETE")
                        or (method == "POST" and endpoint == "jobcodes"),
                    ) from exc
                _tag(exc, completed=list(out), not_sent=list(batch) + list(not_sent))
                raise
        return out

    def _write_batch(
        self,
        method: str,
        endpoint: str,
        kind: str,
        batch: Sequence[Mapping[str, Any]],
        *,
        reconcile: bool,
    ) -> list[WriteResult]:
        resent = False
        while True:
            try:
                resp = self._send_batch(method, endpoint, batch)
                # A whole-request 4xx applied nothing; a 2xx we cannot read may have.
                payload = self._json(resp, method, endpoint, maybe_applied=True)
                break
            except BridgeError as exc:
                can_resend = (
                    reconcile
                    and not resent
                    and method == "POST"
                    and endpoint == "jobcodes"
                    and getattr(exc, "maybe_applied", False)
                )
                if not can_resend:
                    raise
                log.warning(
                    "%s POST jobcodes: answer lost for %d row(s); re-sending once "
                    "(duplicates answer 202)",
                    QBTIME,
                    len(batch),
                )
                resent = True
        results = self._match(method, kind, batch, payload)
        if batch and all(elem is None for elem in results):
            # A 2xx that names none of the rows: they may all have been applied.
            raise _tag(
                ApiError(service=QBTIME, reason="the answer listed none of the rows sent"),
                service=QBTIME,
                status=resp.status_code,
                maybe_applied=True,
            )
        out = [
            self._result(method, endpoint, row, elem, resent)
            for row, elem in zip(batch, results, strict=True)
        ]
        return self._resolve_duplicates(out) if method == "POST" and endpoint == "jobcodes" else out

    def _send_batch(
        self, method: str, endpoint: str, batch: Sequence[Mapping[str, Any]]
    ) -> requests.Response:
        if method == "DELETE":
            ids = ",".join(str(mapping.as_int(r.get("id"))) for r in batch)
            return self._call("DELETE", endpoint, params={"ids": ids})
        # mapping.outbound: no control character or bidi override leaves for QuickBooks Time
        return self._call(method, endpoint, body={"data": [mapping.outbound(r) for r in batch]})

    @staticmethod
    def _match(
        method: str, kind: str, batch: Sequence[Mapping[str, Any]], payload: Mapping[str, Any]
    ) -> list[Mapping[str, Any] | None]:
        results = payload.get("results")
        block = results.get(kind) if isinstance(results, Mapping) else None
        if isinstance(block, list):
            block = {str(i): v for i, v in enumerate(block, start=1)}
        if not isinstance(block, Mapping):
            block = {}
        if method == "DELETE":
            return [block.get(str(mapping.as_int(r.get("id")))) for r in batch]
        positions = [str(i) for i in range(1, len(batch) + 1)]
        if any(p in block for p in positions):
            return [block.get(p) for p in positions]
        # Keys are not positions (time_off_requests-style answers keyed by id): fall back
        # to document order, which is the request order.
        values = list(block.values())
        return [values[i] if i < len(values) else None for i in range(len(batch))]

    @staticmethod
    def _result(
        method: str,
        endpoint: str,
        row: Mapping[str, Any],
        elem: Mapping[str, Any] | None,
        resent: bool,
    ) -> WriteResult:
        # (a dict, as every answer read comes, is told by its type: no ABC check per row)
        if type(elem) is not dict and not isinstance(elem, Mapping):
            return WriteResult(
                row,
                False,
                0,
                None,
                "QuickBooks Time's answer said nothing about this row",
                False,
                resent,
            )
        get = elem.get
        status = mapping.as_int(get("_status_code"), 0)
        record = mapping.strip_status(elem) or None
        if 0 < status < 300:
            duplicate = status == 202 and method == "POST" and endpoint == "jobcodes"
            message = mapping.as_str(get("_status_warning")) or mapping.as_str(
                get("_status_message")
            )
            return WriteResult(row, True, status, record, message, duplicate, resent)
        reason = (
            mapping.as_str(get("_status_extra"))
            or mapping.as_str(get("_status_message"))
            or f"status {status}"
        )
        if "have permission" in reason.lower():
            # QB Time's "Oops! You don't have permission to manage that user": said plainly,
            # in the user's language, with what the key's user may not do.
            reason = tr(_ITEM_REFUSED, permission=Msg(need_words(method, endpoint)))
        return WriteResult(row, False, status, record, reason, False, resent)

    def _resolve_duplicates(self, results: list[WriteResult]) -> list[WriteResult]:
        """A 202 without an id: find the existing jobcode by parent_id + name + type."""
        out: list[WriteResult] = []
        for res in results:
            if not res.duplicate or res.id is not None:
                out.append(res)
                continue
            try:
                found = self._find_jobcode(
                    mapping.as_int(res.input.get("parent_id")),
                    mapping.as_str(res.input.get("name")),
                    mapping.as_str(res.input.get("type")).lower() or "regular",
                )
            except BridgeError as exc:
                # The batch itself was applied: never lose its results over a failed lookup.
                log.warning("%s: looking up a 202 duplicate failed: %s", QBTIME, exc)
                found, why = None, "it could not be looked up"
            else:
                why = "it could not be found"
            if found is None:
                out.append(
                    WriteResult(
                        res.input,
                        False,
                        res.status,
                        res.record,
                        "QuickBooks Time says this customer already exists, but " + why,
                        True,
                        res.resent,
                    )
                )
            else:
                out.append(
                    WriteResult(
                        res.input, True, res.status, found.raw, res.message, True, res.resent
                    )
                )
        return out

    def _find_jobcode(self, parent_id: int, name: str, jtype: str) -> QBTJobcode | None:
        # The name filter treats "*" as a wildcard: it may return more; compare exactly
        # (case-insensitively, as the duplicate rule does) afterwards.
        key = name.strip().casefold()
        candidates = self.jobcodes(parent_ids=[parent_id], name=name, type=jtype)
        for jc in candidates:
            if jc.parent_id == parent_id and jc.name.strip().casefold() == key and jc.type == jtype:
                return jc
        return None

    # ------------------------------------------------------------------ hours for invoicing
    def timesheets_for_invoicing(self, start: date, end: date) -> list[dict[str, Any]]:
        """Every timesheet dated ``start``..``end`` (both included), of every user (active and
        archived), on work jobcodes (``jobcode_type=regular``: no time off, no break), shifts
        still on the clock included (``on_the_clock=both``, in the same pages: ``on_the_clock``
        true, their length not known yet) so that billing can say they are not billed, as
        QuickBooks Time holds them (raw JSON: the caller keeps ``last_modified`` and the
        ``customfields`` values). One call per page."""
        params = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "on_the_clock": "both",
            "jobcode_type": "regular",
        }
        return self._paged("timesheets", "timesheets", params)

    # ------------------------------------------------------------------ hours for payroll
    def timesheets_for_payroll(self, start: date, end: date) -> list[dict[str, Any]]:
        """Every timesheet dated ``start - 1`` .. ``end + 1`` (a shift over midnight at either
        end of a pay period is dated the day before or after it), time off included
        (``jobcode_type=all``), shifts still on the clock included (``on_the_clock=both``) so
        they can be reported; raw JSON (``start``/``end`` with their offset, ``tz_str``,
        ``last_modified``). One call per page."""
        params = {
            "start_date": (start - timedelta(days=1)).isoformat(),
            "end_date": (end + timedelta(days=1)).isoformat(),
            "on_the_clock": "both",
            "jobcode_type": "all",
        }
        return self._paged("timesheets", "timesheets", params)

    # ------------------------------------------------------------------ hours of one record
    def timesheets_of(
        self, start: date, end: date, *, user_id: int | None = None, jobcode_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The timesheets dated ``start``..``end`` of one user or one jobcode (and its
        children, as ``jobcode_ids`` reads), work only (``jobcode_type=regular``), shifts on
        the clock left out; raw JSON. One call per page (the review's comparison)."""
        params: dict[str, Any] = {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "on_the_clock": "no",
            "jobcode_type": "regular",
        }
        if user_id is not None:
            params["user_ids"] = str(user_id)
        if jobcode_id is not None:
            params["jobcode_ids"] = str(jobcode_id)
        return self._paged("timesheets", "timesheets", params)

    def timesheets_since(
        self,
        since: SinceValue,
        *,
        jobcode_ids: Iterable[int] | None = None,
        user_ids: Iterable[int] | None = None,
    ) -> list[dict[str, Any]]:
        """The timesheets written or changed since ``since`` on these jobcodes (and their
        children, as ``jobcode_ids`` reads) or by these users (one of the two), every type, on
        the clock or not; raw JSON. One call per page, :data:`IDS_PER_READ` ids a call (an
        undo asks whether time was tracked on what the import made)."""
        if jobcode_ids is not None and user_ids is not None:
            raise ValueError("timesheets_since: jobcode_ids or user_ids, not both")
        params = self._filters(modified_since=since, on_the_clock="both", jobcode_type="all")
        if user_ids is not None:
            return self._read("timesheets", "timesheets", params, user_ids, key="user_ids")
        return self._read("timesheets", "timesheets", params, jobcode_ids, key="jobcode_ids")


def _with_input(result: WriteResult, original: Mapping[str, Any]) -> WriteResult:
    if result.input is original:
        return result
    return WriteResult(
        original,
        result.ok,
        result.status,
        result.record,
        result.message,
        result.duplicate,
        result.resent,
    )
