"""Images in a real registry with release summaries attached, as `verifier release` leaves them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tests.serve.summaries import summary_statement
from verifier.digest import Digest
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey
from verifier.store.artifacts import FileLayer, attach_bundle, push_files
from verifier.store.interface import Store

CREATED = datetime(2026, 11, 1, tzinfo=UTC)


def push_released_image(
    store: Store, workdir: Path, name: str, key: PrivateKey, policy: Digest
) -> Digest:
    """Push a small artifact standing in for an image, attach a signed passing VSA for it."""
    workdir.mkdir(parents=True, exist_ok=True)
    payload = workdir / f"{name}.json"
    payload.write_text(json.dumps({"image": name}))
    subject = push_files(
        store,
        [FileLayer(payload, "application/json")],
        tag=name,
        artifact_type="application/vnd.example.image.v1",
        annotations={},
        created=CREATED,
    )
    bundle = KeySigner(key).sign_statement(summary_statement(subject.digest, policy))
    attach_bundle(store, subject, bundle.to_json(), created=CREATED)
    return subject.digest
