"""The assembled document: determinism, serial numbers, metadata, NTIA elements, 1.5, the lib."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cyclonedx.model.bom import Bom

from tests.sbom.conftest import DISTS, LOCKS, check_golden
from verifier import __version__
from verifier.errors import InputError
from verifier.sbom import SpecVersion, build_sbom, source_date_epoch, validate_sbom
from verifier.sbom.ntia import ntia_gaps
from verifier.sbom.sources.npm_lock import NpmLockSource
from verifier.sbom.sources.uv_lock import UvLockSource
from verifier.sbom.sources.wheel import WheelSource

VERIFIER = Path(sys.executable).parent / "verifier"


def _run_cli(args: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    full = {**os.environ, **env}
    full.pop("SOURCE_DATE_EPOCH", None) if "SOURCE_DATE_EPOCH" not in env else None
    done = subprocess.run([str(VERIFIER), "sbom", *args], cwd=cwd, env=full, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


@pytest.mark.slow
def test_byte_identical_across_cwd_timezone_and_hash_seed(tmp_path: Path) -> None:
    """The CLI twice: different directory, TZ and PYTHONHASHSEED, the same bytes."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    target = str(LOCKS / "package-lock.json")
    epoch = {"SOURCE_DATE_EPOCH": "1700000000"}
    first = _run_cli([target], tmp_path / "a", {**epoch, "TZ": "UTC", "PYTHONHASHSEED": "1"})
    second = _run_cli(
        [target], tmp_path / "b", {**epoch, "TZ": "Pacific/Kiritimati", "PYTHONHASHSEED": "4242"}
    )
    assert first == second
    assert json.loads(first)["metadata"]["timestamp"] == "2023-11-14T22:13:20Z"


def test_serial_number_is_uuid5_of_content() -> None:
    source = UvLockSource(LOCKS / "uv.lock")
    plain = json.loads(build_sbom([source]))
    timed = json.loads(build_sbom([source], timestamp=datetime(2024, 1, 1, tzinfo=UTC)))
    serial = plain["serialNumber"]
    assert serial.startswith("urn:uuid:") and serial[23] == "5"  # version nibble of a UUIDv5
    assert serial != timed["serialNumber"]  # content changed, serial changed
    assert serial == json.loads(build_sbom([source]))["serialNumber"]


def test_metadata_tools_lifecycle_and_ntia_minimum_elements() -> None:
    doc = json.loads(build_sbom([UvLockSource(LOCKS / "uv.lock")]))
    metadata = doc["metadata"]
    assert metadata["lifecycles"] == [{"phase": "build"}]
    assert metadata["tools"]["components"][0]["name"] == "verifier"
    assert metadata["tools"]["components"][0]["version"] == __version__
    # NTIA: name, version, unique identifier, dependency relationship for every component
    refs = {d["ref"] for d in doc["dependencies"]}
    for component in doc["components"]:
        assert component["name"] and component["version"] and component["purl"]
        assert component["bom-ref"] == component["purl"]
        assert component["bom-ref"] in refs
        assert any(h["alg"] == "SHA-256" for h in component["hashes"])


def test_spec_version_1_5_validates() -> None:
    data = build_sbom([NpmLockSource(LOCKS / "package-lock.json")], spec_version=SpecVersion.V1_5)
    doc = json.loads(data)
    assert doc["specVersion"] == "1.5"
    assert doc["$schema"].endswith("bom-1.5.schema.json")
    assert validate_sbom(data) == []


def test_cyclonedx_python_lib_reads_our_output() -> None:
    data = build_sbom([UvLockSource(LOCKS / "uv.lock")])
    doc = json.loads(data)
    bom = Bom.from_json(doc)  # type: ignore[attr-defined]
    assert sorted(str(c.purl) for c in bom.components) == sorted(
        c["purl"] for c in doc["components"]
    )
    assert str(bom.serial_number) == doc["serialNumber"].removeprefix("urn:uuid:")


def test_golden_sboms() -> None:
    check_golden(
        "attrs-wheel.cdx.json",
        build_sbom([WheelSource(DISTS / "attrs-23.2.0-py3-none-any.whl")]).decode(),
    )
    check_golden("uv-lock.cdx.json", build_sbom([UvLockSource(LOCKS / "uv.lock")]).decode())
    check_golden(
        "package-lock.cdx.json", build_sbom([NpmLockSource(LOCKS / "package-lock.json")]).decode()
    )


