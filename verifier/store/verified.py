"""Streaming digest checks: bytes are hashed as they pass, and trusted only when they match."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from verifier.store.errors import DigestMismatch
from verifier.store.oci import Descriptor

CHUNK = 1 << 20


def verified_chunks(chunks: Iterable[bytes], expected: Descriptor, where: str) -> Iterator[bytes]:
    """Pass chunks through; DigestMismatch once the size or, at the end, the digest is off.

    The last chunk is held back until the digest checks out, so a consumer that writes what it
    receives never sees the tail of bad content as if it were complete.
    """
    h = expected.digest.algorithm.new()
    seen = 0
    pending: bytes | None = None
    for chunk in chunks:
        if not chunk:
            continue
        seen += len(chunk)
        if seen > expected.size:
            raise DigestMismatch(
                f"{where}: blob {expected.digest} is longer than its {expected.size} bytes"
            )
        h.update(chunk)
        if pending is not None:
            yield pending
        pending = chunk
    if seen != expected.size:
        raise DigestMismatch(
            f"{where}: blob {expected.digest} has {seen} bytes, expected {expected.size}"
        )
    actual = h.hexdigest()
    if actual != expected.digest.hex:
        raise DigestMismatch(
            f"{where}: blob {expected.digest} does not match its content "
            f"({expected.digest.algorithm.value}:{actual})"
        )
    if pending is not None:
        yield pending


def counted_chunks(chunks: Iterable[bytes], expected: Descriptor, where: str) -> Iterator[bytes]:
    """Pass chunks through, DigestMismatch when their total is not the descriptor's size.

    For a receiver that hashes what it gets (a registry upload), counting is the part we must
    do: a short or long body would leave the request hanging or the connection corrupt.
    """
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > expected.size:
            raise DigestMismatch(
                f"{where}: blob {expected.digest} is longer than its {expected.size} bytes"
            )
        yield chunk
    if seen != expected.size:
        raise DigestMismatch(
            f"{where}: blob {expected.digest} has {seen} bytes, expected {expected.size}"
        )


def file_chunks(path: Path, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """Read a file in fixed-size chunks."""
    with path.open("rb") as stream:
        while block := stream.read(chunk_size):
            yield block


def write_atomically(chunks: Iterable[bytes], dest: Path) -> None:
    """Write chunks to a temporary file beside ``dest`` and rename it only when all arrived."""
    fd, tmp = tempfile.mkstemp(prefix=".partial-", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        Path(tmp).replace(dest)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
