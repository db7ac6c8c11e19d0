"""HTTP to one registry: one total deadline, Basic and Bearer challenges, one-line errors.

NOTE: this goes beneath oras-py on purpose. oras wraps every request in a retry decorator
(5 attempts, sleeps of ``2 + 3**n`` s, 131 s to fail on a closed port), its token backend
loops on Basic challenges, ``upload_manifest`` cannot push an index and hard-codes the
Content-Type, and ``Subject.from_manifest`` re-serializes JSON (measured.md Q4). We speak the
distribution API directly with urllib3 and keep every byte and digest as the registry has it.

NOTE: urllib3 rather than ``requests``: requests added 0.18 ms of CPU to every registry call
(0.40 vs 0.22 ms per manifest GET, same registry, single thread), a third of what
``verifier serve`` spent deciding an image from the registry (docs/serve.md "Load").
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Protocol, cast
from urllib.parse import urlencode, urljoin

from urllib3 import BaseHTTPResponse
from urllib3.exceptions import HTTPError, MaxRetryError, NewConnectionError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.poolmanager import PoolManager
from urllib3.util import Retry, Timeout

from verifier.store.deadline import Deadline
from verifier.store.errors import AuthenticationFailed, NotFound, StoreError, StoreTimeout
from verifier.store.registry.auth import Credentials, find_credentials, parse_challenge
from verifier.store.registry.connections import RegistryConnection, new_pools
from verifier.store.registry.cutoff import deadline_scope

CHUNK = 1 << 20
MAX_TOKEN_ANSWER = 1 << 20
#: Pauses before retrying a replayable request that got a 5xx: short, and few.
RETRY_SLEEPS = (0.05, 0.2, 0.5)
_ERRNO_RE = re.compile(r"\[Errno -?\d+\] [^'\")]+")


#: No retries of failed connections or reads (the deadline decides, RETRY_SLEEPS handles 5xx);
#: redirects followed (blob storage), the Authorization header dropped when they leave the host.
_RETRIES = Retry(total=None, connect=0, read=0, other=0, status=0, redirect=10)
_NEXT_LINK_RE = re.compile(r'<([^>]*)>\s*;[^,]*\brel="?next"?', re.IGNORECASE)


def _cause(exc: BaseException) -> BaseException:
    """The error under urllib3's "max retries exceeded" wrapper."""
    while isinstance(exc, MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    return exc


def _is_timeout(exc: BaseException) -> bool:
    cause = _cause(exc)
    # urllib3 derives "connection refused" (NewConnectionError) from its connect timeout.
    return isinstance(cause, Urllib3Timeout | socket.timeout) and not isinstance(
        cause, NewConnectionError
    )


def _reason(exc: BaseException) -> str:
    text = str(_cause(exc))
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "TLS certificate verification failed (give the CA with --ca-file)"
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return "TLS handshake failed (is it plain HTTP? see --unsafe-plain-http)"
    match = _ERRNO_RE.search(text)
    if match:
        return match.group(0).strip()
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the connection was closed without an answer"
    return type(_cause(exc)).__name__


class Response:
    """One registry answer: status, headers, and a body read whole or streamed once."""

    def __init__(self, raw: BaseHTTPResponse, *, streamed: bool) -> None:
        self.raw = raw
        self.streamed = streamed
        self.status_code = raw.status
        self.headers = raw.headers
        self.reason = raw.reason or ""
        self._content: bytes | None = None

    @property
    def content(self) -> bytes:
        """The whole body (read once, then kept)."""
        if self._content is None:
            self._content = self.raw.data
            self.raw.release_conn()
        return self._content

    def json(self) -> Any:
        """The body parsed as JSON; ValueError when it is not."""
        return json.loads(self.content)

    def iter_content(self, size: int) -> Iterator[bytes]:
        """The body in chunks of up to ``size`` bytes."""
        if self.streamed and self._content is None:
            yield from self.raw.stream(size)
        elif self.content:
            yield self.content

    def next_link(self) -> str | None:
        """The ``Link: <...>; rel="next"`` target (paging), if any."""
        match = _NEXT_LINK_RE.search(self.headers.get("Link", ""))
        return match.group(1) if match else None

    def head(self, limit: int) -> bytes:
        """At most ``limit`` bytes of the body, for an error message; b"" if it cannot be read.

        Never more: an error answer may be endless. What is left unread drops the connection
        when the response is closed.
        """
        if self._content is not None:
            return self._content[:limit]
        if not self.streamed:
            return self.raw.data[:limit]
        try:
            data = self.raw.read(limit)
        except (HTTPError, OSError):
            return b""
        if len(data) < limit:
            self._content = data  # the whole body: the connection can go back to the pool
        return data

    def close(self) -> None:
        """Give the connection back when the body was read, else drop it."""
        if self._content is None:
            self.raw.close()
        self.raw.release_conn()


def registry_message(resp: Response) -> str:
    """The registry's error code and message, or the start of its answer: one line."""
    head = resp.head(65536)
    try:
        body = json.loads(head)
        first = body["errors"][0]
        return f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError):
        text = head[:200].decode(errors="replace").strip()
        return text.splitlines()[0] if text else resp.reason


