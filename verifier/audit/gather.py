"""Gathering an audit: resolve each artifact, read its evidence, verify, decide; concurrently.

Targets are named references, or every release of a store (``--all-releases``, through
:func:`~verifier.release.history.list_releases`). Each target is audited on its own worker
(at most ``jobs`` at once); a failure of one target (an unreachable store, a malformed
bundle) becomes an error on its row, never a pass and never a missing row. Results come back
in a stable order: by release version, then by reference.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime

from verifier.admission.resolve import StoreResolver
from verifier.admission.targets import Target, target_of
from verifier.audit.evidence import ClassifiedBundle, ReadBundles, classify
from verifier.audit.facts import (
    builder_of_provenance,
    provenance_info,
    rebuild_info,
    sbom_info,
)
from verifier.audit.model import (
    AuditEntry,
    AuditReport,
    ComponentDiffInfo,
    DecisionInfo,
    SignatureInfo,
)
from verifier.clock import rfc3339
from verifier.digest import Digest
from verifier.errors import InputError, VerifierError
from verifier.policy.engine import evaluate
from verifier.policy.evidence import Evidence, gather_evidence
from verifier.policy.model import PolicySet, TrustSet
from verifier.release.history import list_releases
from verifier.release.version import ReleaseVersion, version_of_tag
from verifier.sbom.diff import diff_sboms
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import PublicKey
from verifier.store.deadline import Deadline
from verifier.store.reference import StoreOptions, parse_store


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and against which trust."""

    references: tuple[str, ...] = ()
    store: str | None = None
    all_releases: bool = False
    policy_set: PolicySet | None = None
    policy_label: str | None = None
    keys: tuple[PublicKey, ...] = ()
    store_options: StoreOptions = field(default_factory=StoreOptions)
    jobs: int = 4

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise InputError(f"--jobs must be at least 1, not {self.jobs}")
        if self.all_releases and self.store is None:
            raise InputError("--all-releases needs --store")
        if not self.references and not self.all_releases:
            raise InputError("nothing to audit: give references, or --store S --all-releases")

    def trust(self) -> TrustSet:
        """The policy's keys and identities, plus every ``--key``."""
        trusts = dict(self.policy_set.trust().policies) if self.policy_set else {}
        for key in self.keys:
            trusts.setdefault(f"key {key.fingerprint}", KeyTrust(key))
        return TrustSet(trusts)


@dataclass(frozen=True)
class _Job:
    target: Target
    version: ReleaseVersion | None


def _jobs(options: AuditOptions) -> list[_Job]:
    jobs: list[_Job] = []
    for text in options.references:
        target = target_of(text, store=options.store)
        if target.ref is None:
            raise InputError(
                f"{text}: not a store reference (oci-layout:PATH:TAG, HOST/REPO@sha256:..., "
                "or a tag with --store)"
            )
        tag = target.ref.tag
        jobs.append(_Job(target, version_of_tag(tag) if tag else None))
    if options.all_releases:
        assert options.store is not None
        location = parse_store(options.store)
        store = location.open(options.store_options, Deadline(options.store_options.timeout))
        for release in list_releases(store, None):
            # Judged by digest (what the tag named when listed), shown by its tag.
            target = target_of(f"{location}@{release.digest}")
            shown = replace(target, name=f"{location}:{release.version.tag}")
            jobs.append(_Job(shown, release.version))
        if not any(j.version for j in jobs):
            raise InputError(f"{options.store}: no vX.Y.Z release in this store")
    unique = {j.target.name: j for j in jobs}
    return sorted(
        unique.values(),
        key=lambda j: (j.version is None, j.version.key if j.version else (), j.target.name),
    )


