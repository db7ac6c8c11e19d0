"""Writing a release into a store: files and evidence first, the version tag last."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from verifier.clock import rfc3339
from verifier.release.evidence import SignedEvidence
from verifier.release.package import Package
from verifier.release.record import SBOM_ARTIFACT_TYPE, EvidenceItem
from verifier.store.artifacts import attach_bundle, put_bytes
from verifier.store.interface import Store
from verifier.store.oci import (
    ANNOTATION_CREATED,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_MANIFEST,
    artifact_manifest,
)
from verifier.store.referrers import attach_referrer
from verifier.store.verified import file_chunks


def push_package(store: Store, pkg: Package) -> None:
    """The files and the release manifest, untagged (the tag comes last)."""
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    for descriptor, output in pkg.layers:
        store.put_blob(descriptor, file_chunks(output.path))
    store.put_manifest(pkg.raw, OCI_MANIFEST)


def attach_sbom_document(store: Store, pkg: Package, sbom: bytes, created: datetime) -> None:
    """The plain CycloneDX document as a referrer too, for tools that read SBOMs, not bundles."""
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layer = put_bytes(store, SBOM_ARTIFACT_TYPE, sbom)
    raw = artifact_manifest(
        [layer],
        artifact_type=SBOM_ARTIFACT_TYPE,
        annotations={ANNOTATION_CREATED: rfc3339(created)},
        subject=pkg.descriptor,
    )
    attach_referrer(store, raw, OCI_MANIFEST)


def attach_evidence(
    store: Store, pkg: Package, evidence: Sequence[SignedEvidence], created: datetime
) -> tuple[EvidenceItem, ...]:
    """Every signed bundle as a cosign v3 referrer of the release manifest."""
    attached = []
    for item in evidence:
        referrer = attach_bundle(
            store, pkg.descriptor, item.bundle, created=created, where=f"{item.kind} bundle"
        )
        attached.append(
            EvidenceItem(
                item.kind, item.statement.predicate_type, item.item.bundle, referrer.digest
            )
        )
    return tuple(attached)
