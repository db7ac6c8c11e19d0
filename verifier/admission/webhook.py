"""The ASGI application: ``/validate``, ``/healthz``, ``/readyz``, ``/metrics``.

A plain ASGI callable (no web framework): four routes do not need one. Bad input never gets a
traceback: a body over the limit is 413, a body that is not JSON or not an AdmissionReview is
400 with a JSON error, a review that parses but cannot be judged (no uid aside) is answered as
an AdmissionReview denial with code 400. The body must arrive within the decision deadline.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from verifier.admission.decisions import AdmissionDecisions, ReviewResult
from verifier.admission.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from verifier.admission.review import deny, parse_review, request_uid
from verifier.errors import VerifierError
from verifier.store.registry.connections import RegistryConnections

log = logging.getLogger("verifier.serve")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Kubernetes objects are at most ~1.5 MiB in etcd; an UPDATE review carries two of them.
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024
JSON = b"application/json"


class BodyTooLarge(Exception):
    """The request body passed the limit."""


async def _respond(send: Send, status: int, body: bytes, content_type: bytes = JSON) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _error_body(message: str) -> bytes:
    return json.dumps({"error": message}, separators=(",", ":")).encode()


class WebhookApp:
    """The webhook's HTTP surface over :class:`AdmissionDecisions`."""

    def __init__(
        self,
        decisions: AdmissionDecisions,
        *,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        connections: RegistryConnections | None = None,
    ) -> None:
        """``connections``: the registry connections the decider uses (for /metrics)."""
        self.decisions = decisions
        self.connections = connections
        self.metrics = decisions.metrics
        self.max_body_bytes = max_body_bytes
        self.shutting_down = False

    def ready(self) -> bool:
        """Ready for traffic: policies and trust loaded, and not shutting down."""
        return not self.shutting_down and self.decisions.decider.ready()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path, method = scope["path"], scope["method"]
        status = await self._route(path, method, scope, receive, send)
        known = path if path in ("/validate", "/healthz", "/readyz", "/metrics") else "other"
        self.metrics.request(known, status)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.shutting_down = True
                self.decisions.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _route(
        self, path: str, method: str, scope: Scope, receive: Receive, send: Send
    ) -> int:
        routes = {"/validate": "POST", "/healthz": "GET", "/readyz": "GET", "/metrics": "GET"}
        if path not in routes:
            await _respond(send, 404, _error_body(f"no such endpoint {path}"))
            return 404
        if method != routes[path] and not (method == "HEAD" and routes[path] == "GET"):
            await _respond(send, 405, _error_body(f"{path} accepts {routes[path]} only"))
            return 405
        if path == "/healthz":
            await _respond(send, 200, b"ok\n", b"text/plain")
            return 200
        if path == "/readyz":
            ready = self.ready()
            await _respond(
                send, 200 if ready else 503, b"ready\n" if ready else b"not ready\n", b"text/plain"
            )
            return 200 if ready else 503
        if path == "/metrics":
            content = self.connections.content_stats() if self.connections else None
            body = self.metrics.render(self.decisions.cache.stats(), content)
            await _respond(send, 200, body, METRICS_CONTENT_TYPE.encode())
            return 200
        return await self._validate(scope, receive, send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                raise BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ConnectionError("client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _validate(self, scope: Scope, receive: Receive, send: Send) -> int:
        started = time.perf_counter()
        self.metrics.in_flight += 1
        try:
            status, fields = await self._validate_body(scope, receive, send)
        finally:
            self.metrics.in_flight -= 1
        elapsed = time.perf_counter() - started
        self.metrics.observe_latency(elapsed)
        fields["duration_ms"] = round(elapsed * 1000, 3)
        fields["status"] = status
        log.info("admission review", extra={"fields": fields})
        return status

    async def _validate_body(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[int, dict[str, Any]]:
        content_type = dict(scope["headers"]).get(b"content-type", b"")
        if content_type.split(b";")[0].strip().lower() != JSON:
            message = "Content-Type must be application/json"
            await _respond(send, 415, _error_body(message))
            return 415, {"error": message}
        try:
            body = await asyncio.wait_for(
                self._read_body(scope, receive), timeout=self.decisions.limits.deadline_seconds
            )
        except BodyTooLarge:
            message = f"request body over {self.max_body_bytes} bytes"
            await _respond(send, 413, _error_body(message))
            return 413, {"error": message}
        except TimeoutError:
            message = "request body not received within the deadline"
            await _respond(send, 408, _error_body(message))
            return 408, {"error": message}
        except ConnectionError:
            return 499, {"error": "client disconnected"}
        try:
            document = json.loads(body)
        except (ValueError, RecursionError) as exc:
            message = f"body is not JSON: {type(exc).__name__}"
            await _respond(send, 400, _error_body(message))
            return 400, {"error": message}
        uid = request_uid(document)
        try:
            request = parse_review(document)
        except VerifierError as exc:
            if uid is None:
                await _respond(send, 400, _error_body(str(exc)))
                return 400, {"error": str(exc)}
            response = deny(uid, f"malformed AdmissionReview: {exc}", code=400)
            self.metrics.review(False)
            await _respond(send, 200, response.to_json())
            return 200, {"uid": uid, "allowed": False, "error": str(exc)}
        result: ReviewResult = await self.decisions.review(request)
        self.metrics.review(result.response.allowed)
        await _respond(send, 200, result.response.to_json())
        return 200, {
            "uid": request.uid,
            "kind": str(request.kind),
            "namespace": request.namespace,
            "name": request.name,
            "operation": request.operation.value,
            "dryRun": request.dry_run,
            "allowed": result.response.allowed,
            "message": result.response.message,
            "warnings": list(result.response.warnings),
            "decisions": [
                {
                    "image": d.image,
                    "result": d.outcome.value,
                    "rule": d.rule,
                    "route": d.route.value,
                }
                for d in result.decisions
            ],
        }
