"""TokenStore: only secure keyring backends, one domain error for every failure, no secret leaks."""

from __future__ import annotations

import json
import logging
import secrets as pyrandom

import keyring
import keyring.backend
import keyring.errors
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keyring.backends import SecretService, Windows, chainer, fail, null

from core.errors import SecureStorageError, SecureStorageUnavailable
from core.store.secrets import (
    SERVICE,
    TokenStore,
    platform_hint,
    qbtime_token_key,
    xero_grant_key,
)

SECRET = "s3cr3t-refresh-token-value-0123456789"


# -- fake backends -------------------------------------------------------------------------
# keyring registers every backend class ever defined and may pick one as the process default;
# these fakes must never become the default of another test, so they leave the registry.


def _unregistered(cls):
    keyring.backend.KeyringBackend._classes.discard(cls)
    return cls


class _DictMixin:
    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.store:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.store[(service, username)]


@_unregistered
class FakeSecretService(_DictMixin, SecretService.Keyring):
    """Secret Service semantics without D-Bus: a secure class by ancestry."""

    priority = 5


@_unregistered
class FakeWinVault(_DictMixin, Windows.WinVaultKeyring):
    """Windows Credential Locker with its real size limit: 2,560 bytes of UTF-16."""

    priority = 5

    def set_password(self, service, username, password):
        if len(password.encode("utf-16-le")) > 2560:
            raise OSError(1783, "CredWrite", "The stub received bad data")
        super().set_password(service, username, password)


def _plaintext_backend():
    """A stand-in for keyrings.alt.file.PlaintextKeyring (not installed here, never to be)."""
    cls = type("PlaintextKeyring", (_DictMixin, keyring.backend.KeyringBackend), {"priority": 0.5})
    cls.__module__ = "keyrings.alt.file"
    cls.__qualname__ = "PlaintextKeyring"
    return _unregistered(cls)()


def _alt_subclass_of_secure():
    cls = type("EncryptedKeyring", (FakeSecretService,), {})
    cls.__module__ = "keyrings.alt.file"
    cls.__qualname__ = "EncryptedKeyring"
    return _unregistered(cls)()


@_unregistered
class Raising(keyring.backend.KeyringBackend):
    """Raises ``exc`` from every call; the exception text includes the secret on purpose."""

    priority = 1

    def __init__(self, exc):
        super().__init__()
        self.exc = exc

    def get_password(self, service, username):
        raise self.exc

    def set_password(self, service, username, password):
        raise type(self.exc)(f"cannot store {password}")

    def delete_password(self, service, username):
        raise self.exc


class PromptDismissedException(Exception):  # secretstorage's name for a dismissed unlock
    pass


class DBusErrorResponse(Exception):  # jeepney's D-Bus error
    pass


# -- refusing insecure backends -------------------------------------------------------------


def test_default_test_keyring_is_refused_without_trust(memory_keyring):
    with pytest.raises(SecureStorageUnavailable) as info:
        TokenStore()
    assert "GNOME Keyring" in info.value.user_message("en")


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_fail_and_null_backends_are_refused(backend, monkeypatch):
    monkeypatch.setattr("core.store.secrets.sys.platform", "linux")
    with pytest.raises(SecureStorageUnavailable) as info:
        TokenStore(backend)
    message = info.value.user_message("en")
    assert "No secure password storage" in message
    assert "sudo apt install gnome-keyring" in message


def test_plaintext_file_backend_is_refused_and_named():
    with pytest.raises(SecureStorageUnavailable) as info:
        TokenStore(_plaintext_backend())
    message = info.value.user_message("en")
    assert "file-based store" in message and "keyrings.alt.file.PlaintextKeyring" in message


def test_a_file_store_deriving_from_a_secure_class_is_still_refused():
    with pytest.raises(SecureStorageUnavailable):
        TokenStore(_alt_subclass_of_secure())


