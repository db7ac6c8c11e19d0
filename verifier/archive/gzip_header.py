"""The gzip member header (RFC 1952 section 2.3): the fields that make gzip output vary."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

from verifier.archive.limits import ArchiveError

_FTEXT, _FHCRC, _FEXTRA, _FNAME, _FCOMMENT = 1, 2, 4, 8, 16
_MAX_FIELD = 64 * 1024


@dataclass(frozen=True)
class GzipHeader:
    """Header fields of the first gzip member.

    ``name`` is the original file name (FNAME), ``mtime`` the recorded modification time
    (0 = none), ``xfl`` the compression-level hint, ``os`` the creating system (255 unknown).
    """

    name: str | None
    mtime: int
    os: int
    xfl: int
    flags: int
    comment: str | None
    extra: bytes | None

    def fields(self) -> tuple[tuple[str, str | int], ...]:
        """The header as sorted ``(key, value)`` pairs, prefixed ``gzip.``."""
        return (
            ("gzip.comment", self.comment or ""),
            ("gzip.extra", (self.extra or b"").hex()),
            ("gzip.flags", self.flags),
            ("gzip.mtime", self.mtime),
            ("gzip.name", self.name or ""),
            ("gzip.os", self.os),
            ("gzip.xfl", self.xfl),
        )


def _cstring(stream: IO[bytes], label: str, what: str) -> bytes:
    out = bytearray()
    while True:
        byte = stream.read(1)
        if not byte:
            raise ArchiveError(f"{label}: truncated gzip header ({what})")
        if byte == b"\0":
            return bytes(out)
        out += byte
        if len(out) > _MAX_FIELD:
            raise ArchiveError(f"{label}: gzip header {what} is longer than {_MAX_FIELD} bytes")


def read_gzip_header(stream: IO[bytes], label: str) -> GzipHeader:
    """Parse the header at the stream's position; ArchiveError when it is not gzip."""
    fixed = stream.read(10)
    if len(fixed) < 10 or fixed[:2] != b"\x1f\x8b":
        raise ArchiveError(f"{label}: not a gzip stream")
    if fixed[2] != 8:
        raise ArchiveError(f"{label}: gzip compression method {fixed[2]} is not deflate")
    flags = fixed[3]
    (mtime,) = struct.unpack("<I", fixed[4:8])
    extra = None
    if flags & _FEXTRA:
        raw_len = stream.read(2)
        if len(raw_len) < 2:
            raise ArchiveError(f"{label}: truncated gzip header (extra length)")
        (length,) = struct.unpack("<H", raw_len)
        extra = stream.read(length)
        if len(extra) < length:
            raise ArchiveError(f"{label}: truncated gzip header (extra field)")
    name = _cstring(stream, label, "name") if flags & _FNAME else None
    comment = _cstring(stream, label, "comment") if flags & _FCOMMENT else None
    return GzipHeader(
        name=name.decode("latin-1") if name is not None else None,
        mtime=mtime,
        os=fixed[9],
        xfl=fixed[8],
        flags=flags,
        comment=comment.decode("latin-1") if comment is not None else None,
        extra=extra,
    )
