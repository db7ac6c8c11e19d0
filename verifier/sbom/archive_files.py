"""Every regular file of an archive or directory as a ``file`` component with its sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from verifier.archive import ArchiveReader, Member, MemberKind, open_archive, printable_name
from verifier.digest import Algorithm, Digest, tree_entries
from verifier.sbom.model import ComponentKind, Package


def file_component(path: str, digest: Digest) -> Package:
    """One file as a ``file`` component; its bom-ref is ``file:<path>``.

    A name that is not UTF-8 is shown with ``\\xNN`` escapes (a CycloneDX document is UTF-8).
    """
    shown = printable_name(path)
    return Package(
        name=shown,
        version=None,
        kind=ComponentKind.FILE,
        ref_override=f"file:{shown}",
        hashes=(digest,),
    )


def hash_member(reader: ArchiveReader, member: Member) -> Digest:
    """sha256 of an archive member, streamed in 1 MiB chunks."""
    h = hashlib.sha256()
    with reader.open(member) as stream:
        while chunk := stream.read(1 << 20):
            h.update(chunk)
    return Digest(Algorithm.SHA256, h.hexdigest())


def file_components(path: Path) -> list[Package]:
    """Files of a directory (tree walk) or of a zip/tar (streamed), sorted by path.

    When an archive holds the same name twice, the later member wins, as it would on disk.
    """
    if path.is_dir():
        return [
            file_component(e.path, Digest(Algorithm.SHA256, e.digest))
            for e in tree_entries(path)
            if e.kind == "file"
        ]
    reader = open_archive(path)
    try:
        found = {
            member.name: hash_member(reader, member)
            for member in reader.members()
            if member.kind is MemberKind.FILE
        }
    finally:
        reader.close()
    return [file_component(name, digest) for name, digest in sorted(found.items())]
