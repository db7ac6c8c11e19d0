"""Operations on the real server: health, readiness, metrics, cache, concurrency, TLS reload."""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor

from cryptography import x509

from tests.serve.certs import issue_server_cert, make_ca
from tests.serve.deciders import TableDecider
from tests.serve.reviews import APP, PAUSE, SIDECAR, encode, pod_spec, review, workload
from verifier.admission.decider import Outcome


def metric(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} not in metrics"
    return float(match.group(1))


def test_health_and_readiness(webhook_factory) -> None:
    decider = TableDecider({}, is_ready=False)
    hook = webhook_factory(decider)
    assert hook.request("GET", "/healthz").status == 200
    assert hook.request("GET", "/readyz").status == 503
    decider.is_ready = True
    ready = hook.request("GET", "/readyz")
    assert (ready.status, ready.body) == (200, b"ready\n")


def test_metrics_count_requests_decisions_latency_and_cache(webhook_factory) -> None:
    decider = TableDecider({APP: Outcome.ALLOWED})
    hook = webhook_factory(decider)
    body = encode(review(workload("Pod", pod_spec([APP, PAUSE]))))
    for _ in range(3):
        assert hook.post(body).response["allowed"] is True
    hook.post(encode(review(workload("Pod", pod_spec([SIDECAR])))))
    hook.post(b"nope")
    answer = hook.request("GET", "/metrics")
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = answer.body.decode()
    assert metric(text, 'verifier_http_requests_total{path="/validate",code="200"}') == 4
    assert metric(text, 'verifier_http_requests_total{path="/validate",code="400"}') == 1
    assert metric(text, 'verifier_admission_reviews_total{result="allowed"}') == 3
    assert metric(text, 'verifier_admission_reviews_total{result="denied"}') == 1
    assert metric(text, 'verifier_admission_decisions_total{result="allowed",route="policy"}') == 1
    assert metric(text, 'verifier_admission_decisions_total{result="allowed",route="cache"}') == 2
    assert (
        metric(text, 'verifier_admission_decisions_total{result="allowed",route="allow-rule"}') == 3
    )
    assert metric(text, 'verifier_admission_decisions_total{result="denied",route="policy"}') == 1
    assert metric(text, "verifier_decision_cache_hits_total") == 2
    assert metric(text, "verifier_decision_cache_misses_total") == 2
    assert metric(text, "verifier_decision_cache_entries") == 2
    assert metric(text, "verifier_admission_request_duration_seconds_count") == 5
    assert metric(text, 'verifier_admission_request_duration_seconds_bucket{le="+Inf"}') == 5
    assert "# TYPE verifier_admission_request_duration_seconds histogram" in text
    # The allow rule never reached the decider, and the cache answered the repeats.
    assert dict(decider.calls) == {APP: 1, SIDECAR: 1}


def test_concurrent_reviews_share_one_decision_per_image(webhook_factory) -> None:
    images = [f"reg.example/app{i}@sha256:{i:064x}" for i in range(5)]
    decider = TableDecider(dict.fromkeys(images, Outcome.ALLOWED), delay_seconds=0.3)
    hook = webhook_factory(decider, workers=8)
    bodies = [
        encode(review(workload("Pod", pod_spec([images[n % 5]])), uid=f"uid-{n}"))
        for n in range(60)
    ]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(hook.post, bodies))
    elapsed = time.monotonic() - started
    assert [a.response["uid"] for a in answers] == [f"uid-{n}" for n in range(60)]
    assert all(a.response["allowed"] for a in answers)
    # 60 reviews, 5 images, each decided once although its first decision took 0.3 s.
    assert dict(decider.calls) == dict.fromkeys(images, 1)
    assert elapsed < 5


def test_certificate_reload_serves_the_new_certificate(webhook_factory, tmp_path) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    first = x509.load_der_x509_certificate(hook.served_certificate())
    assert first.subject.rfc4514_string() == "CN=webhook-1"
    # Rotate as cert-manager would: same CA, new leaf, files replaced.
    issue_server_cert(hook.ca, hook.cert, hook.key, "webhook-2")
    give_up = time.monotonic() + 5
    while time.monotonic() < give_up:
        served = x509.load_der_x509_certificate(hook.served_certificate())
        if served.subject.rfc4514_string() == "CN=webhook-2":
            break
        time.sleep(0.05)
    else:
        raise AssertionError("new certificate not served within 5 s")
    assert hook.post(encode(review(workload("Pod", pod_spec([APP]))))).response["allowed"]
    # A broken pair (key of another certificate) is refused; the good one keeps serving.
    other = make_ca(tmp_path, "other CA")
    issue_server_cert(other, tmp_path / "x.crt", hook.key, "mismatch")
    time.sleep(0.5)
    served = x509.load_der_x509_certificate(hook.served_certificate())
    assert served.subject.rfc4514_string() == "CN=webhook-2"
    assert hook.server.tls.reloads == 1


def test_graceful_shutdown_lets_a_review_in_flight_finish(webhook_factory) -> None:
    decider = TableDecider({APP: Outcome.ALLOWED}, delay_seconds=0.5)
    hook = webhook_factory(decider)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(hook.post, encode(review(workload("Pod", pod_spec([APP])))))
        give_up = time.monotonic() + 5
        while not decider.calls and time.monotonic() < give_up:
            time.sleep(0.01)
        assert decider.calls, "the review never reached the decider"
        hook.server.stop()  # what SIGTERM does
        answer = pending.result(timeout=10)
    assert answer.status == 200
    assert answer.response["allowed"] is True
    hook.thread.join(timeout=10)
    assert not hook.thread.is_alive()
    assert hook.server.app.shutting_down
