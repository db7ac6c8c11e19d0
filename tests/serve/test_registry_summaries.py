"""The fast path against a real registry (docker-registry on 127.0.0.1, no referrers API,
so summaries are found through the tag-schema fallback), and against one that stalls."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import urllib3

from tests.serve.policies import policy_digest_of, write_policy
from tests.serve.registry_images import push_released_image
from tests.serve.reviews import encode, pod_spec, review, workload
from tests.serve.stalled import StalledServer
from verifier.admission.cache import DecisionCache
from verifier.admission.deadline import DecisionLimits
from verifier.admission.policy_decider import PolicyDecider
from verifier.admission.store_summaries import StoreSummaries, repository_of
from verifier.admission.summary import SummaryFastPath
from verifier.digest import Digest
from verifier.policy.loader import load_policies
from verifier.sign.key_policy import KeyTrust
from verifier.sign.keys import KeyAlgorithm
from verifier.store.oci import OCI_INDEX, image_index
from verifier.store.reference import StoreOptions
from verifier.store.referrers import fallback_entries, fallback_tag
from verifier.store.registry.connections import RegistryConnections


def decider_for(key, policy: Path, timeout: float = 5.0) -> PolicyDecider:
    options = StoreOptions(timeout=timeout, unsafe_plain_http=True)
    return PolicyDecider(
        policy_set=load_policies(policy),
        store_options=options,
        fast_path=SummaryFastPath(KeyTrust(key.public_key), StoreSummaries(options)),
        summary_trust_ids=("k",),
    )


def test_repository_of_references() -> None:
    digest = "sha256:" + "a" * 64
    assert repository_of(f"127.0.0.1:5000/team/app@{digest}") == "127.0.0.1:5000/team/app"
    assert repository_of(f"localhost:5000/app:v1@{digest}") == "localhost:5000/app"
    assert repository_of("reg.example/app:1.0") == "reg.example/app"


def test_summaries_from_the_registry_admit_and_are_cached(
    webhook_factory, registry, tmp_path
) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    policy = write_policy(tmp_path / "policies", key)
    store = registry.store("serve/app")
    released = push_released_image(store, tmp_path, "v1", key, policy_digest_of(policy))
    unreleased = push_released_image(store, tmp_path, "v2", key, Digest.of_bytes(b"other policy"))
    hook = webhook_factory(decider_for(key, policy))
    image = f"{registry.host}/serve/app@{released}"
    other = f"{registry.host}/serve/app@{unreleased}"
    first = hook.post(encode(review(workload("Pod", pod_spec([image])))))
    assert first.response["allowed"] is True
    denied = hook.post(encode(review(workload("Pod", pod_spec([other])))))
    # No summary for this policy: the engine decides, from the evidence in the registry.
    assert denied.response["status"]["message"].startswith(f"{other}: rule gate/signatures")
    started = time.monotonic()
    again = hook.post(encode(review(workload("Job", pod_spec([image])))))
    assert again.response["allowed"] is True
    assert time.monotonic() - started < 1
    metrics = hook.request("GET", "/metrics").body.decode()
    assert 'verifier_admission_decisions_total{result="allowed",route="summary"} 1' in metrics
    assert 'verifier_admission_decisions_total{result="allowed",route="cache"} 1' in metrics


@pytest.fixture
def stalled():
    server = StalledServer()
    yield server
    server.close()


def test_a_stalled_registry_hits_the_deadline(webhook_factory, stalled, tmp_path) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    policy = write_policy(tmp_path / "policies", key)
    # As `verifier serve` sets it: registry reads outlive the review's deadline by a second.
    hook = webhook_factory(decider_for(key, policy, timeout=2.0), limits=DecisionLimits(1.0))
    image = f"127.0.0.1:{stalled.port}/app@sha256:{'e' * 64}"
    started = time.monotonic()
    answer = hook.post(encode(review(workload("Pod", pod_spec([image])))))
    assert time.monotonic() - started < 3
    assert answer.response["status"]["message"] == (
        f"{image}: rule deadline: decision timed out after 1 s; denied (failure mode deny)"
    )
    assert stalled.accepted  # the registry was really contacted


def _requests_to(registry, repository: str) -> list[str]:
    """Request lines of the registry's access log for one repository."""
    marker = f" /v2/{repository}/"
    return [line for line in registry.log.read_text().splitlines() if marker in line]


