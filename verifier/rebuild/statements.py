"""The statements a rebuild writes: one SLSA provenance per build, one VSA for the rebuild."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from verifier import __version__
from verifier.attest.predicates import ProvenanceV1, VerificationResult, VerificationSummaryV1
from verifier.attest.statement import Statement, canonical_json, resource, subjects_of
from verifier.attest.uris import (
    PROVENANCE_V1,
    REBUILD_BUILD_TYPE,
    REBUILD_POLICY_URI,
    REBUILD_VERIFIER_ID,
    VSA_V1,
)
from verifier.digest import Digest
from verifier.rebuild.inputs import StagedInput
from verifier.rebuild.runner import BuildRun
from verifier.rebuild.sandbox import SandboxMode
from verifier.rebuild.toolchain import ToolchainEnv
from verifier.rebuild.variations import Variation
from verifier.rebuild.verdicts import OutputVerdict, Verdict
from verifier.recipe import Recipe

_VERSION = {"verifier": __version__}


def recipe_parameters(recipe: Recipe, display_path: str) -> dict[str, Any]:
    """The recipe as provenance externalParameters: every field that shapes the build."""
    build = recipe.build
    return {
        "recipe": {
            "name": recipe.name,
            "path": display_path,
            "digest": {"sha256": recipe.digest.hex},
            "inputs": [
                {
                    "name": i.name,
                    "kind": i.kind.value,
                    "location": i.location,
                    "dest": i.dest,
                    "sha256": i.sha256.hex if i.sha256 else None,
                    **({"commit": i.commit} if i.commit else {}),
                    **({"unpack": True, "strip": i.strip} if i.unpack else {}),
                }
                for i in recipe.inputs
            ],
            "toolchain": list(recipe.toolchain.requirements) if recipe.toolchain else [],
            "build": {
                "command": list(build.command),
                "workdir": build.workdir,
                "env": dict(build.env),
                "outputs": list(build.outputs),
                "network": build.network,
                "timeout": build.timeout,
                "sourceDateEpoch": build.source_date_epoch_text,
                **({"umask": f"{build.umask:04o}"} if build.umask is not None else {}),
            },
            **_toolchain_source(recipe),
        }
    }


def _toolchain_source(recipe: Recipe) -> dict[str, Any]:
    """Where pip looked for the toolchain, when the recipe says (the hashes decide what)."""
    toolchain = recipe.toolchain
    if toolchain is None or not (toolchain.index_url or toolchain.find_links):
        return {}
    source: dict[str, Any] = {}
    if toolchain.index_url:
        source["indexUrl"] = toolchain.index_url
    if toolchain.find_links:
        source["findLinks"] = list(toolchain.find_links)
    return {"toolchainSource": source}


def resolved_dependencies(
    recipe: Recipe, display_path: str, staged: Sequence[StagedInput], toolchain: ToolchainEnv | None
) -> list[dict[str, Any]]:
    """Every pinned input, the recipe, and the toolchain with its interpreter."""
    deps = [resource(display_path, recipe.digest, kind="recipe")]
    for item in staged:
        extra = {"kind": item.spec.kind.value}
        if item.spec.commit:
            extra["commit"] = item.spec.commit
        deps.append(resource(item.spec.name, item.digest, item.uri, **extra))
    if toolchain is not None:
        interp = toolchain.interpreter
        deps.append(
            resource(
                "python",
                interp.digest,
                interp.executable.as_uri(),
                kind="interpreter",
                version=interp.version,
            )
        )
        for line in toolchain.requirements:
            spec, _, hashes = line.partition("--hash=sha256:")
            name, _, version = spec.strip().partition("==")
            first_hash = hashes.split()[0]
            deps.append(
                resource(
                    name,
                    Digest.sha256_hex(first_hash),
                    f"pkg:pypi/{name.lower().replace('_', '-')}@{version}",
                    kind="toolchain",
                )
            )
    return deps


def provenance_for(
    run: BuildRun,
    *,
    recipe: Recipe,
    display_path: str,
    staged: Sequence[StagedInput],
    toolchain: ToolchainEnv | None,
    sandbox: SandboxMode,
    source_date_epoch: int | None,
    builder_id: str,
    published: Mapping[str, Any] | None = None,
) -> Statement:
    """SLSA provenance v1 for one successful build's outputs.

    ``published``: the release a ``pypi:`` rebuild came from (index, files, digests), as
    ``externalParameters.published``.
    """
    external = recipe_parameters(recipe, display_path)
    if published is not None:
        external["published"] = dict(published)
    invocation = Digest.of_bytes(
        f"{recipe.digest}|{builder_id}|{run.number}|{run.started.isoformat()}".encode()
    )
    predicate = ProvenanceV1(
        build_type=REBUILD_BUILD_TYPE,
        external_parameters=external,
        internal_parameters={
            "build": run.number,
            "sandbox": sandbox.value,
            "sourceDateEpoch": source_date_epoch if source_date_epoch is not None else "none",
            "variations": run.variations.recorded(),
        },
        resolved_dependencies=resolved_dependencies(recipe, display_path, staged, toolchain),
        builder_id=builder_id,
        builder_version=_VERSION,
        invocation_id=f"urn:verifier:invocation:{invocation.hex[:32]}",
        started_on=run.started,
        finished_on=run.finished,
        byproducts=[
            resource(
                f"build-{run.number}.log",
                run.log_digest,
                media_type="text/plain",
                exitCode=str(run.exit_code),
                status=run.status.value,
            )
        ],
    )
    return Statement(
        subjects_of([(o.name, o.digest) for o in run.outputs]),
        PROVENANCE_V1,
        predicate.to_dict(),
    )


@dataclass(frozen=True)
class RebuildPolicy:
    """The rules a rebuild verified against; its digest goes into the VSA."""

    builds: int
    variations: tuple[str, ...]
    sandbox: str
    reference: bool
    #: opted-in stabilizers (``name@version``): an output equal after these is EQUIVALENT
    stabilizers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready rules."""
        return {
            "builds": self.builds,
            "variations": list(self.variations),
            "sandbox": self.sandbox,
            "againstReference": self.reference,
            "stabilizers": list(self.stabilizers),
        }

    @property
    def digest(self) -> Digest:
        """sha256 of the canonical JSON of the rules."""
        return Digest.of_bytes(canonical_json(self.to_dict()))


