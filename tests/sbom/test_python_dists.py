"""Wheel and sdist sources: subject digests, metadata, requirements, files, bad archives."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.sbom.conftest import DISTS, tar_bytes
from verifier.errors import InputError
from verifier.sbom import build_sbom, validate_sbom
from verifier.sbom.installed_files import installed_files
from verifier.sbom.sources.sdist import SdistSource
from verifier.sbom.sources.wheel import WheelSource


def test_wheel_subject_has_both_digests_purl_license_and_supplier() -> None:
    wheel = DISTS / "attrs-23.2.0-py3-none-any.whl"
    doc = json.loads(build_sbom([WheelSource(wheel)]))
    subject = doc["metadata"]["component"]
    data = wheel.read_bytes()
    assert subject["purl"] == "pkg:pypi/attrs@23.2.0"
    assert subject["hashes"] == [
        {"alg": "SHA-256", "content": hashlib.sha256(data).hexdigest()},
        {"alg": "SHA-512", "content": hashlib.sha512(data).hexdigest()},
    ]
    assert subject["licenses"] == [{"license": {"id": "MIT"}}]
    assert subject["supplier"] == {"name": "Hynek Schlawack"}
    # attrs needs importlib-metadata only on Python < 3.8: kept with its marker (not evaluated);
    # requirements only reachable through extras are left out.
    names = {c["name"]: c for c in doc["components"]}
    assert set(names) == {"importlib-metadata"}
    props = names["importlib-metadata"]["properties"]
    assert props == [
        {"name": "verifier:requirement", "value": 'importlib-metadata; python_version < "3.8"'}
    ]


def test_wheel_files_from_record_and_no_guess_for_ambiguous_classifier() -> None:
    wheel = DISTS / "idna-3.7-py3-none-any.whl"
    inventory = WheelSource(wheel, files=True).inventory()
    # "License :: OSI Approved :: BSD License" names no single SPDX license: nothing is claimed
    assert inventory.subject.licenses == ()
    files = {p.name: p for p in inventory.packages}
    with zipfile.ZipFile(wheel) as zf:
        expected = hashlib.sha256(zf.read("idna/core.py")).hexdigest()
    assert files["idna/core.py"].hashes[0].hex == expected
    assert files["idna/core.py"].ref == "file:idna/core.py"


def test_sdist_reads_pkg_info() -> None:
    doc = json.loads(build_sbom([SdistSource(DISTS / "six-1.16.0.tar.gz")]))
    subject = doc["metadata"]["component"]
    assert (subject["name"], subject["version"]) == ("six", "1.16.0")
    assert subject["licenses"] == [{"license": {"id": "MIT"}}]
    assert validate_sbom(json.dumps(doc).encode()) == []


def test_corrupt_wheel_is_a_clear_input_error(tmp_path: Path) -> None:
    broken = tmp_path / "six-1.16.0-py2.py3-none-any.whl"
    broken.write_bytes((DISTS / "six-1.16.0-py2.py3-none-any.whl").read_bytes()[:3000])
    with pytest.raises(InputError, match=str(broken)):
        WheelSource(broken).inventory()


def test_wheel_without_metadata(tmp_path: Path) -> None:
    wheel = tmp_path / "x-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("x/__init__.py", "")
    with pytest.raises(InputError, match=r"no \*\.dist-info/METADATA"):
        WheelSource(wheel).inventory()


def _wheel_with_metadata(tmp_path: Path, metadata: str) -> Path:
    wheel = tmp_path / "w-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("w-1.0.dist-info/METADATA", metadata)
    return wheel


def test_name_is_normalized_and_invalid_version_is_a_finding(tmp_path: Path) -> None:
    wheel = _wheel_with_metadata(
        tmp_path, "Metadata-Version: 2.1\nName: Foo_Bar.baz\nVersion: not-a-version\n"
    )
    inventory = WheelSource(wheel).inventory()
    assert inventory.subject.purl == "pkg:pypi/foo-bar-baz@not-a-version"
    assert any("not PEP 440" in f for f in inventory.findings)


def test_invalid_name_is_an_input_error(tmp_path: Path) -> None:
    wheel = _wheel_with_metadata(tmp_path, "Metadata-Version: 2.1\nName: -bad name\nVersion: 1\n")
    with pytest.raises(InputError, match="invalid Python package name"):
        WheelSource(wheel).inventory()


def test_license_sources_in_order_of_trust(tmp_path: Path) -> None:
    head = "Metadata-Version: 2.4\nName: w\nVersion: 1.0\n"
    classifier = "Classifier: License :: OSI Approved :: Apache Software License\n"
    cases = {
        "License-Expression: MIT OR Apache-2.0\n" + classifier: ("expression", "MIT OR Apache-2.0"),
        classifier + "License: Apache License, Version 2.0\n": ("id", "Apache-2.0"),
        "License: mit\n": ("id", "MIT"),
        "License: Some Custom License\n": ("name", "Some Custom License"),
    }
    for body, expected in cases.items():
        inventory = WheelSource(_wheel_with_metadata(tmp_path, head + body)).inventory()
        assert [(lic.form, lic.value) for lic in inventory.subject.licenses] == [expected]


def test_wheel_files_are_checked_against_record(tmp_path: Path) -> None:
    original = DISTS / "six-1.16.0-py2.py3-none-any.whl"
    tampered = tmp_path / original.name
    with zipfile.ZipFile(original) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "six.py":
                data += b"\n# injected\n"
            dst.writestr(info, data)
        dst.writestr("extra.py", "print('hi')\n")
    assert WheelSource(original, files=True).inventory().findings == ()
    findings = WheelSource(tampered, files=True).inventory().findings
    assert findings == (
        f"{tampered}: extra.py is not listed in RECORD",
        f"{tampered}: six.py does not match its RECORD hash",
    )


@pytest.mark.parametrize(
    ("dependencies", "finding"),
    [
        ("'abc'", "[project].dependencies is not an array (str); ignored"),
        ("[1, 'idna>=3']", "dependency 1 is not a string; ignored"),
        ("[{a = 1}, 'idna>=3']", "dependency {'a': 1} is not a string; ignored"),
        ("['not a req !!', 'idna>=3']", "dependency 'not a req !!': Expected"),
    ],
)
def test_sdist_pyproject_dependencies_of_the_wrong_type_are_findings(
    tmp_path: Path, dependencies: str, finding: str
) -> None:
    # A string used to be read character by character (components a, b, c) and an integer
    # became the package "1"; each is a one-line finding now, and only real requirements count.
    sdist = tmp_path / "s-1.0.tar.gz"
    sdist.write_bytes(
        tar_bytes(
            [
                ("s-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: s\nVersion: 1.0\n"),
                (
                    "s-1.0/pyproject.toml",
                    f"[project]\ndynamic = 5\ndependencies = {dependencies}\n".encode(),
                ),
            ]
        )
    )
    inventory = SdistSource(sdist).inventory()
    names = sorted(p.name for p in inventory.packages)
    assert names == ([] if dependencies == "'abc'" else ["idna"])
    assert len(inventory.findings) == 1
    assert finding in inventory.findings[0]
    assert "\n" not in inventory.findings[0]


def test_wheel_record_that_is_not_csv_is_an_input_error(tmp_path: Path) -> None:
    # A field over csv's 128 KiB limit used to end as an internal error (exit 3).
    wheel = _wheel_with_metadata(tmp_path, "Metadata-Version: 2.1\nName: w\nVersion: 1.0\n")
    with zipfile.ZipFile(wheel, "a") as zf:
        zf.writestr("w-1.0.dist-info/RECORD", '"' + "a" * 200_000 + '",,\n')
    with pytest.raises(InputError, match=r"RECORD is not readable CSV: field larger"):
        WheelSource(wheel, files=True).inventory()


def test_installed_record_hashes_that_cannot_be_checked_are_findings(tmp_path: Path) -> None:
    # A row whose hash is malformed used to be dropped without a word: its file went
    # unchecked and unlisted while the run reported nothing.
    site = tmp_path / "lib" / "python3.12" / "site-packages"
    (site / "w").mkdir(parents=True)
    (site / "w" / "__init__.py").write_text("x = 1\n")
    (site / "w" / "data.txt").write_text("data\n")
    good = base64.urlsafe_b64encode(hashlib.sha256(b"x = 1\n").digest()).rstrip(b"=").decode()
    record = f"w/__init__.py,sha256={good},6\nw/data.txt,sha256=zzz,5\nw/RECORD,,\n"
    files, findings = installed_files(
        site, record.encode(), owner="w-1.0.dist-info", label="site-packages"
    )
    assert [f.name for f in files] == ["site-packages/w/__init__.py"]
    assert findings == [
        "w-1.0.dist-info: RECORD hash of 'w/data.txt' cannot be checked: 'sha256=zzz'"
    ]
