"""Policy files (verifier/v1) and evidence for the webhook's tests, with real keys."""

from __future__ import annotations

from pathlib import Path

from verifier.digest import Digest
from verifier.policy.loader import load_policies
from verifier.sign.artifact import Artifact
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import PrivateKey


def write_policy(
    directory: Path,
    key: PrivateKey,
    *,
    name: str = "gate",
    mode: str = "enforce",
    namespaces: list[str] | None = None,
    digest_pinned: bool = False,
) -> Path:
    """A policy requiring one signature by ``key`` (kept beside it as release.pub)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "release.pub").write_bytes(key.public_key.pem)
    match = f"\n  match: {{namespaces: {namespaces}}}" if namespaces else ""
    pinned = "\n    digestPinned: true" if digest_pinned else ""
    path = directory / f"{name}.yaml"
    path.write_text(
        f"""apiVersion: verifier/v1
kind: Policy
metadata: {{name: {name}}}
spec:
  mode: {mode}{match}
  authorities:
    - {{name: release, key: {{file: release.pub}}}}
  require:
    signatures: {{authorities: [release]}}{pinned}
"""
    )
    return path


def policy_digest_of(path: Path) -> Digest:
    """What `verifier release` records: the digest of the policy set it ran with."""
    return load_policies(path).digest


def sign_image(directory: Path, key: PrivateKey, digest: Digest, name: str) -> Path:
    """A signature over the image digest, as `verifier sign` writes it, in an evidence dir."""
    directory.mkdir(parents=True, exist_ok=True)
    bundle = KeySigner(key).sign_artifact(Artifact(digest))
    path = directory / f"{name}.sigstore.json"
    path.write_bytes(bundle.to_json())
    return path
