"""in-toto Statement v1, serialized deterministically."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.digest import Digest
from verifier.errors import InputError

STATEMENT_TYPE_V1 = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"


@dataclass(frozen=True, order=True)
class Subject:
    """A statement subject: a name and its digests (matched by digest, never by name)."""

    name: str
    digest: Digest

    def to_dict(self) -> dict[str, Any]:
        """``{"name", "digest": {"sha256": hex}}``."""
        return {"name": self.name, "digest": {self.digest.algorithm.value: self.digest.hex}}


@dataclass(frozen=True)
class Statement:
    """An in-toto Statement v1 with at least one subject."""

    subjects: tuple[Subject, ...]
    predicate_type: str
    predicate: Mapping[str, Any]

    def __post_init__(self) -> None:
        if not self.subjects:
            raise InputError("an in-toto statement needs at least one subject")
        if not self.predicate_type:
            raise InputError("an in-toto statement needs a predicate type")

    def to_dict(self) -> dict[str, Any]:
        """The statement as JSON-ready data, subjects sorted."""
        return {
            "_type": STATEMENT_TYPE_V1,
            "subject": [s.to_dict() for s in sorted(self.subjects)],
            "predicateType": self.predicate_type,
            "predicate": self.predicate,
        }

    def to_json(self) -> bytes:
        """Deterministic bytes: sorted keys, two-space indent, trailing newline."""
        return canonical_json(self.to_dict())


def canonical_json(data: Any) -> bytes:
    """The one JSON serialization we write to files: sorted keys, stable, UTF-8."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def resource(
    name: str, digest: Digest, uri: str | None = None, **annotations: str
) -> dict[str, Any]:
    """An in-toto ResourceDescriptor."""
    out: dict[str, Any] = {"name": name, "digest": {digest.algorithm.value: digest.hex}}
    if uri is not None:
        out["uri"] = uri
    if annotations:
        out["annotations"] = dict(sorted(annotations.items()))
    return out


def subjects_of(pairs: Sequence[tuple[str, Digest]]) -> tuple[Subject, ...]:
    """Subjects from (name, digest) pairs, de-duplicated."""
    return tuple(sorted({Subject(n, d) for n, d in pairs}))
