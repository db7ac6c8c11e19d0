"""Run the webhook: HTTPS on uvicorn, certificate reload, graceful shutdown.

uvicorn is the ASGI server (a dependency chosen for this): a maintained, production HTTP/1.1
server (h11) with TLS through the standard ``ssl`` module, connection and keep-alive limits,
and graceful shutdown on SIGTERM: stop accepting, let reviews in flight finish (up to
``graceful_seconds``), then exit. We hand it our own SSLContext so that certificates can be
reloaded in place (:mod:`verifier.admission.tls`).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn

from verifier.admission.tls import ReloadingTLS
from verifier.admission.webhook import WebhookApp
from verifier.errors import InputError

log = logging.getLogger("verifier.serve")


@dataclass(frozen=True)
class ServerOptions:
    """Where and how to listen."""

    tls_cert: Path
    tls_key: Path
    host: str = "0.0.0.0"  # noqa: S104 - a webhook Pod listens on its Pod IP
    port: int = 8443
    graceful_seconds: float = 10.0
    tls_reload_seconds: float = 5.0
    max_connections: int = 1000
    keep_alive_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not 0 <= self.port < 65536:
            raise InputError(f"port {self.port} is not between 0 (any free port) and 65535")
        if self.tls_reload_seconds <= 0 or self.graceful_seconds < 0:
            raise InputError("TLS reload interval must be > 0 and graceful shutdown >= 0 s")


class _DrainingServer(uvicorn.Server):
    """uvicorn's server, exiting 0 after a graceful shutdown on SIGTERM or SIGINT.

    NOTE: uvicorn re-raises the captured signal once it has shut down, so the process dies by
    the signal (exit -15) after draining cleanly; a drained webhook has nothing to report.
    """

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Start the graceful shutdown; a second SIGINT forces it."""
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


class WebhookServer:
    """uvicorn serving a :class:`WebhookApp` over HTTPS with a reloading certificate."""

    def __init__(self, app: WebhookApp, options: ServerOptions) -> None:
        self.app = app
        self.options = options
        self.tls = ReloadingTLS(options.tls_cert, options.tls_key)

        def ssl_context(_config: Any, _default: Any) -> ssl.SSLContext:
            return self.tls.context

        self.config = uvicorn.Config(
            app,
            host=options.host,
            port=options.port,
            ssl_context_factory=ssl_context,
            lifespan="on",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=int(options.graceful_seconds) or None,
            timeout_keep_alive=int(options.keep_alive_seconds),
            limit_concurrency=options.max_connections,
            http="h11",
            loop="asyncio",
        )
        self.server = _DrainingServer(self.config)

    @property
    def started(self) -> bool:
        """True once the listening socket is bound."""
        return bool(self.server.started)

    def bound_port(self) -> int:
        """The port actually bound (useful with port 0)."""
        for server in self.server.servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        raise RuntimeError("server not started")

    def stop(self) -> None:
        """Ask for a graceful shutdown (what SIGTERM does)."""
        self.server.should_exit = True

    async def serve(self) -> None:
        """Serve until asked to stop; reload certificates meanwhile."""
        watcher = asyncio.create_task(self.tls.watch(self.options.tls_reload_seconds))
        log.info(
            "serving",
            extra={"fields": {"host": self.options.host, "port": self.options.port}},
        )
        try:
            await self.server.serve()
        finally:
            self.app.shutting_down = True
            watcher.cancel()
            log.info("stopped")