@dataclass
class _Auditor:
    options: AuditOptions
    now: datetime
    trust: TrustSet
    resolver: StoreResolver
    lock: threading.Lock = field(default_factory=threading.Lock)

    def audit(self, job: _Job) -> AuditEntry:
        target = job.target
        version = job.version.text if job.version else None
        try:
            with self.lock:  # stores are opened and cached once, under one deadline
                resolved, source = self.resolver.resolve(target)
        except VerifierError as exc:
            digest = str(target.subject) if target.subject else None
            return AuditEntry(target.name, version, digest, errors=(str(exc),))
        assert resolved.artifact is not None and source is not None
        artifact, container = resolved.artifact, resolved.container
        digest = str(artifact.digest)
        lookup = container.digest if container is not None else artifact.digest
        try:
            raws = tuple(source.bundles_for(lookup, target.name))
        except VerifierError as exc:
            return AuditEntry(target.name, version, digest, errors=(f"{source.name}: {exc}",))
        evidence: Evidence | None = None
        if self.trust.policies:
            evidence = gather_evidence(
                ReadBundles(source.name, raws),
                artifact,
                self.trust,
                name=target.name,
                container=container,
            )
        subjects = frozenset({artifact.digest} | ({container.digest} if container else set()))
        bundles = classify(raws, evidence, subjects)
        errors = list(evidence.errors) if evidence else []
        errors += [c.item.detail for c in bundles if c.item.kind == "unreadable"]
        decision = None
        if self.options.policy_set is not None:
            decision = self._decide(resolved, evidence, artifact.digest)
        return _entry(target.name, version, digest, bundles, decision, tuple(sorted(errors)))

    def _decide(self, target: Target, evidence: Evidence | None, digest: Digest) -> DecisionInfo:
        assert self.options.policy_set is not None
        evidence = evidence or Evidence(digest, target.name)
        decision = evaluate(
            self.options.policy_set,
            digest,
            target.name,
            evidence,
            now=self.now,
            pinned=target.pinned,
        )
        reasons = tuple(f.message for f in (*decision.violations, *decision.errors))
        return DecisionInfo(decision.outcome.value, reasons, str(decision.policy_set))


def _entry(
    name: str,
    version: str | None,
    digest: str,
    bundles: list[ClassifiedBundle],
    decision: DecisionInfo | None,
    errors: tuple[str, ...],
) -> AuditEntry:
    usable = [b for b in bundles if b.usable]
    signatures = tuple(
        SignatureInfo(b.item.signer, b.item.state, b.item.detail)
        for b in bundles
        if b.item.kind == "signature"
    )
    provenances = [b for b in usable if b.item.kind == "provenance"]
    builders = [bid for b in provenances if (bid := builder_of_provenance(b.predicate)) is not None]
    rebuilds = [b for b in usable if b.item.kind == "rebuild"]
    sboms = [b for b in usable if b.item.kind == "sbom"]
    return AuditEntry(
        reference=name,
        version=version,
        digest=digest,
        signatures=tuple(sorted(signatures, key=lambda s: (s.signer, s.state, s.detail))),
        rebuild=rebuild_info(rebuilds[0].predicate, rebuilds[0].item.state, builders)
        if rebuilds
        else None,
        sbom=sbom_info(sboms[0].predicate, sboms[0].item.state) if sboms else None,
        provenance=tuple(sorted({provenance_info(b.predicate, b.item.state) for b in provenances})),
        decision=decision,
        evidence=tuple(b.item for b in bundles),
        errors=errors,
    )


def _label(component: object) -> str:
    name = getattr(component, "name", "?")
    version = getattr(component, "version", None)
    return f"{name} {version}" if version else str(name)


def release_diffs(entries: tuple[AuditEntry, ...]) -> tuple[ComponentDiffInfo, ...]:
    """Component changes between consecutive audited artifacts that both have an SBOM."""
    with_sbom = [e for e in entries if e.sbom is not None]
    diffs = []
    for old, new in itertools.pairwise(with_sbom):
        assert old.sbom is not None and new.sbom is not None
        diff = diff_sboms(
            old.sbom.document, new.sbom.document, old_name=old.reference, new_name=new.reference
        )
        diffs.append(
            ComponentDiffInfo(
                old=old.reference,
                new=new.reference,
                added=tuple(sorted(_label(c) for c in diff.added)),
                removed=tuple(sorted(_label(c) for c in diff.removed)),
                changed=tuple(
                    sorted(
                        f"{_label(c.old)} -> {_label(c.new)} ({', '.join(c.fields)})"
                        for c in diff.changed
                    )
                ),
                unchanged=diff.unchanged,
            )
        )
    return tuple(diffs)


def run_audit(
    options: AuditOptions,
    *,
    now: datetime,
    progress: Callable[[int, int, AuditEntry], None] | None = None,
) -> AuditReport:
    """Audit every target, ``options.jobs`` at a time; InputError for bad references."""
    jobs = _jobs(options)
    trust = options.trust()
    auditor = _Auditor(options, now, trust, StoreResolver(options.store_options))
    done = 0
    done_lock = threading.Lock()

    def one(job: _Job) -> AuditEntry:
        nonlocal done
        entry = auditor.audit(job)
        with done_lock:
            done += 1
            if progress is not None:
                progress(done, len(jobs), entry)
        return entry

    with ThreadPoolExecutor(max_workers=options.jobs, thread_name_prefix="audit") as pool:
        entries = tuple(pool.map(one, jobs))  # map keeps the sorted job order
    return AuditReport(
        generated_at=rfc3339(now),
        trust=tuple(sorted(trust.policies)),
        policy=options.policy_label,
        entries=entries,
        diffs=release_diffs(entries),
    )
