"""SBOM sources for images in a store (a registry, or an OCI layout by tag).

This sits above both ``sbom`` and ``store`` (the SBOM sources never import the store): the
image is copied, every blob digest-checked, into a temporary OCI layout, and the layout source
describes it under the image's own name.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from packageurl import PackageURL

from verifier.sbom.model import Inventory
from verifier.sbom.sources.oci_layout import OciLayoutSource
from verifier.store.copy import copy_artifact
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore
from verifier.store.reference import StoreOptions, parse_reference

_LOCAL_TAG = "image"


def image_inventory(reference: str, options: StoreOptions) -> Inventory:
    """The inventory of the image ``reference`` names (``HOST/REPO:TAG``, ``...@sha256:``)."""
    ref = parse_reference(reference, allow_bare=False)
    deadline = Deadline(options.timeout)
    source_store = ref.store.open(options, deadline)
    with tempfile.TemporaryDirectory(prefix="verifier-image-") as tmp:
        layout = LayoutStore(Path(tmp), deadline)
        copied = copy_artifact(
            source_store, ref.reference, layout, tag=_LOCAL_TAG, with_referrers=False
        )
        inventory = OciLayoutSource(Path(tmp), ref=_LOCAL_TAG).inventory()
    name = str(ref.store)
    # purl-spec's oci type: the last path segment as name, the repository as a qualifier.
    purl = PackageURL(
        type="oci",
        name=name.rsplit("/", 1)[-1].lower(),
        version=str(copied.digest),
        qualifiers={"repository_url": name},
    ).to_string()
    subject = replace(inventory.subject, name=name, purl=purl)
    return replace(inventory, subject=subject)
