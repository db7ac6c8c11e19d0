"""One archive member as every format reports it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from enum import StrEnum

from verifier.archive.limits import ArchiveError


class MemberKind(StrEnum):
    """What a member is."""

    FILE = "file"
    DIR = "dir"
    SYMLINK = "symlink"
    HARDLINK = "hardlink"
    OTHER = "other"  # devices, fifos: never extracted


@dataclass(frozen=True, slots=True)
class Member:
    """An archive member: a normalized relative name plus the metadata the format carries.

    ``extra`` holds format-specific fields (zip: compress_type, extra, comment; tar: uid, gid,
    uname, gname) as plain sorted tuples so members stay hashable and comparable.
    """

    name: str
    kind: MemberKind
    size: int
    mode: int
    mtime: float
    link_target: str | None = None
    index: int = 0
    extra: tuple[tuple[str, str | int], ...] = field(default=())

    def extra_value(self, key: str) -> str | int | None:
        """A format-specific field, or None."""
        for k, v in self.extra:
            if k == key:
                return v
        return None


def safe_name(archive: str, raw: str) -> str:
    """Normalize a member name; refuse names that could escape the extraction root."""
    if "\0" in raw:
        raise ArchiveError(f"{archive}: member name contains NUL: {raw!r}")
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"{archive}: member has an absolute path: {raw!r}")
    normalized = posixpath.normpath(name)
    if normalized == ".." or normalized.startswith("../"):
        raise ArchiveError(f"{archive}: member escapes the archive root: {raw!r}")
    return "" if normalized == "." else normalized


#: what ``surrogateescape`` decoding makes of each byte that is not UTF-8
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def printable_name(name: str) -> str:
    """A member or file name fit for a report: each byte that is not UTF-8 as ``\\xNN``.

    tar and the file system hand such names over with ``surrogateescape``; they compare and
    open fine, but no UTF-8 output (JSON, CycloneDX, a terminal) can hold them as they are.
    """
    return _UNDECODABLE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", name)
