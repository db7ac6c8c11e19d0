"""Set up bench/webhook_load.sh: a local registry with released images, and the server's files.

Starts Debian's docker-registry on 127.0.0.1 (the same fixture code the store tests use),
pushes IMAGES small artifacts standing in for images, each with a signed passing release
summary (VSA) attached in cosign v3's layout, and writes into DIR:

* tls.crt / tls.key (for 127.0.0.1), release.pub, policies/bench.yaml (one signature by the
  release key required);
* bodies.jsonl: one AdmissionReview (a Pod running one of the images) a line, for wrk;
* serve.env: the VERIFIER_* settings of the server.

Prints shell assignments (REGISTRY_PID, REGISTRY) on stdout for the calling script.

Run: uv run --locked python bench/webhook_setup.py DIR [--images 200]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.serve.certs import issue_server_cert, make_ca
from tests.serve.policies import write_policy
from tests.serve.registry_images import push_released_image
from tests.serve.reviews import pod_spec, review, workload
from tests.store.conftest import start_registry
from verifier.admission.startup import policy_digest
from verifier.sign.keys import KeyAlgorithm


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=Path)
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    work: Path = args.directory
    work.mkdir(parents=True, exist_ok=True)

    ca = make_ca(work)
    issue_server_cert(ca, work / "tls.crt", work / "tls.key", "webhook-bench")
    key = KeyAlgorithm.ECDSA_P256.generate()
    (work / "release.pub").write_bytes(key.public_key.pem)
    policy = write_policy(work / "policies", key, name="bench")
    digest = policy_digest(policy)

    registry = start_registry(work / "registry")
    assert registry.proc is not None
    store = registry.store("bench/app", timeout=600)
    with (work / "bodies.jsonl").open("w") as bodies:
        for n in range(args.images):
            subject = push_released_image(store, work / "images", f"v{n}", key, digest)
            image = f"{registry.host}/bench/app@{subject}"
            doc = review(workload("Pod", pod_spec([image]), name=f"app-{n}"), uid=f"bench-{n}")
            bodies.write(json.dumps(doc, separators=(",", ":")) + "\n")
    settings = {
        "VERIFIER_POLICY": policy,
        "VERIFIER_TLS_CERT": work / "tls.crt",
        "VERIFIER_TLS_KEY": work / "tls.key",
        "VERIFIER_SUMMARY_KEYS": work / "release.pub",
        "VERIFIER_UNSAFE_PLAIN_HTTP": "true",
        "VERIFIER_HOST": "127.0.0.1",
        "VERIFIER_LOG_LEVEL": "warning",
    }
    (work / "serve.env").write_text("".join(f"export {k}={v}\n" for k, v in settings.items()))
    print(f"REGISTRY_PID={registry.proc.pid}")
    print(f"REGISTRY={registry.host}")


if __name__ == "__main__":
    main()