def test_ntia_gaps() -> None:
    doc = json.loads(
        build_sbom([UvLockSource(LOCKS / "uv.lock")], timestamp=datetime(2024, 1, 1, tzinfo=UTC))
    )
    assert ntia_gaps(doc) == []  # suppliers from the index, versions, purls, graph, time, tool
    assert all(c["supplier"] == {"name": "pypi.org"} for c in doc["components"])
    del doc["components"][0]["supplier"]
    del doc["metadata"]["timestamp"]
    gaps = ntia_gaps(doc)
    assert gaps[0].startswith("metadata.timestamp missing")
    assert gaps[1] == f"1 components without supplier: {doc['components'][0]['bom-ref']}"


def test_target_becomes_the_subject() -> None:
    wheel = DISTS / "six-1.16.0-py2.py3-none-any.whl"
    doc = json.loads(build_sbom([UvLockSource(LOCKS / "uv.lock")], wheel))
    subject = doc["metadata"]["component"]
    assert subject["purl"] == "pkg:pypi/six@1.16.0"
    graph = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert graph[subject["bom-ref"]] == ["pkg:pypi/pytest@8.3.2", "pkg:pypi/requests@2.32.3"]


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_date_epoch() is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert source_date_epoch() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH='yesterday'"):
        source_date_epoch()


_EVERY_SOURCE = """
import hashlib, sys
from pathlib import Path
from verifier.sbom import build_sbom
from verifier.sbom.sources import SourceKind, SourceOptions, open_source

for spec in sys.argv[1:]:
    kind, _, path = spec.partition("=")
    files = kind in ("archive", "directory", "wheel", "sdist", "venv")
    source = open_source(Path(path), SourceKind(kind), SourceOptions(files=files))
    print(kind, hashlib.sha256(build_sbom([source])).hexdigest())
"""


@pytest.mark.slow
def test_every_source_kind_is_byte_reproducible(small_venv: Path, tmp_path: Path) -> None:
    """Each source type from fixtures, built in two processes with different cwd/TZ/hash seed."""
    from tests.sbom.test_oci_layout import _debian_image

    layout, _ = _debian_image(tmp_path)
    specs = [
        f"wheel={DISTS / 'attrs-23.2.0-py3-none-any.whl'}",
        f"sdist={DISTS / 'six-1.16.0.tar.gz'}",
        f"venv={small_venv}",
        f"requirements={LOCKS / 'requirements.txt'}",
        f"uv-lock={LOCKS / 'uv.lock'}",
        f"poetry-lock={LOCKS / 'poetry.lock'}",
        f"pylock={LOCKS / 'pylock.toml'}",
        f"npm-lock={LOCKS / 'package-lock.json'}",
        f"archive={DISTS / 'six-1.16.0.tar.gz'}",
        f"directory={LOCKS}",
        f"oci-layout={layout}",
    ]
    outputs = []
    for cwd, tz, seed in (("a", "UTC", "1"), ("b", "Asia/Kathmandu", "31337")):
        (tmp_path / cwd).mkdir()
        env = {**os.environ, "TZ": tz, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run(
            [sys.executable, "-c", _EVERY_SOURCE, *specs],
            cwd=tmp_path / cwd,
            env={**env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
            capture_output=True,
            check=True,
        )
        outputs.append(done.stdout.decode())
    assert len(outputs[0].splitlines()) == len(specs)
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_tar_member_names_do_not_depend_on_the_locale(tmp_path: Path) -> None:
    # tarfile decodes names with the file system encoding unless told: ASCII under a C
    # locale that Python does not coerce, so "é" came out as "\xc3\xa9" there.
    archive = tmp_path / "names.tar"
    with tarfile.open(archive, "w", format=tarfile.GNU_FORMAT, encoding="utf-8") as tf:
        info = tarfile.TarInfo("s-1.0/é.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    args = ["--files", str(archive)]
    utf8 = _run_cli(args, tmp_path, {"LC_ALL": "C.UTF-8"})
    ascii_locale = _run_cli(
        args, tmp_path, {"LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    )
    assert utf8 == ascii_locale
    names = [c["name"] for c in json.loads(utf8)["components"]]
    assert names == ["s-1.0/é.txt"]
