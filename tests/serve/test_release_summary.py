"""The fast path on the summary `verifier release` itself signs and attaches.

The release pipeline's own functions package an artifact, sign its SLSA VSA under the policy
set's digest and attach it to the release manifest in a real registry (docker-registry on
127.0.0.1); the webhook, given the same policies and the release key, admits the manifest's
digest from that summary alone: the evidence directory given to the engine is empty, so
anything but the summary would deny.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tests.serve.policies import write_policy
from tests.serve.reviews import encode, pod_spec, review, workload
from verifier.admission.decider import ImageQuery, Route
from verifier.admission.policy_decider import PolicyDecider
from verifier.admission.store_summaries import StoreSummaries
from verifier.admission.summary import SummaryFastPath
from verifier.digest import Digest
from verifier.policy.loader import load_policies
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.rebuild.runner import BuildOutput
from verifier.release.evidence import sign_release_summary
from verifier.release.package import package
from verifier.release.publish import attach_evidence
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keys import KeyAlgorithm
from verifier.store.oci import EMPTY_BLOB, EMPTY_DESCRIPTOR, OCI_MANIFEST
from verifier.store.reference import StoreOptions

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def test_a_release_summary_admits_the_release(webhook_factory, registry, tmp_path) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    policy = write_policy(tmp_path / "policies", key)
    policy_set = load_policies(policy)
    store = registry.store("serve/released")
    # What `verifier release` publishes: the package manifest (one layer per output) ...
    data = b"release artifact\n"
    out_file = tmp_path / "app.tar.gz"
    out_file.write_bytes(data)
    output = BuildOutput("dist/app.tar.gz", Digest.of_bytes(data), len(data), out_file)
    pkg = package(
        [output],
        name="app",
        version="1.0.0",
        recipe=Digest.of_bytes(b"r"),
        source_date_epoch=1_794_268_800,
    )
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    store.put_blob(pkg.layers[0][0], [data])
    store.put_manifest(pkg.raw, OCI_MANIFEST, tag="1.0.0")
    # ... and its signed verification summary, attached as a cosign v3 referrer.
    summary = sign_release_summary(
        pkg,
        label="app 1.0.0",
        resource_uri=f"{store.name}@{pkg.digest}",
        policy_uri=str(policy),
        policy_digest=policy_set.digest,
        decision={"allowed": True},
        evidence=[],
        now=NOW,
        signer=KeySigner(key),
    )
    attach_evidence(store, pkg, [summary], NOW)

    options = StoreOptions(timeout=10, unsafe_plain_http=True)
    (tmp_path / "evidence").mkdir()
    decider = PolicyDecider(
        policy_set=policy_set,
        store_options=options,
        fast_path=SummaryFastPath(KeyTrust(key.public_key), StoreSummaries(options)),
        summary_trust_ids=("release",),
        evidence=LocalEvidenceDirectory(tmp_path / "evidence"),
    )
    image = f"{registry.host}/serve/released@{pkg.digest}"
    assert decider.decide(ImageQuery(image, "prod")).route is Route.SUMMARY
    hook = webhook_factory(decider)
    answer = hook.post(encode(review(workload("Deployment", pod_spec([image])))))
    assert answer.response["allowed"] is True
    # Another key signed nothing here: without the summary the engine finds no signature.
    stranger = KeyAlgorithm.ECDSA_P256.generate()
    decider.fast_path = SummaryFastPath(KeyTrust(stranger.public_key), StoreSummaries(options))
    denied = decider.decide(ImageQuery(image, "prod"))
    assert (denied.route, denied.rule) == (Route.POLICY, "gate/signatures")
