"""Build and run the webhook from its settings (what ``verifier serve`` was given)."""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from verifier.admission.cache import DecisionCache
from verifier.admission.deadline import DecisionLimits, FailureMode
from verifier.admission.decisions import AdmissionDecisions
from verifier.admission.logs import configure_json_logging
from verifier.admission.metrics import Metrics
from verifier.admission.policy_decider import AllowRule, PolicyDecider
from verifier.admission.server import ServerOptions, WebhookServer
from verifier.admission.store_summaries import StoreSummaries
from verifier.admission.summary import SummaryDirectory, SummaryFastPath, SummarySource
from verifier.admission.webhook import DEFAULT_MAX_BODY_BYTES, WebhookApp
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.loader import load_policies
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import PublicKey
from verifier.sign.policy import AnyOf, TrustPolicy
from verifier.store.reference import StoreOptions, parse_store
from verifier.store.registry.connections import RegistryConnections

log = logging.getLogger("verifier.serve")

STORE_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class ServeSettings:
    """Everything ``verifier serve`` is configured with (flags or VERIFIER_* variables)."""

    policy: Path
    server: ServerOptions
    summary_keys: tuple[Path, ...] = ()
    summaries: Path | None = None
    evidence: Path | None = None
    summary_store: str | None = None
    unsafe_plain_http: bool = False
    registry_ca: Path | None = None
    allow_images: tuple[str, ...] = ()
    deadline_seconds: float = 8.0
    failure_mode: FailureMode = FailureMode.DENY
    cache_size: int = 10_000
    cache_ttl_seconds: float = 300.0
    #: Registry content read by digest kept across decisions, per registry (0: none).
    content_cache_bytes: int = 64 << 20
    workers: int = 16
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    log_level: str = "info"

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise InputError("--workers must be at least 1")
        if self.max_body_bytes < 1024:
            raise InputError("--max-body-bytes must be at least 1024")
        if self.content_cache_bytes < 0:
            raise InputError("--content-cache-mib must be 0 (none) or more")


def policy_digest(path: Path) -> Digest:
    """The digest a release summary names for the policies in ``path`` (the set's digest)."""
    return load_policies(path).digest


def _summary_source(
    settings: ServeSettings, options: StoreOptions, connections: RegistryConnections
) -> SummarySource:
    if settings.summaries is not None:
        if settings.summary_store is not None:
            raise InputError("give --summaries DIR or --summary-store STORE, not both")
        return SummaryDirectory(settings.summaries)
    store = parse_store(settings.summary_store) if settings.summary_store else None
    return StoreSummaries(options, store, connections)


def build_decider(settings: ServeSettings) -> PolicyDecider:
    """Load the policies, the summary keys and the sources; InputError on bad input."""
    policy_set = load_policies(settings.policy)
    # Registry reads give up on their own one second after the review's deadline: the review
    # is answered by then (decision timed out), and the worker thread is freed soon after.
    options = StoreOptions(
        timeout=settings.deadline_seconds + STORE_GRACE_SECONDS,
        unsafe_plain_http=settings.unsafe_plain_http,
        ca_file=settings.registry_ca,
    )
    # One connection pool per registry for the server's life: a connection per worker thread,
    # and what registries served by digest (immutable) kept across decisions.
    connections = RegistryConnections(
        pool_size=settings.workers, content_cache_bytes=settings.content_cache_bytes
    )
    fast_path = None
    summary_trust: list[str] = []
    if settings.summary_keys:
        keys = [PublicKey.load(path) for path in settings.summary_keys]
        trust: TrustPolicy = AnyOf(tuple(KeyTrust(key) for key in keys))
        fast_path = SummaryFastPath(trust, _summary_source(settings, options, connections))
        summary_trust = [f"key {key.fingerprint}" for key in keys]
    elif settings.summaries is not None or settings.summary_store is not None:
        raise InputError("--summaries and --summary-store need --summary-key: whom to trust")
    evidence = LocalEvidenceDirectory(settings.evidence) if settings.evidence else None
    return PolicyDecider(
        policy_set=policy_set,
        store_options=options,
        fast_path=fast_path,
        summary_trust_ids=tuple(summary_trust),
        allow_rules=tuple(AllowRule(p) for p in settings.allow_images),
        evidence=evidence,
        connections=connections,
    )


def build_server(settings: ServeSettings, decider: PolicyDecider | None = None) -> WebhookServer:
    """The configured server, not yet started."""
    decider = decider or build_decider(settings)
    decisions = AdmissionDecisions(
        decider,
        DecisionCache(settings.cache_size, settings.cache_ttl_seconds),
        DecisionLimits(settings.deadline_seconds, settings.failure_mode),
        Metrics(),
        workers=settings.workers,
    )
    app = WebhookApp(
        decisions, max_body_bytes=settings.max_body_bytes, connections=decider.connections
    )
    return WebhookServer(app, settings.server)


def serve(settings: ServeSettings) -> int:
    """Serve until SIGTERM or SIGINT, then shut down gracefully; returns the exit code."""
    configure_json_logging(settings.log_level)
    decider = build_decider(settings)
    server = build_server(settings, decider)
    fields = {
        "policy": str(settings.policy),
        "policies": [p.name for p in decider.policy_set.policies],
        "policy_set_digest": str(decider.policy_set.digest),
        "deadline_seconds": settings.deadline_seconds,
        "failure_mode": settings.failure_mode.value,
        "allow_images": list(settings.allow_images),
        "summaries": (
            str(settings.summaries or settings.summary_store or "image repository")
            if settings.summary_keys
            else "off"
        ),
        "evidence": str(settings.evidence or "image repository"),
    }
    if settings.unsafe_plain_http:
        log.warning(
            "--unsafe-plain-http: registries are read over plain HTTP", extra={"fields": {}}
        )
    if settings.failure_mode is FailureMode.UNSAFE_ALLOW:
        log.warning(
            "failure mode unsafe-allow: undecided images are admitted", extra={"fields": fields}
        )
    log.info("webhook configured", extra={"fields": fields})
    # Everything loaded so far lives as long as the process: keep the collector off it, so
    # full collections stay short while reviews are answered.
    gc.collect()
    gc.freeze()
    asyncio.run(server.serve())
    return 0
