"""The NTIA minimum elements, checked on a CycloneDX document as gaps a person can act on.

Source: NTIA, "The Minimum Elements For a Software Bill of Materials" (2021).

Data fields and where CycloneDX holds them: supplier name (``supplier.name``, or ``author``),
component name, version, other unique identifiers (``purl``), dependency relationship (an
entry in ``dependencies``), author of the SBOM data (``metadata.tools`` / ``metadata.authors``)
and timestamp (``metadata.timestamp``).
"""

from __future__ import annotations

from typing import Any


def ntia_gaps(document: dict[str, Any]) -> list[str]:
    """One line per missing minimum element; empty when every element is present."""
    gaps: list[str] = []
    metadata = document.get("metadata") or {}
    if not metadata.get("timestamp"):
        gaps.append("metadata.timestamp missing (set SOURCE_DATE_EPOCH to record one)")
    if not (metadata.get("tools") or metadata.get("authors")):
        gaps.append("metadata: no author of the SBOM data (tools or authors)")
    related = {d.get("ref") for d in document.get("dependencies") or []}
    missing: dict[str, list[str]] = {}
    for component in document.get("components") or []:
        if component.get("type") == "file":
            continue  # files are identified by their hashes, not by supplier and purl
        label = str(component.get("bom-ref") or component.get("name"))
        for element, present in (
            ("supplier", component.get("supplier") or component.get("author")),
            ("version", component.get("version")),
            ("unique identifier", component.get("purl") or component.get("cpe")),
            ("dependency relationship", component.get("bom-ref") in related),
        ):
            if not present:
                missing.setdefault(element, []).append(label)
    for element, labels in sorted(missing.items()):
        shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
        gaps.append(f"{len(labels)} components without {element}: {shown}")
    return gaps
