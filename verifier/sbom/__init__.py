"""CycloneDX SBOMs for artifacts, environments, lock files and images."""

from verifier.sbom.build import build_from_inventory, build_sbom
from verifier.sbom.formulation import PinnedInput, RebuildRecipe
from verifier.sbom.spec import SpecVersion
from verifier.sbom.validate import ValidationIssue, validate_sbom

__all__ = [
    "PinnedInput",
    "RebuildRecipe",
    "SpecVersion",
    "ValidationIssue",
    "build_from_inventory",
    "build_sbom",
    "validate_sbom",
]
