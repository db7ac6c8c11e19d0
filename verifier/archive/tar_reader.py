"""Streaming reader of tar archives (plain, gzip, bzip2, xz); never extracted to disk."""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from typing import IO

from verifier.archive.budget import Bounded, Budget
from verifier.archive.detect import ArchiveFormat, Source, compression_of
from verifier.archive.gzip_header import read_gzip_header
from verifier.archive.limits import DEFAULT_LIMITS, ArchiveError, Limits
from verifier.archive.member import Member, MemberKind, safe_name
from verifier.archive.reader_source import open_source, source_name

_READ_ERRORS = (tarfile.TarError, OSError, EOFError, zlib.error)


class TarReader:
    """Members of a tar archive in stream order, duplicates included."""

    format = ArchiveFormat.TAR

    def __init__(
        self, source: Source, limits: Limits = DEFAULT_LIMITS, label: str | None = None
    ) -> None:
        self.path, self.label = source_name(source, label)
        self.limits = limits
        try:
            self._file, self._owns_file = open_source(source)
            self._file.seek(0, 2)
            self._compressed_size = self._file.tell()
            self._file.seek(0)
            head = self._file.read(512)
            self._compression = compression_of(head) or "none"
            self._meta: tuple[tuple[str, str | int], ...] = (
                ("tar.compression", self._compression),
            )
            if self._compression == "gzip":
                self._file.seek(0)
                self._meta += read_gzip_header(self._file, self.label).fields()
            self._file.seek(0)
            # Names are UTF-8 whatever the locale (tarfile's default is the file system
            # encoding: ASCII under an uncoerced C locale would turn "é" into "\xc3\xa9").
            self._tar = tarfile.open(fileobj=self._file, mode="r:*", encoding="utf-8")  # noqa: SIM115
        except _READ_ERRORS as exc:
            raise ArchiveError(f"{self.label}: not a readable tar archive: {exc}") from exc
        self._infos: dict[str, tarfile.TarInfo] = {}

    def archive_meta(self) -> tuple[tuple[str, str | int], ...]:
        """Archive-level fields: the compression and, for gzip, its header fields."""
        return self._meta

    def members(self) -> Iterator[Member]:
        """Every member in stream order; ArchiveError on hostile, huge or corrupt input."""
        budget = Budget(self.label, self.limits)
        index = 0
        try:
            while (info := self._tar.next()) is not None:
                # tarfile keeps every TarInfo it reads; we keep our own index of them, so
                # drop its copy to hold one per member, not two.
                self._tar.members.clear()  # type: ignore[attr-defined]
                yield self._member(info, index, budget)
                index += 1
        except _READ_ERRORS as exc:
            raise ArchiveError(f"{self.label}: corrupt tar archive: {exc}") from exc

    def _member(self, info: tarfile.TarInfo, index: int, budget: Budget) -> Member:
        name = safe_name(self.label, info.name)
        if info.isreg():
            kind = MemberKind.FILE
        elif info.isdir():
            kind = MemberKind.DIR
        elif info.issym():
            kind = MemberKind.SYMLINK
        elif info.islnk():
            kind = MemberKind.HARDLINK
        else:
            kind = MemberKind.OTHER
        budget.member(name, info.size, None)
        if budget.total > self._compressed_size * self.limits.max_ratio + (64 << 20):
            raise ArchiveError(f"{self.label}: expands over {self.limits.max_ratio}x (bomb?)")
        self._infos[f"{index}:{name}"] = info
        pax = ";".join(f"{k}={v}" for k, v in sorted(info.pax_headers.items()) if k != "path")
        return Member(
            name=name,
            kind=kind,
            size=info.size,
            mode=info.mode & 0o7777,
            mtime=float(info.mtime),
            link_target=info.linkname or None,
            index=index,
            extra=(
                ("devmajor", info.devmajor),
                ("devminor", info.devminor),
                ("gid", info.gid),
                ("gname", info.gname),
                ("pax", pax),
                ("raw_name", info.name),
                ("uid", info.uid),
                ("uname", info.uname),
            ),
        )

    def open(self, member: Member) -> IO[bytes]:
        """A bounded stream of a regular member's content."""
        info = self._infos.get(f"{member.index}:{member.name}")
        if info is None:
            raise ArchiveError(f"{self.label}: no member {member.name!r}")
        try:
            stream = self._tar.extractfile(info)
        except _READ_ERRORS as exc:
            raise ArchiveError(f"{self.label}: cannot read {member.name!r}: {exc}") from exc
        if stream is None:
            raise ArchiveError(f"{self.label}: member {member.name!r} is not a regular file")
        return Bounded(stream, info.size, f"{self.label}!{member.name}")  # type: ignore[return-value]

    def read(self, member: Member, limit: int | None = None) -> bytes:
        """The member's content (its first ``limit`` bytes when given)."""
        with self.open(member) as stream:
            try:
                return stream.read(-1 if limit is None else limit)
            except _READ_ERRORS as exc:
                raise ArchiveError(f"{self.label}: corrupt member {member.name!r}: {exc}") from exc

    def close(self) -> None:
        """Release the archive (and the file when we opened it)."""
        self._tar.close()
        if self._owns_file:
            self._file.close()
