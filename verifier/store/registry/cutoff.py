"""Enforce each registry call's total deadline on the socket it is using.

A socket timeout bounds each read, not their sum: a server trickling response headers or body
a byte at a time would keep a request going far past the deadline. So while a request holds a
connection, its socket is armed with the deadline of the call that sent it (bound to the
calling thread by :func:`deadline_scope`); one watchdog thread for the process shuts down
sockets whose deadline passed, which wakes any blocked read; the read then fails and is
reported as a timeout. A connection goes back to its pool disarmed, so a pool shared by calls
with different deadlines (``verifier serve``, one deadline per decision) enforces each call's
own, and an idle pooled connection is never cut.

NOTE: this used to start a ``threading.Timer`` per client, sleeping until its deadline. Under
``verifier serve`` that was one thread per uncached decision living 9 s: about 2,000 threads at
240 decisions/s, 78% of py-spy's samples in their ``Condition.wait``.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import ssl
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager

from verifier.store.deadline import Deadline

#: Bytes per write when sending a body: with urllib3's 16 KiB default a 200 MB push took
#: 1.2-1.5 s here, with 1 MiB 0.9-1.0 s.
SEND_BLOCK = 1 << 20

_calling = threading.local()


@contextlib.contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[None]:
    """Sockets this thread connects or sends on inside the block are armed with ``deadline``."""
    previous: Deadline | None = getattr(_calling, "deadline", None)
    _calling.deadline = deadline
    try:
        yield
    finally:
        _calling.deadline = previous


class Watchdog:
    """One thread that shuts down armed sockets when their deadline passes."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        #: id(socket) -> (token, expiry, socket); a token tells a re-arm from a stale entry.
        self._armed: dict[int, tuple[int, float, weakref.ref[socket.socket]]] = {}
        self._heap: list[tuple[float, int, int]] = []  # (expiry, token, id(socket))
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, sock: socket.socket, deadline: Deadline) -> None:
        """Shut ``sock`` down at ``deadline`` unless it is disarmed or re-armed first."""
        key = id(sock)
        expiry = deadline.expires_at
        with self._cond:
            token = next(self._tokens)
            self._armed[key] = (token, expiry, weakref.ref(sock))
            heapq.heappush(self._heap, (expiry, token, key))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="registry-deadline", daemon=True
                )
                self._thread.start()
            if self._heap[0][1] == token:
                self._cond.notify()

    def disarm(self, sock: socket.socket) -> None:
        """The socket's request is over: its connection went back to the pool.

        A connection closed instead stays armed until its deadline, harmlessly: http.client
        closes the connection of a ``Connection: close`` response before its body is read, so
        disarming there would let that body drip past the deadline.
        """
        with self._cond:
            self._armed.pop(id(sock), None)
            # Disarmed entries stay in the heap until they expire; keep it near the live size.
            if len(self._heap) > 2 * len(self._armed) + 256:
                self._heap = [(e, t, k) for k, (t, e, _) in self._armed.items()]
                heapq.heapify(self._heap)

    def _due(self) -> list[socket.socket]:
        """Pop the expired entries (waiting until one is); called with the lock held."""
        while True:
            now = time.monotonic()
            due: list[socket.socket] = []
            while self._heap and self._heap[0][0] <= now:
                _, token, key = heapq.heappop(self._heap)
                entry = self._armed.get(key)
                if entry is not None and entry[0] == token:
                    del self._armed[key]
                    sock = entry[2]()
                    if sock is not None:
                        due.append(sock)
            if due:
                return due
            self._cond.wait(self._heap[0][0] - now if self._heap else None)

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._due()
            for sock in due:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


WATCHDOG = Watchdog()


def _arm(sock: socket.socket | None) -> None:
    deadline: Deadline | None = getattr(_calling, "deadline", None)
    if sock is not None and deadline is not None:
        WATCHDOG.arm(sock, deadline)


def _disarm(sock: socket.socket | None) -> None:
    if sock is not None:
        WATCHDOG.disarm(sock)


class _TrackedHTTP(HTTPConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blocksize", SEND_BLOCK)
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        super().connect()
        _arm(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _arm(self.sock)  # a reused connection: this call's deadline (a new one arms in connect)
        super().request(*args, **kwargs)


class _TrackedHTTPS(HTTPSConnection):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blocksize", SEND_BLOCK)
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        super().connect()
        _arm(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _arm(self.sock)
        super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _TrackedHTTP

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _disarm(conn.sock)
        super()._put_conn(conn)


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _TrackedHTTPS

    def _put_conn(self, conn: Any) -> None:
        if conn is not None:
            _disarm(conn.sock)
        super()._put_conn(conn)


def deadline_pool_manager(pool_size: int, ca_file: Path | None) -> PoolManager:
    """Connection pools whose sockets are armed by :func:`deadline_scope`; TLS verified.

    ``pool_size``: connections kept per host; a manager shared by that many threads reuses
    them all instead of opening and dropping the extra ones. ``ca_file``: the CAs trusted for
    registries (default: the system's).
    """
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)
    manager = PoolManager(num_pools=16, maxsize=pool_size, ssl_context=context)
    manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
    return manager
