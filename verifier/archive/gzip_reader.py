"""A single gzip-compressed file read as a one-member archive."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, cast

from verifier.archive.budget import Bounded
from verifier.archive.detect import ArchiveFormat, Source
from verifier.archive.gzip_header import GzipHeader, read_gzip_header
from verifier.archive.limits import DEFAULT_LIMITS, ArchiveError, Limits
from verifier.archive.member import Member, MemberKind
from verifier.archive.reader_source import source_name


class GzipReader:
    """One member named after the file (``x.gz`` -> ``x``); the header is archive metadata."""

    format = ArchiveFormat.GZIP

    def __init__(
        self, source: Source, limits: Limits = DEFAULT_LIMITS, label: str | None = None
    ) -> None:
        self.path, self.label = source_name(source, label)
        self.limits = limits
        self._source = source
        with self._raw() as raw:
            raw.seek(0, 2)
            self._compressed_size = raw.tell()
            raw.seek(0)
            self.header: GzipHeader = read_gzip_header(raw, self.label)
        base = self.path.name
        name = base[:-3] if base.endswith(".gz") else base + ".out"
        self._member = Member(name=name, kind=MemberKind.FILE, size=-1, mode=0o644, mtime=0.0)

    def _raw(self) -> IO[bytes]:
        if isinstance(self._source, Path):
            try:
                return self._source.open("rb")
            except OSError as exc:
                raise ArchiveError(f"{self.label}: cannot read: {exc.strerror or exc}") from exc
        self._source.seek(0)
        return _Unclosed(self._source)  # type: ignore[return-value]

    def archive_meta(self) -> tuple[tuple[str, str | int], ...]:
        """Archive-level fields: the gzip header."""
        return self.header.fields()

    def members(self) -> Iterator[Member]:
        """The single member."""
        yield self._member

    def open(self, member: Member) -> IO[bytes]:
        """The decompressed content, bounded by the ratio and member-size limits."""
        limit = min(self.limits.max_member_size, self._compressed_size * self.limits.max_ratio)
        stream = cast(IO[bytes], gzip.GzipFile(fileobj=self._raw(), mode="rb"))
        return _Decompressed(Bounded(stream, limit, self.label), self.label)  # type: ignore[return-value]

    def read(self, member: Member, limit: int | None = None) -> bytes:
        """The decompressed content (its first ``limit`` bytes when given)."""
        with self.open(member) as stream:
            return stream.read(-1 if limit is None else limit)

    def close(self) -> None:
        """Nothing stays open between reads."""


class _Unclosed:
    """A view of a caller's stream whose close() leaves the stream open."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw

    def read(self, n: int = -1) -> bytes:
        return self._raw.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def close(self) -> None:
        pass

    def __enter__(self) -> _Unclosed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class _Decompressed:
    """Turns gzip and zlib errors met while reading into ArchiveError."""

    def __init__(self, inner: Bounded, label: str) -> None:
        self._inner, self._label = inner, label

    def read(self, n: int = -1) -> bytes:
        try:
            return self._inner.read(n)
        except (OSError, EOFError, zlib.error) as exc:
            raise ArchiveError(f"{self._label}: corrupt gzip stream: {exc}") from exc

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> _Decompressed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
