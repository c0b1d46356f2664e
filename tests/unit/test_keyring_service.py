"""The test harness itself: a real Secret Service for keyring_integration tests, memory otherwise."""

import keyring
import pytest


def test_default_keyring_is_in_memory(memory_keyring):
    assert type(keyring.get_keyring()).__name__ == "MemoryKeyring"
    keyring.set_password("svc", "user", "secret-value")
    assert memory_keyring.store[("svc", "user")] == "secret-value"


@pytest.mark.keyring_integration
def test_real_secret_service_round_trip(secret_service):
    secret_service.set_password("xqb-test", "account", "first")
    assert secret_service.get_password("xqb-test", "account") == "first"
    secret_service.set_password("xqb-test", "account", "rotated")
    assert secret_service.get_password("xqb-test", "account") == "rotated"
    secret_service.delete_password("xqb-test", "account")
    assert secret_service.get_password("xqb-test", "account") is None
