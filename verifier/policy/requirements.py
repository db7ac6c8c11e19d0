"""The ``require`` section of a policy: one frozen value per rule family, validated on construction.

``Requirements.to_dict`` is the canonical form that goes into the policy digest.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from verifier.errors import InputError
from verifier.policy.versions import VersionRange

_DURATION = re.compile(r"^([1-9][0-9]{0,5})([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Severity(StrEnum):
    """Vulnerability severities, in increasing order."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 (low) to 3 (critical)."""
        return list(Severity).index(self)


@dataclass(frozen=True)
class Duration:
    """A maximum age such as ``30d``: seconds, minutes, hours, days or weeks."""

    text: str
    delta: timedelta = field(init=False, compare=False)

    def __post_init__(self) -> None:
        found = _DURATION.match(self.text)
        if found is None:
            raise InputError(f"invalid duration {self.text!r}: expected e.g. '30d', '12h'")
        delta = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
        object.__setattr__(self, "delta", delta)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class SignaturesRule:
    """At least ``threshold`` of ``authorities`` signed the artifact, ``required`` among them."""

    authorities: tuple[str, ...]
    threshold: int = 1
    required: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.authorities:
            raise InputError("authorities must not be empty")
        if not 1 <= self.threshold <= len(self.authorities):
            raise InputError(
                f"threshold {self.threshold} must be between 1 and the "
                f"{len(self.authorities)} authorities listed"
            )
        stray = sorted(set(self.required) - set(self.authorities))
        if stray:
            raise InputError(f"required authorities {', '.join(stray)} are not in authorities")


@dataclass(frozen=True)
class ReproducibleRule:
    """A signed rebuild verdict (VSA) from ``authorities``, by ``min_builders`` builders."""

    authorities: tuple[str, ...]
    min_builders: int = 1
    verdicts: tuple[str, ...] = ("REPRODUCED",)
    stabilizers: tuple[str, ...] = ()
    max_age: Duration | None = None

    def __post_init__(self) -> None:
        if not self.verdicts or not set(self.verdicts) <= {"REPRODUCED", "EQUIVALENT"}:
            raise InputError("verdicts must be REPRODUCED and/or EQUIVALENT")
        if self.stabilizers and "EQUIVALENT" not in self.verdicts:
            raise InputError("stabilizers only make sense with verdict EQUIVALENT")


@dataclass(frozen=True)
class DeniedComponent:
    """A purl pattern (glob over ``pkg:type/namespace/name``) and an optional version range."""

    purl: str
    versions: VersionRange | None = None
    reason: str = ""

    def matches(self, purl: str) -> bool:
        """True when a component's purl falls under this pattern and range."""
        base, _, version = purl.partition("?")[0].partition("#")[0].partition("@")
        if not fnmatch.fnmatchcase(base, self.purl):
            return False
        if self.versions is None:
            return True
        return bool(version) and self.versions.contains(version)

    def __str__(self) -> str:
        return f"{self.purl} {self.versions}" if self.versions else self.purl


@dataclass(frozen=True)
class SbomRule:
    """A signed CycloneDX SBOM with the listed properties."""

    authorities: tuple[str, ...]
    min_spec_version: str | None = None
    require_hashes: bool = False
    denied_licenses: tuple[str, ...] = ()
    denied_components: tuple[DeniedComponent, ...] = ()
    max_unlicensed: int | None = None
    max_age: Duration | None = None


@dataclass(frozen=True)
class ProvenanceRule:
    """Signed SLSA provenance from allowed builders, sources and refs (globs)."""

    authorities: tuple[str, ...]
    builder_ids: tuple[str, ...] = ()
    source_repositories: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()
    max_age: Duration | None = None


@dataclass(frozen=True)
class VulnerabilitiesRule:
    """No unresolved finding at or above ``severity`` in a signed scanner report."""

    authorities: tuple[str, ...]
    severity: Severity
    ignore: tuple[str, ...] = ()
    max_age: Duration | None = None


@dataclass(frozen=True)
class Requirements:
    """The ``require`` section; an absent rule is not checked."""

    signatures: SignaturesRule | None = None
    reproducible: ReproducibleRule | None = None
    sbom: SbomRule | None = None
    provenance: ProvenanceRule | None = None
    vulnerabilities: VulnerabilitiesRule | None = None
    digest_pinned: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON-ready form."""
        return _requirements_dict(self)

    def authority_names(self) -> set[str]:
        """Every authority a rule names."""
        names: set[str] = set()
        for rule in (self.signatures, self.reproducible, self.sbom, self.provenance):
            if rule is not None:
                names.update(rule.authorities)
        if self.vulnerabilities is not None:
            names.update(self.vulnerabilities.authorities)
        return names


def _requirements_dict(req: Requirements) -> dict[str, Any]:
    def age(d: Duration | None) -> str | None:
        return d.text if d else None

    out: dict[str, Any] = {"digestPinned": req.digest_pinned}
    if req.signatures:
        s = req.signatures
        out["signatures"] = {
            "authorities": list(s.authorities),
            "threshold": s.threshold,
            "required": list(s.required),
        }
    if req.reproducible:
        r = req.reproducible
        out["reproducible"] = {
            "authorities": list(r.authorities),
            "minBuilders": r.min_builders,
            "verdicts": list(r.verdicts),
            "stabilizers": list(r.stabilizers),
            "maxAge": age(r.max_age),
        }
    if req.sbom:
        b = req.sbom
        out["sbom"] = {
            "authorities": list(b.authorities),
            "minSpecVersion": b.min_spec_version,
            "requireHashes": b.require_hashes,
            "deniedLicenses": list(b.denied_licenses),
            "deniedComponents": [
                {"purl": c.purl, "versions": str(c.versions) if c.versions else None}
                for c in b.denied_components
            ],
            "maxUnlicensed": b.max_unlicensed,
            "maxAge": age(b.max_age),
        }
    if req.provenance:
        p = req.provenance
        out["provenance"] = {
            "authorities": list(p.authorities),
            "builderIds": list(p.builder_ids),
            "sourceRepositories": list(p.source_repositories),
            "refs": list(p.refs),
            "maxAge": age(p.max_age),
        }
    if req.vulnerabilities:
        v = req.vulnerabilities
        out["vulnerabilities"] = {
            "authorities": list(v.authorities),
            "severity": v.severity.value,
            "ignore": list(v.ignore),
            "maxAge": age(v.max_age),
        }
    return out