def test_a_secure_class_that_is_not_viable_here_is_refused():
    # The real Secret Service class, without a session bus in this test: not usable.
    @_unregistered
    class NoBus(SecretService.Keyring):
        @keyring.compat.properties.classproperty
        def priority(cls):
            raise RuntimeError("no D-Bus")

    with pytest.raises(SecureStorageUnavailable):
        TokenStore(NoBus())


def test_unknown_third_party_backend_is_refused(memory_keyring):
    with pytest.raises(SecureStorageUnavailable):
        TokenStore(memory_keyring)


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", "GNOME Keyring or KWallet"),
        ("darwin", "macOS Keychain"),
        ("win32", "Credential Manager"),
    ],
)
def test_hint_says_what_to_install_per_platform(monkeypatch, platform, expected):
    monkeypatch.setattr("core.store.secrets.sys.platform", platform)
    assert expected in platform_hint()
    with pytest.raises(SecureStorageUnavailable) as info:
        TokenStore(fail.Keyring())
    assert expected in info.value.user_message("en")


def test_chainer_of_insecure_backends_is_refused(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [_plaintext_backend(), null.Keyring()])
    with pytest.raises(SecureStorageUnavailable) as info:
        TokenStore(chainer.ChainerBackend())
    assert "file-based store" in info.value.user_message("en")


def test_empty_chainer_is_refused(monkeypatch):
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [])
    with pytest.raises(SecureStorageUnavailable):
        TokenStore(chainer.ChainerBackend())


def test_chainer_is_unwrapped_to_its_secure_member_and_never_writes_plaintext(monkeypatch):
    plaintext, secure = _plaintext_backend(), FakeSecretService()
    # Even when the plaintext store has the higher priority (it comes first).
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, secure])
    store = TokenStore(chainer.ChainerBackend())
    assert store.backend is secure
    store.set("qbtime:42", SECRET)
    assert secure.store[(SERVICE, "qbtime:42")] == SECRET
    assert plaintext.store == {}


def test_keyring_initialisation_failure_is_a_domain_error(monkeypatch):
    def broken():
        raise RuntimeError("bad keyringrc")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    with pytest.raises(SecureStorageUnavailable):
        TokenStore()


def test_a_secure_default_keyring_is_used(monkeypatch):
    backend = FakeSecretService()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    store = TokenStore()
    assert store.backend is backend
    store.set(qbtime_token_key("c"), SECRET)
    assert backend.store == {(SERVICE, "qbtime:c"): SECRET}


def test_secure_backends_are_accepted():
    assert TokenStore(FakeSecretService()).max_part_length is None
    assert TokenStore(FakeWinVault()).max_part_length == 1200


# -- failures become one domain error, without the secret ------------------------------------


ERRORS = [
    (keyring.errors.KeyringLocked("Failed to unlock the collection!"), "it is locked"),
    (PromptDismissedException("dismissed"), "the unlock prompt was dismissed"),
    (keyring.errors.InitError("Failed to create the collection"), "it could not be opened"),
    (keyring.errors.PasswordSetError("nope"), "the sign-in could not be saved"),
    (DBusErrorResponse("org.freedesktop.DBus.Error.ServiceUnknown"), "DBusErrorResponse"),
    (OSError(1783, "The stub received bad data"), "OSError"),
]


@pytest.mark.parametrize(("exc", "reason"), ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
@pytest.mark.parametrize("operation", ["get", "set", "delete", "get_json", "set_json", "probe"])
def test_backend_failures_become_secure_storage_error(exc, reason, operation, caplog):
    store = TokenStore(Raising(exc), trust_backend=True)
    calls = {
        "get": lambda: store.get("xero:abc"),
        "set": lambda: store.set("xero:abc", SECRET),
        "delete": lambda: store.delete("xero:abc"),
        "get_json": lambda: store.get_json("xero:abc"),
        "set_json": lambda: store.set_json("xero:abc", {"refresh_token": SECRET}),
        "probe": lambda: store.probe(write=True),
    }
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SecureStorageError) as info:
        calls[operation]()
    error = info.value
    assert type(error) is SecureStorageError
    assert error.__cause__ is None and error.__suppress_context__
    assert reason in error.user_message("en")
    assert SECRET not in str(error) and SECRET not in error.user_message("en")
    assert SECRET not in caplog.text


