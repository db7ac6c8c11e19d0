"""Format detection and the streaming readers for zip, tar and gzip."""

from __future__ import annotations

import gzip
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO, Protocol, cast

from verifier.archive.limits import DEFAULT_LIMITS, ArchiveError, Limits
from verifier.archive.member import Member, MemberKind, safe_name

_MAGIC = {
    b"PK\x03\x04": "zip",
    b"PK\x05\x06": "zip",  # empty zip
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
}


class ArchiveFormat(StrEnum):
    """Archive formats we read."""

    ZIP = "zip"
    TAR = "tar"  # plain, gzip, bzip2 or xz compressed
    GZIP = "gzip"  # a single gzip-compressed file that is not a tar


class ArchiveReader(Protocol):
    """Iterate members and stream their contents, within limits."""

    path: Path
    format: ArchiveFormat

    def members(self) -> Iterator[Member]: ...

    def read(self, member: Member, limit: int | None = None) -> bytes: ...

    def open(self, member: Member) -> IO[bytes]: ...

    def close(self) -> None: ...


def detect_format(path: Path) -> ArchiveFormat | None:
    """The archive format of a file by its magic bytes (and tar's ustar marker), or None."""
    try:
        with path.open("rb") as f:
            head = f.read(512)
    except OSError as exc:
        raise ArchiveError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    for magic, kind in _MAGIC.items():
        if head.startswith(magic):
            if kind == "zip":
                return ArchiveFormat.ZIP
            if _is_compressed_tar(path):
                return ArchiveFormat.TAR
            return ArchiveFormat.GZIP if kind == "gzip" else None
    if len(head) >= 262 and head[257:262] == b"ustar":
        return ArchiveFormat.TAR
    return None


def _is_compressed_tar(path: Path) -> bool:
    try:
        with tarfile.open(path, "r:*") as tf:
            tf.next()
        return True
    except (tarfile.TarError, OSError, EOFError):
        return False


