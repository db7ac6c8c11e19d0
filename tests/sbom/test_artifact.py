"""Generic artifacts (zip, tar, directory) and source selection."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile
from pathlib import Path

import pytest

from tests.sbom.conftest import DISTS, LOCKS
from verifier.errors import InputError
from verifier.sbom import build_sbom
from verifier.sbom.sources import SourceKind, SourceOptions, detect_kind, open_source
from verifier.sbom.sources.artifact import ArtifactSource
from verifier.sbom.sources.sdist import SdistSource


def test_tar_with_files_lists_each_file_hash(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "a.txt").write_text("alpha")
    (src / "b.bin").write_bytes(b"\0\1")
    archive = tmp_path / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(src, arcname=".")
    doc = json.loads(build_sbom([ArtifactSource(archive, files=True)]))
    files = {c["name"]: c["hashes"][0]["content"] for c in doc["components"]}
    assert files == {
        "b.bin": hashlib.sha256(b"\0\1").hexdigest(),
        "pkg/a.txt": hashlib.sha256(b"alpha").hexdigest(),
    }
    subject = doc["metadata"]["component"]
    sha = hashlib.sha256(archive.read_bytes()).hexdigest()
    assert subject["purl"] == f"pkg:generic/bundle.tar.gz?checksum=sha256:{sha}"
    # the directory itself gives the same file components
    tree = json.loads(build_sbom([ArtifactSource(src, files=True)]))
    assert tree["components"] == doc["components"]


def test_sdist_files() -> None:
    inventory = SdistSource(DISTS / "six-1.16.0.tar.gz", files=True).inventory()
    assert "six-1.16.0/six.py" in {p.name for p in inventory.packages}


def test_sdist_without_pkg_info(tmp_path: Path) -> None:
    archive = tmp_path / "x-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        info = tarfile.TarInfo("x-1.0/setup.py")
        tf.addfile(info)
    with pytest.raises(InputError, match="not an sdist"):
        SdistSource(archive).inventory()


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (DISTS / "six-1.16.0-py2.py3-none-any.whl", SourceKind.WHEEL),
        (DISTS / "six-1.16.0.tar.gz", SourceKind.SDIST),
        (LOCKS / "uv.lock", SourceKind.UV_LOCK),
        (LOCKS / "poetry.lock", SourceKind.POETRY_LOCK),
        (LOCKS / "pylock.toml", SourceKind.PYLOCK),
        (LOCKS / "package-lock.json", SourceKind.NPM_LOCK),
        (LOCKS / "requirements.txt", SourceKind.REQUIREMENTS),
        (LOCKS, SourceKind.DIRECTORY),
    ],
)
def test_detect_kind(path: Path, kind: SourceKind) -> None:
    assert detect_kind(path) is kind


def test_several_sources_merge_under_the_first_subject() -> None:
    wheel = open_source(DISTS / "six-1.16.0-py2.py3-none-any.whl", SourceKind.AUTO, SourceOptions())
    lock = open_source(LOCKS / "requirements.txt", SourceKind.AUTO, SourceOptions())
    doc = json.loads(build_sbom([wheel, lock]))
    assert doc["metadata"]["component"]["purl"] == "pkg:pypi/six@1.16.0"
    # six itself is the subject: its lock entry is not repeated as a component
    assert sorted(c["purl"] for c in doc["components"]) == [
        "pkg:pypi/idna@3.7",
        "pkg:pypi/importlib-metadata@8.0.0",
    ]


@pytest.mark.parametrize("container", ["tar", "directory"])
def test_file_names_that_are_not_utf8_are_escaped(tmp_path: Path, container: str) -> None:
    # tar and the file system give such names with surrogateescape; written as they were,
    # the document could not be encoded and the run ended as an internal error (exit 3).
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text("ok")
    Path(os.fsdecode(os.fsencode(src) + b"/caf\xe9")).write_bytes(b"latin-1")
    path = src
    if container == "tar":
        path = tmp_path / "names.tar"
        with tarfile.open(path, "w", encoding="utf-8", errors="surrogateescape") as tf:
            tf.add(src, arcname=".")
    document = build_sbom([ArtifactSource(path, files=True)])
    files = {c["name"]: c["bom-ref"] for c in json.loads(document.decode("utf-8"))["components"]}
    assert files == {"caf\\xe9": "file:caf\\xe9", "ok.txt": "file:ok.txt"}


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [
        (SourceKind.DIRECTORY, "file", "not a directory"),
        (SourceKind.ARCHIVE, "dir", "a directory, not an archive (--type directory)"),
        (SourceKind.ARCHIVE, "file", "not a zip, tar or gzip archive"),
    ],
)
def test_type_that_does_not_fit_the_input_is_refused(
    tmp_path: Path, kind: SourceKind, target: str, message: str
) -> None:
    # --type directory on a file, or --type archive on a directory or an ar (.deb) file,
    # used to write an SBOM with no components, exit 0.
    path = tmp_path / "input"
    if target == "dir":
        path.mkdir()
    else:
        path.write_bytes(b"!<arch>\ndebian-binary   0           0     0     100644  4         `\n")
    with pytest.raises(InputError) as info:
        open_source(path, kind, SourceOptions()).inventory()
    assert str(info.value) == f"{path}: {message}"
