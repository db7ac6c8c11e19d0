"""The hard deadline and the failure mode, against a registry that never answers."""

from __future__ import annotations

import socket
import ssl
import time

import pytest

from tests.serve.deciders import StalledRegistryDecider, TableDecider
from tests.serve.reviews import APP, PAUSE, encode, pod_spec, review, workload
from tests.serve.stalled import StalledServer
from verifier.admission.deadline import DecisionLimits, FailureMode
from verifier.admission.decider import ImageDecision, ImageQuery
from verifier.errors import EnvironmentFailure


@pytest.fixture
def stalled():
    server = StalledServer()
    yield server
    server.close()


def test_stalled_registry_is_denied_when_the_deadline_fires(webhook_factory, stalled) -> None:
    decider = StalledRegistryDecider(stalled.url)
    hook = webhook_factory(decider, limits=DecisionLimits(deadline_seconds=1.0))
    started = time.monotonic()
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP, PAUSE])))))
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 3.0
    assert answer.status == 200
    assert answer.response["allowed"] is False
    assert answer.response["status"] == {
        "code": 403,
        "message": f"{APP}: rule deadline: decision timed out after 1 s; "
        "denied (failure mode deny)",
    }
    assert len(stalled.accepted) == 1  # the registry really was asked
    # A second review while the first decision is still stuck shares it, and times out too.
    again = hook.post(encode(review(workload("Pod", pod_spec([APP])), uid="second")))
    assert again.response["status"]["message"].endswith("(failure mode deny)")
    assert decider.calls[APP] == 1
    metrics = hook.request("GET", "/metrics").body.decode()
    assert 'verifier_admission_decisions_total{result="denied",route="timeout"} 2' in metrics


def test_unsafe_allow_admits_and_says_so(webhook_factory, stalled) -> None:
    hook = webhook_factory(
        StalledRegistryDecider(stalled.url),
        limits=DecisionLimits(deadline_seconds=0.5, failure_mode=FailureMode.UNSAFE_ALLOW),
    )
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP])))))
    response = answer.response
    assert response["allowed"] is True
    assert response["warnings"] == [
        "reg.example/app@sha256:aaaaaaaaaaaa: decision timed out after 0.5 s; "
        "admitted (unsafe-allow)"
    ]
    assert response["auditAnnotations"] == {"failure-mode": f"unsafe-allow: {APP}"}


class FailingDecider(TableDecider):
    def __init__(self, error: Exception) -> None:
        super().__init__({})
        self.error = error

    def decide(self, query: ImageQuery) -> ImageDecision:
        raise self.error


def test_a_decider_error_is_a_denial_naming_it(webhook_factory) -> None:
    hook = webhook_factory(FailingDecider(EnvironmentFailure("registry reg.example: HTTP 500")))
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP])))))
    assert answer.response["status"] == {
        "code": 403,
        "message": f"{APP}: rule decision-error: registry reg.example: HTTP 500; "
        "denied (failure mode deny)",
    }


def test_an_unexpected_exception_is_a_denial_not_a_traceback(webhook_factory) -> None:
    hook = webhook_factory(FailingDecider(ZeroDivisionError("boom")))
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP])))))
    assert answer.status == 200
    assert answer.response["status"]["message"] == (
        f"{APP}: rule decision-error: internal error while deciding (ZeroDivisionError); "
        "denied (failure mode deny)"
    )


def test_a_body_that_never_arrives_is_cut_at_the_deadline(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({}), limits=DecisionLimits(deadline_seconds=0.5))
    context = ssl.create_default_context(cafile=str(hook.ca.path))
    with (
        socket.create_connection(("127.0.0.1", hook.port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        tls.sendall(
            b"POST /validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"apiVersion":'
        )
        started = time.monotonic()
        head = tls.recv(4096)
        assert time.monotonic() - started < 3
    assert head.startswith(b"HTTP/1.1 408 ")


def test_deadline_must_stay_below_webhook_timeouts() -> None:
    with pytest.raises(Exception, match="below the largest webhook timeout"):
        DecisionLimits(deadline_seconds=30)
