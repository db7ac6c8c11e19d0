"""What a signature is about: an artifact file, or only its digest."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from verifier.digest import Algorithm, Digest, hash_file
from verifier.errors import InputError

_OTHER_DIGEST = re.compile(r"^(sha384|sha512|sha1|md5|blake2b|sha3-256):[0-9a-fA-F]+$")


@dataclass(frozen=True)
class Artifact:
    """An artifact's sha256 digest and, when we have it, the file itself.

    Hashing streams; the bytes are read whole only for Ed25519, whose signatures cover the
    message itself rather than a digest.
    """

    digest: Digest
    path: Path | None = None

    def __post_init__(self) -> None:
        if self.digest.algorithm is not Algorithm.SHA256:
            raise InputError(f"artifact digest {self.digest} must be sha256")

    @classmethod
    def from_path(cls, path: Path) -> Artifact:
        """Hash a file (streaming); InputError names it when it cannot be read."""
        if path.is_dir():
            raise InputError(f"{path}: is a directory, expected a file")
        return cls(hash_file(path), path)

    @classmethod
    def from_argument(cls, text: str) -> Artifact:
        """A path, or ``sha256:<hex>`` for a digest alone (the conformance protocol's form)."""
        if text.startswith("sha256:"):
            return cls(Digest.parse(text))
        if _OTHER_DIGEST.match(text) and not Path(text).exists():
            raise InputError(
                f"{text.split(':')[0]}: only a sha256:<hex> digest can stand for an artifact "
                "(Sigstore signs sha256); give the file"
            )
        return cls.from_path(Path(text))

    @property
    def name(self) -> str:
        """The file name, or the digest when there is no file."""
        return self.path.name if self.path is not None else str(self.digest)

    def read_bytes(self) -> bytes:
        """The whole artifact (only for signature schemes that need the message itself)."""
        if self.path is None:
            raise InputError(
                f"{self.digest}: this signature covers the artifact itself; "
                "give the file, not only its digest"
            )
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read: {exc.strerror or exc}") from exc
        if Digest.of_bytes(data) != self.digest:
            raise InputError(f"{self.path}: changed while it was being verified")
        return data
