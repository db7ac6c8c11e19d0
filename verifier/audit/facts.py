"""Reading the report's facts out of usable statements: rebuild, SBOM, provenance.

Each reader takes predicates as the signing library returned them (JSON values) and is
strict about shape only where a wrong shape would mislead: a value of the wrong type is
left out rather than guessed.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from verifier.audit.model import (
    EvidenceState,
    OutputVerdictInfo,
    ProvenanceInfo,
    RebuildInfo,
    SbomInfo,
)
from verifier.audit.score import audited_components, has_sha256, license_names, score_sbom

#: Worst first: the report's one-word verdict for a rebuild is its worst output's.
VERDICT_ORDER = ("BUILD_FAILED", "MISSING", "MISMATCH", "EQUIVALENT", "REPRODUCED")
NO_LICENSE = "(none declared)"


def _str(value: Any, default: str = "") -> str:
    return value if isinstance(value, str) else default


def builder_of_provenance(predicate: dict[str, Any]) -> str | None:
    """``runDetails.builder.id`` of a SLSA provenance v1 predicate."""
    run = predicate.get("runDetails")
    builder = run.get("builder") if isinstance(run, dict) else None
    bid = builder.get("id") if isinstance(builder, dict) else None
    return bid if isinstance(bid, str) and bid else None


def rebuild_info(
    predicate: dict[str, Any], state: EvidenceState, provenance_builders: Sequence[str]
) -> RebuildInfo:
    """The rebuild VSA's ``rebuild`` extension; builders also from trusted provenance."""
    rebuild = predicate.get("rebuild") if isinstance(predicate.get("rebuild"), dict) else {}
    assert isinstance(rebuild, dict)
    outputs = []
    for output in rebuild.get("outputs") or []:
        if not isinstance(output, dict):
            continue
        stabilizers = tuple(
            sorted(s for s in output.get("stabilizers") or [] if isinstance(s, str))
        )
        outputs.append(
            OutputVerdictInfo(
                _str(output.get("name"), "?"), _str(output.get("verdict"), "?"), stabilizers
            )
        )
    outputs.sort(key=lambda o: o.name)
    verdicts = {o.verdict for o in outputs}
    worst = next((v for v in VERDICT_ORDER if v in verdicts), "MISSING" if not outputs else "?")
    builders = {b for b in provenance_builders}
    if _str(rebuild.get("builder")):
        builders.add(rebuild["builder"])
    builds = rebuild.get("builds")
    return RebuildInfo(
        state=state,
        result=_str(predicate.get("verificationResult"), "?"),
        verdict=worst,
        builds=len(builds) if isinstance(builds, list) else 0,
        builders=tuple(sorted(builders)),
        outputs=tuple(outputs),
    )


def sbom_document(predicate: dict[str, Any]) -> dict[str, Any]:
    """The CycloneDX document of an SBOM predicate (the legacy ``Data`` wrapper unwrapped)."""
    data = predicate.get("Data")
    if isinstance(data, dict) and "bomFormat" not in predicate:
        return data
    return predicate


def sbom_info(predicate: dict[str, Any], state: EvidenceState) -> SbomInfo:
    """Component count, license summary, SHA-256 share and quality score."""
    document = sbom_document(predicate)
    components = audited_components(document)
    licenses: Counter[str] = Counter()
    for component in components:
        names = license_names(component)
        licenses.update(names if names else [NO_LICENSE])
    ranked = tuple(sorted(licenses.items(), key=lambda kv: (-kv[1], kv[0])))
    return SbomInfo(
        state=state,
        spec_version=_str(document.get("specVersion"), "?"),
        components=len(components),
        with_sha256=sum(1 for c in components if has_sha256(c)),
        licenses=ranked,
        quality=score_sbom(document),
        # The release diff compares the same components the counts do.
        document=json.dumps({**document, "components": components}, sort_keys=True).encode(),
    )


def _source(definition: dict[str, Any]) -> str:
    external = definition.get("externalParameters")
    if isinstance(external, dict):
        for key in ("source", "repository"):
            if isinstance(external.get(key), str):
                return str(external[key])
        workflow = external.get("workflow")
        if isinstance(workflow, dict) and isinstance(workflow.get("repository"), str):
            ref = _str(workflow.get("ref"))
            return f"{workflow['repository']}{'@' + ref if ref else ''}"
    parts = []
    for dep in definition.get("resolvedDependencies") or []:
        if not isinstance(dep, dict):
            continue
        annotations = dep.get("annotations")
        if isinstance(annotations, dict) and annotations.get("kind") == "recipe":
            continue  # the recipe is how it was built, not what from
        # The name, not the uri: a local path says where the builder ran, not the source.
        name = _str(dep.get("name")) or _str(dep.get("uri"), "?")
        digest = dep.get("digest")
        sha = digest.get("sha256") if isinstance(digest, dict) else None
        parts.append(f"{name} sha256:{sha[:12]}" if isinstance(sha, str) else name)
    return ", ".join(sorted(parts)) or "(not stated)"


def provenance_info(predicate: dict[str, Any], state: EvidenceState) -> ProvenanceInfo:
    """Builder id, build type and source of a SLSA provenance v1 predicate."""
    definition = predicate.get("buildDefinition")
    definition = definition if isinstance(definition, dict) else {}
    return ProvenanceInfo(
        builder_id=builder_of_provenance(predicate) or "(not stated)",
        build_type=_str(definition.get("buildType"), "(not stated)"),
        source=_source(definition),
        state=state,
    )
