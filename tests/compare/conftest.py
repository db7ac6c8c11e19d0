"""Builders of small, deterministic archives: one per kind of difference and per cause."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

EPOCH = (2024, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class ZipMember:
    name: str
    data: bytes
    date_time: tuple[int, int, int, int, int, int] = EPOCH
    mode: int = 0o644
    compress_type: int = zipfile.ZIP_DEFLATED
    level: int | None = None
    extra: bytes = b""
    comment: bytes = b""


def make_zip(path: Path, members: Sequence[ZipMember], comment: bytes = b"") -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for m in members:
            info = zipfile.ZipInfo(m.name, m.date_time)
            info.external_attr = (0o100000 | m.mode) << 16
            info.create_system = 3
            info.compress_type = m.compress_type
            info.extra = m.extra
            info.comment = m.comment
            zf.writestr(info, m.data, compresslevel=m.level)
        zf.comment = comment
    return path


@dataclass(frozen=True)
class TarMember:
    name: str
    data: bytes = b""
    mtime: int = 1704067200
    mode: int = 0o644
    uid: int = 0
    gid: int = 0
    uname: str = ""
    gname: str = ""
    kind: bytes = tarfile.REGTYPE
    linkname: str = ""


def make_tar(path: Path, members: Sequence[TarMember], mode: str = "w") -> Path:
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.size = len(m.data)
            info.mtime, info.mode = m.mtime, m.mode
            info.uid, info.gid, info.uname, info.gname = m.uid, m.gid, m.uname, m.gname
            info.type = m.kind
            info.linkname = m.linkname
            tf.addfile(info, io.BytesIO(m.data) if m.kind == tarfile.REGTYPE else None)
    return path


def make_tar_gz(
    path: Path, members: Sequence[TarMember], *, name: str = "", mtime: int = 0
) -> Path:
    """A .tar.gz whose gzip header carries ``name`` and ``mtime`` as given."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for m in members:
            info = tarfile.TarInfo(m.name)
            info.size, info.mtime, info.mode = len(m.data), m.mtime, m.mode
            tf.addfile(info, io.BytesIO(m.data))
    with path.open("wb") as out, gzip.GzipFile(name, "wb", 9, out, mtime) as gz:
        gz.write(raw.getvalue())
    return path


def make_gzip(path: Path, data: bytes, *, name: str = "", mtime: int = 0, level: int = 9) -> Path:
    with path.open("wb") as out, gzip.GzipFile(name, "wb", level, out, mtime) as gz:
        gz.write(data)
    return path


def zip_bytes(members: Sequence[ZipMember]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for m in members:
            info = zipfile.ZipInfo(m.name, m.date_time)
            info.external_attr = (0o100000 | m.mode) << 16
            info.compress_type = m.compress_type
            zf.writestr(info, m.data)
    return buf.getvalue()
