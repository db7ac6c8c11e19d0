"""The library entry point: sources in, deterministic and validated CycloneDX bytes out."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from verifier.errors import CheckFailed, InputError
from verifier.sbom.document import Json, document_json, merge_inventories, render
from verifier.sbom.formulation import RebuildRecipe, add_formulation
from verifier.sbom.model import Inventory, Subject
from verifier.sbom.sources import SourceKind, SourceOptions, detect_kind, open_source
from verifier.sbom.sources.interface import SbomSource
from verifier.sbom.spec import SpecVersion
from verifier.sbom.validate import detect_spec_version, parse_json, validate_document


def source_date_epoch() -> datetime | None:
    """``SOURCE_DATE_EPOCH`` as a UTC instant, None when unset; InputError when malformed."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None:
        return None
    try:
        return datetime.fromtimestamp(int(raw), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds") from None


def target_subject(target: Path) -> Subject:
    """The subject a file or directory gets as a source of its own (a wheel keeps its purl)."""
    kind = detect_kind(target)
    if kind in (SourceKind.WHEEL, SourceKind.SDIST, SourceKind.OCI_LAYOUT):
        return open_source(target, kind, SourceOptions()).inventory().subject
    return open_source(target, SourceKind.ARCHIVE, SourceOptions()).inventory().subject


def with_target(inventory: Inventory, target: Path) -> Inventory:
    """``inventory`` describing ``target``: its subject, depending on what the subject did.

    An inventory whose subject named no direct dependencies (an environment, a lock without a
    root) keeps that meaning: the target depends on the roots of the graph.
    """
    return replace(inventory, subject=target_subject(target))


def build_sbom(
    sources: Sequence[SbomSource],
    target: Path | None = None,
    *,
    spec_version: SpecVersion = SpecVersion.V1_6,
    timestamp: datetime | None = None,
    formulation: RebuildRecipe | None = None,
) -> bytes:
    """CycloneDX JSON bytes for the merged inventories of ``sources``.

    ``target`` given: it is ``metadata.component`` (with its sha256 and sha512; a wheel, sdist
    or OCI layout keeps its name, version and purl) and depends on what the sources list;
    otherwise the first source's subject is. Deterministic: the same inputs and ``timestamp``
    give the same bytes anywhere. ``timestamp`` None omits ``metadata.timestamp`` (pass
    :func:`source_date_epoch`). The document is validated before it is returned; a violation is
    a bug and raises CheckFailed naming the first JSON paths.
    """
    inventory = merge_inventories([source.inventory() for source in sources])
    if target is not None:
        inventory = with_target(inventory, target)
    return build_from_inventory(
        inventory, spec_version=spec_version, timestamp=timestamp, formulation=formulation
    )


def with_formulation(data: bytes, recipe: RebuildRecipe, *, where: str = "<sbom>") -> bytes:
    """An SBOM we wrote earlier, with ``formulation`` for ``recipe`` added (or replaced).

    The serial number is recomputed (the content changed) and the result validated.
    """
    document = parse_json(data, where=where)
    spec_version = detect_spec_version(document, where=where)
    document = add_formulation(document, recipe, spec_version)
    return _validated(document, spec_version)


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
    return _validated(document, spec_version)


def _validated(document: Json, spec_version: SpecVersion) -> bytes:
    issues = validate_document(document, spec_version)
    if issues:
        raise CheckFailed(
            f"generated SBOM does not validate against CycloneDX {spec_version}: {issues[0]}",
            details=tuple(str(i) for i in issues[1:20]),
        )
    return render(document)