def test_lookups_share_connections_and_read_the_index_only(registry, tmp_path) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    store = registry.store("serve/pooled")
    policy = Digest.of_bytes(b"pooled policy")
    released = push_released_image(store, tmp_path, "v1", key, policy)
    connections = RegistryConnections()
    summaries = StoreSummaries(StoreOptions(timeout=5, unsafe_plain_http=True), None, connections)
    image = f"{registry.host}/serve/pooled@{released}"
    before = len(_requests_to(registry, "serve/pooled"))
    for _ in range(3):
        assert next(iter(summaries.summaries(image, released))).source.startswith(
            f"{registry.host}/serve/pooled@sha256:"
        )
    seen = _requests_to(registry, "serve/pooled")[before:]
    # The referrers API is asked once (404 on distribution 2.8) and then remembered; each
    # lookup then reads the fallback index, the VSA manifest and its bundle: no tag list.
    assert sum("/referrers/" in line for line in seen) == 1
    assert not any("/tags/list" in line for line in seen)
    assert len(seen) == 1 + 3 * 3
    shared = connections.get(registry.host, plain_http=True, ca_file=None)
    assert shared.referrers_api_absent()


def test_a_summary_missing_from_the_index_is_still_found_by_its_tag(registry, tmp_path) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    store = registry.store("serve/lost-entry")
    released = push_released_image(store, tmp_path, "v1", key, Digest.of_bytes(b"p"))
    # Another writer dropped the entry: the index lists nothing, the referrer's own tag stays.
    store.put_manifest(image_index([]), OCI_INDEX, tag=fallback_tag(released))
    summaries = StoreSummaries(StoreOptions(timeout=5, unsafe_plain_http=True))
    found = list(summaries.summaries(f"{registry.host}/serve/lost-entry@{released}", released))
    assert len(found) == 1


def test_with_the_content_cache_a_decision_reads_the_index_only_and_sees_withdrawals(
    webhook_factory, registry, tmp_path
) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    policy = write_policy(tmp_path / "policies", key)
    store = registry.store("serve/kept")
    released = push_released_image(store, tmp_path, "v1", key, policy_digest_of(policy))
    options = StoreOptions(timeout=5, unsafe_plain_http=True)
    connections = RegistryConnections(content_cache_bytes=1 << 20)
    decider = PolicyDecider(
        policy_set=load_policies(policy),
        store_options=options,
        fast_path=SummaryFastPath(
            KeyTrust(key.public_key), StoreSummaries(options, None, connections)
        ),
        summary_trust_ids=("k",),
        connections=connections,
    )
    # No decision cache: every review is decided again, as in bench/webhook_load.sh "uncached".
    hook = webhook_factory(decider, cache=DecisionCache(0, 60.0), connections=connections)
    image = f"{registry.host}/serve/kept@{released}"
    before = len(_requests_to(registry, "serve/kept"))
    for _ in range(3):
        answer = hook.post(encode(review(workload("Pod", pod_spec([image])))))
        assert answer.response["allowed"] is True
    seen = _requests_to(registry, "serve/kept")[before:]
    # The referrers API once (404, remembered), the fallback index every time (it may change),
    # the summary's manifest and bundle once (named by digest: they cannot).
    index = f"/manifests/{fallback_tag(released)} "
    assert sum(index in line for line in seen) == 3
    assert len(seen) == 1 + 3 + 2
    metrics = hook.request("GET", "/metrics").body.decode()
    assert "verifier_registry_content_cache_hits_total 4" in metrics
    assert 'verifier_admission_decisions_total{result="allowed",route="summary"} 3' in metrics

    # Withdraw the summary: out of the index, its manifest (and so its tag) deleted. What the
    # cache still holds no longer counts: nothing lists it.
    (entry,) = fallback_entries(store, released)
    deleted = urllib3.request(
        "DELETE", f"http://{registry.host}/v2/serve/kept/manifests/{entry.digest}", timeout=10
    )
    assert deleted.status == 202
    store.put_manifest(image_index([]), OCI_INDEX, tag=fallback_tag(released))
    after = hook.post(encode(review(workload("Pod", pod_spec([image])))))
    assert after.response["allowed"] is False
    assert "rule gate/signatures: signed by 0" in after.response["status"]["message"]
