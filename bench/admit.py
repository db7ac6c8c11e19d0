"""Admission throughput: 1,000 artifacts, each with 5 evidence bundles, in a local OCI layout.

Each artifact is a pushed file with five key-signed bundles attached as cosign v3 referrers:
a signature, two rebuild VSAs (two builders), an SBOM and a provenance statement. The policy
requires all of them. Prints decisions per second (one core) and how the time splits between
reading evidence from the store, verifying bundles, and evaluating the policy.

Set-up writes the layout in one pass (blobs, then one index.json) from the storage library's
own manifest builders: attaching 5,000 referrers one by one through ``attach_bundle`` rewrites
index.json per tag, which grows quadratically (60 artifacts took 36 s here). The first
artifact is also attached through ``attach_bundle`` in a second layout, and the bench checks
that both layouts list the same referrers.

    uv run python bench/admit.py [--artifacts N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from verifier.admission.resolve import StoreResolver
from verifier.admission.targets import target_of
from verifier.attest.statement import Statement, canonical_json, subjects_of
from verifier.attest.uris import PROVENANCE_V1, VSA_V1
from verifier.digest import Digest
from verifier.policy.decision import Outcome
from verifier.policy.engine import evaluate
from verifier.policy.evidence import Evidence, RefusedEvidence, VerifiedEvidence, verify_raw_bundle
from verifier.policy.loader import load_policies
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import KeyAlgorithm
from verifier.store.artifacts import FileLayer, attach_bundle, push_files
from verifier.store.deadline import Deadline
from verifier.store.layout import LAYOUT_MARKER, LayoutStore
from verifier.store.oci import (
    ANNOTATION_BUNDLE_CONTENT,
    ANNOTATION_BUNDLE_PREDICATE,
    ANNOTATION_CREATED,
    ANNOTATION_REF_NAME,
    ANNOTATION_TITLE,
    BUNDLE_V03,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_INDEX,
    OCI_MANIFEST,
    OCTET_STREAM,
    Descriptor,
    Manifest,
    artifact_manifest,
    image_index,
)
from verifier.store.reference import StoreOptions
from verifier.store.referrers import fallback_tag, index_entry, list_referrers, referrer_tag

NOW = datetime(2026, 11, 10, tzinfo=UTC)
POLICY = """\
apiVersion: verifier/v1
kind: Policy
metadata: {name: bench}
spec:
  authorities:
    - {name: release, key: {file: release.pub}}
    - {name: rebuilders, key: {file: rebuilders.pub}}
  require:
    signatures: {authorities: [release]}
    reproducible: {authorities: [rebuilders], minBuilders: 2, maxAge: 30d}
    sbom: {authorities: [release], requireHashes: true, deniedLicenses: [GPL-3.0-only]}
    provenance: {authorities: [release], builderIds: ["urn:builder:*"]}
"""


def _statement(name: str, digest: Digest, ptype: str, predicate: dict[str, object]) -> bytes:
    return Statement(subjects_of([(name, digest)]), ptype, predicate).to_json()


def _vsa(digest: Digest, builder: str) -> dict[str, object]:
    return {
        "verifier": {"id": "urn:verifier:rebuild"},
        "timeVerified": "2026-11-01T00:00:00Z",
        "verificationResult": "PASSED",
        "rebuild": {
            "builder": builder,
            "outputs": [{"name": "app", "verdict": "REPRODUCED", "digests": [str(digest)]}],
        },
    }


class LayoutWriter:
    """Blobs straight into blobs/sha256, tags collected for one index.json at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "blobs" / "sha256").mkdir(parents=True)
        (root / "oci-layout").write_bytes(LAYOUT_MARKER)
        self.tags: list[dict[str, object]] = []

    def blob(self, media_type: str, data: bytes, **extra: object) -> Descriptor:
        descriptor = Descriptor.of_bytes(media_type, data, **extra)
        (self.root / "blobs" / "sha256" / descriptor.digest.hex).write_bytes(data)
        return descriptor

    def manifest(self, raw: bytes, media_type: str, tag: str) -> Descriptor:
        descriptor = self.blob(media_type, raw)
        tagged = Descriptor(
            media_type, descriptor.digest, descriptor.size, annotations={ANNOTATION_REF_NAME: tag}
        )
        self.tags.append(tagged.to_json())
        return descriptor

    def attach(self, subject: Descriptor, bundles: list[Bundle]) -> None:
        entries = []
        for bundle in bundles:
            data = bundle.to_json()
            layer = self.blob(BUNDLE_V03, data)
            annotations = {
                ANNOTATION_BUNDLE_CONTENT: "dsse-envelope"
                if bundle.is_dsse
                else "message-signature",
                ANNOTATION_CREATED: "2026-11-10T00:00:00Z",
            }
            if bundle.is_dsse:
                annotations[ANNOTATION_BUNDLE_PREDICATE] = _predicate_type(bundle)
            raw = artifact_manifest(
                [layer], artifact_type=BUNDLE_V03, annotations=annotations, subject=subject
            )
            manifest = Manifest.parse(raw, "bench", OCI_MANIFEST)
            self.manifest(raw, OCI_MANIFEST, referrer_tag(subject.digest, manifest.digest))
            entries.append(index_entry(manifest))
        self.manifest(image_index(entries), OCI_INDEX, fallback_tag(subject.digest))

    def finish(self) -> None:
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": self.tags}
        (self.root / "index.json").write_bytes(canonical_json(index))


def _predicate_type(bundle: Bundle) -> str:
    import base64
    import json

    payload = bundle.to_dict()["dsseEnvelope"]["payload"]
    return str(json.loads(base64.b64decode(payload))["predicateType"])


