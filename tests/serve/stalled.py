"""A 'registry' on 127.0.0.1 that accepts TCP connections and never answers."""

from __future__ import annotations

import socket
import threading


class StalledServer:
    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2/app/referrers/sha256:{'a' * 64}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)  # held open, never read from, never answered

    def close(self) -> None:
        self.listener.close()
        for conn in self.accepted:
            conn.close()
