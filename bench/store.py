"""Store throughput against the local docker-registry, compared with skopeo copy.

Pushes and pulls a 200 MB artifact with verifier's registry backend and with
`skopeo copy` (OCI layout <-> registry) on the same bytes, then attaches 1,000 small
referrers (the sha256-<hex> fallback path, since distribution 2.8 has no referrers API)
(100 one at a time, the rest as one batch), lists them, and copies the artifact with
them into a layout. Prints times and the throughput ratio ours/skopeo (target >= 0.8).

Run: uv run --locked python bench/store.py [--mb 200] [--referrers 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.store.conftest import start_registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from verifier.store.artifacts import (
    FileLayer,
    attach_bundle,
    pull_to_dir,
    push_files,
    put_bytes,
)
from verifier.store.copy import copy_artifact
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore
from verifier.store.oci import BUNDLE_V03, OCI_MANIFEST, artifact_manifest
from verifier.store.referrers import attach_referrers, list_referrers


def _timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - start
    print(f"  {label:<44} {took:8.2f} s")
    return took


def _skopeo(work: Path, *args: str) -> None:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(work / "xdg"), "HOME": str(work)}
    (work / "xdg").mkdir(exist_ok=True)
    subprocess.run(["skopeo", "--insecure-policy", *args], check=True, env=env, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--referrers", type=int, default=1000)
    opts = parser.parse_args()
    if shutil.which("skopeo") is None or shutil.which("docker-registry") is None:
        sys.exit("bench/store.py needs skopeo and docker-registry: run tools/bootstrap")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        registry = start_registry(work / "registry")
        try:
            big = work / "artifact.bin"
            rng = random.Random(42)
            with big.open("wb") as out:
                for _ in range(opts.mb):
                    out.write(rng.randbytes(1 << 20))
            size_mb = big.stat().st_size / (1 << 20)
            print(f"artifact: {size_mb:.0f} MiB, registry {registry.host}")

            def ours_push() -> None:
                push_files(
                    registry.store("bench/ours", timeout=600),
                    [FileLayer(big)],
                    tag="v1",
                    artifact_type="application/vnd.bench",
                    annotations={},
                    created=CREATED,
                )

            def ours_pull() -> None:
                store = registry.store("bench/ours", timeout=600)
                pull_to_dir(store, store.get_manifest("v1"), work / "ours-out")

            layout = LayoutStore(work / "layout", Deadline(600))
            push_files(
                layout,
                [FileLayer(big)],
                tag="v1",
                artifact_type="application/vnd.bench",
                annotations={},
                created=CREATED,
            )

            def skopeo_push() -> None:
                _skopeo(
                    work,
                    "copy",
                    "--dest-tls-verify=false",
                    f"oci:{layout.root}:v1",
                    f"docker://{registry.host}/bench/skopeo:v1",
                )

            def skopeo_pull() -> None:
                _skopeo(
                    work,
                    "copy",
                    "--src-tls-verify=false",
                    f"docker://{registry.host}/bench/skopeo:v1",
                    f"oci:{work / 'skopeo-out'}:v1",
                )

            print(f"{size_mb:.0f} MiB artifact:")
            t_push = _timed("verifier push (hash + streamed upload)", ours_push)
            s_push = _timed("skopeo copy oci: -> docker://", skopeo_push)
            t_pull = _timed("verifier pull (digest-checked)", ours_pull)
            s_pull = _timed("skopeo copy docker:// -> oci:", skopeo_pull)
            print(
                f"  push throughput ours/skopeo: {s_push / t_push:.2f} "
                f"({size_mb / t_push:.0f} vs {size_mb / s_push:.0f} MiB/s)"
            )
            print(
                f"  pull throughput ours/skopeo: {s_pull / t_pull:.2f} "
                f"({size_mb / t_pull:.0f} vs {size_mb / s_pull:.0f} MiB/s)"
            )

            store = registry.store("bench/referrers", timeout=3600)
            subject = push_subject(store, b"bench subject")
            n = opts.referrers
            one_by_one = min(100, n)

            def attach_each() -> None:
                for i in range(one_by_one):
                    attach_bundle(
                        store,
                        subject,
                        dsse_bundle("https://example/p", f"each-{i}"),
                        created=CREATED,
                    )

            def attach_batch() -> None:
                manifests = []
                for i in range(n - one_by_one):
                    layer = put_bytes(store, BUNDLE_V03, dsse_bundle("https://example/p", str(i)))
                    raw = artifact_manifest(
                        [layer], artifact_type=BUNDLE_V03, annotations={}, subject=subject
                    )
                    manifests.append((raw, OCI_MANIFEST))
                attach_referrers(store, manifests)

            found: list[int] = []
            print(f"{n} small referrers (tag-schema fallback):")
            t_each = _timed(f"attach {one_by_one} one at a time", attach_each)
            t_batch = _timed(f"attach {n - one_by_one} as one batch", attach_batch)
            _timed(
                "list (every child manifest read)",
                lambda: found.append(len(list_referrers(store, subject.digest))),
            )
            copy_to = LayoutStore(work / "referrers-copy", Deadline(3600))
            _timed(
                "copy registry -> layout with referrers",
                lambda: copy_artifact(store, "v1", copy_to, tag="v1"),
            )
            print(
                f"  listed {found[0]}; one at a time {one_by_one / t_each:.0f}/s, "
                f"batch {(n - one_by_one) / t_batch:.0f}/s"
            )
        finally:
            registry.stop()


if __name__ == "__main__":
    main()