def _drain(resp: Response) -> None:
    """Read a small body before closing, so the connection goes back to the pool.

    Closing a streamed response that was not read drops its connection; a reconnect per
    "404 no referrers API" made walks over many referrers pay a TCP handshake each.
    """
    length = resp.headers.get("Content-Length", "")
    if length.isdigit() and int(length) <= 65536:
        with contextlib.suppress(HTTPError, OSError):
            _ = resp.content
    resp.close()


#: Docker Hub's name for people and the host that serves its API (as docker and oras map it).
DOCKER_HUB_NAMES = ("docker.io", "index.docker.io")
DOCKER_HUB_API = "registry-1.docker.io"


def api_host(host: str) -> str:
    """The host that serves ``/v2/`` for a registry name: Docker Hub is the one exception."""
    return DOCKER_HUB_API if host in DOCKER_HUB_NAMES else host


class SizedReader(Protocol):
    """A request body read block by block, whose length is known up front."""

    def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes; b"" at the end."""
        ...

    def __len__(self) -> int:
        """Total length in bytes."""
        ...


class RegistryClient:
    """Requests to ``https://HOST/v2/...`` (or plain HTTP when allowed) under one deadline."""

    def __init__(
        self,
        host: str,
        deadline: Deadline,
        *,
        plain_http: bool = False,
        ca_file: Path | None = None,
        shared: RegistryConnection | None = None,
    ) -> None:
        self.host = host
        self.deadline = deadline
        self.base = f"{'http' if plain_http else 'https'}://{api_host(host)}"
        #: A long-lived connection shared with other clients of this registry, or None.
        self.shared = shared
        self.pools: PoolManager = shared.pools if shared is not None else new_pools(ca_file)
        self._credentials: Credentials | None = None
        self._credentials_loaded = False
        self._authorization: str | None = None
        self._tokens: dict[str, str] = {}

    # -- authentication ----------------------------------------------------------------------

    def _creds(self) -> Credentials | None:
        if not self._credentials_loaded:
            self._credentials = find_credentials(self.host, self.deadline.check(self.host))
            self._credentials_loaded = True
        return self._credentials

    def _answer_challenge(self, resp: Response) -> bool:
        """Set an Authorization for the challenge in ``resp``; False when we cannot answer it."""
        challenge = parse_challenge(resp.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            return False
        creds = self._creds()
        if challenge.scheme == "basic":
            if creds is None:
                raise AuthenticationFailed(
                    f"registry {self.host}: needs credentials (set VERIFIER_REGISTRY_USERNAME "
                    "and VERIFIER_REGISTRY_PASSWORD, or a Docker config)"
                )
            header = creds.basic_header()
            if header == self._authorization:
                return False  # these credentials were already refused
            self._authorization = header
            return True
        if challenge.scheme == "bearer":
            return self._fetch_token(challenge.params, creds)
        raise AuthenticationFailed(
            f"registry {self.host}: unsupported authentication scheme {challenge.scheme!r}"
        )

    def _fetch_token(self, params: Mapping[str, str], creds: Credentials | None) -> bool:
        realm = params.get("realm", "")
        if not realm.startswith(("https://", "http://")):
            raise AuthenticationFailed(f"registry {self.host}: Bearer realm {realm!r} is not a URL")
        scope = params.get("scope", "")
        cached = self._tokens.get(scope)
        if cached is not None and f"Bearer {cached}" != self._authorization:
            self._authorization = f"Bearer {cached}"
            return True
        query = {k: v for k, v in (("service", params.get("service")), ("scope", scope)) if v}
        headers = {"Authorization": creds.basic_header()} if creds else {}
        sep = "&" if "?" in realm else "?"
        url = f"{realm}{sep}{urlencode(query)}" if query else realm
        try:
            with deadline_scope(self.deadline):
                resp = Response(
                    self.pools.request(
                        "GET",
                        url,
                        headers=headers,
                        timeout=self._timeouts(),
                        retries=_RETRIES,
                        preload_content=False,
                    ),
                    streamed=True,
                )
        except HTTPError as exc:
            if _is_timeout(exc):
                raise self._timeout() from None
            raise StoreError(
                f"registry {self.host}: token service {realm}: {_reason(exc)}"
            ) from exc
        # A token is a few KiB; a token service answering more gets no further read.
        data = resp.head(MAX_TOKEN_ANSWER) if resp.status_code == 200 else b""
        resp.close()
        if resp.status_code in (401, 403):
            who = f"user {creds.username!r}" if creds else "anonymous access"
            raise AuthenticationFailed(f"registry {self.host}: token service refused {who}")
        if resp.status_code != 200:
            raise StoreError(
                f"registry {self.host}: token service {realm} answered HTTP {resp.status_code}"
            )
        try:
            body = json.loads(data)
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError, RecursionError):  # not JSON, not an object, too deep
            token = None
        if not isinstance(token, str) or not token:
            raise StoreError(f"registry {self.host}: token service {realm} gave no token")
        self._tokens[scope] = token
        self._authorization = f"Bearer {token}"
        return True

    # -- requests ----------------------------------------------------------------------------

    def _timeouts(self) -> Timeout:
        left = self.deadline.check(f"registry {self.host}")
        return Timeout(connect=left, read=left)

    def _timeout(self) -> StoreTimeout:
        return StoreTimeout(
            f"registry {self.host}: no answer within the {self.deadline.seconds:g}s deadline "
            "(--timeout)"
        )

    def url(self, path: str) -> str:
        """Absolute URL for a ``/v2/...`` path or a Location header (which may be relative)."""
        return urljoin(self.base + "/", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        expected: tuple[int, ...],
        headers: Mapping[str, str] | None = None,
        data: bytes | SizedReader | None = None,
        stream: bool = False,
        what: str = "",
    ) -> Response:
        """Send one request, answering one auth challenge; map failures to one-line errors.

        A 404 raises NotFound unless 404 is in ``expected``. A streamed body can be sent once
        only: callers make an authenticated request before streaming one. Replayable requests
        are retried on 5xx a few times (distribution 2.8 answers 500 while another writer is
        rewriting the same tag), briefly and always within the deadline.
        """
        url = self.url(path)
        label = what or f"{method} {url}"
        replayable = data is None or isinstance(data, bytes)
        challenged = False
        for attempt in range(1 + len(RETRY_SLEEPS)):
            sent = dict(headers or {})
            if self._authorization:
                sent["Authorization"] = self._authorization
            if data is not None and not isinstance(data, bytes):
                sent["Content-Length"] = str(len(data))  # streamed, but not chunked
            try:
                with deadline_scope(self.deadline):
                    resp = Response(
                        self.pools.request(
                            method,
                            url,
                            headers=sent,
                            body=cast("bytes | IO[bytes] | None", data),
                            preload_content=not stream,
                            timeout=self._timeouts(),
                            retries=_RETRIES,
                        ),
                        streamed=stream,
                    )
            except (HTTPError, OSError) as exc:
                if _is_timeout(exc) or self.deadline.remaining <= 0:
                    raise self._timeout() from None
                raise StoreError(f"registry {self.host}: {label}: {_reason(exc)}") from exc
            if resp.status_code == 401 and not challenged and replayable:
                challenged = True
                if self._answer_challenge(resp):
                    _drain(resp)
                    continue
            if resp.status_code >= 500 and replayable and attempt < len(RETRY_SLEEPS):
                pause = RETRY_SLEEPS[attempt]
                if self.deadline.remaining > pause:
                    _drain(resp)
                    time.sleep(pause)
                    continue
            break
        if resp.status_code in expected:
            if stream and resp.status_code != 200:
                _drain(resp)  # a 404 the caller expects: keep the connection reusable
            return resp
        detail = registry_message(resp)
        resp.close()
        if resp.status_code == 401:
            creds = self._credentials
            who = f"as {creds.username!r} ({creds.origin})" if creds else "without credentials"
            raise AuthenticationFailed(
                f"registry {self.host}: authentication failed {who}: {detail or 'unauthorized'}"
            )
        if resp.status_code == 403:
            raise AuthenticationFailed(f"registry {self.host}: {label}: denied: {detail}")
        if resp.status_code == 404:
            raise NotFound(f"registry {self.host}: {label}: not found ({detail})")
        raise StoreError(f"registry {self.host}: {label}: HTTP {resp.status_code} {detail}".strip())

    def iter_body(self, resp: Response, label: str) -> Iterator[bytes]:
        """Stream a response body, never past the deadline."""
        try:
            for chunk in resp.iter_content(CHUNK):
                self.deadline.check(f"registry {self.host}: {label}")
                yield chunk
            self.deadline.check(f"registry {self.host}: {label}")
        except (HTTPError, OSError) as exc:
            if self.deadline.remaining <= 0 or _is_timeout(exc) or "timed out" in str(exc):
                raise self._timeout() from None
            raise StoreError(f"registry {self.host}: {label}: {_reason(exc)}") from exc
        finally:
            resp.close()

    def read_body(self, resp: Response, limit: int, label: str) -> bytes:
        """The whole body, refusing more than ``limit`` bytes (checked before and while reading)."""
        declared = resp.headers.get("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            resp.close()
            raise StoreError(
                f"registry {self.host}: {label}: {declared} bytes, over the {limit} byte limit"
            )
        parts: list[bytes] = []
        size = 0
        for chunk in self.iter_body(resp, label):
            size += len(chunk)
            if size > limit:
                resp.close()
                raise StoreError(f"registry {self.host}: {label}: over the {limit} byte limit")
            parts.append(chunk)
        return b"".join(parts)
