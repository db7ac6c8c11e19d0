"""Safe, streaming readers of zip, tar (plain, gzip, bzip2, xz) and gzip archives.

Hostile archives are handled here once: member names are normalized and refused when they
escape (absolute, ``..``, NUL), and every reader enforces :class:`Limits` on member count,
total uncompressed size and compression ratio while it streams.
"""

from verifier.archive.extract import extract
from verifier.archive.limits import ArchiveError, Limits
from verifier.archive.member import Member, MemberKind
from verifier.archive.reader import ArchiveFormat, ArchiveReader, detect_format, open_archive

__all__ = [
    "ArchiveError",
    "ArchiveFormat",
    "ArchiveReader",
    "Limits",
    "Member",
    "MemberKind",
    "detect_format",
    "extract",
    "open_archive",
]
