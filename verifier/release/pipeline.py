"""``verifier release``: rebuild, package, SBOM, sign, gate on policy, publish, tag last.

Nothing reaches the store before the policy allowed the release, and the version tag is the
very last write: a run that is refused, fails or is killed at any step leaves no tag, so no
one can deploy a half-published release. Untagged leftovers of a killed run are harmless
(and re-used: every write is content-addressed). Re-running a published release is a no-op.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from verifier.clock import Clock, rfc3339
from verifier.digest import Digest
from verifier.errors import CheckFailed
from verifier.policy.decision import Decision, Outcome
from verifier.policy.engine import evaluate
from verifier.policy.evidence import gather_evidence
from verifier.policy.model import PolicySet
from verifier.rebuild.engine import RebuildOptions, RebuildResult, rebuild
from verifier.rebuild.sandbox import Sandbox
from verifier.rebuild.verdicts import Verdict
from verifier.recipe import InputKind, Recipe
from verifier.release.evidence import (
    CandidateEvidence,
    SignedEvidence,
    sign_release_evidence,
    sign_release_manifest,
    sign_release_summary,
)
from verifier.release.package import Package, package
from verifier.release.publish import attach_evidence, attach_sbom_document, push_package
from verifier.release.record import (
    ANNOTATION_RECIPE,
    EvidenceItem,
    ReleaseManifest,
    evidence_json,
)
from verifier.release.sbom import release_sbom
from verifier.release.version import ReleaseVersion
from verifier.sign.artifact import Artifact
from verifier.sign.signer import Signer
from verifier.store.interface import Store
from verifier.store.reference import StoreLocation, StoreOptions

STEPS = (
    "check the version tag",
    "rebuild",
    "package",
    "SBOM",
    "sign evidence",
    "evaluate the policy",
    "publish evidence",
    "sign the release manifest and summary",
    "tag",
)


class ReleaseStatus(StrEnum):
    """How a release run ended."""

    RELEASED = "released"
    UNCHANGED = "already released"
    REFUSED = "refused"


@dataclass(frozen=True)
class ReleaseRequest:
    """What to release, where, and under which policy."""

    recipe: Recipe
    version: ReleaseVersion
    store: StoreLocation
    store_options: StoreOptions
    policy_set: PolicySet
    policy_uri: str
    rebuild: RebuildOptions


@dataclass(frozen=True)
class ReleaseResult:
    """The release record printed with ``--json``."""

    status: ReleaseStatus
    version: ReleaseVersion
    store: str
    artifact: Digest | None = None
    rebuild: RebuildResult | None = None
    package: Package | None = None
    decision: Decision | None = None
    evidence: tuple[EvidenceItem, ...] = ()
    reasons: tuple[str, ...] = ()
    timings: tuple[tuple[str, float], ...] = field(default=(), compare=False)

    @property
    def exit_code(self) -> int:
        """0 released or unchanged; 1 refused; 3 when the policy could not decide."""
        if self.status is not ReleaseStatus.REFUSED:
            return 0
        if self.decision is not None and self.decision.outcome is Outcome.UNDECIDED:
            return 3
        return 1

    def to_dict(self) -> dict[str, Any]:
        """Deterministic JSON (step timings are for people and stay on stderr)."""
        return {
            "status": self.status.value,
            "name": self.rebuild.recipe.name if self.rebuild else None,
            "version": self.version.text,
            "tag": self.version.tag,
            "store": self.store,
            "artifact": str(self.artifact) if self.artifact else None,
            "files": [
                {"name": f.name, "digest": str(f.digest), "size": f.size}
                for f in (self.package.files if self.package else ())
            ],
            "verdicts": [
                {"output": v.name, "verdict": v.verdict.value, "reason": v.reason}
                for v in (self.rebuild.verdicts if self.rebuild else ())
            ],
            "decision": self.decision.to_dict() if self.decision else None,
            "evidence": evidence_json(self.evidence),
            "reasons": list(self.reasons),
        }


class _Steps:
    def __init__(self, on_progress: Callable[[str], None]) -> None:
        self._on_progress = on_progress
        self.timings: list[tuple[str, float]] = []

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        number = STEPS.index(title) + 1
        self._on_progress(f"[{number}/{len(STEPS)}] {title}")
        began = time.monotonic()  # for people only; statements use the injected clock
        yield
        seconds = time.monotonic() - began
        self.timings.append((title, seconds))
        self._on_progress(f"[{number}/{len(STEPS)}] {title}: done in {seconds:.1f}s")


def _existing(store: Store, request: ReleaseRequest) -> Digest | None:
    """The digest the version tag names now; CheckFailed when it is another release's."""
    found = store.resolve(request.version.tag)
    if found is None:
        return None
    manifest = store.get_manifest(found.digest)
    recipe = manifest.annotations.get(ANNOTATION_RECIPE)
    if recipe != str(request.recipe.digest):
        raise CheckFailed(
            f"{request.store}: {request.version.tag} already exists as {found.digest} "
            f"(recipe {recipe or 'unknown'}); versions are immutable, choose a new version"
        )
    return found.digest