def test_set_failure_text_is_redacted_even_in_detail():
    store = TokenStore(Raising(keyring.errors.PasswordSetError("x")), trust_backend=True)
    with pytest.raises(SecureStorageError) as info:
        store.set("qbtime:1", SECRET)
    assert "[redacted]" in info.value.detail and SECRET not in info.value.detail


def test_delete_of_missing_entry_is_fine():
    store = TokenStore(FakeSecretService())
    store.delete("xero:never-stored")


def test_delete_that_fails_while_the_entry_remains_is_an_error():
    @_unregistered
    class Stubborn(FakeSecretService):
        def delete_password(self, service, username):
            raise keyring.errors.PasswordDeleteError("refused")

    backend = Stubborn()
    store = TokenStore(backend)
    store.set("qbtime:1", SECRET)
    with pytest.raises(SecureStorageError) as info:
        store.delete("qbtime:1")
    assert "could not be removed" in info.value.user_message("en")


# -- round trips -----------------------------------------------------------------------------


def test_memory_backend_round_trip(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True)
    key = xero_grant_key("grant-1")
    assert key == "xero:grant-1"
    assert store.get(key) is None and store.get_json(key) is None
    tokens = {"access_token": "a1", "refresh_token": "r1", "expires_at": 1700000000, "scope": "x"}
    store.set_json(key, tokens)
    assert memory_keyring.store[(SERVICE, key)] == json.dumps(
        tokens, sort_keys=True, separators=(",", ":")
    )
    assert store.get_json(key) == tokens
    store.set_json(key, {**tokens, "refresh_token": "r2"})  # rotation replaces
    assert store.get_json(key)["refresh_token"] == "r2"
    qkey = qbtime_token_key("acme")
    assert qkey == "qbtime:acme"
    store.set(qkey, "S.4__token")
    assert store.get(qkey) == "S.4__token"
    store.delete(key)
    store.delete(key)  # twice: fine
    assert store.get(key) is None
    assert store.get(qkey) == "S.4__token"


def test_get_json_treats_non_objects_as_absent(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True)
    store.set("xero:a", "not json")
    store.set("xero:b", "[1, 2]")
    assert store.get_json("xero:a") is None
    assert store.get_json("xero:b") is None


@pytest.mark.parametrize("key", ["", "a#b", "tab\tkey", "x" * 201, None])
def test_bad_keys_are_refused(memory_keyring, key):
    store = TokenStore(memory_keyring, trust_backend=True)
    with pytest.raises(ValueError):
        store.set(key, "v")


def test_set_json_requires_a_mapping(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True)
    with pytest.raises(TypeError):
        store.set_json("xero:a", ["list"])
    with pytest.raises(TypeError):
        store.set("xero:a", 123)


def test_probe_leaves_nothing_behind(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True)
    store.probe(write=True)
    assert memory_keyring.store == {}


def test_custom_service_name(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True, service="other")
    store.set("xero:a", "v")
    assert memory_keyring.store == {("other", "xero:a"): "v"}


# -- values split into parts (Windows' 1,280-character limit) --------------------------------


def _jwt_like(length: int) -> str:
    return pyrandom.token_urlsafe(length)[:length]


