"""Enforce the one total deadline on every socket a registry client opens.

A socket timeout bounds each read, not their sum: a server trickling response headers or body
a byte at a time would keep a request going far past the deadline. The client's connections
are tracked here, and when the deadline passes a timer shuts every one of them down, which
wakes any blocked read; the read then fails and is reported as a timeout.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from verifier.store.deadline import Deadline

#: Bytes per write when sending a body: with urllib3's 16 KiB default a 200 MB push took
#: 1.2-1.5 s here, with 1 MiB 0.9-1.0 s.
SEND_BLOCK = 1 << 20


class DeadlineCutoff:
    """Tracks sockets and shuts them all down when the deadline passes."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def track(self, sock: socket.socket | None) -> None:
        """Remember a freshly connected socket; start the timer on the first one."""
        if sock is None:
            return
        with self._lock:
            self._sockets.add(sock)
            if self._timer is None:
                self._timer = threading.Timer(self.deadline.remaining, self._cut)
                self._timer.daemon = True
                self._timer.start()

    def _cut(self) -> None:
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def adapter(self) -> HTTPAdapter:
        """A requests adapter (no retries) whose connections report to this cutoff."""
        cutoff = self

        class TrackedHTTP(HTTPConnection):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs.setdefault("blocksize", SEND_BLOCK)
                super().__init__(*args, **kwargs)

            def connect(self) -> None:
                super().connect()
                cutoff.track(self.sock)

        class TrackedHTTPS(HTTPSConnection):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs.setdefault("blocksize", SEND_BLOCK)
                super().__init__(*args, **kwargs)

            def connect(self) -> None:
                super().connect()
                cutoff.track(self.sock)

        class HTTPPool(HTTPConnectionPool):
            ConnectionCls = TrackedHTTP

        class HTTPSPool(HTTPSConnectionPool):
            ConnectionCls = TrackedHTTPS

        class Adapter(HTTPAdapter):
            def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
                super().init_poolmanager(*args, **kwargs)
                self.poolmanager.pool_classes_by_scheme = {"http": HTTPPool, "https": HTTPSPool}

        return Adapter(max_retries=0)
