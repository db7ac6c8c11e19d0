"""Concurrent attaches all end up listed; registry garbage collection keeps every referrer."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.store.conftest import Registry
from tests.store.helpers import CREATED, dsse_bundle, push_subject
from verifier.store.artifacts import attach_bundle, put_bytes
from verifier.store.deadline import Deadline
from verifier.store.errors import NotFound
from verifier.store.interface import Store
from verifier.store.layout import LayoutStore
from verifier.store.oci import (
    BUNDLE_V03,
    EMPTY_BLOB,
    EMPTY_DESCRIPTOR,
    OCI_INDEX,
    OCI_MANIFEST,
    artifact_manifest,
    image_index,
)
from verifier.store.referrers import fallback_tag, index_entry, list_referrers

WRITERS = 8
EACH = 3


@pytest.mark.parametrize("backend", ["layout", "registry"])
def test_parallel_attaches_all_listed(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, repo: str
) -> None:
    def open_store() -> Store:
        # One store object per writer: separate connections, separate layout locks.
        if backend == "layout":
            return LayoutStore(tmp_path / "layout", Deadline(60))
        registry: Registry = request.getfixturevalue("registry")
        return registry.store(repo, timeout=60)

    subject = push_subject(open_store(), b"contended subject")
    # Resolve the fixture before threads start (getfixturevalue is not thread safe).
    open_store()

    def writer(n: int) -> list[str]:
        store = open_store()
        return [
            str(
                attach_bundle(
                    store, subject, dsse_bundle("https://example/p", f"{n}-{i}"), created=CREATED
                ).digest
            )
            for i in range(EACH)
        ]

    with ThreadPoolExecutor(WRITERS) as pool:
        written = {d for ds in pool.map(writer, range(WRITERS)) for d in ds}
    assert len(written) == WRITERS * EACH
    store = open_store()
    index = store.get_manifest(fallback_tag(subject.digest))
    assert {str(c.digest) for c in index.children} == written
    assert {str(r.descriptor.digest) for r in list_referrers(store, subject.digest)} == written


def test_garbage_collection_keeps_every_referrer(own_registry: Registry) -> None:
    store = own_registry.store("gc/app")
    subject = push_subject(store, b"gc subject")
    kept = [
        attach_bundle(store, subject, dsse_bundle("https://example/p", str(i)), created=CREATED)
        for i in range(2)
    ]
    # Control: a referrer written the way tools that only update the index do (no own tag).
    store.put_blob(EMPTY_DESCRIPTOR, [EMPTY_BLOB])
    layer = put_bytes(store, BUNDLE_V03, dsse_bundle("https://example/p", "untagged"))
    raw = artifact_manifest([layer], artifact_type=BUNDLE_V03, annotations={}, subject=subject)
    untagged = store.put_manifest(raw, OCI_MANIFEST).descriptor
    entries = store.get_manifest(fallback_tag(subject.digest)).children
    untagged_entry = index_entry(store.get_manifest(untagged.digest))
    store.put_manifest(
        image_index([*entries, untagged_entry]), OCI_INDEX, tag=fallback_tag(subject.digest)
    )

    own_registry.stop()
    log = own_registry.garbage_collect()
    own_registry.start()
    assert "eligible for deletion" in log

    store = own_registry.store("gc/app")
    with pytest.raises(NotFound):
        store.get_manifest(untagged.digest)  # the trap is real: GC removed it
    for ref in kept:
        manifest = store.get_manifest(ref.digest)
        with store.open_blob(manifest.layers[0]) as chunks:
            assert json.loads(b"".join(chunks))["dsseEnvelope"]
    index = store.get_manifest(fallback_tag(subject.digest))
    assert {c.digest for c in kept} <= {c.digest for c in index.children}


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["layout", "registry"])
def test_parallel_cli_processes_all_listed(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, repo: str
) -> None:
    """Separate processes (the CLI) attaching to one subject at once."""
    if backend == "layout":
        base = f"oci-layout:{tmp_path / 'layout'}"
        extra: list[str] = []
        store: Store = LayoutStore(tmp_path / "layout", Deadline(300))
    else:
        registry: Registry = request.getfixturevalue("registry")
        base, extra = f"{registry.host}/{repo}", registry.cli_options()
        store = registry.store(repo, timeout=300)
    push_subject(store, b"subject for processes")
    procs = []
    for n in range(4):
        evidence = tmp_path / f"evidence-{n}.json"
        evidence.write_text(json.dumps({"writer": n}))
        procs.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "verifier"),
                    "push",
                    str(evidence),
                    base,
                    "--subject",
                    "v1",
                    "--timeout",
                    "60",
                    "--json",
                    *extra,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    digests = set()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        digests.add(json.loads(out)["digest"])
    subject = store.get_manifest("v1").digest
    assert {str(r.descriptor.digest) for r in list_referrers(store, subject)} == digests
