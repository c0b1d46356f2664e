"""A keyring backend's error may quote part of the value it was given: no piece of a secret
(eight characters or more) reaches the error, its text or the log, only the whole secret
being taken out."""

from __future__ import annotations

import keyring.backend
import pytest

from core.errors import SecureStorageError
from core.store.secrets import TokenStore, _redacted

QBT_KEY = "S.1__0f8e2d9c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e"
XERO_SET = '{"access_token":"eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2","refresh_token":"r3fr35h-t0k3n-value"}'


class QuotingKeyring(keyring.backend.KeyringBackend):
    """A backend whose refusal quotes pieces of the value, as some D-Bus errors do."""

    priority = 1

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise RuntimeError(
            f"cannot store secret starting {password[:20]!r} (…{password[-12:]}) "
            f"for {username}: item {password[5:29]} rejected"
        )

    def delete_password(self, service, username):
        raise keyring.errors.PasswordDeleteError("not found")


def _pieces(secret: str, length: int = 8) -> list[str]:
    return [secret[i : i + length] for i in range(len(secret) - length + 1)]


@pytest.mark.parametrize("secret", [QBT_KEY, XERO_SET])
def test_no_piece_of_a_secret_reaches_the_error(secret):
    store = TokenStore(QuotingKeyring(), trust_backend=True)
    with pytest.raises(SecureStorageError) as caught:
        store.set("qbtime:pair-1@abc", secret)
    texts = [str(caught.value), caught.value.detail, caught.value.user_message()]
    leaked = [p for p in _pieces(secret) for text in texts if p in text]
    assert not leaked, leaked
    assert "qbtime:pair-1@abc" in caught.value.detail  # what failed is still said
    assert "RuntimeError" in caught.value.detail


def test_redaction_keeps_what_is_not_the_secret():
    text = "refused S.1__0f8e2d9c6b5a4f3e2d1c (key qbtime:x), code 0f8e2d9"
    assert _redacted(text, QBT_KEY) == "refused [redacted] (key qbtime:x), code 0f8e2d9"
    assert _redacted("whole " + QBT_KEY + " end", QBT_KEY) == "whole [redacted] end"
    assert _redacted("x" * 500, QBT_KEY) == "x" * 300
