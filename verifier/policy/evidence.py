"""Evidence: every bundle found for one subject digest, verified, with who vouched for it.

:func:`gather_evidence` asks an :class:`EvidenceSource` for the bundles that may concern a
subject, verifies each with the signing library against every trusted key or identity of
the policy set, and sorts them into verified (with the trust ids that accepted them and the
statement read from exactly the verified bytes), refused (a signature that does not verify,
a signer nobody trusts, or a statement about another digest: substitution), and errors
(unreadable or malformed evidence, an unreachable store). Errors make the decision fail
closed; refused evidence simply does not count.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from verifier.digest import Digest
from verifier.errors import CheckFailed, InputError, VerifierError
from verifier.policy.model import TrustSet
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle, MaterialKind
from verifier.sign.dsse import Envelope
from verifier.sign.intoto import InTotoStatement
from verifier.sign.key_policy import KeyTrust

#: cosign v3 image signatures are DSSE statements of this type with an empty predicate.
COSIGN_SIGN_V1 = "https://sigstore.dev/cosign/sign/v1"


@dataclass(frozen=True)
class RawBundle:
    """A bundle as a source found it: its bytes and where it came from."""

    source: str
    data: bytes

    @property
    def digest(self) -> Digest:
        """sha256 of the bundle bytes (the evidence digest a decision records)."""
        return Digest.of_bytes(self.data)


class EvidenceSource(Protocol):
    """Where bundles for a subject are found: a local directory, an OCI store."""

    @property
    def name(self) -> str:
        """The source, for messages."""
        ...

    def bundles_for(self, subject: Digest, name: str) -> Iterator[RawBundle]:
        """Every bundle that may concern ``subject`` (named ``name``); unverified.

        Raises InputError (unreadable evidence) or EnvironmentFailure (store unreachable).
        """
        ...


@dataclass(frozen=True)
class VerifiedEvidence:
    """A bundle that verified under at least one trusted key or identity."""

    source: str
    digest: Digest
    signer: str
    trusted_by: frozenset[str]
    statement: InTotoStatement | None = None

    @property
    def predicate_type(self) -> str | None:
        """The statement's predicate type, None for a plain signature."""
        return self.statement.predicate_type if self.statement else None

    @property
    def predicate(self) -> dict[str, Any]:
        """The statement's predicate (empty for a plain signature)."""
        return dict(self.statement.predicate) if self.statement else {}

    @property
    def is_signature(self) -> bool:
        """A signature over the artifact itself (message signature or cosign sign/v1)."""
        return self.statement is None or self.statement.predicate_type == COSIGN_SIGN_V1


@dataclass(frozen=True)
class RefusedEvidence:
    """A bundle that did not verify, and why (one line)."""

    source: str
    digest: Digest
    reason: str
    #: True when the bundle is validly signed but about another artifact (substitution).
    substituted: bool = False
    #: The predicate type the bundle claims (unverified; "" for a plain signature), so a
    #: rule names only the refused evidence of its own kind.
    claimed_type: str = ""


@dataclass(frozen=True)
class Evidence:
    """Everything found for one subject, after verification."""

    subject: Digest
    name: str
    verified: tuple[VerifiedEvidence, ...] = ()
    refused: tuple[RefusedEvidence, ...] = ()
    errors: tuple[str, ...] = ()

    def signatures(self, trust_ids: frozenset[str]) -> list[VerifiedEvidence]:
        """Plain signatures accepted by any of ``trust_ids``."""
        return [e for e in self.verified if e.is_signature and e.trusted_by & trust_ids]

    def attestations(
        self, predicate_types: tuple[str, ...], trust_ids: frozenset[str]
    ) -> list[VerifiedEvidence]:
        """Statements whose predicate type starts with one of ``predicate_types``, trusted."""
        return [
            e
            for e in self.verified
            if e.statement is not None
            and e.statement.predicate_type.startswith(predicate_types)
            and e.trusted_by & trust_ids
        ]

    @property
    def digests(self) -> tuple[Digest, ...]:
        """Digests of every bundle looked at, verified or refused, sorted."""
        return tuple(sorted({e.digest for e in self.verified} | {r.digest for r in self.refused}))