def build(root: Path, count: int) -> tuple[Path, Path]:
    release = KeyAlgorithm.ECDSA_P256.generate()
    rebuilders = KeyAlgorithm.ECDSA_P256.generate()
    (root / "release.pub").write_bytes(release.public_key.pem)
    (root / "rebuilders.pub").write_bytes(rebuilders.public_key.pem)
    (root / "policy.yaml").write_text(POLICY)
    store_dir = root / "store"
    writer = LayoutWriter(store_dir)
    writer.blob(EMPTY_DESCRIPTOR.media_type, EMPTY_BLOB)
    files = root / "files"
    files.mkdir()
    sbom: dict[str, object] = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {
                "name": f"dep{i}",
                "purl": f"pkg:pypi/dep{i}@1.0",
                "hashes": [{"alg": "SHA-256", "content": "ab" * 32}],
                "licenses": [{"license": {"id": "MIT"}}],
            }
            for i in range(20)
        ],
    }
    for i in range(count):
        path = files / f"app-{i}.tar.gz"
        path.write_bytes(f"artifact {i}\n".encode() * 64)
        artifact = Artifact.from_path(path)
        layer = writer.blob(
            OCTET_STREAM, path.read_bytes(), annotations={ANNOTATION_TITLE: path.name}
        )
        raw = artifact_manifest(
            [layer],
            artifact_type="application/vnd.example.app",
            annotations={ANNOTATION_CREATED: "2026-11-10T00:00:00Z"},
        )
        manifest = writer.manifest(raw, OCI_MANIFEST, f"v{i}")
        name, digest = path.name, artifact.digest
        bundles = [
            KeySigner(release).sign_artifact(artifact),
            KeySigner(rebuilders).sign_statement(
                _statement(name, digest, VSA_V1, _vsa(digest, "urn:builder:a"))
            ),
            KeySigner(rebuilders).sign_statement(
                _statement(name, digest, VSA_V1, _vsa(digest, "urn:builder:b"))
            ),
            KeySigner(release).sign_statement(
                _statement(name, digest, "https://cyclonedx.org/bom", sbom)
            ),
            KeySigner(release).sign_statement(
                _statement(
                    name,
                    digest,
                    PROVENANCE_V1,
                    {"runDetails": {"builder": {"id": "urn:builder:a"}}},
                )
            ),
        ]
        writer.attach(manifest, bundles)
        if i == 0:
            first = (path, manifest, bundles)
    writer.finish()
    _check_against_library(root, *first, store_dir)
    return root / "policy.yaml", store_dir


def _check_against_library(
    root: Path, path: Path, manifest: Descriptor, bundles: list[Bundle], fast: Path
) -> None:
    """The one-pass layout must list exactly what ``attach_bundle`` would have attached."""
    store = LayoutStore(root / "reference-store", Deadline(600))
    pushed = push_files(
        store,
        [FileLayer(path)],
        tag="v0",
        artifact_type="application/vnd.example.app",
        annotations={},
        created=NOW,
    )
    assert pushed.digest == manifest.digest, "manifest bytes differ from push_files'"
    for bundle in bundles:
        attach_bundle(store, pushed, bundle.to_json(), created=NOW)
    want = sorted(str(r.descriptor.digest) for r in list_referrers(store, pushed.digest))
    writer_store = LayoutStore(fast, Deadline(600))
    got = sorted(str(r.descriptor.digest) for r in list_referrers(writer_store, pushed.digest))
    assert want == got and len(want) == 5, (want, got)


def measure(policy_path: Path, store_dir: Path, count: int) -> None:
    policy_set = load_policies(policy_path)
    trust = policy_set.trust()
    resolver = StoreResolver(StoreOptions(timeout=3600))
    reading = verifying = evaluating = 0.0
    allowed = 0
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        target, source = resolver.resolve(target_of(f"oci-layout:{store_dir}:v{i}"))
        assert source is not None and target.artifact is not None
        lookup = target.container or target.artifact
        raws = list(source.bundles_for(lookup.digest, target.name))
        t1 = time.perf_counter()
        verified: list[VerifiedEvidence] = []
        refused: list[RefusedEvidence] = []
        for raw in raws:
            outcome = verify_raw_bundle(raw, target.artifact, trust)
            if isinstance(outcome, VerifiedEvidence):
                verified.append(outcome)
            else:
                refused.append(outcome)
        evidence = Evidence(target.artifact.digest, target.name, tuple(verified), tuple(refused))
        t2 = time.perf_counter()
        decision = evaluate(policy_set, target.artifact.digest, target.name, evidence, now=NOW)
        t3 = time.perf_counter()
        allowed += decision.outcome is Outcome.ALLOWED
        reading += t1 - t0
        verifying += t2 - t1
        evaluating += t3 - t2
    total = time.perf_counter() - start
    print(f"artifacts: {count}, bundles: {count * 5}, allowed: {allowed}")
    print(f"decisions per second: {count / total:,.0f} ({total:.2f} s total, one core)")
    for label, spent in (
        ("reading evidence from the layout", reading),
        ("verifying bundles", verifying),
        ("evaluating the policy", evaluating),
    ):
        print(f"  {label:34s} {spent:7.2f} s  {100 * spent / total:5.1f} %")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--artifacts", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        policy, store = build(Path(tmp), args.artifacts)
        print(f"set-up: {time.perf_counter() - t0:.1f} s (push, sign, attach)")
        measure(policy, store, args.artifacts)


if __name__ == "__main__":
    main()
