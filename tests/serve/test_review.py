"""AdmissionReview parsing and response documents (formats.md §2.6), and workload images."""

from __future__ import annotations

import pytest

from tests.serve.reviews import APP, MIGRATE, PAUSE, SIDECAR, pod_spec, review, workload
from verifier.admission.review import Operation, allow, deny, parse_review, request_uid
from verifier.admission.workloads import POD_SPEC_PATHS, images_of
from verifier.errors import InputError

UID = "705ab4f5-6393-11e8-b7cc-42010a800002"


def test_parse_a_pod_review() -> None:
    req = parse_review(review(workload("Pod", pod_spec([APP]))))
    assert req.uid == UID
    assert str(req.kind) == "v1/Pod"
    assert req.operation is Operation.CREATE
    assert (req.namespace, req.name, req.dry_run) == ("prod", "web", False)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(apiVersion="admission.k8s.io/v1beta1"), "expected apiVersion"),
        (lambda d: d.pop("request"), "request is missing"),
        (lambda d: d["request"].pop("uid"), "request.uid is missing"),
        (lambda d: d["request"].update(uid=7), "request.uid must be a str"),
        (lambda d: d["request"].update(operation="PATCH"), "operation 'PATCH' is unknown"),
        (lambda d: d["request"].update(object=[1]), "request.object must be an object"),
        (lambda d: d["request"].update(dryRun="yes"), "dryRun must be a boolean"),
        (lambda d: d["request"]["kind"].pop("kind"), "request.kind.kind is missing"),
    ],
)
def test_malformed_reviews_name_the_field(mutate, message: str) -> None:
    doc = review(workload("Pod", pod_spec([APP])))
    mutate(doc)
    with pytest.raises(InputError, match=message):
        parse_review(doc)


def test_request_uid_of_a_broken_review() -> None:
    assert request_uid({"request": {"uid": "u-1", "kind": 3}}) == "u-1"
    assert request_uid([1, 2]) is None
    assert request_uid({"request": {"uid": ""}}) is None


def test_deny_document_is_exactly_the_documented_shape() -> None:
    doc = deny(
        UID,
        f"{APP}: rule release-strict: no signed reproducible-build attestation",
        warnings=["sbom attestation older than 30d"],
        audit={"reason": "unsigned"},
    ).to_dict()
    assert doc == {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "response": {
            "uid": UID,
            "allowed": False,
            "status": {
                "code": 403,
                "message": f"{APP}: rule release-strict: no signed reproducible-build attestation",
            },
            "warnings": ["sbom attestation older than 30d"],
            "auditAnnotations": {"reason": "unsigned"},
        },
    }


def test_allow_document_is_minimal() -> None:
    assert allow(UID).to_dict()["response"] == {"uid": UID, "allowed": True}


def test_warnings_are_kept_under_120_characters() -> None:
    response = allow(UID, warnings=["x" * 500, "short  and\nflat"])
    assert all(len(w) < 120 for w in response.warnings)
    assert response.warnings[0].endswith("…")
    assert response.warnings[1] == "short and flat"


def test_a_denial_needs_a_message() -> None:
    with pytest.raises(InputError):
        deny(UID, "")


@pytest.mark.parametrize("kind", sorted(POD_SPEC_PATHS))
def test_images_of_every_kind_in_spec_order(kind: str) -> None:
    obj = workload(kind, pod_spec([APP, SIDECAR], init=[MIGRATE], ephemeral=[PAUSE]))
    found = images_of(kind, obj)
    assert [c.image for c in found] == [MIGRATE, APP, SIDECAR, PAUSE]
    assert "initContainers[0] (init0)" in found[0].location
    assert "ephemeralContainers[0] (debug0)" in found[3].location


def test_images_of_refuses_unknown_kinds_and_bad_shapes() -> None:
    with pytest.raises(InputError, match="'Service' is not a Pod or a workload"):
        images_of("Service", {"spec": {}})
    with pytest.raises(InputError, match=r"Deployment has no spec\.template\.spec"):
        images_of("Deployment", {"spec": {"replicas": 1}})
    with pytest.raises(InputError, match=r"containers\[0\] \(app\) has no image"):
        images_of("Pod", {"spec": {"containers": [{"name": "app"}]}})
    with pytest.raises(InputError, match="is not a list"):
        images_of("Pod", {"spec": {"containers": {"name": "app"}}})
