"""Transparency-log entries inside key-signed bundles: checked when present, never required.

A key is trusted because the user gave it, so a key-signed bundle needs no log entry (ours
carry none). But an entry that is there must be genuine and about this very signature: a
bundle whose log evidence is forged or belongs to something else is refused, not ignored.
cosign ``sign-blob --key`` (with upload) and sigstore-go write such entries.

For each entry (the conformance suite's managed-key case is one):

1. sigstore-python verifies the Merkle inclusion proof, the signed checkpoint and, when
   present, the inclusion promise (SET) against the Rekor keys of the trusted root;
2. the entry body must describe this bundle: ``hashedrekord/0.0.1`` for a message signature
   (artifact sha256, signature bytes, our public key) or ``dsse/0.0.1`` for an envelope
   (payload sha256, the one signature and our public key). Other kinds are refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sigstore._internal.trust import KeyringPurpose
from sigstore.errors import Error as SigstoreError
from sigstore.models import TransparencyLogEntry
from sigstore_models.rekor.v1 import TransparencyLogEntry as _EntryModel

from verifier.errors import CheckFailed, VerifierError
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.dsse import Envelope
from verifier.sign.keyless_verify import first_line, verifier_for
from verifier.sign.keys import PublicKey


def verify_key_tlog_entries(
    bundle: Bundle, key: PublicKey, artifact: Artifact, trusted_root: Path | None
) -> None:
    """Refuse the bundle unless every log entry it carries is genuine and matches it."""
    if not bundle.tlog_entries:
        return
    keyring = verifier_for(trusted_root)._trusted_root.rekor_keyring(KeyringPurpose.VERIFY)
    for index, raw in enumerate(bundle.tlog_entries):
        where = f"{bundle.source}: tlogEntries[{index}]"
        try:
            entry = TransparencyLogEntry(_EntryModel.from_json(json.dumps(raw)))
            entry._verify(keyring)
        except (SigstoreError, ValueError) as exc:
            raise CheckFailed(f"{where}: invalid log entry: {first_line(exc)}") from None
        _check_body(where, raw, bundle, key, artifact)


def _decode(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return base64.b64decode(value, validate=True)


def _same_key(pem_b64: object, key: PublicKey) -> bool:
    try:
        return PublicKey.from_pem(_decode(pem_b64), "log entry key") == key
    except (VerifierError, ValueError):  # a malformed key simply is not our key
        return False


def _check_body(
    where: str, raw: Mapping[str, Any], bundle: Bundle, key: PublicKey, artifact: Artifact
) -> None:
    try:
        body = json.loads(_decode(raw.get("canonicalizedBody")))
        kind, version, spec = body["kind"], body["apiVersion"], body["spec"]
    except (ValueError, KeyError, TypeError, RecursionError):
        raise CheckFailed(f"{where}: log entry body is malformed") from None
    content = bundle.content
    try:
        if isinstance(content, Envelope):
            if (kind, version) != ("dsse", "0.0.1"):
                raise CheckFailed(f"{where}: unsupported log entry {kind}/{version} for DSSE")
            expected_hash = {
                "algorithm": "sha256",
                "value": hashlib.sha256(content.payload).hexdigest(),
            }
            logged = spec["signatures"]
            ok = (
                spec["payloadHash"] == expected_hash
                and len(logged) == len(content.signatures)
                and all(
                    _decode(s["signature"]) == mine.sig and _same_key(s["verifier"], key)
                    for s, mine in zip(logged, content.signatures, strict=True)
                )
            )
        else:
            if (kind, version) != ("hashedrekord", "0.0.1"):
                raise CheckFailed(f"{where}: unsupported log entry {kind}/{version} for a message")
            ok = (
                spec["data"]["hash"] == {"algorithm": "sha256", "value": artifact.digest.hex}
                and _decode(spec["signature"]["content"]) == content.signature
                and _same_key(spec["signature"]["publicKey"]["content"], key)
            )
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise CheckFailed(f"{where}: log entry does not match this bundle's signature and key")
