"""Registry connections shared across stores: each call keeps its own deadline."""

from __future__ import annotations

import socket
import time

import pytest

from tests.store.faults import faulty_registry
from verifier.store.deadline import Deadline
from verifier.store.errors import StoreTimeout
from verifier.store.registry.connections import RegistryConnections
from verifier.store.registry.cutoff import Watchdog
from verifier.store.registry.store import RegistryStore


def test_watchdog_cuts_an_armed_socket_at_its_deadline_only() -> None:
    watchdog = Watchdog()
    cut, spared = socket.socketpair(), socket.socketpair()
    try:
        watchdog.arm(cut[0], Deadline(0.2))
        watchdog.arm(spared[0], Deadline(0.2))
        watchdog.disarm(spared[0])  # its request ended: back in the pool, no longer bounded
        cut[0].settimeout(5)
        started = time.monotonic()
        assert cut[0].recv(1) == b""  # shut down: the blocked read wakes up
        assert time.monotonic() - started < 2
        spared[1].sendall(b"x")
        spared[0].settimeout(5)
        assert spared[0].recv(1) == b"x"
    finally:
        for sock in (*cut, *spared):
            sock.close()


def test_rearming_replaces_the_earlier_deadline() -> None:
    watchdog = Watchdog()
    a, b = socket.socketpair()
    try:
        watchdog.arm(a, Deadline(0.1))
        watchdog.arm(a, Deadline(30))  # reused by a later call with its own deadline
        time.sleep(0.4)
        b.sendall(b"x")
        a.settimeout(5)
        assert a.recv(1) == b"x"
    finally:
        a.close()
        b.close()


@pytest.mark.parametrize("mode", ["drip", "stall"])
def test_a_shared_connection_obeys_each_stores_deadline(mode: str) -> None:
    connections = RegistryConnections()
    with faulty_registry(mode) as host:
        shared = connections.get(host, plain_http=True, ca_file=None)
        for _ in range(2):  # the second store reuses the pools with a fresh deadline
            store = RegistryStore(host, "app", Deadline(1), plain_http=True, shared=shared)
            assert store.client.pools is shared.pools
            started = time.monotonic()
            with pytest.raises(StoreTimeout):
                store.get_manifest("v1")
            assert time.monotonic() - started < 3


def test_one_connection_per_registry_and_tls_choice() -> None:
    connections = RegistryConnections()
    first = connections.get("reg.example", plain_http=False, ca_file=None)
    assert connections.get("reg.example", plain_http=False, ca_file=None) is first
    assert connections.get("reg.example", plain_http=True, ca_file=None) is not first
    assert connections.get("other.example", plain_http=False, ca_file=None) is not first
