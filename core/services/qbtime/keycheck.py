"""What went wrong when an access key was checked, in the few cases the key page explains.

What QuickBooks Time answers (references/qbtime-api.md §1, the API docs' Users object):

* a mistyped, expired or revoked key → **401** on every call, ``{"error": {"code": 401,
  "message": "Unauthorized…"}}``. A key made in the API add-on stops working when the add-on
  is removed, and the answer is the same 401: the API does not tell the two apart, so the
  help for a refused key names both (copy the key whole; check the API add-on is installed).
* a key whose user is not an administrator → ``GET /current_user`` answers **200**; the user
  has ``permissions.admin: false``, or no ``permissions`` at all (private to managers and
  admins). The import needs an administrator (custom fields), so the check refuses it
  (:class:`~core.errors.QBTimePermissionMissing`, tagged with the user's name).
* the account's billing is not current → **402**; IP Authorization blocks all access →
  **499**.

:func:`key_problem` sorts a check's error into one of these; the page shows the help for it.
"""

from __future__ import annotations

from enum import Enum

from core.errors import (
    NetworkError,
    QBTimePermissionMissing,
    QBTimeTokenInvalid,
    SecureStorageError,
    SecureStorageUnavailable,
    ServiceUnavailable,
)

#: QuickBooks Time in the browser: sign in, then Feature Add-ons > Manage Add-ons > API.
WEB_APP_URL = "https://tsheets.intuit.com/"

#: shorter than this, a pasted text is not a key yet (the check waits for more)
MIN_KEY_LENGTH = 20


class KeyProblem(Enum):
    MALFORMED = "malformed"  # empty, or spaces inside: never sent
    REJECTED = "rejected"  # 401: mistyped, expired, revoked, or the API add-on removed
    NOT_ADMIN = "not_admin"  # the key's user is not an administrator
    BILLING = "billing"  # 402: the subscription is not paid up
    IP_BLOCKED = "ip_blocked"  # 499: IP Authorization blocks this computer
    UNREACHABLE = "unreachable"  # no network, QuickBooks Time down
    STORAGE = "storage"  # the key is fine but cannot be kept (keyring)
    OTHER = "other"


def key_problem(exc: BaseException) -> KeyProblem:
    """Which of :class:`KeyProblem` ``exc`` (raised by ``connect_qbtime``) is."""
    if isinstance(exc, QBTimePermissionMissing):
        return KeyProblem.NOT_ADMIN
    if isinstance(exc, QBTimeTokenInvalid):
        if getattr(exc, "status", None) is None and "malformed" in exc.detail:
            return KeyProblem.MALFORMED
        return KeyProblem.REJECTED
    if isinstance(exc, SecureStorageUnavailable | SecureStorageError):
        return KeyProblem.STORAGE
    if isinstance(exc, NetworkError | ServiceUnavailable):
        return KeyProblem.UNREACHABLE
    status = getattr(exc, "status", None)
    if status == 402:
        return KeyProblem.BILLING
    if status == 499:
        return KeyProblem.IP_BLOCKED
    return KeyProblem.OTHER


def looks_like_a_key(text: str) -> bool:
    """Whether ``text`` is worth checking yet (as it is pasted or typed): long enough and
    one word. A shorter text is checked only when the user asks (Enter, "Check")."""
    text = text.strip()
    return len(text) >= MIN_KEY_LENGTH and not any(ch.isspace() for ch in text)