def test_windows_backend_stores_a_real_sized_xero_token_set():
    backend = FakeWinVault()
    store = TokenStore(backend)
    tokens = {
        "access_token": _jwt_like(1500),
        "refresh_token": _jwt_like(64),
        "id_token": _jwt_like(1100),
    }
    store.set_json("xero:g", tokens)  # would raise OSError 1783 without parts
    assert store.get_json("xero:g") == tokens
    assert all(len(v.encode("utf-16-le")) <= 2560 for v in backend.store.values())
    store.delete("xero:g")
    assert backend.store == {}


def test_rotation_replaces_parts_and_cleans_the_old_generation(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True, max_part_length=10)
    store.set("xero:g", "A" * 35)
    first = set(memory_keyring.store)
    assert len(first) == 5  # header + 4 parts
    store.set("xero:g", "B" * 25)
    assert store.get("xero:g") == "B" * 25
    assert not (first - {(SERVICE, "xero:g")}) & set(memory_keyring.store)
    assert len(memory_keyring.store) == 4
    store.set("xero:g", "short")
    assert memory_keyring.store == {(SERVICE, "xero:g"): "short"}


def test_incomplete_parts_read_as_absent(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True, max_part_length=10)
    store.set("xero:g", "C" * 30)
    part = next(k for k in memory_keyring.store if "#part-" in k[1])
    del memory_keyring.store[part]
    assert store.get("xero:g") is None
    store.delete("xero:g")
    assert memory_keyring.store == {}


def test_a_value_looking_like_a_header_round_trips(memory_keyring):
    store = TokenStore(memory_keyring, trust_backend=True)
    store.set("qbtime:x", "xqb-parts/v1/abcd/3")
    assert store.get("qbtime:x") == "xqb-parts/v1/abcd/3"


@settings(max_examples=60, deadline=None)
@given(value=st.text(max_size=200), limit=st.integers(min_value=2, max_value=50))
def test_split_values_round_trip(value, limit):
    from tests.conftest import MemoryKeyring

    backend = MemoryKeyring()
    store = TokenStore(backend, trust_backend=True, max_part_length=limit)
    store.set("xero:h", value)
    assert store.get("xero:h") == value
    for (_, username), stored in backend.store.items():
        if "#part-" in username:
            assert len(stored.encode("utf-16-le")) // 2 <= limit
    store.delete("xero:h")
    assert backend.store == {}


# -- the real Secret Service (throwaway gnome-keyring under dbus-run-session) ---------------


@pytest.fixture
def real_service_name():
    return f"{SERVICE}-test-{pyrandom.token_hex(4)}"


@pytest.mark.keyring_integration
def test_real_secret_service_store_rotate_read_delete(secret_service, real_service_name):
    store = TokenStore(secret_service, service=real_service_name)
    store.probe(write=True)
    key = xero_grant_key("11111111-2222-3333-4444-555555555555")
    first = {
        "access_token": _jwt_like(1400),
        "refresh_token": "r-one",
        "expires_at": 1,
        "scope": "s",
    }
    store.set_json(key, first)
    assert store.get_json(key) == first
    rotated = {**first, "access_token": _jwt_like(1400), "refresh_token": "r-two"}
    store.set_json(key, rotated)
    assert store.get_json(key) == rotated
    assert secret_service.get_password(real_service_name, key) == json.dumps(
        rotated, sort_keys=True, separators=(",", ":")
    )  # one entry, no parts needed on the Secret Service
    qkey = qbtime_token_key("acme-demo")
    store.set(qkey, "S.4__qbtime-token")
    assert store.get(qkey) == "S.4__qbtime-token"
    store.delete(key)
    store.delete(qkey)
    store.delete(qkey)
    assert store.get(key) is None and store.get(qkey) is None


@pytest.mark.keyring_integration
def test_real_default_keyring_is_accepted(secret_service, real_service_name):
    store = TokenStore(service=real_service_name)
    assert isinstance(store.backend, SecretService.Keyring)
    store.set("qbtime:probe", "value")
    assert store.get("qbtime:probe") == "value"
    store.delete("qbtime:probe")
    assert store.get("qbtime:probe") is None
