"""Small builders the store tests share."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from verifier.store.artifacts import put_bytes
from verifier.store.interface import Store
from verifier.store.oci import (
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_MANIFEST,
    Descriptor,
    artifact_manifest,
)

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def push_subject(store: Store, payload: bytes, tag: str = "v1") -> Descriptor:
    """An artifact to hang evidence on."""
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layer = put_bytes(store, "application/octet-stream", payload)
    raw = artifact_manifest([layer], artifact_type="application/vnd.test.app", annotations={})
    return store.put_manifest(raw, OCI_MANIFEST, tag=tag).descriptor


def dsse_bundle(predicate_type: str, marker: str = "") -> bytes:
    """A bundle-shaped document (not a valid signature: the store never verifies bundles)."""
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "app", "digest": {"sha256": "00" * 32}}],
        "predicateType": predicate_type,
        "predicate": {"marker": marker},
    }
    payload = base64.b64encode(json.dumps(statement).encode()).decode()
    return json.dumps(
        {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {"publicKey": {"hint": "test"}},
            "dsseEnvelope": {
                "payload": payload,
                "payloadType": "application/vnd.in-toto+json",
                "signatures": [{"sig": "AAAA"}],
            },
        },
        sort_keys=True,
    ).encode()
