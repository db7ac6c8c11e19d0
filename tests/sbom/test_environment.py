"""Installed environments: dist-info read as text, RECORD-based hashes, evaluated markers."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.sbom import build_sbom
from verifier.sbom.sources.environment import EnvironmentSource


def test_venv_components_hashes_and_subject(small_venv: Path) -> None:
    doc = json.loads(build_sbom([EnvironmentSource(path=small_venv)]))
    purls = sorted(c["purl"] for c in doc["components"])
    assert purls == ["pkg:pypi/attrs@23.2.0", "pkg:pypi/idna@3.7", "pkg:pypi/six@1.16.0"]
    site = next(small_venv.glob("lib/python*/site-packages"))
    record = (site / "six-1.16.0.dist-info" / "RECORD").read_bytes()
    six = next(c for c in doc["components"] if c["name"] == "six")
    assert six["hashes"] == [{"alg": "SHA-256", "content": hashlib.sha256(record).hexdigest()}]
    assert six["supplier"] == {"name": "Benjamin Peterson"}
    subject = doc["metadata"]["component"]
    assert subject["name"] == "demo-venv"
    assert {h["alg"] for h in subject["hashes"]} == {"SHA-256", "SHA-512"}
    # attrs requires importlib-metadata only for python < 3.8: the marker is false here
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert deps["pkg:pypi/attrs@23.2.0"] == []


def test_python_option_reads_the_same_venv(small_venv: Path) -> None:
    by_path = EnvironmentSource(path=small_venv).inventory()
    by_python = EnvironmentSource(python=str(small_venv / "bin" / "python")).inventory()
    assert sorted(p.ref for p in by_path.packages) == sorted(p.ref for p in by_python.packages)


def test_requirement_markers_are_evaluated(small_venv: Path, tmp_path: Path) -> None:
    venv = tmp_path / "v"
    shutil.copytree(small_venv, venv, symlinks=True)
    site = next(venv.glob("lib/python*/site-packages"))
    meta = site / "demo-1.0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"
        "Requires-Dist: six\n"
        'Requires-Dist: idna; python_version < "3.0"\n'
        'Requires-Dist: attrs; extra == "x"\n'
        "Requires-Dist: missing-dep\n"
    )
    inventory = EnvironmentSource(path=venv).inventory()
    demo = next(p for p in inventory.packages if p.name == "demo")
    assert demo.depends_on == ("pkg:pypi/six@1.16.0",)
    assert any("requires missing-dep, not installed" in f for f in inventory.findings)


def test_not_a_venv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no site-packages"):
        EnvironmentSource(path=tmp_path).inventory()


def test_two_versions_of_one_distribution_are_both_listed(small_venv: Path, tmp_path: Path) -> None:
    venv = tmp_path / "v"
    shutil.copytree(small_venv, venv, symlinks=True)
    site = next(venv.glob("lib/python*/site-packages"))
    old = site / "six-1.15.0.dist-info"
    shutil.copytree(site / "six-1.16.0.dist-info", old)
    metadata = (old / "METADATA").read_text().replace("Version: 1.16.0", "Version: 1.15.0")
    (old / "METADATA").write_text(metadata)
    doc = json.loads(build_sbom([EnvironmentSource(path=venv)]))
    sixes = sorted(c["version"] for c in doc["components"] if c["name"] == "six")
    assert sixes == ["1.15.0", "1.16.0"]


def test_corrupt_metadata_in_venv_names_the_file(small_venv: Path, tmp_path: Path) -> None:
    venv = tmp_path / "v"
    shutil.copytree(small_venv, venv, symlinks=True)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "idna-3.7.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nSummary: x\n")
    with pytest.raises(InputError, match=r"idna-3\.7\.dist-info/METADATA: metadata has no Name"):
        EnvironmentSource(path=venv).inventory()


def test_files_are_hashed_and_checked_against_record(small_venv: Path, tmp_path: Path) -> None:
    venv = tmp_path / "v"
    shutil.copytree(small_venv, venv, symlinks=True)
    site = next(venv.glob("lib/python*/site-packages"))
    clean = EnvironmentSource(path=venv, files=True).inventory()
    assert clean.findings == ()
    six = next(p for p in clean.packages if p.name == "site-packages/six.py")
    assert six.hashes[0].hex == hashlib.sha256((site / "six.py").read_bytes()).hexdigest()
    (site / "six.py").write_text("print('patched')\n")
    (site / "idna" / "core.py").unlink()
    findings = EnvironmentSource(path=venv, files=True).inventory().findings
    assert any("site-packages/six.py does not match its RECORD hash" in f for f in findings)
    assert any("idna/core.py is listed in RECORD but missing" in f for f in findings)