def _refused(
    request: ReleaseRequest, steps: _Steps, reasons: list[str], **found: Any
) -> ReleaseResult:
    return ReleaseResult(
        ReleaseStatus.REFUSED,
        request.version,
        str(request.store),
        reasons=tuple(reasons),
        timings=tuple(steps.timings),
        **found,
    )


def release(
    request: ReleaseRequest,
    *,
    signer: Signer,
    sandbox: Sandbox,
    clock: Clock,
    on_progress: Callable[[str], None] = lambda _: None,
) -> ReleaseResult:
    """Run the release pipeline (see the module docstring)."""
    steps = _Steps(on_progress)
    with steps.step("check the version tag"):
        existing = _existing(request.store.open(request.store_options), request)
    if existing is not None:
        on_progress(f"{request.version.tag} is already released as {existing}; nothing to do")
        return ReleaseResult(
            ReleaseStatus.UNCHANGED,
            request.version,
            str(request.store),
            artifact=existing,
            timings=tuple(steps.timings),
        )
    with steps.step("rebuild"):
        result = rebuild(request.recipe, request.rebuild, sandbox, clock, on_progress)
    broken = [v for v in result.verdicts if v.verdict in (Verdict.BUILD_FAILED, Verdict.MISSING)]
    if broken:
        reasons = [f"{v.name}: {v.verdict.value}: {v.reason}" for v in broken]
        return _refused(request, steps, reasons, rebuild=result)
    label = f"{request.recipe.name}:{request.version.tag}"
    with steps.step("package"):
        packages = [
            package(
                run.outputs,
                name=request.recipe.name,
                version=request.version.text,
                recipe=request.recipe.digest,
                source_date_epoch=result.source_date_epoch,
            )
            for run in result.runs
        ]
        pkg = packages[0]
    with steps.step("SBOM"):
        sbom = release_sbom(result, pkg)
    now = clock.now()
    with steps.step("sign evidence"):
        evidence = sign_release_evidence(
            result,
            pkg,
            packages,
            sbom,
            label=label,
            builder_id=request.rebuild.builder_id,
            signer=signer,
            now=now,
        )
    with steps.step("evaluate the policy"):
        decision = _decide(request, pkg, label, evidence, now)
    if decision.outcome is not Outcome.ALLOWED:
        reasons = [f.message for f in (*decision.violations, *decision.errors)]
        return _refused(
            request,
            steps,
            reasons,
            rebuild=result,
            package=pkg,
            decision=decision,
            artifact=pkg.digest,
        )
    created = now
    store = request.store.open(request.store_options)
    with steps.step("publish evidence"):
        push_package(store, pkg)
        attach_sbom_document(store, pkg, sbom, created)
        attached = attach_evidence(store, pkg, evidence, created)
    with steps.step("sign the release manifest and summary"):
        manifest = ReleaseManifest(
            name=request.recipe.name,
            version=request.version.text,
            artifact=pkg.digest,
            files=pkg.files,
            recipe=request.recipe.digest,
            source_commits=tuple(
                (s.spec.name, s.spec.commit or "")
                for s in result.staged
                if s.spec.kind is InputKind.GIT
            ),
            source_date_epoch=result.source_date_epoch,
            sbom=Digest.of_bytes(sbom),
            evidence=tuple(e.item for e in evidence),
            policy_set=request.policy_set.digest,
            decision=Digest.of_bytes(decision.to_json()),
        )
        signed_manifest = sign_release_manifest(manifest, pkg, label, signer)
        summary = sign_release_summary(
            pkg,
            label=label,
            resource_uri=f"{request.store}@{pkg.digest}",
            policy_uri=request.policy_uri,
            policy_digest=request.policy_set.digest,
            decision=decision.to_dict(),
            evidence=[e.item for e in evidence],
            now=now,
            signer=signer,
        )
        attached += attach_evidence(store, pkg, (signed_manifest, summary), created)
    with steps.step("tag"):
        store.tag(pkg.digest, request.version.tag, immutable=True)
    on_progress(f"released {label} as {request.store}@{pkg.digest} ({rfc3339(now)})")
    return ReleaseResult(
        ReleaseStatus.RELEASED,
        request.version,
        str(request.store),
        artifact=pkg.digest,
        rebuild=result,
        package=pkg,
        decision=decision,
        evidence=attached,
        timings=tuple(steps.timings),
    )


def _decide(
    request: ReleaseRequest,
    pkg: Package,
    label: str,
    evidence: tuple[SignedEvidence, ...],
    now: datetime,
) -> Decision:
    """The policy on exactly the evidence this run made, before anything is published."""
    source = CandidateEvidence(evidence)
    artifact = Artifact(pkg.digest)
    gathered = gather_evidence(source, artifact, request.policy_set.trust(), name=label)
    return evaluate(request.policy_set, pkg.digest, label, gathered, now=now)


def results_dir(recipe: Recipe, version: ReleaseVersion) -> Path:
    """Where a release keeps its rebuild results (logs, outputs, unsigned statements)."""
    return Path(".verifier") / "release" / recipe.name / version.text
