"""``verifier serve``: the Kubernetes validating admission webhook. See docs/serve.md."""

from __future__ import annotations

from pathlib import Path

import typer

from verifier.admission.deadline import FailureMode
from verifier.admission.server import ServerOptions
from verifier.admission.startup import ServeSettings, serve
from verifier.admission.webhook import DEFAULT_MAX_BODY_BYTES
from verifier.cli.app import app, run_command


@app.command("serve")
def serve_command(
    policy: Path = typer.Option(
        ...,
        "--policy",
        envvar="VERIFIER_POLICY",
        help="Policy file, or a directory of *.yaml policies (as for verifier admit).",
    ),
    tls_cert: Path = typer.Option(
        ..., "--tls-cert", envvar="VERIFIER_TLS_CERT", help="PEM certificate (chain) to serve."
    ),
    tls_key: Path = typer.Option(
        ..., "--tls-key", envvar="VERIFIER_TLS_KEY", help="PEM private key of the certificate."
    ),
    host: str = typer.Option(
        "0.0.0.0",  # noqa: S104 - a webhook Pod listens on its Pod IP
        "--host",
        envvar="VERIFIER_HOST",
        help="Address to listen on.",
    ),
    port: int = typer.Option(8443, "--port", envvar="VERIFIER_PORT", help="HTTPS port."),
    summary_key: list[Path] = typer.Option(
        [],
        "--summary-key",
        envvar="VERIFIER_SUMMARY_KEYS",
        help="Public key trusted to sign release summaries: turns the fast path on (repeatable).",
    ),
    summaries: Path | None = typer.Option(
        None,
        "--summaries",
        envvar="VERIFIER_SUMMARIES",
        help="Directory of release summary bundles (*.sigstore.json).",
    ),
    evidence: Path | None = typer.Option(
        None,
        "--evidence",
        envvar="VERIFIER_EVIDENCE",
        help="Read evidence bundles from this directory instead of each image's registry.",
    ),
    summary_store: str | None = typer.Option(
        None,
        "--summary-store",
        envvar="VERIFIER_SUMMARY_STORE",
        help="Store holding release summaries as referrers (default: each image's repository).",
    ),
    unsafe_plain_http: bool = typer.Option(
        False,
        "--unsafe-plain-http",
        envvar="VERIFIER_UNSAFE_PLAIN_HTTP",
        help="Read registries over plain HTTP (anyone on the path can change what we read).",
    ),
    registry_ca: Path | None = typer.Option(
        None, "--registry-ca", envvar="VERIFIER_REGISTRY_CA", help="CA bundle for registries."
    ),
    allow_image: list[str] = typer.Option(
        [],
        "--allow-image",
        envvar="VERIFIER_ALLOW_IMAGES",
        help="Admit images matching this glob without any check (repeatable).",
    ),
    deadline: float = typer.Option(
        8.0,
        "--deadline",
        envvar="VERIFIER_DEADLINE",
        help="Seconds to decide one review; keep it below the webhook's timeoutSeconds.",
    ),
    failure_mode: FailureMode = typer.Option(
        FailureMode.DENY,
        "--failure-mode",
        envvar="VERIFIER_FAILURE_MODE",
        help="Answer when a decision times out or fails: deny, or unsafe-allow.",
    ),
    cache_size: int = typer.Option(
        10_000, "--cache-size", envvar="VERIFIER_CACHE_SIZE", help="Decisions kept (0: none)."
    ),
    cache_ttl: float = typer.Option(
        300.0, "--cache-ttl", envvar="VERIFIER_CACHE_TTL", help="Seconds a decision is kept."
    ),
    content_cache_mib: int = typer.Option(
        64,
        "--content-cache-mib",
        envvar="VERIFIER_CONTENT_CACHE_MIB",
        help="MiB of registry content read by digest (immutable) kept per registry (0: none).",
    ),
    workers: int = typer.Option(
        16, "--workers", envvar="VERIFIER_WORKERS", help="Threads deciding uncached images."
    ),
    max_body_bytes: int = typer.Option(
        DEFAULT_MAX_BODY_BYTES,
        "--max-body-bytes",
        envvar="VERIFIER_MAX_BODY_BYTES",
        help="Largest AdmissionReview accepted.",
    ),
    tls_reload_interval: float = typer.Option(
        5.0,
        "--tls-reload-interval",
        envvar="VERIFIER_TLS_RELOAD_INTERVAL",
        help="Seconds between checks of the certificate files.",
    ),
    graceful_shutdown: float = typer.Option(
        10.0,
        "--graceful-shutdown",
        envvar="VERIFIER_GRACEFUL_SHUTDOWN",
        help="Seconds reviews in flight may take to finish after SIGTERM.",
    ),
    log_level: str = typer.Option(
        "info", "--log-level", envvar="VERIFIER_LOG_LEVEL", help="debug, info, warning, error."
    ),
) -> None:
    """Serve the validating admission webhook over HTTPS (POST /validate)."""

    def body() -> int:
        settings = ServeSettings(
            policy=policy,
            server=ServerOptions(
                tls_cert=tls_cert,
                tls_key=tls_key,
                host=host,
                port=port,
                graceful_seconds=graceful_shutdown,
                tls_reload_seconds=tls_reload_interval,
            ),
            summary_keys=tuple(summary_key),
            summaries=summaries,
            evidence=evidence,
            summary_store=summary_store,
            unsafe_plain_http=unsafe_plain_http,
            registry_ca=registry_ca,
            allow_images=tuple(allow_image),
            deadline_seconds=deadline,
            failure_mode=failure_mode,
            cache_size=cache_size,
            cache_ttl_seconds=cache_ttl,
            content_cache_bytes=content_cache_mib * (1 << 20),
            workers=workers,
            max_body_bytes=max_body_bytes,
            log_level=log_level,
        )
        return serve(settings)

    run_command(body)
