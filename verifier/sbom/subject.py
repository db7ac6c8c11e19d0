"""Digests for the SBOM subject: sha256 and sha512 of a file or a directory tree."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from verifier.digest import TREE_DIGEST_MAGIC, Algorithm, Digest, hash_file, tree_entries
from verifier.errors import InputError
from verifier.sbom.model import ComponentKind, License, Subject


def tree_digests(root: Path) -> tuple[Digest, Digest]:
    """The ``verifier-tree-v1`` digest of a directory, and the same records hashed with sha512.

    File contents stay sha256 inside the records; only the outer hash changes, so the sha512
    pins exactly what :func:`verifier.digest.tree_digest` pins. One walk serves both.
    """
    outer256 = hashlib.sha256(TREE_DIGEST_MAGIC)
    outer512 = hashlib.sha512(TREE_DIGEST_MAGIC)
    for entry in tree_entries(root):
        mode = "x" if entry.executable else "-"
        record = (
            f"{entry.kind}\0{mode}\0{entry.digest}\0".encode() + os.fsencode(entry.path) + b"\0"
        )
        outer256.update(record)
        outer512.update(record)
    return Digest(Algorithm.SHA256, outer256.hexdigest()), Digest(
        Algorithm.SHA512, outer512.hexdigest()
    )


def path_digests(path: Path) -> tuple[Digest, Digest]:
    """(sha256, sha512) of a file, or of a directory's tree records."""
    if path.is_dir() and not path.is_symlink():
        return tree_digests(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file or directory")
    return hash_file(path, Algorithm.SHA256), hash_file(path, Algorithm.SHA512)


def bytes_digests(data: bytes) -> tuple[Digest, Digest]:
    """(sha256, sha512) of bytes in memory (a manifest, a canonical listing)."""
    return Digest.of_bytes(data, Algorithm.SHA256), Digest.of_bytes(data, Algorithm.SHA512)


def subject_for_path(
    path: Path,
    *,
    name: str | None = None,
    version: str | None = None,
    kind: ComponentKind = ComponentKind.FILE,
    purl: str | None = None,
    licenses: tuple[License, ...] = (),
    supplier: str | None = None,
    author: str | None = None,
    description: str | None = None,
) -> Subject:
    """A subject for a file or directory with its two digests."""
    sha256, sha512 = path_digests(path)
    return Subject(
        name=name or path.name,
        version=version,
        kind=kind,
        hashes=(sha256, sha512),
        purl=purl,
        licenses=licenses,
        supplier=supplier,
        author=author,
        description=description,
    )
