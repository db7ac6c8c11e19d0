"""Per-archive accounting of members and bytes, and a stream that cannot over-deliver."""

from __future__ import annotations

import lzma
import tarfile
import zipfile
import zlib
from typing import IO

from verifier.archive.limits import ArchiveError, Limits

#: what decompressors raise on corrupt or truncated input
CORRUPT = (OSError, EOFError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, tarfile.TarError)


class Budget:
    """Counts members and bytes across one archive and refuses what crosses its Limits."""

    def __init__(self, label: str, limits: Limits) -> None:
        self.label, self.limits = label, limits
        self.members = 0
        self.total = 0

    def member(self, name: str, size: int, compressed: int | None) -> None:
        """Account for one member; ArchiveError when a bound is crossed."""
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveError(f"{self.label}: more than {self.limits.max_members} members")
        if size > self.limits.max_member_size:
            raise ArchiveError(f"{self.label}: member {name!r} is {size} bytes, over the limit")
        self.total += size
        if self.total > self.limits.max_total_size:
            raise ArchiveError(f"{self.label}: expands past {self.limits.max_total_size} bytes")
        ratio_limit = max(compressed or 0, 1) * self.limits.max_ratio
        if compressed is not None and size > 1 << 20 and size > ratio_limit:
            raise ArchiveError(
                f"{self.label}: member {name!r} expands {size // max(compressed, 1)}x "
                "(possible decompression bomb)"
            )


class Bounded:
    """A read-only stream that refuses to yield more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int, where: str) -> None:
        self._raw, self._left, self._where = raw, limit, where

    def read(self, n: int = -1) -> bytes:
        """Read up to ``n`` bytes (all when negative); ArchiveError past the limit."""
        want = self._left + 1 if n < 0 else min(n, self._left + 1)
        try:
            data = self._raw.read(want)
        except CORRUPT as exc:
            raise ArchiveError(f"{self._where}: corrupt or truncated data: {exc}") from exc
        self._left -= len(data)
        if self._left < 0:
            raise ArchiveError(f"{self._where}: member is larger than its header says")
        return data

    def close(self) -> None:
        """Close the underlying stream."""
        self._raw.close()

    def __enter__(self) -> Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
