"""Loopback ports for tests: chosen by the OS, so parallel runs do not collide."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator


def free_ports(n: int) -> list[int]:
    """Ports free right now. Closed again on return: see `held` to keep the kernel off them."""
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def occupy(port: int) -> socket.socket:
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen(1)
    return s


@contextlib.contextmanager
def held(ports: list[int]) -> Iterator[None]:
    """Keep `ports` bound meanwhile, so a server started on port 0 is not handed one of them.

    The kernel hands out a port just freed again: a simulator started on port 0 after
    `free_ports` could take a port the test later means to find free, or to occupy.
    """
    socks = [occupy(p) for p in ports]
    try:
        yield
    finally:
        for s in socks:
            s.close()
