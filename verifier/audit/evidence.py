"""Each bundle found for an artifact, classified, with its signer and trust state.

With trust (``--policy`` and/or ``--key``) every bundle is verified exactly as ``verifier
admit`` verifies it (:func:`~verifier.policy.evidence.gather_evidence`), and only verified
statements feed the report's rebuild, SBOM and provenance columns. Without trust the
bundles are still read, so a team sees what is there, but every item is marked
``unverified`` and the signer is the one the bundle *claims* (its key hint or certificate
identity), never presented as checked. Either way a statement about another digest does
not count, and a bundle that cannot be read is an error, never a pass.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from verifier.attest.uris import (
    COSIGN_SIGN_V1,
    CYCLONEDX_BOM,
    PROVENANCE_V1,
    REBUILD_VERIFIER_ID,
    RELEASE_PREDICATE,
    RELEASE_VERIFIER_ID,
    VSA_V1,
)
from verifier.audit.model import EvidenceItem, EvidenceState
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.evidence import Evidence, RawBundle
from verifier.sign.bundle import Bundle, MaterialKind
from verifier.sign.dsse import Envelope
from verifier.sign.identity import certificate_identities
from verifier.sign.intoto import InTotoStatement


@dataclass(frozen=True)
class ReadBundles:
    """An evidence source over bundles already read, so the store is asked once."""

    name: str
    raws: tuple[RawBundle, ...]

    def bundles_for(self, subject: Digest, name: str) -> Iterator[RawBundle]:
        """The bundles read before (they were listed for this subject)."""
        yield from self.raws


@dataclass(frozen=True)
class ClassifiedBundle:
    """One bundle: the report's view of it and, when usable, its statement."""

    item: EvidenceItem
    statement: InTotoStatement | None

    @property
    def usable(self) -> bool:
        """Its content may feed the report (verified, or read without trust)."""
        return self.item.state in (EvidenceState.VERIFIED, EvidenceState.UNVERIFIED)

    @property
    def predicate(self) -> dict[str, Any]:
        """The statement's predicate, empty for a plain signature."""
        return dict(self.statement.predicate) if self.statement else {}


def kind_of(statement: InTotoStatement | None) -> str:
    """What a bundle is, by its statement's predicate type (and the VSA's verifier id)."""
    if statement is None or statement.predicate_type == COSIGN_SIGN_V1:
        return "signature"
    ptype = statement.predicate_type
    if ptype.startswith(CYCLONEDX_BOM) or ptype == "https://cyclonedx.org/schema":
        return "sbom"
    if ptype == PROVENANCE_V1:
        return "provenance"
    if ptype == RELEASE_PREDICATE:
        return "release-manifest"
    if ptype == VSA_V1:
        verifier = statement.predicate.get("verifier")
        vid = verifier.get("id") if isinstance(verifier, dict) else None
        if vid == REBUILD_VERIFIER_ID:
            return "rebuild"
        if vid == RELEASE_VERIFIER_ID:
            return "release-summary"
        return "verification-summary"
    return "other"


def claimed_signer(bundle: Bundle) -> str:
    """Who the bundle says signed it: the key fingerprint from its hint, or the identity."""
    if bundle.material is MaterialKind.PUBLIC_KEY:
        try:
            raw = base64.b64decode(bundle.key_hint, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        return f"key sha256:{raw.hex()}" if len(raw) == 32 else "key (no usable hint)"
    try:
        cert = x509.load_der_x509_certificate(bundle.certificates[0])
    except ValueError:
        return "identity (unreadable certificate)"
    names = certificate_identities(cert)
    return f"identity {names[0]}" if names else "identity (none in certificate)"


def _statement(bundle: Bundle) -> InTotoStatement | None:
    if isinstance(bundle.content, Envelope):
        return InTotoStatement.parse(bundle.content.payload, bundle.source)
    return None


def _about(statement: InTotoStatement | None, subjects: frozenset[Digest]) -> bool:
    if statement is None:
        return True  # a message signature binds its digest; verification checks it
    return any(d in subjects for s in statement.subjects for d in s.digests)


def classify(
    raws: Sequence[RawBundle], evidence: Evidence | None, subjects: frozenset[Digest]
) -> list[ClassifiedBundle]:
    """Every distinct bundle, classified; ``evidence`` None means no trust was given."""
    verified = {e.digest: e for e in evidence.verified} if evidence else {}
    refused = {r.digest: r for r in evidence.refused} if evidence else {}
    out: list[ClassifiedBundle] = []
    seen: set[Digest] = set()
    for raw in raws:
        if raw.digest in seen:
            continue
        seen.add(raw.digest)
        digest = str(raw.digest)
        try:
            bundle = Bundle.from_json(raw.data, raw.source)
            claimed = _statement(bundle)
        except InputError as exc:
            item = EvidenceItem("unreadable", "", digest, EvidenceState.ERROR, "", str(exc))
            out.append(ClassifiedBundle(item, None))
            continue
        kind = kind_of(claimed)
        ptype = claimed.predicate_type if claimed else ""
        signer = claimed_signer(bundle)
        if raw.digest in verified:
            found = verified[raw.digest]
            item = EvidenceItem(kind, ptype, digest, EvidenceState.VERIFIED, found.signer)
            out.append(ClassifiedBundle(item, found.statement))
        elif raw.digest in refused:
            reason = refused[raw.digest].reason
            item = EvidenceItem(kind, ptype, digest, EvidenceState.REFUSED, signer, reason)
            out.append(ClassifiedBundle(item, None))
        elif evidence is not None:
            detail = "could not be verified (see errors)"
            item = EvidenceItem(kind, ptype, digest, EvidenceState.ERROR, signer, detail)
            out.append(ClassifiedBundle(item, None))
        elif not _about(claimed, subjects):
            detail = "its statement is about another artifact"
            item = EvidenceItem(kind, ptype, digest, EvidenceState.REFUSED, signer, detail)
            out.append(ClassifiedBundle(item, None))
        else:
            detail = "no --policy or --key to verify it with"
            item = EvidenceItem(kind, ptype, digest, EvidenceState.UNVERIFIED, signer, detail)
            out.append(ClassifiedBundle(item, claimed))
    out.sort(key=lambda c: (c.item.kind, c.item.predicate_type, c.item.state, c.item.digest))
    return out
