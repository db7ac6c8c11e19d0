"""What every rule sees: the policy, the verified evidence, the artifact's label and the time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from verifier.policy.evidence import COSIGN_SIGN_V1, Evidence, RefusedEvidence
from verifier.policy.model import Policy
from verifier.policy.requirements import Duration


@dataclass(frozen=True)
class RuleContext:
    """The inputs of one policy evaluation for one artifact."""

    policy: Policy
    evidence: Evidence
    label: str
    now: datetime
    pinned: bool = True
    namespace: str | None = None

    def trust_ids(self, names: Sequence[str]) -> frozenset[str]:
        """The trust ids of the named authorities of this policy."""
        return frozenset(self.policy.authorities[n].trust_id for n in names)

    def authority_names(self, trusted_by: frozenset[str], names: Sequence[str]) -> list[str]:
        """Which of ``names`` accepted evidence trusted by ``trusted_by``."""
        return sorted(n for n in names if self.policy.authorities[n].trust_id in trusted_by)

    def refused_note(self, predicate_types: tuple[str, ...] | None = None) -> str:
        """A suffix naming refused evidence of one kind (substitution first), or nothing.

        ``predicate_types`` None means plain signatures (and cosign sign/v1 statements).
        """
        refused: list[RefusedEvidence] = sorted(
            (r for r in self.evidence.refused if _of_kind(r, predicate_types)),
            key=lambda r: (not r.substituted, r.source),
        )
        if not refused:
            return ""
        more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
        return f"; refused {refused[0].reason}{more}"


def _of_kind(refused: RefusedEvidence, predicate_types: tuple[str, ...] | None) -> bool:
    if predicate_types is None:
        return refused.claimed_type in ("", COSIGN_SIGN_V1)
    return refused.claimed_type.startswith(predicate_types)


def parse_time(text: object) -> datetime | None:
    """An RFC 3339 time from evidence, or None when absent or malformed."""
    if not isinstance(text, str) or not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def too_old(when: datetime | None, max_age: Duration | None, now: datetime) -> str | None:
    """Why evidence made at ``when`` is too old (or undated) for ``max_age``; None when fine."""
    if max_age is None:
        return None
    if when is None:
        return "has no valid timestamp, so its age cannot be checked"
    age = now - when
    if age > max_age.delta:
        days = age.total_seconds() / 86400
        return f"is {days:.0f} days old, older than the maximum {max_age}"
    return None
