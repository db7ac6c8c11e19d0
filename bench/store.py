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


def _seconds(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def _timed(label: str, fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    took = time.perf_counter() - start
    print(f"  {label:<44} {took:8.2f} s")
    return took


def _median_of(label: str, runs: list[float]) -> float:
    runs = sorted(runs)
    mid = runs[len(runs) // 2]
    shown = ", ".join(f"{r:.2f}" for r in runs)
    print(f"  {label:<44} {mid:8.2f} s  (median of {shown})")
    return mid


def _skopeo(work: Path, *args: str) -> None:
    # A fresh HOME each run: skopeo's blob-info cache would otherwise turn a later push into
    # a cross-repository mount and time nothing.
    home = Path(tempfile.mkdtemp(dir=work))
    env = {**os.environ, "XDG_RUNTIME_DIR": str(home), "HOME": str(home)}
    subprocess.run(["skopeo", "--insecure-policy", *args], check=True, env=env, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--referrers", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per transfer; median shown")
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

            def variant(name: str, n: int) -> Path:
                """The artifact with its first bytes changed: new content, so nothing is reused."""
                path = work / name
                shutil.copyfile(big, path)
                with path.open("r+b") as f:
                    f.write(f"{name}-{n}".encode().ljust(32, b"."))
                return path

            def ours_push(path: Path, n: int) -> float:
                store = registry.store(f"bench/ours{n}", timeout=600)
                return _seconds(
                    lambda: push_files(
                        store,
                        [FileLayer(path)],
                        tag="v1",
                        artifact_type="application/vnd.bench",
                        annotations={},
                        created=CREATED,
                    )
                )

            def skopeo_push(path: Path, n: int) -> float:
                layout = LayoutStore(work / f"layout{n}", Deadline(600))
                push_files(
                    layout,
                    [FileLayer(path)],
                    tag="v1",
                    artifact_type="application/vnd.bench",
                    annotations={},
                    created=CREATED,
                )
                took = _seconds(
                    lambda: _skopeo(
                        work,
                        "copy",
                        "--dest-tls-verify=false",
                        f"oci:{layout.root}:v1",
                        f"docker://{registry.host}/bench/skopeo{n}:v1",
                    )
                )
                shutil.rmtree(layout.root)
                return took

            def ours_pull(n: int) -> float:
                store = registry.store(f"bench/ours{n}", timeout=600)
                out = work / f"ours-out{n}"
                took = _seconds(lambda: pull_to_dir(store, store.get_manifest("v1"), out))
                shutil.rmtree(out)
                return took

            def skopeo_pull(n: int) -> float:
                out = work / f"skopeo-out{n}"
                took = _seconds(
                    lambda: _skopeo(
                        work,
                        "copy",
                        "--src-tls-verify=false",
                        f"docker://{registry.host}/bench/skopeo{n}:v1",
                        f"oci:{out}:v1",
                    )
                )
                shutil.rmtree(out)
                return took

            print(f"{size_mb:.0f} MiB artifact (each run pushes new content):")
            times: dict[str, list[float]] = {"tp": [], "sp": [], "tl": [], "sl": []}
            for n in range(opts.repeat):  # interleaved, so load drifts hit both sides alike
                mine, theirs = variant("ours.bin", n), variant("skopeo.bin", n)
                times["tp"].append(ours_push(mine, n))
                times["sp"].append(skopeo_push(theirs, n))
                times["tl"].append(ours_pull(n))
                times["sl"].append(skopeo_pull(n))
            t_push = _median_of("verifier push (hash + streamed upload)", times["tp"])
            s_push = _median_of("skopeo copy oci: -> docker://", times["sp"])
            t_pull = _median_of("verifier pull (digest-checked)", times["tl"])
            s_pull = _median_of("skopeo copy docker:// -> oci:", times["sl"])
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
