"""The fast path: a signed verification summary (SLSA VSA v1) the release step attached.

``verifier release`` verifies everything once and signs a VSA (predicate
``https://slsa.dev/verification_summary/v1``) saying which policy the image passed. Admission
that trusts the VSA's signer and sees the same policy digest decides from it locally. A VSA is
accepted only when all of these hold, checked in this order:

1. the bundle verifies under the trusted authorities (signature over the exact DSSE payload);
2. the signed statement names the image's digest among its subjects (no substitution);
3. its predicate type is the VSA v1 type;
4. ``verificationResult`` is ``PASSED``;
5. ``policy.digest.sha256`` is the digest of the policies admission applies to this image
   (the caller says which digests stand for them).

Anything else (no VSA, another policy, FAILED, a bad signature) is not a denial by itself:
the image goes on to the full evaluation, which decides.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from verifier.admission.decider import ImageDecision, ImageQuery, Outcome, Route
from verifier.digest import Digest
from verifier.errors import CheckFailed, InputError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import BUNDLE_SUFFIX, Bundle
from verifier.sign.dsse import Envelope
from verifier.sign.intoto import InTotoStatement
from verifier.sign.policy import TrustPolicy
from verifier.sign.verify import PredicateTypeIs, verify_bundle

log = logging.getLogger("verifier.serve")

VSA_PREDICATE_TYPE = "https://slsa.dev/verification_summary/v1"
#: A summaries directory is read whole at start; this bounds what one misconfiguration costs.
MAX_SUMMARY_FILES = 100_000


class SummarySource(Protocol):
    """Where verification summaries for an image digest are found."""

    def summaries(self, image: str, digest: Digest) -> Iterable[Bundle]:
        """Candidate VSA bundles for ``digest`` (not yet verified); may do I/O and raise.

        Read lazily: the fast path stops at the first one it accepts.
        """
        ...


class SummaryDirectory:
    """VSA bundles (``*.sigstore.json``) in a directory, indexed by subject digest at load.

    The index reads the statement's subjects before verification only to find candidates;
    every candidate is verified in full when used.
    """

    def __init__(self, directory: Path) -> None:
        if not directory.is_dir():
            raise InputError(f"{directory}: summaries directory does not exist")
        self.directory = directory
        self._by_digest: dict[Digest, list[Bundle]] = {}
        paths = sorted(directory.rglob(f"*{BUNDLE_SUFFIX}"))
        if len(paths) > MAX_SUMMARY_FILES:
            raise InputError(f"{directory}: over {MAX_SUMMARY_FILES} bundles")
        for path in paths:
            bundle = Bundle.load(path)
            if not isinstance(bundle.content, Envelope):
                continue
            try:
                statement = InTotoStatement.parse(bundle.content.payload, str(path))
            except InputError:
                continue
            if statement.predicate_type != VSA_PREDICATE_TYPE:
                continue
            for subject in statement.subjects:
                for digest in subject.digests:
                    self._by_digest.setdefault(digest, []).append(bundle)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_digest.values())

    def summaries(self, image: str, digest: Digest) -> Sequence[Bundle]:
        """The bundles whose statement names ``digest``."""
        return tuple(self._by_digest.get(digest, ()))


@dataclass(frozen=True)
class SummaryFastPath:
    """Accepts an image on a trusted, passing VSA for the same digest and policy digest."""

    trust: TrustPolicy
    source: SummarySource

    def check(
        self, query: ImageQuery, digest: Digest, policies: Sequence[Digest]
    ) -> ImageDecision | None:
        """An allow decision from a VSA naming one of ``policies``, or None to evaluate fully.

        The reasons a summary was refused are logged.
        """
        verifier = PredicateTypeIs(self.trust, VSA_PREDICATE_TYPE)
        refused: list[str] = []
        for bundle in self.source.summaries(query.image, digest):
            try:
                verified = verify_bundle(bundle, Artifact(digest), verifier)
            except (CheckFailed, InputError) as exc:
                refused.append(str(exc))
                continue
            assert verified.statement is not None  # PredicateTypeIs guarantees a statement
            problem, policy = _summary_problem(verified.statement, policies)
            if problem or policy is None:
                refused.append(f"{bundle.source}: {problem}")
                continue
            return ImageDecision(
                image=query.image,
                outcome=Outcome.ALLOWED,
                rule="verification-summary",
                message=f"release summary for policy {policy.short} signed by {verified.signer}",
                route=Route.SUMMARY,
            )
        if refused:
            log.info(
                "verification summaries refused",
                extra={"fields": {"image": query.image, "reasons": refused}},
            )
        return None


def _summary_problem(
    statement: InTotoStatement, policies: Sequence[Digest]
) -> tuple[str, Digest | None]:
    """("", the policy digest named) for a usable summary, else (why not, None)."""
    predicate = statement.predicate
    result = predicate.get("verificationResult")
    if result != "PASSED":
        return f"verificationResult is {result!r}, not 'PASSED'", None
    raw_policy = predicate.get("policy")
    digests = raw_policy.get("digest") if isinstance(raw_policy, dict) else None
    if isinstance(digests, dict):
        for policy in policies:
            if digests.get(policy.algorithm.value) == policy.hex:
                return "", policy
    wanted = ", ".join(p.short for p in policies)
    return f"summary is for policy {digests!r}, not {wanted}", None
