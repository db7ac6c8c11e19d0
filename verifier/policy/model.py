"""The policy model: frozen values that validate when built, one per section of the file.

A :class:`Policy` is what one ``apiVersion: verifier/v1`` / ``kind: Policy`` document says; a
:class:`PolicySet` is every policy an admission decision applies. The loader
(:mod:`verifier.policy.loader`) builds these from YAML with line-precise errors; the engine
(:mod:`verifier.policy.engine`) evaluates them. ``to_dict`` gives the canonical form the
policy digest is computed over (key files appear as their fingerprints, so the digest changes
when a trusted key does).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from verifier.attest.statement import canonical_json
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.cel import CompiledCondition
from verifier.policy.versions import VersionRange
from verifier.sign.identity import Match
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keyless_policy import KeylessTrust
from verifier.sign.keys import PublicKey
from verifier.sign.policy import TrustPolicy

API_VERSION = "verifier/v1"
KIND = "Policy"
_DURATION = re.compile(r"^([1-9][0-9]{0,5})([smhdw])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class Mode(StrEnum):
    """What a violation does: deny (``enforce``) or only warn (``warn``)."""

    ENFORCE = "enforce"
    WARN = "warn"


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
class KeyAuthority:
    """A trusted public key, from a file (named relative to the policy) or inline PEM."""

    name: str
    key: PublicKey
    origin: str  # the file as written in the policy, or "inline"

    @property
    def trust_id(self) -> str:
        """Names this trust across policies (two policies trusting one key share it)."""
        return f"key {self.key.fingerprint}"

    def trust(self) -> KeyTrust:
        """The signing library's policy for this key."""
        return KeyTrust(self.key)

    def to_dict(self) -> dict[str, Any]:
        """Canonical form: the key by fingerprint."""
        return {"name": self.name, "key": {"sha256": self.key.fingerprint.hex}}


@dataclass(frozen=True)
class KeylessAuthority:
    """A keyless identity: OIDC issuer and certificate subject, each exact or regexp."""

    name: str
    issuer: Match
    subject: Match
    trusted_root: str | None = None

    @property
    def trust_id(self) -> str:
        """Names this trust across policies."""
        root = f" root {self.trusted_root}" if self.trusted_root else ""
        return f"identity {self.subject} (issuer {self.issuer}){root}"

    def trust(self) -> KeylessTrust:
        """The signing library's policy for this identity."""
        root = Path(self.trusted_root) if self.trusted_root else None
        return KeylessTrust(self.subject, self.issuer, root)

    def to_dict(self) -> dict[str, Any]:
        """Canonical form."""
        out: dict[str, Any] = {
            "name": self.name,
            "keyless": {
                "issuerRegExp" if self.issuer.regexp else "issuer": self.issuer.value,
                "subjectRegExp" if self.subject.regexp else "subject": self.subject.value,
            },
        }
        if self.trusted_root:
            out["keyless"]["trustedRoot"] = self.trusted_root
        return out


Authority = KeyAuthority | KeylessAuthority


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

    def authority_names(self) -> set[str]:
        """Every authority a rule names."""
        names: set[str] = set()
        for rule in (self.signatures, self.reproducible, self.sbom, self.provenance):
            if rule is not None:
                names.update(rule.authorities)
        if self.vulnerabilities is not None:
            names.update(self.vulnerabilities.authorities)
        return names


@dataclass(frozen=True)
class MatchSpec:
    """Which artifacts a policy applies to: name globs and Kubernetes namespaces."""

    names: tuple[str, ...] = ("*",)
    namespaces: tuple[str, ...] = ()

    def applies(self, name: str, namespace: str | None) -> bool:
        """Names are globs over the reference without tag or digest, or over all of it.

        Namespaces only restrict objects that have one.
        """
        bare = _repository_of(name)
        if not any(
            fnmatch.fnmatchcase(bare, p) or fnmatch.fnmatchcase(name, p) for p in self.names
        ):
            return False
        if namespace is None or not self.namespaces:
            return True
        return any(fnmatch.fnmatchcase(namespace, p) for p in self.namespaces)


def _repository_of(name: str) -> str:
    """``reg/app:1.0@sha256:..`` -> ``reg/app``; a file path stays as it is."""
    base = name.split("@", 1)[0]
    slash = base.rfind("/")
    colon = base.rfind(":")
    return base[:colon] if colon > slash and "/" in base else base


@dataclass(frozen=True)
class Policy:
    """One policy document, validated: every authority a rule names exists."""

    name: str
    source: str
    mode: Mode
    match: MatchSpec
    authorities: Mapping[str, Authority]
    require: Requirements
    conditions: tuple[CompiledCondition, ...] = ()
    description: str = ""
    digest: Digest = field(init=False, compare=False)

    def __post_init__(self) -> None:
        missing = sorted(self.require.authority_names() - set(self.authorities))
        if missing:
            raise InputError(f"unknown authority {', '.join(repr(m) for m in missing)}")
        rules = self.require
        if not (
            rules.signatures
            or rules.reproducible
            or rules.sbom
            or rules.provenance
            or rules.vulnerabilities
            or rules.digest_pinned
            or self.conditions
        ):
            raise InputError(
                f"policy {self.name!r} requires nothing: an empty policy would allow everything"
            )
        object.__setattr__(self, "digest", Digest.of_bytes(canonical_json(self.to_dict())))

    def to_dict(self) -> dict[str, Any]:
        """The canonical document (what the digest covers)."""
        spec: dict[str, Any] = {
            "mode": self.mode.value,
            "match": {"names": list(self.match.names), "namespaces": list(self.match.namespaces)},
            "authorities": [a.to_dict() for _, a in sorted(self.authorities.items())],
            "require": _requirements_dict(self.require),
            "conditions": [
                {"name": c.name, "expression": c.expression, "message": c.message}
                for c in self.conditions
            ],
        }
        return {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": {"name": self.name},
            "spec": spec,
        }


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


@dataclass(frozen=True)
class PolicySet:
    """The policies one decision applies; an empty set is an error, never a pass."""

    policies: tuple[Policy, ...]
    source: str = "policies"

    def __post_init__(self) -> None:
        if not self.policies:
            raise InputError(f"{self.source}: no policy found")
        names = [p.name for p in self.policies]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InputError(f"{self.source}: policy name {dupes[0]!r} is used twice")

    @property
    def digest(self) -> Digest:
        """sha256 over the sorted (name, digest) pairs of the policies."""
        text = "".join(f"{p.name}\0{p.digest}\n" for p in sorted(self.policies, key=_by_name))
        return Digest.of_bytes(text.encode())

    def matching(self, name: str, namespace: str | None) -> tuple[Policy, ...]:
        """The policies whose ``match`` covers this artifact."""
        return tuple(p for p in self.policies if p.match.applies(name, namespace))

    def trust(self) -> TrustSet:
        """Every authority of every policy, once per distinct key or identity."""
        trusts: dict[str, TrustPolicy] = {}
        for policy in self.policies:
            for authority in policy.authorities.values():
                if authority.trust_id not in trusts:
                    trusts[authority.trust_id] = authority.trust()
        return TrustSet(trusts)


@dataclass(frozen=True)
class TrustSet:
    """The keys and identities evidence is verified against, by trust id."""

    policies: Mapping[str, TrustPolicy]


def _by_name(policy: Policy) -> str:
    return policy.name
