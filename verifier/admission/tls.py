"""The server's TLS context, reloaded when the certificate or key files change.

Kubernetes rotates a mounted Secret by swapping a symlink (cert-manager renews before expiry),
so we watch the files' identity (inode, size, mtime, following symlinks) and, on a change,
load the new pair into the live :class:`ssl.SSLContext`: connections already open keep their
session; new handshakes get the new certificate, without a restart. A pair that does not load
(half written, key not matching) is refused and logged, and the old one keeps serving.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from pathlib import Path

from verifier.errors import InputError

log = logging.getLogger("verifier.serve")

_Stamp = tuple[tuple[int, int, int], tuple[int, int, int]]


def _new_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    return context


class ReloadingTLS:
    """A server SSLContext bound to a certificate file and a key file."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.cert = cert
        self.key = key
        self.reloads = 0
        self._stamp = self._read_stamp()
        self.context = _new_context()
        self._load_into(self.context)

    def _read_stamp(self) -> _Stamp:
        try:
            c, k = self.cert.stat(), self.key.stat()
        except OSError as exc:
            raise InputError(f"TLS file unreadable: {exc.filename}: {exc.strerror}") from exc
        return (c.st_ino, c.st_size, c.st_mtime_ns), (k.st_ino, k.st_size, k.st_mtime_ns)

    def _load_into(self, context: ssl.SSLContext) -> None:
        try:
            context.load_cert_chain(certfile=self.cert, keyfile=self.key)
        except (OSError, ssl.SSLError) as exc:
            raise InputError(
                f"cannot load TLS certificate {self.cert} with key {self.key}: {exc}"
            ) from exc

    def check(self) -> bool:
        """Reload when the files changed; True when a new pair is now served."""
        try:
            stamp = self._read_stamp()
        except InputError as exc:
            log.error("tls files unreadable; serving the previous certificate: %s", exc)
            return False
        if stamp == self._stamp:
            return False
        try:
            self._load_into(_new_context())  # validate on a scratch context first
            self._load_into(self.context)
        except InputError as exc:
            log.error("tls reload refused; serving the previous certificate: %s", exc)
            return False
        self._stamp = stamp
        self.reloads += 1
        log.info("tls certificate reloaded", extra={"fields": {"cert": str(self.cert)}})
        return True

    async def watch(self, interval_seconds: float) -> None:
        """Check the files every ``interval_seconds`` until cancelled."""
        while True:
            await asyncio.sleep(interval_seconds)
            self.check()
