"""The library entry point: sources in, deterministic and validated CycloneDX bytes out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from verifier.errors import CheckFailed
from verifier.sbom.document import document_json, merge_inventories, render
from verifier.sbom.formulation import RebuildRecipe, add_formulation
from verifier.sbom.model import Inventory
from verifier.sbom.sources.interface import SbomSource
from verifier.sbom.spec import SpecVersion
from verifier.sbom.validate import validate_document


def build_sbom(
    sources: Sequence[SbomSource],
    *,
    spec_version: SpecVersion = SpecVersion.V1_6,
    timestamp: datetime | None = None,
    formulation: RebuildRecipe | None = None,
) -> bytes:
    """CycloneDX JSON bytes for the inventories of ``sources`` (first source's subject).

    Deterministic: the same inputs and ``timestamp`` give the same bytes anywhere. ``timestamp``
    None omits ``metadata.timestamp`` (callers pass SOURCE_DATE_EPOCH's instant when set).
    The document is validated before it is returned; a violation is a bug and raises
    CheckFailed naming the first JSON paths.
    """
    inventory = merge_inventories([source.inventory() for source in sources])
    return build_from_inventory(
        inventory, spec_version=spec_version, timestamp=timestamp, formulation=formulation
    )


def build_from_inventory(
    inventory: Inventory,
    *,
    spec_version: SpecVersion = SpecVersion.V1_6,
    timestamp: datetime | None = None,
    formulation: RebuildRecipe | None = None,
) -> bytes:
    """Like :func:`build_sbom`, for an inventory already read."""
    document = document_json(inventory, spec_version=spec_version, timestamp=timestamp)
    if formulation is not None:
        document = add_formulation(document, formulation, spec_version)
    issues = validate_document(document, spec_version)
    if issues:
        raise CheckFailed(
            f"generated SBOM does not validate against CycloneDX {spec_version}: {issues[0]}",
            details=tuple(str(i) for i in issues[1:20]),
        )
    return render(document)
