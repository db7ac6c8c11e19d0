"""``require.sbom``: a signed CycloneDX SBOM: spec version, hashes, licenses, components.

The predicate types read are ``https://cyclonedx.org/bom`` (and ``.../bom/v1.x``) and the
legacy ``https://cyclonedx.org/schema`` whose predicate wraps the document in ``Data``
(formats.md 2.4). When several trusted SBOMs are present, the newest (``metadata.timestamp``)
is judged.
"""

from __future__ import annotations

from typing import Any

from verifier.policy.requirements import SbomRule
from verifier.policy.rules.context import RuleContext, parse_time, too_old
from verifier.policy.rules.licenses import denied_by
from verifier.policy.versions import version_key

SBOM_PREDICATES = ("https://cyclonedx.org/bom", "https://cyclonedx.org/schema")
_LIST_LIMIT = 5


def sbom_document(predicate: dict[str, Any]) -> dict[str, Any]:
    """The CycloneDX document of a predicate (unwrapping the legacy ``Data``)."""
    data = predicate.get("Data")
    if isinstance(data, dict):
        return data
    if isinstance(data, str):
        import json

        try:
            loaded = json.loads(data)
        except (ValueError, RecursionError):
            return {}
        return loaded if isinstance(loaded, dict) else {}
    return predicate


def components(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Every component, nested ones included."""
    out: list[dict[str, Any]] = []
    stack = list(doc.get("components") or [])
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            out.append(item)
            stack.extend(item.get("components") or [])
    return out


def _component_name(c: dict[str, Any]) -> str:
    if isinstance(c.get("purl"), str):
        return str(c["purl"])
    name = f"{c.get('name', '?')}"
    return f"{name}@{c['version']}" if c.get("version") else name


def license_expressions(c: dict[str, Any]) -> list[str]:
    """The component's licenses: ids, names, or expressions."""
    out: list[str] = []
    for entry in c.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("expression"), str):
            out.append(entry["expression"])
        lic = entry.get("license")
        if isinstance(lic, dict):
            value = lic.get("id") or lic.get("name")
            if isinstance(value, str) and value:
                out.append(value)
    return out


def _has_sha256(c: dict[str, Any]) -> bool:
    return any(
        isinstance(h, dict) and h.get("alg") == "SHA-256" and h.get("content")
        for h in c.get("hashes") or []
    )


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:_LIST_LIMIT])
    return shown + (f" (and {len(items) - _LIST_LIMIT} more)" if len(items) > _LIST_LIMIT else "")


def check(rule: SbomRule, ctx: RuleContext) -> list[str]:
    """Judge the newest trusted SBOM."""
    found = ctx.evidence.attestations(SBOM_PREDICATES, ctx.trust_ids(rule.authorities))
    if not found:
        return [
            f"{ctx.label}: no SBOM signed by {', '.join(rule.authorities)}"
            f"{ctx.refused_note(SBOM_PREDICATES)}"
        ]
    docs = [(sbom_document(e.predicate), e.source) for e in found]
    docs.sort(key=lambda d: str((d[0].get("metadata") or {}).get("timestamp", "")), reverse=True)
    doc, where = docs[0]
    problems: list[str] = []
    if doc.get("bomFormat") != "CycloneDX":
        return [f"{ctx.label}: the signed SBOM {where} is not a CycloneDX document"]
    stamp = parse_time((doc.get("metadata") or {}).get("timestamp"))
    age = too_old(stamp, rule.max_age, ctx.now)
    if age:
        problems.append(f"{ctx.label}: the SBOM {age}")
    spec = str(doc.get("specVersion", ""))
    if rule.min_spec_version and version_key(spec) < version_key(rule.min_spec_version):
        problems.append(
            f"{ctx.label}: SBOM spec version {spec or '(none)'} is below the required "
            f"{rule.min_spec_version}"
        )
    comps = components(doc)
    if rule.require_hashes:
        bare = [_component_name(c) for c in comps if not _has_sha256(c)]
        if bare:
            problems.append(
                f"{ctx.label}: {len(bare)} SBOM component(s) without a sha256 hash: "
                f"{_listing(bare)}"
            )
    unlicensed: list[str] = []
    for c in comps:
        name = _component_name(c)
        expressions = license_expressions(c)
        if not expressions:
            unlicensed.append(name)
        for expression in expressions:
            try:
                denied = denied_by(expression, rule.denied_licenses)
            except ValueError as exc:
                problems.append(f"{ctx.label}: component {name}: {exc}")
                continue
            if rule.denied_licenses and denied:
                problems.append(f"{ctx.label}: component {name} has denied license {expression}")
        purl = c.get("purl")
        for pattern in rule.denied_components:
            if isinstance(purl, str) and pattern.matches(purl):
                why = f": {pattern.reason}" if pattern.reason else ""
                problems.append(f"{ctx.label}: component {purl} is denied ({pattern}){why}")
    if rule.max_unlicensed is not None and len(unlicensed) > rule.max_unlicensed:
        problems.append(
            f"{ctx.label}: {len(unlicensed)} SBOM component(s) without a license, at most "
            f"{rule.max_unlicensed} allowed: {_listing(unlicensed)}"
        )
    return problems
