"""Safe, streaming readers of zip, tar (plain, gzip, bzip2, xz) and gzip archives.

Hostile archives are handled here once: member names are normalized and refused when they
escape (absolute, ``..``, NUL), and every reader enforces :class:`Limits` on member count,
total uncompressed size and compression ratio while it streams. Readers take a path or a
seekable stream, so an archive nested in another is read without extracting it to disk.
"""

from verifier.archive.detect import ArchiveFormat, Source, detect_format, format_of_head
from verifier.archive.extract import extract
from verifier.archive.gzip_header import GzipHeader, read_gzip_header
from verifier.archive.limits import ArchiveError, Limits
from verifier.archive.member import Member, MemberKind, printable_name
from verifier.archive.reader import ArchiveReader, open_archive

__all__ = [
    "ArchiveError",
    "ArchiveFormat",
    "ArchiveReader",
    "GzipHeader",
    "Limits",
    "Member",
    "MemberKind",
    "Source",
    "detect_format",
    "extract",
    "format_of_head",
    "open_archive",
    "printable_name",
    "read_gzip_header",
]
