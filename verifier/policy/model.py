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
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from verifier.attest.statement import canonical_json
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.cel import CompiledCondition
from verifier.policy.requirements import Requirements
from verifier.sign.identity import Match
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keyless_policy import KeylessTrust
from verifier.sign.keys import PublicKey
from verifier.sign.policy import TrustPolicy

API_VERSION = "verifier/v1"
KIND = "Policy"


class Mode(StrEnum):
    """What a violation does: deny (``enforce``) or only warn (``warn``)."""

    ENFORCE = "enforce"
    WARN = "warn"


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
    """``reg/app:1.0@sha256:..`` -> ``reg/app``, ``nginx:1.25`` -> ``nginx``; a path stays."""
    base = name.split("@", 1)[0]
    slash = base.rfind("/")
    colon = base.rfind(":")
    return base[:colon] if colon > slash else base


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
            "require": self.require.to_dict(),
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
