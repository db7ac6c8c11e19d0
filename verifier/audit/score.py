"""An SBOM quality score over the NTIA minimum elements and the sbomqs check categories.

The categories and what each check looks at follow sbomqs' published quality checks
(interlynk-io/sbomqs, docs/Features.md, "Quality Check Sets - Interlynk (Default)"):
Structural, NTIA-minimum-elements, Semantic, Quality and Sharing. The scoring method is also
the one described there: every check scores 0.0 to 10.0, a check over components is the
share of components that pass times 10, and a score is the mean of its checks. This is our
own implementation over CycloneDX JSON, not sbomqs: scores are close in spirit, not equal.

Differences, on purpose: a check over components does not apply (None, left out of the
means) when the SBOM lists no components, instead of scoring 0; the primary component
(``metadata.component``) counts as a component, since release SBOMs describe the released
thing there; files (``type: file``) are
identified by their hashes, so supplier, version and purl are not asked of them (as in
:mod:`verifier.sbom.ntia`); the deprecated and restricted license checks of sbomqs are left
out (they need license lists we do not ship).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from cyclonedx.spdx import is_expression, is_supported_id

from verifier.audit.model import QualityCheck, QualityScore
from verifier.errors import InputError
from verifier.sbom.validate import detect_spec_version, validate_document

STRUCTURAL = "Structural"
NTIA = "NTIA-minimum-elements"
SEMANTIC = "Semantic"
QUALITY = "Quality"
SHARING = "Sharing"

#: CycloneDX versions that carry every field the checks read.
_SPEC_VERSIONS = ("1.4", "1.5", "1.6")
#: Data licenses that let an SBOM be shared freely (sbomqs: CC0, Unlicense, 0BSD).
_UNENCUMBERED = ("CC0-1.0", "Unlicense", "0BSD")


def walk_components(components: Any) -> Iterator[dict[str, Any]]:
    """Every component, nested ones included, in document order."""
    if not isinstance(components, list):
        return
    for component in components:
        if isinstance(component, dict):
            yield component
            yield from walk_components(component.get("components"))


def audited_components(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The primary component (``metadata.component``) and every listed component.

    A release SBOM often describes what was released as its primary component only, so the
    audit counts it: a component check over a release must look at the released thing.
    """
    metadata = document.get("metadata")
    primary = metadata.get("component") if isinstance(metadata, dict) else None
    head = [primary] if isinstance(primary, dict) else []
    return head + list(walk_components(document.get("components")))


def license_names(component: dict[str, Any]) -> list[str]:
    """The component's license ids, names or expressions as written."""
    out = []
    for entry in component.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("expression"), str):
            out.append(entry["expression"])
        elif isinstance(entry.get("license"), dict):
            lic = entry["license"]
            name = lic.get("id") or lic.get("name")
            if isinstance(name, str) and name:
                out.append(name)
    return out


def has_sha256(component: dict[str, Any]) -> bool:
    """The component carries a SHA-256 hash."""
    return any(
        isinstance(h, dict) and h.get("alg") == "SHA-256" and h.get("content")
        for h in component.get("hashes") or []
    )


def _valid_spdx(name: str) -> bool:
    return bool(is_supported_id(name) or is_expression(name))


def _flag(category: str, name: str, ok: bool, yes: str, no: str) -> QualityCheck:
    return QualityCheck(category, name, 10.0 if ok else 0.0, yes if ok else no)


def _share(
    category: str,
    name: str,
    items: list[dict[str, Any]],
    test: Callable[[dict[str, Any]], bool],
    what: str,
) -> QualityCheck:
    if not items:
        return QualityCheck(category, name, None, "no components to check")
    passed = sum(1 for c in items if test(c))
    return QualityCheck(
        category, name, round(10.0 * passed / len(items), 1), f"{passed}/{len(items)} {what}"
    )


def _schema_check(document: dict[str, Any]) -> QualityCheck:
    """Valid against the CycloneDX JSON schema of its own specVersion (strict)."""
    try:
        version = detect_spec_version(document, where="SBOM")
    except InputError as exc:
        return QualityCheck(STRUCTURAL, "schema", 0.0, str(exc))
    issues = validate_document(document, version)
    if not issues:
        return QualityCheck(STRUCTURAL, "schema", 10.0, f"valid CycloneDX {version.value}")
    return QualityCheck(
        STRUCTURAL, "schema", 0.0, f"{len(issues)} schema violations, first: {issues[0]}"
    )