class _Budget:
    """Counts members and bytes across one archive."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.members = 0
        self.total = 0

    def member(self, name: str, size: int, compressed: int | None) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise ArchiveError(f"{self.path}: more than {self.limits.max_members} members")
        if size > self.limits.max_member_size:
            raise ArchiveError(f"{self.path}: member {name!r} is {size} bytes, over the limit")
        self.total += size
        if self.total > self.limits.max_total_size:
            raise ArchiveError(f"{self.path}: expands past {self.limits.max_total_size} bytes")
        ratio_limit = max(compressed or 0, 1) * self.limits.max_ratio
        if compressed is not None and size > 1 << 20 and size > ratio_limit:
            raise ArchiveError(
                f"{self.path}: member {name!r} expands {size // max(compressed, 1)}x "
                "(possible decompression bomb)"
            )


class _Bounded:
    """A read-only stream that refuses to yield more than ``limit`` bytes."""

    def __init__(self, raw: IO[bytes], limit: int, where: str) -> None:
        self._raw, self._left, self._where = raw, limit, where

    def read(self, n: int = -1) -> bytes:
        want = self._left + 1 if n < 0 else min(n, self._left + 1)
        data = self._raw.read(want)
        self._left -= len(data)
        if self._left < 0:
            raise ArchiveError(f"{self._where}: member is larger than its header says")
        return data

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ZipReader:
    """Members of a zip archive (wheels, jars)."""

    format = ArchiveFormat.ZIP

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path, self.limits = path, limits
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ArchiveError(f"{path}: not a readable zip archive: {exc}") from exc
        self._infos: dict[str, zipfile.ZipInfo] = {}

    def members(self) -> Iterator[Member]:
        budget = _Budget(self.path, self.limits)
        for index, info in enumerate(self._zip.infolist()):
            name = safe_name(str(self.path), info.filename)
            unix_mode = info.external_attr >> 16
            if info.is_dir():
                kind = MemberKind.DIR
            elif stat.S_ISLNK(unix_mode):
                kind = MemberKind.SYMLINK
            else:
                kind = MemberKind.FILE
            budget.member(name, info.file_size, info.compress_size)
            self._infos[f"{index}:{name}"] = info
            link = None
            if kind is MemberKind.SYMLINK:
                link = self._zip.read(info)[:4096].decode("utf-8", "surrogateescape")
            yield Member(
                name=name,
                kind=kind,
                size=info.file_size,
                mode=unix_mode & 0o7777,
                mtime=_zip_time(info.date_time),
                link_target=link,
                index=index,
                extra=(
                    ("comment", info.comment.hex()),
                    ("compress_type", info.compress_type),
                    (
                        "date_time",
                        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}".format(*info.date_time),
                    ),
                    ("external_attr", info.external_attr),
                    ("extra", info.extra.hex()),
                    ("raw_name", info.filename),
                ),
            )

    def _info(self, member: Member) -> zipfile.ZipInfo:
        if not self._infos:
            for _ in self.members():
                pass
        try:
            return self._infos[f"{member.index}:{member.name}"]
        except KeyError:
            raise ArchiveError(f"{self.path}: no member {member.name!r}") from None

    def open(self, member: Member) -> IO[bytes]:
        info = self._info(member)
        try:
            raw = self._zip.open(info)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as exc:
            raise ArchiveError(f"{self.path}: cannot read {member.name!r}: {exc}") from exc
        return _Bounded(raw, info.file_size, f"{self.path}!{member.name}")  # type: ignore[return-value]

    def read(self, member: Member, limit: int | None = None) -> bytes:
        with self.open(member) as stream:
            try:
                return stream.read(-1 if limit is None else limit)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise ArchiveError(f"{self.path}: corrupt member {member.name!r}: {exc}") from exc

    def close(self) -> None:
        self._zip.close()


def _zip_time(date_time: tuple[int, int, int, int, int, int]) -> float:
    import calendar

    y, mo, d, h, mi, s = date_time
    try:
        return float(calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)))
    except (ValueError, OverflowError):
        return 0.0


class TarReader:
    """Members of a tar archive, plain or compressed; streamed, never extracted to disk."""

    format = ArchiveFormat.TAR

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path, self.limits = path, limits
        self._compressed_size = path.stat().st_size
        try:
            self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 - closed by close()
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise ArchiveError(f"{path}: not a readable tar archive: {exc}") from exc
        self._infos: dict[str, tarfile.TarInfo] = {}

    def members(self) -> Iterator[Member]:
        budget = _Budget(self.path, self.limits)
        index = 0
        try:
            for info in self._tar:
                yield self._member(info, index, budget)
                index += 1
        except (tarfile.TarError, OSError, EOFError, zlib_error()) as exc:
            raise ArchiveError(f"{self.path}: corrupt tar archive: {exc}") from exc

    def _member(self, info: tarfile.TarInfo, index: int, budget: _Budget) -> Member:
        name = safe_name(str(self.path), info.name)
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
            raise ArchiveError(f"{self.path}: expands over {self.limits.max_ratio}x (bomb?)")
        self._infos[f"{index}:{name}"] = info
        return Member(
            name=name,
            kind=kind,
            size=info.size,
            mode=info.mode & 0o7777,
            mtime=float(info.mtime),
            link_target=info.linkname or None,
            index=index,
            extra=(
                ("gid", info.gid),
                ("gname", info.gname),
                ("raw_name", info.name),
                ("uid", info.uid),
                ("uname", info.uname),
            ),
        )

    def open(self, member: Member) -> IO[bytes]:
        info = self._infos.get(f"{member.index}:{member.name}")
        if info is None:
            raise ArchiveError(f"{self.path}: no member {member.name!r}")
        stream = self._tar.extractfile(info)
        if stream is None:
            raise ArchiveError(f"{self.path}: member {member.name!r} is not a regular file")
        return _Bounded(stream, info.size, f"{self.path}!{member.name}")  # type: ignore[return-value]

    def read(self, member: Member, limit: int | None = None) -> bytes:
        with self.open(member) as stream:
            try:
                return stream.read(-1 if limit is None else limit)
            except (tarfile.TarError, OSError, EOFError) as exc:
                raise ArchiveError(f"{self.path}: corrupt member {member.name!r}: {exc}") from exc

    def close(self) -> None:
        self._tar.close()


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


class GzipReader:
    """A single gzip-compressed file as a one-member archive named after the file."""

    format = ArchiveFormat.GZIP

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path, self.limits = path, limits
        name = path.name[:-3] if path.name.endswith(".gz") else path.name + ".out"
        self._member = Member(name=name, kind=MemberKind.FILE, size=-1, mode=0o644, mtime=0.0)

    def members(self) -> Iterator[Member]:
        yield self._member

    def open(self, member: Member) -> IO[bytes]:
        limit = min(self.limits.max_member_size, self.path.stat().st_size * self.limits.max_ratio)
        stream = cast(IO[bytes], gzip.open(self.path, "rb"))  # noqa: SIM115 - _Bounded closes it
        return _Bounded(stream, limit, str(self.path))  # type: ignore[return-value]

    def read(self, member: Member, limit: int | None = None) -> bytes:
        with self.open(member) as stream:
            try:
                return stream.read(-1 if limit is None else limit)
            except (OSError, EOFError, zlib_error()) as exc:
                raise ArchiveError(f"{self.path}: corrupt gzip stream: {exc}") from exc

    def close(self) -> None:
        pass


def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> ArchiveReader:
    """Open ``path`` with the reader its magic bytes call for; ArchiveError if none fits."""
    match detect_format(path):
        case ArchiveFormat.ZIP:
            return ZipReader(path, limits)
        case ArchiveFormat.TAR:
            return TarReader(path, limits)
        case ArchiveFormat.GZIP:
            return GzipReader(path, limits)
        case None:
            raise ArchiveError(f"{path}: not a zip, tar or gzip archive")
