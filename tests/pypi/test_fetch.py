"""Fetching a release pins both files by the index's digests (a local index on loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pypi.conftest import LocalIndex
from verifier.errors import CheckFailed, EnvironmentFailure, InputError
from verifier.pypi.fetch import fetch_release, parse_spec


def test_fetch_pins_by_index_digests(local_index: LocalIndex, tmp_path: Path) -> None:
    release = fetch_release("six", "1.16.0", tmp_path, index=local_index.url)
    assert release.sdist.filename == "six-1.16.0.tar.gz"
    assert release.wheel.filename == "six-1.16.0-py2.py3-none-any.whl"
    assert str(release.wheel.sha256) == (
        "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
    )
    assert release.sdist.url.endswith("/files/six-1.16.0.tar.gz")
    assert release.sdist.path.read_bytes()[:2] == b"\x1f\x8b"


def test_tampered_file_is_refused(local_index: LocalIndex, tmp_path: Path) -> None:
    local_index.claimed["idna-3.7-py3-none-any.whl"] = "0" * 64
    with pytest.raises(CheckFailed, match="do not match the index's digest"):
        fetch_release("idna", "3.7", tmp_path, index=local_index.url)
    assert not (tmp_path / "idna-3.7-py3-none-any.whl").exists()


def test_missing_release_and_bad_spec(local_index: LocalIndex, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no sdist"):
        fetch_release("six", "9.9", tmp_path, index=local_index.url)
    with pytest.raises(InputError, match="not found on the index"):
        fetch_release("nosuchthing", "1.0", tmp_path, index=local_index.url)
    with pytest.raises(InputError, match="expected pypi:NAME==VERSION"):
        parse_spec("pypi:six>=1")
    assert parse_spec("pypi:six==1.16.0") == ("six", "1.16.0")


def test_unreachable_index_is_an_environment_failure(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentFailure, match="cannot reach the index"):
        fetch_release("six", "1.16.0", tmp_path, index="http://127.0.0.1:9/simple", timeout=5)
