"""Keyring entry names, as the tests find them in a memory keyring."""

from __future__ import annotations


def pair_entry(keyring, kind: str, pair: int) -> str:
    """The name of pair ``pair``'s ``kind`` ("xero", "qbtime") keyring entry: the pair's id
    and its database's mark (``core.store.secrets.pair_xero_key``); "" when it has none."""
    names = [u for (_s, u) in keyring.store if u.startswith(f"{kind}:pair-{pair}@")]
    assert len(names) <= 1, names
    return names[0] if names else ""
