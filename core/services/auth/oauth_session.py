"""requests-oauthlib for a PKCE desktop app: client id in the body, no secret, HTTPS only.

:mod:`core.services.auth.xero_oauth` imports this module on the first sign-in or refresh, not
at start: requests-oauthlib and oauthlib are not needed to show the first page.

* ``OAuth2Session`` builds the authorize URL, the code exchange and the refresh; its requests
  go out through the ``requests.Session`` the caller was given (:class:`_XeroOAuth2Session`);
* plain HTTP is allowed for this computer only (the Demo Company's simulators), one call at a
  time (:func:`oauthlib_transport`); any other ``http://`` URL is refused before it is sent;
* the token endpoint's answer is handed back raw (:func:`token_answer`), for the caller to read.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import requests
from oauthlib.oauth2 import InsecureTransportError
from requests_oauthlib import OAuth2Session

__all__ = [
    "INSECURE_TRANSPORT",
    "InsecureTransportError",
    "authorization_url",
    "new_session",
    "token_answer",
    "transport_allowed",
]

# requests-oauthlib and oauthlib log request bodies (code, verifier, refresh token) and the
# tokens they receive at DEBUG: never let that reach the log, whatever the app's level.
for _library in ("requests_oauthlib", "oauthlib"):
    logging.getLogger(_library).setLevel(logging.WARNING)

INSECURE_TRANSPORT = "insecure_transport"  # oauthlib's error code, the reason we show
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def transport_allowed(url: str) -> bool:
    """HTTPS, or plain HTTP to this computer (the Demo Company's simulators); nothing else."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


class _PlainHttpPermission:
    """oauthlib's only switch for plain HTTP is the process-wide ``OAUTHLIB_INSECURE_TRANSPORT``.

    It is set while at least one call to a loopback URL runs (counted, for concurrent calls)
    and put back as it was after the last one; a value set by someone else is left alone.
    """

    NAME = "OAUTHLIB_INSECURE_TRANSPORT"

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._users = 0
        self._saved: str | None = None

    def __enter__(self) -> None:
        with self._guard:
            if self._users == 0:
                self._saved = os.environ.get(self.NAME)
                os.environ[self.NAME] = "1"
            self._users += 1

    def __exit__(self, *exc: object) -> None:
        with self._guard:
            self._users -= 1
            if self._users == 0:
                if self._saved is None:
                    os.environ.pop(self.NAME, None)
                else:
                    os.environ[self.NAME] = self._saved


_PLAIN_HTTP = _PlainHttpPermission()


@contextmanager
def oauthlib_transport(url: str) -> Iterator[None]:
    """Around one requests-oauthlib call to ``url``: refuse plain HTTP off this computer
    (:class:`InsecureTransportError`, even when the variable was set for the whole process),
    allow it to this computer for the call only. Real Xero is HTTPS: no permission at all.
    """
    if not transport_allowed(url):
        raise InsecureTransportError(description="plain HTTP is only for this computer")
    if urlsplit(url).scheme.lower() == "https":
        yield
        return
    with _PLAIN_HTTP:
        yield


class _Transport(requests.Session):
    """Sends every request through the session the caller was given (its adapters, proxies)."""

    transport: requests.Session

    def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> requests.Response:
        return self.transport.request(method, url, *args, **kwargs)


class _XeroOAuth2Session(OAuth2Session, _Transport):
    """requests-oauthlib's session whose requests go out through a given ``requests.Session``.

    The order of the bases puts :class:`_Transport` after ``OAuth2Session``: its checks and
    request building run first, then the request is handed to the transport.
    """

    def __init__(
        self,
        client_id: str,
        transport: requests.Session,
        *,
        redirect_uri: str | None,
        scope: list[str] | None,
    ) -> None:
        OAuth2Session.__init__(self, client_id, redirect_uri=redirect_uri, scope=scope)
        self.transport = transport


class _TokenAnswer(Exception):
    """The token endpoint's raw answer, taken from requests-oauthlib before it parses it.

    oauthlib's parser would raise a bare ``Warning`` when Xero grants fewer scopes than asked
    (the caller reports those itself), date the expiry by the system clock rather than the
    caller's, and turn statuses into its own exceptions; the caller's sentences depend on the
    HTTP status (5xx/429: retry; ``invalid_grant``: sign in again), so it reads the answer.
    """

    def __init__(self, response: requests.Response) -> None:
        super().__init__("token endpoint answered")
        self.response = response


def _hand_back(response: requests.Response) -> requests.Response:
    raise _TokenAnswer(response)


def new_session(
    client_id: str,
    transport: requests.Session,
    *,
    redirect_uri: str | None = None,
    scopes: Sequence[str] | None = None,
) -> OAuth2Session:
    """A PKCE app's session (no secret, no Basic auth header) sending through ``transport``."""
    oauth = _XeroOAuth2Session(
        client_id, transport, redirect_uri=redirect_uri, scope=list(scopes) if scopes else None
    )
    oauth.register_compliance_hook("access_token_response", _hand_back)
    oauth.register_compliance_hook("refresh_token_response", _hand_back)
    return oauth


def authorization_url(oauth: OAuth2Session, url: str, **params: Any) -> str:
    """``oauth.authorization_url`` under :func:`oauthlib_transport` (raises InsecureTransportError)."""
    with oauthlib_transport(url):
        uri, _state = oauth.authorization_url(url, **params)
    return str(uri)


def token_answer(send: Callable[..., Any], url: str, **kwargs: Any) -> requests.Response:
    """Call ``oauth.fetch_token`` or ``oauth.refresh_token`` for ``url``; the raw answer.

    Raises InsecureTransportError before sending, or what the transport raised.
    """
    with oauthlib_transport(url):
        try:
            send(url, **kwargs)
        except _TokenAnswer as answer:
            return answer.response
    raise RuntimeError("requests-oauthlib returned without calling its response hook")