def _reason(bundle: Bundle, failures: list[str]) -> tuple[str, bool]:
    # A signature that verified but binds another digest says more than "wrong key".
    for failure in failures:
        if "subjects do not include" in failure or "is not the artifact's" in failure:
            return failure, True
    if len(failures) == 1:
        return failures[0], False
    kind = "key" if bundle.material is MaterialKind.PUBLIC_KEY else "identity"
    return f"{bundle.source}: not signed by any trusted {kind}", False


def _claimed_type(bundle: Bundle) -> str:
    content = bundle.content
    if not isinstance(content, Envelope):
        return ""
    try:
        return InTotoStatement.parse(content.payload).predicate_type
    except InputError:
        return "(unreadable statement)"


def _hinted(policy: object, bundle: Bundle) -> bool:
    return isinstance(policy, KeyTrust) and policy.key.hint == bundle.key_hint


def verify_raw_bundle(
    raw: RawBundle, artifact: Artifact, trust: TrustSet
) -> VerifiedEvidence | RefusedEvidence:
    """Verify one bundle against every applicable trust; InputError when it is malformed."""
    bundle = Bundle.from_json(raw.data, source=raw.source)
    by_key = bundle.material is MaterialKind.PUBLIC_KEY
    accepted: set[str] = set()
    signer = ""
    statement: InTotoStatement | None = None
    failures: list[str] = []
    candidates = [
        (trust_id, policy)
        for trust_id, policy in sorted(trust.policies.items())
        if isinstance(policy, KeyTrust) == by_key
    ]
    if by_key:
        # The hint is unauthenticated, so it only orders the attempts; the key it names is
        # tried first. Trust ids of keys are their fingerprints: at most one key can verify.
        candidates.sort(key=lambda c: not _hinted(c[1], bundle))
    for trust_id, policy in candidates:
        try:
            result = policy.verify(bundle, artifact)
        except CheckFailed as exc:
            failures.append(str(exc))
            continue
        accepted.add(trust_id)
        signer = signer or result.signer
        statement = statement or result.statement
        if by_key:
            break
    if accepted:
        return VerifiedEvidence(raw.source, raw.digest, signer, frozenset(accepted), statement)
    if not failures:
        kind = "key" if by_key else "keyless identity"
        return RefusedEvidence(
            raw.source,
            raw.digest,
            f"{raw.source}: no trusted {kind} to verify it with",
            claimed_type=_claimed_type(bundle),
        )
    reason, substituted = _reason(bundle, failures)
    return RefusedEvidence(raw.source, raw.digest, reason, substituted, _claimed_type(bundle))


def gather_evidence(
    source: EvidenceSource,
    artifact: Artifact,
    trust: TrustSet,
    *,
    name: str | None = None,
    container: Artifact | None = None,
) -> Evidence:
    """Find and verify every bundle for ``artifact``; problems end up in ``errors``.

    ``container`` is the OCI manifest that holds ``artifact`` as its only layer (a file
    pushed to a store): a bundle about the manifest is about these exact bytes too, since
    the manifest pins the layer's digest. Bundles are looked up by the container's digest.
    """
    label = name or artifact.name
    verified: list[VerifiedEvidence] = []
    refused: list[RefusedEvidence] = []
    errors: list[str] = []
    try:
        lookup = container.digest if container is not None else artifact.digest
        raws = list(source.bundles_for(lookup, label))
    except VerifierError as exc:
        return Evidence(artifact.digest, label, errors=(f"{source.name}: {exc}",))
    seen: set[Digest] = set()
    for raw in raws:
        if raw.digest in seen:
            continue
        seen.add(raw.digest)
        try:
            outcome = verify_raw_bundle(raw, artifact, trust)
            if isinstance(outcome, RefusedEvidence) and outcome.substituted and container:
                outcome = verify_raw_bundle(raw, container, trust)
        except InputError as exc:
            errors.append(str(exc))
            continue
        except VerifierError as exc:
            errors.append(f"{raw.source}: {exc}")
            continue
        if isinstance(outcome, VerifiedEvidence):
            verified.append(outcome)
        else:
            refused.append(outcome)
    verified.sort(key=lambda e: (e.source, e.digest))
    refused.sort(key=lambda e: (e.source, e.digest))
    return Evidence(artifact.digest, label, tuple(verified), tuple(refused), tuple(errors))
