"""Evidence from a local directory (``--evidence DIR``): every ``*.sigstore.json`` below it.

A bundle concerns a subject when it claims the subject's digest (a message signature's
digest, or a DSSE statement's subjects, read without verifying: only to route it), or when
its file name starts with the artifact's file name and a dot (``app.tar.gz.sigstore.json``,
``app.tar.gz.sbom.sigstore.json``, the names ``verifier sign``/``attest`` write). The second
rule is what surfaces substitution: a bundle named for this artifact but signed over another
digest is handed to verification, refused there, and reported, instead of silently ignored.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.evidence import RawBundle
from verifier.sign.bundle import BUNDLE_SUFFIX, MAX_BUNDLE_BYTES
from verifier.sign.keys import read_small_file

MAX_BUNDLES = 100_000


def claimed_digests(data: bytes) -> set[str]:
    """The sha256 digests a bundle says it is about (unverified; for routing only)."""
    try:
        doc = json.loads(data)
        if "messageSignature" in doc:
            md = doc["messageSignature"].get("messageDigest", {})
            raw = base64.b64decode(md.get("digest", ""))
            return {f"sha256:{raw.hex()}"} if md.get("algorithm") == "SHA2_256" else set()
        payload = doc["dsseEnvelope"]["payload"]
        padded = payload + "=" * (-len(payload) % 4)
        statement = json.loads(base64.b64decode(padded.replace("-", "+").replace("_", "/")))
        return {
            f"sha256:{s['digest']['sha256']}"
            for s in statement.get("subject", [])
            if isinstance(s, dict) and isinstance(s.get("digest"), dict) and "sha256" in s["digest"]
        }
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, RecursionError):
        return set()


@dataclass
class LocalEvidenceDirectory:
    """An :class:`~verifier.policy.evidence.EvidenceSource` over a directory tree."""

    root: Path
    _by_digest: dict[str, list[Path]] = field(default_factory=dict, init=False, repr=False)
    _files: list[Path] = field(default_factory=list, init=False, repr=False)
    _indexed: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise InputError(f"{self.root}: --evidence must be a directory")

    @property
    def name(self) -> str:
        """The directory."""
        return str(self.root)

    def _index(self) -> None:
        if self._indexed:
            return
        files = sorted(p for p in self.root.rglob(f"*{BUNDLE_SUFFIX}") if p.is_file())
        if len(files) > MAX_BUNDLES:
            raise InputError(f"{self.root}: more than {MAX_BUNDLES} bundles")
        for path in files:
            data = read_small_file(path, MAX_BUNDLE_BYTES)
            for digest in claimed_digests(data):
                self._by_digest.setdefault(digest, []).append(path)
        self._files = files
        self._indexed = True

    def bundles_for(self, subject: Digest, name: str) -> Iterator[RawBundle]:
        """Bundles claiming ``subject``, and bundles named after the artifact."""
        self._index()
        base = PurePosixPath(name.split("@", 1)[0]).name
        chosen = set(self._by_digest.get(str(subject), []))
        if base:
            chosen.update(p for p in self._files if p.name.startswith(base + "."))
        for path in sorted(chosen):
            yield RawBundle(str(path), read_small_file(path, MAX_BUNDLE_BYTES))