def score_sbom(document: dict[str, Any]) -> QualityScore:
    """Score a parsed CycloneDX JSON document."""
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    assert isinstance(metadata, dict)
    components = audited_components(document)
    packages = [c for c in components if c.get("type") != "file"]
    related = {d.get("ref") for d in document.get("dependencies") or [] if isinstance(d, dict)}
    spec = str(document.get("specVersion", ""))
    all_licenses = [n for c in components for n in license_names(c)]
    data_licenses = license_names({"licenses": metadata.get("licenses")})
    checks = [
        _flag(
            STRUCTURAL,
            "specification",
            document.get("bomFormat") == "CycloneDX",
            "CycloneDX",
            "not CycloneDX",
        ),
        _flag(
            STRUCTURAL,
            "specification version",
            spec in _SPEC_VERSIONS,
            f"specVersion {spec}",
            f"specVersion {spec or '(none)'} lacks needed fields",
        ),
        _flag(STRUCTURAL, "file format", True, "JSON", ""),
        _schema_check(document),
        _share(NTIA, "component names", components, lambda c: bool(c.get("name")), "have names"),
        _share(
            NTIA,
            "supplier names",
            packages,
            lambda c: bool(c.get("supplier") or c.get("author")),
            "have suppliers",
        ),
        _share(
            NTIA,
            "unique identifiers",
            packages,
            lambda c: bool(c.get("purl") or c.get("cpe")),
            "have a purl or cpe",
        ),
        _share(
            NTIA, "component versions", packages, lambda c: bool(c.get("version")), "have versions"
        ),
        _flag(
            NTIA,
            "author",
            bool(metadata.get("authors") or metadata.get("tools")),
            "metadata names its author or tool",
            "no metadata.authors or metadata.tools",
        ),
        _flag(
            NTIA,
            "timestamp",
            bool(metadata.get("timestamp")),
            f"metadata.timestamp {metadata.get('timestamp')}",
            "no metadata.timestamp",
        ),
        _share(
            NTIA,
            "dependency relationships",
            packages,
            lambda c: c.get("bom-ref") in related,
            "in dependencies",
        ),
        _share(SEMANTIC, "component checksums", components, has_sha256, "have a SHA-256"),
        _share(
            SEMANTIC,
            "component licenses",
            packages,
            lambda c: bool(license_names(c)),
            "declare a license",
        ),
        _flag(
            SEMANTIC,
            "required fields",
            bool(document.get("bomFormat") and document.get("specVersion"))
            and all(c.get("type") and c.get("name") for c in components),
            "bomFormat, specVersion, component type and name present",
            "a required field is missing",
        ),
        _share(
            QUALITY,
            "vulnerability lookup identifier",
            packages,
            lambda c: bool(c.get("purl") or c.get("cpe")),
            "have a purl or cpe",
        ),
        _share(
            QUALITY,
            "multiple lookup identifiers",
            packages,
            lambda c: bool(c.get("purl") and c.get("cpe")),
            "have both purl and cpe",
        ),
        (
            QualityCheck(QUALITY, "valid SPDX licenses", None, "no licenses to check")
            if not all_licenses
            else QualityCheck(
                QUALITY,
                "valid SPDX licenses",
                round(10.0 * sum(map(_valid_spdx, all_licenses)) / len(all_licenses), 1),
                f"{sum(map(_valid_spdx, all_licenses))}/{len(all_licenses)} are SPDX",
            )
        ),
        _share(
            QUALITY, "primary purpose", components, lambda c: bool(c.get("type")), "have a type"
        ),
        _flag(
            QUALITY,
            "primary component",
            isinstance(metadata.get("component"), dict),
            "metadata.component present",
            "no metadata.component",
        ),
        _flag(
            SHARING,
            "unencumbered data license",
            any(n in _UNENCUMBERED for n in data_licenses),
            f"data license {', '.join(data_licenses)}",
            "no CC0-1.0, Unlicense or 0BSD data license in metadata.licenses",
        ),
    ]
    return QualityScore(tuple(checks))
