"""in-toto statements as verification reads them: v1 and v0.1, from verified payload bytes.

``in-toto/attestation`` ``spec/v1/statement.md``: subjects are matched purely by digest.
Writing statements is :mod:`verifier.attest.statement`; this is the reading side, which must
also accept v0.1 (cosign still wraps CycloneDX predicates in it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError

STATEMENT_V1 = "https://in-toto.io/Statement/v1"
STATEMENT_V01 = "https://in-toto.io/Statement/v0.1"
STATEMENT_TYPES = frozenset({STATEMENT_V1, STATEMENT_V01})


@dataclass(frozen=True)
class Subject:
    """One subject: a name and its digests (only the algorithms we know are kept)."""

    name: str
    digests: tuple[Digest, ...]


@dataclass(frozen=True)
class InTotoStatement:
    """An in-toto Statement; ``predicate`` is kept as parsed JSON for the predicate's owner."""

    statement_type: str
    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.statement_type not in STATEMENT_TYPES:
            raise InputError(f"unknown in-toto statement type {self.statement_type!r}")
        if not self.subjects:
            raise InputError("in-toto statement has no subject")
        if not self.predicate_type:
            raise InputError("in-toto statement has an empty predicateType")

    def names_digest(self, digest: Digest) -> bool:
        """True when some subject carries exactly this digest."""
        return any(digest in s.digests for s in self.subjects)

    @classmethod
    def parse(cls, payload: bytes, source: str = "in-toto statement") -> InTotoStatement:
        """Parse Statement v1 or v0.1 JSON; InputError names ``source`` and the problem."""
        try:
            doc = json.loads(payload)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError(f"{source}: not valid JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise InputError(f"{source}: not a JSON object")
        stype = doc.get("_type")
        if not isinstance(stype, str) or stype not in STATEMENT_TYPES:
            raise InputError(f"{source}: unknown _type {stype!r}")
        raw_subjects = doc.get("subject")
        if not isinstance(raw_subjects, list) or not raw_subjects:
            raise InputError(f"{source}: subject must be a non-empty list")
        subjects = []
        for i, raw in enumerate(raw_subjects):
            if not isinstance(raw, dict) or not isinstance(raw.get("digest"), dict):
                raise InputError(f"{source}: subject[{i}] has no digest map")
            name = raw.get("name", "")
            if not isinstance(name, str):
                raise InputError(f"{source}: subject[{i}].name is not a string")
            digests = []
            for alg, value in sorted(raw["digest"].items()):
                if alg in Algorithm.__members__.values() and isinstance(value, str):
                    try:
                        digests.append(Digest(Algorithm(alg), value.lower()))
                    except InputError as exc:
                        raise InputError(f"{source}: subject[{i}]: {exc}") from None
            subjects.append(Subject(name, tuple(digests)))
        ptype = doc.get("predicateType")
        if not isinstance(ptype, str) or not ptype:
            raise InputError(f"{source}: predicateType is missing")
        predicate = doc.get("predicate", {})
        if not isinstance(predicate, dict):
            raise InputError(f"{source}: predicate is not a JSON object")
        return cls(stype, tuple(subjects), ptype, predicate)
