"""OCI image layouts: layers with whiteouts, OS and language packages, the manifest as root."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.sbom.conftest import make_oci_layout, tar_bytes, write_blob
from verifier.errors import InputError
from verifier.sbom import build_sbom
from verifier.sbom.sources.oci_layout import OciLayoutSource

OS_RELEASE = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'
DPKG_STATUS = b"""Package: libc6
Status: install ok installed
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Version: 2.36-9+deb12u7
Description: GNU C Library: Shared libraries

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b7
Pre-Depends: libc6 (>= 2.36), libtinfo6 (>= 6)
Description: GNU Bourne Again SHell

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0
"""
APK_INSTALLED = b"""C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
m:Timo Teras <timo.teras@iki.fi>
p:so:libc.musl-x86_64.so.1=1

C:Q1def=
P:busybox
V:1.36.1-r15
A:x86_64
L:GPL-2.0-only
D:so:libc.musl-x86_64.so.1
"""
BASH_COPYRIGHT = b"""Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: bash

Files: *
Copyright: 1987-2022 Free Software Foundation, Inc.
License: GPL-3+

Files: examples/loadables/*
License: BSD-3-clause or Expat

License: GPL-3+
 This program is free software...
"""
PY_METADATA = b"Metadata-Version: 2.1\nName: Flask\nVersion: 3.0.3\nRequires-Dist: itsdangerous\n"
PY_DEP = b"Metadata-Version: 2.1\nName: itsdangerous\nVersion: 2.2.0\nLicense: BSD-3-Clause\n"
SITE = "usr/lib/python3.11/site-packages"


def _debian_image(tmp_path: Path) -> tuple[Path, str]:
    base = tar_bytes(
        [
            ("etc", None),
            ("etc/os-release", OS_RELEASE),
            ("var/lib/dpkg/status", DPKG_STATUS),
            ("var/lib/dpkg/info/libc6:amd64.md5sums", b"d41d8cd98f00b204e9800998ecf8427e  lib/x\n"),
            ("usr/share/doc/bash/copyright", BASH_COPYRIGHT),
            ("usr/share/doc/libc6/copyright", b"This is the Debian GNU/Linux packaged glibc.\n"),
            (f"{SITE}/flask-3.0.3.dist-info/METADATA", PY_METADATA),
            (f"{SITE}/flask-3.0.3.dist-info/RECORD", b"flask/__init__.py,sha256=AAAA,1\n"),
            (f"{SITE}/itsdangerous-2.2.0.dist-info/METADATA", PY_DEP),
            ("app/node_modules/left-pad/package.json", b'{"name":"left-pad","version":"1.3.0"}'),
            ("app/node_modules/gone/package.json", b'{"name":"gone","version":"1.0.0"}'),
            ("app/old/node_modules/x/package.json", b'{"name":"x","version":"1.0.0"}'),
        ]
    )
    top = tar_bytes(
        [
            ("app/node_modules/.wh.gone", b""),  # whiteout of one package
            ("app/old/.wh..wh..opq", b""),  # opaque directory: lower contents hidden
            (
                "app/node_modules/express/package.json",
                b'{"name":"express","version":"4.19.2","license":"MIT",'
                b'"author":"TJ Holowaychuk","dependencies":{"left-pad":"^1"}}',
            ),
        ]
    )
    layout = tmp_path / "layout"
    return layout, make_oci_layout(layout, [base, top])


def test_image_packages_whiteouts_and_root(tmp_path: Path) -> None:
    layout, digest = _debian_image(tmp_path)
    doc = json.loads(build_sbom([OciLayoutSource(layout)]))
    subject = doc["metadata"]["component"]
    assert subject["type"] == "container"
    assert subject["version"] == digest
    assert subject["purl"] == f"pkg:oci/demo@{digest}"  # packageurl-python leaves ':' as is
    assert {"alg": "SHA-256", "content": digest.split(":")[1]} in subject["hashes"]
    refs = sorted(c["bom-ref"] for c in doc["components"])
    assert refs == [
        "os:debian-12",
        "pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12",
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12",
        "pkg:npm/express@4.19.2",
        "pkg:npm/left-pad@1.3.0",
        "pkg:pypi/flask@3.0.3",
        "pkg:pypi/itsdangerous@2.2.0",
    ]
    graph = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert graph["pkg:npm/express@4.19.2"] == ["pkg:npm/left-pad@1.3.0"]
    assert graph["pkg:pypi/flask@3.0.3"] == ["pkg:pypi/itsdangerous@2.2.0"]
    assert graph["pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12"] == [
        "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12"
    ]
    bash = next(c for c in doc["components"] if c["name"] == "bash")
    assert bash["licenses"] == [
        {"license": {"id": "BSD-3-Clause"}},
        {"license": {"id": "GPL-3.0-or-later"}},
        {"license": {"id": "MIT"}},
    ]
    libc = next(c for c in doc["components"] if c["name"] == "libc6")
    assert "licenses" not in libc  # free-form copyright: nothing guessed
    assert libc["supplier"]["name"].startswith("GNU Libc Maintainers")
    assert {"name": "verifier:hash-of", "value": "md5sums"} in libc["properties"]


def test_alpine_apk_database(tmp_path: Path) -> None:
    layer = tar_bytes(
        [
            ("etc/os-release", b"ID=alpine\nVERSION_ID=3.20.1\n"),
            ("lib/apk/db/installed", APK_INSTALLED),
        ]
    )
    make_oci_layout(tmp_path / "alpine", [layer])
    inventory = OciLayoutSource(tmp_path / "alpine").inventory()
    by_name = {p.name: p for p in inventory.packages}
    assert by_name["busybox"].purl == (
        "pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=alpine-3.20.1"
    )
    assert by_name["busybox"].depends_on == (by_name["musl"].purl,)
    assert [lic.value for lic in by_name["busybox"].licenses] == ["GPL-2.0-only"]


def test_layer_that_is_not_a_tar(tmp_path: Path) -> None:
    make_oci_layout(tmp_path / "bad", [b"this is not a tar archive at all" * 40])
    with pytest.raises(InputError, match=r"layer 0 .* not a readable tar"):
        OciLayoutSource(tmp_path / "bad").inventory()


def test_tampered_blob_is_refused(tmp_path: Path) -> None:
    layout, _ = _debian_image(tmp_path)
    manifest = json.loads((layout / "index.json").read_text())["manifests"][0]["digest"]
    layer = json.loads((layout / "blobs/sha256" / manifest.split(":")[1]).read_text())["layers"][1]
    blob = layout / "blobs/sha256" / layer["digest"].split(":")[1]
    blob.write_bytes(blob.read_bytes() + b"\0")
    with pytest.raises(InputError, match="does not match its digest"):
        OciLayoutSource(layout).inventory()


def test_unknown_ref(tmp_path: Path) -> None:
    layout, _ = _debian_image(tmp_path)
    with pytest.raises(InputError, match="no manifest tagged 'nope'"):
        OciLayoutSource(layout, ref="nope").inventory()


def test_upper_layer_deleting_the_package_database(tmp_path: Path) -> None:
    base = tar_bytes([("etc/os-release", OS_RELEASE), ("var/lib/dpkg/status", DPKG_STATUS)])
    top = tar_bytes([("var/lib/dpkg/.wh.status", b"")])
    make_oci_layout(tmp_path / "img", [base, top])
    inventory = OciLayoutSource(tmp_path / "img").inventory()
    assert [p.ref for p in inventory.packages] == ["os:debian-12"]


def test_image_index_picks_linux_amd64_and_output_is_deterministic(tmp_path: Path) -> None:
    layout = tmp_path / "multi"
    digest = make_oci_layout(layout, [tar_bytes([("etc/os-release", OS_RELEASE)])])
    index_path = layout / "index.json"
    single = json.loads(index_path.read_text())["manifests"][0]
    image_index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {**single, "annotations": {}, "platform": {"os": "linux", "architecture": "arm64"}},
            {**single, "annotations": {}, "platform": {"os": "linux", "architecture": "amd64"}},
        ],
    }
    descriptor = write_blob(layout, json.dumps(image_index).encode())
    index_path.write_text(
        json.dumps(
            {
                "schemaVersion": 2,
                "manifests": [
                    {
                        "mediaType": "application/vnd.oci.image.index.v1+json",
                        **descriptor,
                        "annotations": {"org.opencontainers.image.ref.name": "multi:2"},
                    }
                ],
            }
        )
    )
    first = build_sbom([OciLayoutSource(layout, ref="multi:2")])
    assert json.loads(first)["metadata"]["component"]["version"] == digest
    assert first == build_sbom([OciLayoutSource(layout, ref="multi:2")])


def test_not_an_oci_layout(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not an OCI image layout"):
        OciLayoutSource(tmp_path).inventory()


def test_npm_package_json_with_an_empty_name_is_skipped(tmp_path: Path) -> None:
    # An empty "name" used to reach the purl builder and end as an internal error (exit 3).
    layer = tar_bytes(
        [
            ("app/node_modules/a/package.json", b'{"name": "", "version": "1.0.0"}'),
            ("app/node_modules/b/package.json", b'{"name": "b", "version": "2.0.0"}'),
        ]
    )
    make_oci_layout(tmp_path / "img", [layer])
    inventory = OciLayoutSource(tmp_path / "img").inventory()
    assert [p.purl for p in inventory.packages] == ["pkg:npm/b@2.0.0"]


def _layer_with_links(entries: list[tuple[str, bytes | tuple[bytes, str]]]) -> bytes:
    """A layer where ``(b"sym"|b"hard", target)`` entries are links."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tf:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if isinstance(data, tuple):
                kind, target = data
                info.type = tarfile.SYMTYPE if kind == b"sym" else tarfile.LNKTYPE
                info.linkname = target
                tf.addfile(info)
            else:
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def test_links_to_package_databases_are_followed_or_reported(tmp_path: Path) -> None:
    layer = _layer_with_links(
        [
            ("usr/lib/os-release", OS_RELEASE),
            ("etc/os-release", (b"sym", "../usr/lib/os-release")),  # as Debian ships it
            ("var/lib/dpkg/status.real", DPKG_STATUS),
            ("var/lib/dpkg/status", (b"hard", "var/lib/dpkg/status.real")),
        ]
    )
    layout = tmp_path / "layout"
    make_oci_layout(layout, [layer])
    inventory = OciLayoutSource(layout).inventory()
    assert [p.name for p in inventory.packages] == ["debian"]
    (finding,) = inventory.findings
    assert "var/lib/dpkg/status is a hardlink to var/lib/dpkg/status.real" in finding
    assert "not in the SBOM" in finding and "layer 0" in finding


def test_a_dpkg_stanza_dpkg_would_never_write_is_a_finding(tmp_path: Path) -> None:
    status = DPKG_STATUS + b"\nPackage: a b c\nStatus: install ok installed\nVersion: 1\n"
    layout = tmp_path / "layout"
    make_oci_layout(layout, [tar_bytes([("var/lib/dpkg/status", status)])])
    inventory = OciLayoutSource(layout).inventory()
    assert sorted(p.name for p in inventory.packages) == ["bash", "libc6"]
    assert inventory.findings == (
        "var/lib/dpkg/status: Package 'a b c' is not a Debian package name",
    )
