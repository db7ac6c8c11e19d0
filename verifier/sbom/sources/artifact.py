"""Any artifact without an ecosystem: a zip, a tar or a directory, optionally file by file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from verifier.archive import ArchiveReader, Member, MemberKind, open_archive
from verifier.digest import Algorithm, Digest, tree_entries
from verifier.errors import InputError
from verifier.sbom.model import ComponentKind, Inventory, Package
from verifier.sbom.names import generic_purl
from verifier.sbom.subject import subject_for_path


def file_component(path: str, digest: Digest) -> Package:
    """One file as a ``file`` component, its bom-ref the path."""
    return Package(
        name=path,
        version=None,
        kind=ComponentKind.FILE,
        ref_override=f"file:{path}",
        hashes=(digest,),
    )


def hash_member(reader: ArchiveReader, member: Member) -> Digest:
    """sha256 of an archive member, streamed in 1 MiB chunks."""
    h = hashlib.sha256()
    with reader.open(member) as stream:
        while chunk := stream.read(1 << 20):
            h.update(chunk)
    return Digest(Algorithm.SHA256, h.hexdigest())


@dataclass
class ArtifactSource:
    """The artifact itself as subject; with ``files`` every regular file is a component."""

    path: Path
    files: bool = False

    @property
    def location(self) -> str:
        """The artifact path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """Subject with sha256 and sha512; file components with their sha256 when asked."""
        if not self.path.exists():
            raise InputError(f"{self.path}: no such file or directory")
        subject = subject_for_path(self.path, kind=ComponentKind.FILE)
        sha256 = next(d for d in subject.hashes if d.algorithm is Algorithm.SHA256)
        subject = replace(subject, purl=generic_purl(self.path.name, None, sha256.hex))
        packages: tuple[Package, ...] = ()
        if self.files:
            packages = tuple(self._files())
        return Inventory(subject, packages, tuple(p.ref for p in packages))

    def _files(self) -> list[Package]:
        if self.path.is_dir():
            return [
                file_component(e.path, Digest(Algorithm.SHA256, e.digest))
                for e in tree_entries(self.path)
                if e.kind == "file"
            ]
        reader = open_archive(self.path)
        try:
            found = {}
            for member in reader.members():
                if member.kind is MemberKind.FILE:
                    found[member.name] = hash_member(reader, member)  # a later copy wins
        finally:
            reader.close()
        return [file_component(name, digest) for name, digest in sorted(found.items())]
