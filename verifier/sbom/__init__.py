"""CycloneDX SBOMs for artifacts, environments, lock files and images.

The public API, loaded on first use so that importing the CLI stays fast:

* :func:`build_sbom` (sources -> deterministic, validated CycloneDX JSON bytes),
* :func:`validate_sbom` (bytes -> list of :class:`ValidationIssue`),
* :class:`RebuildRecipe` / :class:`PinnedInput` (the ``formulation`` of a rebuild),
* :class:`SpecVersion`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifier.sbom.build import (
        build_from_inventory,
        build_sbom,
        source_date_epoch,
        with_formulation,
    )
    from verifier.sbom.formulation import PinnedInput, RebuildRecipe
    from verifier.sbom.spec import SpecVersion
    from verifier.sbom.validate import ValidationIssue, validate_sbom

_WHERE = {
    "build_from_inventory": "verifier.sbom.build",
    "build_sbom": "verifier.sbom.build",
    "source_date_epoch": "verifier.sbom.build",
    "with_formulation": "verifier.sbom.build",
    "PinnedInput": "verifier.sbom.formulation",
    "RebuildRecipe": "verifier.sbom.formulation",
    "SpecVersion": "verifier.sbom.spec",
    "ValidationIssue": "verifier.sbom.validate",
    "validate_sbom": "verifier.sbom.validate",
}

__all__ = [
    "PinnedInput",
    "RebuildRecipe",
    "SpecVersion",
    "ValidationIssue",
    "build_from_inventory",
    "build_sbom",
    "source_date_epoch",
    "validate_sbom",
    "with_formulation",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'verifier.sbom' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
