"""Real AdmissionReviews against the real HTTPS server (uvicorn on 127.0.0.1).

The decisions come from TableDecider, a test decider standing in for the policy engine:
these tests are about the webhook (parsing, routing, combining, response format).
"""

from __future__ import annotations

import json

from tests.serve.deciders import TableDecider
from tests.serve.reviews import (
    APP,
    MIGRATE,
    PAUSE,
    SIDECAR,
    encode,
    pod_spec,
    review,
    with_image,
    workload,
)
from verifier.admission.decider import Outcome

UID = "705ab4f5-6393-11e8-b7cc-42010a800002"
DENIAL = "rule release-strict: no signed reproducible-build attestation"


def test_pod_allowed(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    answer = hook.post(encode(review(workload("Pod", pod_spec([APP])))))
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {"uid": UID, "allowed": True},
    }


def test_deployment_denied_names_image_and_rule(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    body = review(workload("Deployment", pod_spec([APP, SIDECAR])), uid="dep-1")
    answer = hook.post(encode(body))
    assert answer.status == 200
    assert answer.response == {
        "uid": "dep-1",
        "allowed": False,
        "status": {"code": 403, "message": f"{SIDECAR}: {DENIAL}"},
    }


def test_cronjob_with_init_containers_checks_every_image(webhook_factory) -> None:
    decider = TableDecider({APP: Outcome.ALLOWED})
    hook = webhook_factory(decider)
    obj = workload("CronJob", pod_spec([APP, PAUSE], init=[MIGRATE, SIDECAR]))
    answer = hook.post(encode(review(obj, uid="cron-1")))
    # Both init containers are denied, in spec order; the allow rule covers pause, unasked.
    assert answer.response["status"] == {
        "code": 403,
        "message": f"{MIGRATE}: {DENIAL}; {SIDECAR}: {DENIAL}",
    }
    assert set(decider.calls) == {MIGRATE, SIDECAR, APP}


def test_update_is_decided_on_the_new_object(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    old = workload("Pod", pod_spec([APP]))
    new = with_image(old, SIDECAR)
    denied = hook.post(encode(review(new, operation="UPDATE", old=old, uid="upd-1")))
    assert denied.response["allowed"] is False
    assert denied.response["status"]["message"].startswith(SIDECAR)
    back = hook.post(encode(review(old, operation="UPDATE", old=new, uid="upd-2")))
    assert back.response == {"uid": "upd-2", "allowed": True}


def test_dry_run_gets_the_same_answer(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    obj = workload("StatefulSet", pod_spec([SIDECAR]))
    real = hook.post(encode(review(obj, uid="u")))
    dry = hook.post(encode(review(obj, uid="u", dry_run=True)))
    assert real.response == dry.response
    assert dry.response["allowed"] is False


def test_warn_mode_admits_with_short_warnings(webhook_factory) -> None:
    long_name = "reg.example/" + "very-long-repository-name/" * 4 + "app@sha256:" + "d" * 64
    hook = webhook_factory(TableDecider({APP: Outcome.WARNED, long_name: Outcome.WARNED}))
    answer = hook.post(encode(review(workload("DaemonSet", pod_spec([APP, long_name])))))
    response = answer.response
    assert response["allowed"] is True
    assert "status" not in response
    short_app = "reg.example/app@sha256:aaaaaaaaaaaa"
    assert (
        response["warnings"][0] == f"{short_app}: release-strict: sbom attestation older than 30d"
    )
    assert len(response["warnings"]) == 2
    assert all(len(w) < 120 for w in response["warnings"])


def test_every_workload_kind_is_reviewed(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}))
    kinds = ("Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob")
    for kind in (*kinds, "ReplicationController"):
        ok = hook.post(encode(review(workload(kind, pod_spec([APP])))))
        bad = hook.post(encode(review(workload(kind, pod_spec([APP], ephemeral=[SIDECAR])))))
        assert ok.response["allowed"] is True, kind
        assert bad.response["status"]["message"] == f"{SIDECAR}: {DENIAL}", kind


def test_delete_runs_nothing_and_is_allowed(webhook_factory) -> None:
    decider = TableDecider({})
    hook = webhook_factory(decider)
    answer = hook.post(encode(review(workload("Pod", pod_spec([SIDECAR])), operation="DELETE")))
    assert answer.response == {"uid": UID, "allowed": True}
    assert not decider.calls


def test_unsupported_kind_with_a_uid_is_a_denial_with_code_400(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({}))
    doc = review(workload("Pod", pod_spec([APP])))
    doc["request"]["kind"]["kind"] = "Service"
    answer = hook.post(encode(doc))
    assert answer.status == 200
    assert answer.response["allowed"] is False
    assert answer.response["status"]["code"] == 400
    assert "'Service' is not a Pod or a workload" in answer.response["status"]["message"]


def test_malformed_bodies_get_clean_errors(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({}))
    cases = [
        (b"{not json", 400, "body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, 413, "request body over"),
        (b"[" * 20_000 + b"]" * 20_000, 400, "body is not JSON: RecursionError"),
        (b'{"apiVersion":"v1","kind":"Pod"}', 400, "expected apiVersion"),
        (b"null", 400, "not a JSON object"),
        ("\N{SNOWMAN}".encode("utf-16"), 400, "body is not JSON"),
    ]
    for body, status, text in cases:
        answer = hook.post(body)
        assert answer.status == status, body[:20]
        assert text in answer.json()["error"], answer.body
    # A review with a uid but a broken request is answered as a review (the API server reads it).
    answer = hook.post(
        b'{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",'
        b'"request":{"uid":"x-1","kind":"Pod"}}'
    )
    assert answer.status == 200
    assert answer.response["uid"] == "x-1"
    assert answer.response["status"]["code"] == 400


def test_oversized_bodies_are_refused_before_reading_them(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({APP: Outcome.ALLOWED}), max_body_bytes=64 * 1024)
    doc = review(workload("Pod", pod_spec([APP])))
    doc["request"]["object"]["metadata"]["annotations"] = {"big": "x" * 70_000}
    answer = hook.post(encode(doc))
    assert answer.status == 413
    assert answer.json() == {"error": "request body over 65536 bytes"}
    # The server is still fine afterwards.
    assert hook.post(encode(review(workload("Pod", pod_spec([APP]))))).status == 200


def test_wrong_method_path_and_content_type(webhook_factory) -> None:
    hook = webhook_factory(TableDecider({}))
    assert hook.request("GET", "/validate").status == 405
    assert hook.request("POST", "/mutate", b"{}").status == 404
    answer = hook.post(b"{}", content_type="text/plain")
    assert answer.status == 415
    assert json.loads(answer.body) == {"error": "Content-Type must be application/json"}
