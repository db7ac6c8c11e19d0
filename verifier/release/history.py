"""Releases already published: list them with their verification state, re-check one."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from verifier.admission.gate import admit_target
from verifier.admission.resolve import StoreResolver
from verifier.admission.targets import target_of
from verifier.attest.uris import RELEASE_VERIFIER_ID, VSA_V1
from verifier.clock import Clock
from verifier.digest import Digest
from verifier.errors import CheckFailed, InputError
from verifier.policy.decision import Decision
from verifier.policy.model import PolicySet
from verifier.policy.sources.oci_store import StoreEvidenceSource
from verifier.release.record import RELEASE_ARTIFACT_TYPE
from verifier.release.version import ReleaseVersion, version_of_tag
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import PublicKey
from verifier.store.deadline import Deadline
from verifier.store.interface import Store
from verifier.store.oci import ANNOTATION_CREATED
from verifier.store.reference import StoreLocation, StoreOptions


@dataclass(frozen=True)
class ReleaseEntry:
    """One published release and what its signed summary says."""

    version: ReleaseVersion
    digest: Digest
    created: str | None
    state: str  # verified, unverified, invalid, missing
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "version": self.version.text,
            "tag": self.version.tag,
            "digest": str(self.digest),
            "created": self.created,
            "state": self.state,
            "detail": self.detail,
        }


def _summary_state(
    source: StoreEvidenceSource, digest: Digest, key: PublicKey | None
) -> tuple[str, str]:
    """Find the release's signed verification summary among its referrers and check it."""
    if key is None:
        return "unverified", "no release public key to check its summary with (--key)"
    trust = KeyTrust(key)
    for raw in source.bundles_for(digest, str(digest)):
        try:
            verified = trust.verify(Bundle.from_json(raw.data, raw.source), Artifact(digest))
        except (CheckFailed, InputError):
            continue  # other signers' evidence, or not about this release: not the summary
        statement = verified.statement
        if statement is None or statement.predicate_type != VSA_V1:
            continue
        predicate = statement.predicate
        verifier = predicate.get("verifier")
        if not isinstance(verifier, dict) or verifier.get("id") != RELEASE_VERIFIER_ID:
            continue
        if predicate.get("verificationResult") != "PASSED":
            return "invalid", f"{raw.source}: verificationResult is not PASSED"
        policy = predicate.get("policy")
        digests = policy.get("digest") if isinstance(policy, dict) else None
        policy_hex = digests.get("sha256") if isinstance(digests, dict) else None
        return "verified", f"PASSED under policy sha256:{str(policy_hex)[:12]}"
    return "missing", "no verification summary signed by this key"


def list_releases(store: Store, key: PublicKey | None) -> list[ReleaseEntry]:
    """Every ``vX.Y.Z`` tag that names a verifier release, oldest version first."""
    source = StoreEvidenceSource(store)
    entries = []
    versions = [(v, t) for t in store.list_tags() if (v := version_of_tag(t)) is not None]
    for version, tag in sorted(versions, key=lambda vt: vt[0].key):
        descriptor = store.resolve(tag)
        if descriptor is None:
            continue
        manifest = store.get_manifest(descriptor.digest)
        if manifest.artifact_type != RELEASE_ARTIFACT_TYPE:
            continue
        state, detail = _summary_state(source, descriptor.digest, key)
        created = manifest.annotations.get(ANNOTATION_CREATED)
        entries.append(ReleaseEntry(version, descriptor.digest, created, state, detail))
    return entries


def rollback_decision(
    location: StoreLocation,
    options: StoreOptions,
    version: ReleaseVersion,
    policy_set: PolicySet,
    clock: Clock,
) -> Decision:
    """Today's decision for an older release: its evidence, today's policy and trust.

    The version's tag is resolved once and the release judged by that digest, as a deploy
    of it would name it: a ``digestPinned`` policy must not deny every rollback for the tag.
    """
    deadline = Deadline(options.timeout)
    descriptor = location.open(options, deadline).resolve(version.tag)
    if descriptor is None:
        raise InputError(f"{location}: no release {version.tag} (see verifier releases)")
    target = target_of(f"{location}@{descriptor.digest}")
    resolver = StoreResolver(replace(options, timeout=max(deadline.remaining, 0.001)))
    return admit_target(target, policy_set, None, now=clock.now(), resolver=resolver)