def summary_for(
    *,
    recipe: Recipe,
    display_path: str,
    runs: Sequence[BuildRun],
    verdicts: Sequence[OutputVerdict],
    provenance: Sequence[tuple[str, Digest]],
    policy: RebuildPolicy,
    enabled: frozenset[Variation],
    builder_id: str,
    time_verified: datetime,
    published: Mapping[str, Any] | None = None,
) -> Statement:
    """The rebuild's SLSA VSA v1: PASSED only when every output is REPRODUCED or EQUIVALENT."""
    passed = bool(verdicts) and all(v.verdict.passed for v in verdicts)
    subjects = [(v.name, v.digest) for v in verdicts if v.digest is not None]
    if not subjects:
        # Nothing was produced: the recipe itself is what failed verification.
        subjects = [(display_path, recipe.digest)]
    extension = {
        "rebuild": {
            "builder": builder_id,
            "builds": [
                {
                    "build": r.number,
                    "status": r.status.value,
                    "exitCode": r.exit_code,
                    "log": {"sha256": r.log_digest.hex},
                    "variations": r.variations.recorded(),
                }
                for r in runs
            ],
            "variationsRequested": sorted(v.value for v in enabled),
            "sandbox": policy.sandbox,
            "stabilizersRequested": list(policy.stabilizers),
            **({"published": dict(published)} if published is not None else {}),
            "outputs": [
                {
                    "name": v.name,
                    "verdict": v.verdict.value,
                    "reason": v.reason,
                    "digests": [str(d) if d else None for d in v.digests],
                    **({"reference": str(v.reference)} if v.reference else {}),
                    **({"differences": list(v.differences)} if v.differences else {}),
                    **({"causes": [c.to_dict() for c in v.causes]} if v.causes else {}),
                    **(
                        {"stabilizers": {k: list(m) for k, m in v.stabilizers.items()}}
                        if v.stabilizers
                        else {}
                    ),
                }
                for v in verdicts
            ],
        }
    }
    predicate = VerificationSummaryV1(
        verifier_id=REBUILD_VERIFIER_ID,
        verifier_version=_VERSION,
        time_verified=time_verified,
        resource_uri=f"urn:verifier:recipe:{recipe.name}",
        policy_uri=REBUILD_POLICY_URI,
        policy_digest=policy.digest.hex,
        input_attestations=[resource(name, digest) for name, digest in provenance],
        result=VerificationResult.PASSED if passed else VerificationResult.FAILED,
        # SLSA_BUILD_REPRODUCED needs two independent builders; N local builds are one builder.
        verified_levels=[],
        extensions=extension,
    )
    return Statement(subjects_of(subjects), VSA_V1, predicate.to_dict())


def overall(verdicts: Sequence[OutputVerdict]) -> Verdict:
    """The worst verdict, for the one-line summary and the exit code."""
    order = [
        Verdict.BUILD_FAILED,
        Verdict.MISMATCH,
        Verdict.MISSING,
        Verdict.EQUIVALENT,
        Verdict.REPRODUCED,
    ]
    present = {v.verdict for v in verdicts}
    for verdict in order:
        if verdict in present:
            return verdict
    return Verdict.MISSING
