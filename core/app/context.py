"""AppContext: everything a command or the wizard needs, built once and passed around.

No globals: the composition root (main.py) creates one context; tests create their own with
an in-memory keyring, a temp folder and the Demo Company.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, overload

from core.i18n import current_language
from core.store.dbfiles import LOCK_FILE, InstanceLock
from core.store.paths import AppPaths
from core.store.secrets import XERO_SIGNIN_KEY, TokenStore
from core.store.settings import XeroAppSettings, load_xero_settings

if TYPE_CHECKING:
    # The network layer (requests, the sign-in code) is imported when first used, off the
    # way to the first page painted (the window opens before any call is made).
    from core.services.auth.xero_oauth import XeroSignIn, XeroTokenManager
    from core.services.http import ServiceSession
    from core.services.limits import LimiterRegistry, RequestCounter
    from core.services.qbtime.client import QBTimeClient
    from core.services.xero.client import XeroClient

log = logging.getLogger(__name__)

QBTIME_API_BASE = "https://rest.tsheets.com/api/v1"


class DemoCompany(Protocol):
    """The running Demo Company as the app sees it: in this process (``Sandbox``: tests, the
    headless commands) or in a child process (``DemoCompanyProcess``: the wizard)."""

    @property
    def xero_base(self) -> str: ...

    @property
    def qbtime_base(self) -> str: ...

    @property
    def qbtime_token(self) -> str: ...

    @property
    def qbtime_tokens(self) -> list[str]: ...

    def stop(self) -> None: ...


def _open_in_browser(url: str) -> bool:
    """``webbrowser.open``, imported at first use (subprocess, shlex: not on the way to the
    first page)."""
    import webbrowser

    return webbrowser.open(url)


#: a field of AppContext not made yet (see _MadeAtFirstRead)
_NOT_MADE: Any = object()
_making = threading.Lock()
T = TypeVar("T")


class _MadeAtFirstRead(Generic[T]):
    """A dataclass field whose default is made from core.services.limits when it is first
    read, once per context (two threads reading it first get the same object); given to
    the constructor or set, it is that value, as for any field."""

    def __init__(self, make: Callable[[Any], T]) -> None:
        self._make = make
        self._slot = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_made_{name}"

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Any: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object | None, owner: type | None = None) -> Any:
        if obj is None:  # the dataclass asks for the default: "not made yet"
            return _NOT_MADE
        value = obj.__dict__.get(self._slot, _NOT_MADE)
        if value is _NOT_MADE:
            with _making:
                value = obj.__dict__.get(self._slot, _NOT_MADE)
                if value is _NOT_MADE:
                    value = obj.__dict__[self._slot] = self._make(_http())
        return value

    def __set__(self, obj: object, value: T) -> None:
        obj.__dict__[self._slot] = value


@dataclass
class AppContext:
    paths: AppPaths
    tokens: TokenStore
    xero_settings: XeroAppSettings
    qbtime_base: str = QBTIME_API_BASE
    opener: Callable[[str], Any] = _open_in_browser
    #: the Demo Company's simulators (None: the real services)
    sandbox: DemoCompany | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    # The next three are made at their first read (or given, or set, like any field):
    # core.services.limits, and datetime with it, are not imported on the way to the
    # window's first page (issue 16).
    counter: _MadeAtFirstRead[RequestCounter] = _MadeAtFirstRead(lambda http: http.RequestCounter())
    limiters: _MadeAtFirstRead[LimiterRegistry] = _MadeAtFirstRead(
        lambda http: http.LimiterRegistry()
    )
    #: (connect, read) seconds for every API call; tests shorten it to meet the simulators'
    #: stalled answers (``FaultPlan.stall_s``) without waiting 30 s each time.
    timeout: _MadeAtFirstRead[tuple[float, float]] = _MadeAtFirstRead(
        lambda http: http.DEFAULT_TIMEOUT
    )
    #: the engine's child process (core.app.worker_process.EngineProcess) the wizard runs
    #: fetch, plan and import in; None: they run in this process (commands, tests)
    engine: Any = None
    #: a first run's database, not created yet: the window opens first and creates it once
    #: its first page is painted (``open_db`` on a worker: wizard.app.open_wizard)
    db_pending: bool = False
    _lock: InstanceLock | None = field(default=None, repr=False)
    _token_managers: dict[str, XeroTokenManager] = field(default_factory=dict, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(
        cls,
        *,
        demo: bool = False,
        paths: AppPaths | None = None,
        tokens: TokenStore | None = None,
        opener: Callable[[str], Any] | None = None,
        sandbox: DemoCompany | None = None,
    ) -> AppContext:
        """The real app (OS keyring, settings file) or the Demo Company (local simulators)."""
        paths = (paths or AppPaths.default()).ensure()
        tokens = tokens or TokenStore()
        if demo:
            if sandbox is None:
                from core.sandbox.server import Sandbox

                sandbox = Sandbox.open(state_dir=paths.demo_state)
            from core.sandbox.xero_config import demo_xero_settings

            ctx = cls(
                paths,
                tokens,
                demo_xero_settings(sandbox.xero_base),
                qbtime_base=sandbox.qbtime_base,
                sandbox=sandbox,
            )
        else:
            ctx = cls(paths, tokens, load_xero_settings(paths.config))
        if opener is not None:
            ctx.opener = opener
        return ctx

    @property
    def demo(self) -> bool:
        return self.sandbox is not None

    # ------------------------------------------------------------------ database
    def lock_instance(self) -> None:
        """Take the one-instance lock (AlreadyRunning: another copy of the app holds it)."""
        if self._lock is None:
            self._lock = InstanceLock(self.paths.data / LOCK_FILE).acquire()

    def open_db(self) -> None:
        """Take the one-instance lock, then open (and migrate) the database."""
        from core.store.db import open_app_database  # peewee: not before a first run's window

        self.lock_instance()
        open_app_database(self.paths)  # + lost-history check, storage errors, daily backup
        self.db_pending = False
        self._adopt_pair_secrets()

    def _adopt_pair_secrets(self) -> None:
        """A pair made before several businesses were possible: its keyring entries get the
        pair's own names (no keyring access otherwise). A locked keyring only postpones it:
        the old names keep working meanwhile."""
        from core.app.connections import adopt_pair_secrets
        from core.errors import BridgeError

        try:
            adopt_pair_secrets(self)
        except BridgeError as exc:
            log.warning("Keyring entries not renamed yet: %s", exc)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.stop()
            self.engine = None
        from core.store.db import close_database

        close_database()
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    # ------------------------------------------------------------------ Xero
    def xero_tokens(self, key: str | None = None) -> XeroTokenManager:
        """The Xero token set under ``key``; by default the sign-in being connected."""
        key = key or XERO_SIGNIN_KEY
        with self._guard:
            manager = self._token_managers.get(key)
            if manager is None:
                from core.services.auth.xero_oauth import XeroTokenManager

                manager = XeroTokenManager(self.xero_settings, self.tokens, key)
                self._token_managers[key] = manager
            return manager

    def xero_tokens_for(self, conn: Any) -> XeroTokenManager:
        """The Xero token set of one pair (business)."""
        return self.xero_tokens(getattr(conn, "xero_grant_key", None))

    def forget_xero_tokens(self, key: str) -> None:
        """Drop what is held in memory for ``key`` (its keyring entry moved or went)."""
        with self._guard:
            self._token_managers.pop(key, None)

    def xero_key_for_tenant(self, tenant_id: str) -> str:
        """The keyring key whose sign-in reaches this organisation: its pair's, or the
        sign-in being connected when no active pair holds it yet."""
        from core.app.connections import active_connection_for_tenant

        conn = active_connection_for_tenant(tenant_id)
        return (conn.xero_grant_key if conn is not None else None) or XERO_SIGNIN_KEY

    def xero_key_for_connecting(self, tenant_id: str) -> str:
        """The keyring key to reach an organisation with while connecting it: the sign-in
        just made, when there is one (signing in again for a business whose own sign-in
        Xero refused: that one would be refused again, and nothing could ever repair it),
        else :meth:`xero_key_for_tenant`."""
        from core.store.secrets import XERO_SIGNIN_KEY

        if self.tokens.get(XERO_SIGNIN_KEY) is not None:
            return XERO_SIGNIN_KEY
        return self.xero_key_for_tenant(tenant_id)

    def xero_sign_in(self) -> XeroSignIn:
        from core.services.auth.xero_oauth import XeroSignIn

        return XeroSignIn(self.xero_settings, opener=self.opener, language=current_language())

    def _xero_session(self, limiter_key: str | None, grant_key: str | None) -> ServiceSession:
        from core.services.http import XERO, RetryPolicy, ServiceSession, xero_limiter

        manager = self.xero_tokens(grant_key)
        # Per thread: reads run in parallel (core.services.fetch), and a 401 must name the token *this*
        # call sent, so that one refresh by another thread is reused rather than repeated.
        last = threading.local()

        def auth() -> dict[str, str]:
            last.token = manager.access_token()
            return {"Authorization": f"Bearer {last.token}"}

        def on_unauthorized() -> bool:
            manager.force_refresh(getattr(last, "token", None))
            return True

        limiter = None
        if limiter_key is not None:
            from core.app.day_limit import remembering  # Xero's daily stop, across restarts

            limiter = self.limiters.for_key(
                f"xero:{limiter_key}",
                lambda: remembering(
                    xero_limiter(name=limiter_key, clock=self.clock, sleep=self.sleep),
                    limiter_key,
                    self.clock(),
                ),
            )
        return ServiceSession(
            XERO,
            self.xero_settings.api_base,
            limiter=limiter,
            retry=RetryPolicy.xero(),
            auth=auth,
            on_unauthorized=on_unauthorized,
            counter=self.counter,
            sleep=self.sleep,
            timeout=self.timeout,
        )

    def xero_connections(self, grant_key: str | None = None) -> list[dict[str, Any]]:
        """The organisations a sign-in covers (by default the one being connected)."""
        from core.services.xero.client import XeroClient

        with self._xero_session(None, grant_key) as session:
            return XeroClient.connections(session)

    def xero_client(self, tenant_id: str, grant_key: str | None = None) -> XeroClient:
        """A client for one organisation, signed in with its pair's sign-in (``grant_key``
        when given: :meth:`xero_key_for_tenant` otherwise)."""
        from core.services.xero.client import XeroClient

        key = grant_key or self.xero_key_for_tenant(tenant_id)
        return XeroClient(self._xero_session(tenant_id, key), tenant_id)

    def xero_day_remaining(self, tenant_id: str) -> int | None:
        limiter = self.limiters.get(f"xero:{tenant_id}")
        return None if limiter is None else limiter.remaining_today

    # ------------------------------------------------------------------ QuickBooks Time
    def qbtime_client(self, token: str, account: Any = None) -> QBTimeClient:
        """A client for the access key ``token``; ``account`` (the pair's connection id, when
        there is one) keeps its calls in QuickBooks Time's 5-minute window in the database,
        and starts from those another process made (core.app.qbt_window)."""
        # The limit is per token: key the limiter by a digest, never by the token itself.
        import hashlib

        from core.services.http import QBTIME, RetryPolicy, ServiceSession, qbtime_limiter
        from core.services.qbtime.client import QBTimeClient

        digest = hashlib.sha256(token.encode()).hexdigest()[:16]
        limiter = self.limiters.for_key(
            f"qbtime:{digest}",
            lambda: qbtime_limiter(name="qbtime", clock=self.clock, sleep=self.sleep),
        )
        if account is not None:
            from core.app.qbt_window import remembering  # the window, across restarts

            remembering(limiter, account)
        session = ServiceSession(
            QBTIME,
            self.qbtime_base,
            limiter=limiter,
            retry=RetryPolicy.qbtime(),
            auth=lambda: {"Authorization": f"Bearer {token}"},
            counter=self.counter,
            sleep=self.sleep,
            timeout=self.timeout,
        )
        return QBTimeClient(session)

    def qbtime_token(self, key: str) -> str | None:
        return self.tokens.get(key)

    def qbtime_token_for(self, conn: Any) -> str:
        """The access key of a connection; a missing one is said plainly (paste it again)."""
        token = self.qbtime_token(conn.qbtime_token_key) if conn.qbtime_token_key else None
        if not token:
            from core.errors import QBTimeTokenInvalid

            raise QBTimeTokenInvalid(detail="no stored QuickBooks Time access key")
        return token

    def data_dir(self) -> Path:
        return self.paths.data


def _http() -> Any:
    """The limits, counters and timeouts: a module without ``requests``."""
    import core.services.limits

    return core.services.limits
