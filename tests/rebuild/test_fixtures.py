"""Every fixture project gives its expected verdict under the real bwrap sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.rebuild.conftest import rebuild, require_bwrap

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", ["purepy", "tarball"])
def test_reproducible_fixtures_reproduce(name: str, tmp_path: Path) -> None:
    require_bwrap()
    outcome = rebuild(FIXTURES / name / "repro.toml", tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    report = outcome.report
    assert report["verdict"] == "REPRODUCED"
    assert report["sandbox"] == "bwrap"
    assert report["outputs"], "a reproducible fixture must produce outputs"
    for output in report["outputs"]:
        assert output["verdict"] == "REPRODUCED"
        assert output["digests"][0] == output["digests"][1]
    assert "REPRODUCED" in outcome.stderr


def test_purepy_builds_wheel_and_sdist(tmp_path: Path) -> None:
    require_bwrap()
    report = rebuild(FIXTURES / "purepy" / "repro.toml", tmp_path / "out").report
    names = sorted(o["name"] for o in report["outputs"])
    assert names == ["dist/purepy-1.0.0-py3-none-any.whl", "dist/purepy-1.0.0.tar.gz"]
    assert report["toolchain"]["digest"].startswith("sha256:")


@pytest.mark.parametrize(
    ("name", "evidence", "cause"),
    [
        ("tarball-naive", "payload/", "timestamps"),
        ("unrepro-buildtime", "content", "content"),
        ("unrepro-buildpath", "content", "build-path"),
        ("unrepro-hostname", "content", "hostname"),
        ("unrepro-random", "content", "content"),
        ("unrepro-hashseed", "content", "random-order"),
    ],
)
def test_unreproducible_fixtures_mismatch(
    name: str, evidence: str, cause: str, tmp_path: Path
) -> None:
    """The rebuild names the differing member and the cause `verifier diff` gives it."""
    require_bwrap()
    outcome = rebuild(FIXTURES / name / "repro.toml", tmp_path / "out")
    assert outcome.exit_code == 1, outcome.stderr
    (output,) = outcome.report["outputs"]
    assert output["verdict"] == "MISMATCH"
    assert output["digests"][0] != output["digests"][1]
    assert any(evidence in d for d in output["differences"]), output["differences"]
    assert cause in [c["cause"] for c in output["causes"]], output["causes"]
    assert all(c["hint"] for c in output["causes"])
    assert "MISMATCH" in outcome.stderr


@pytest.mark.parametrize(
    ("name", "cause"),
    [
        ("unrepro-buildpath", "build_path"),
        ("unrepro-hashseed", "hash_seed"),
        ("unrepro-hostname", "hostname,domain"),
    ],
)
def test_each_cause_disappears_when_its_variation_is_off(
    name: str, cause: str, tmp_path: Path
) -> None:
    """The fixture is unreproducible for exactly the cause it claims."""
    require_bwrap()
    only = rebuild(
        FIXTURES / name / "repro.toml", tmp_path / "a", "--no-vary", "all", "--vary", cause
    )
    assert only.report["verdict"] == "MISMATCH"
    without = rebuild(FIXTURES / name / "repro.toml", tmp_path / "b", "--no-vary", cause)
    assert without.exit_code == 0, without.stderr
    assert without.report["verdict"] == "REPRODUCED"


def test_naive_tarball_reproduces_with_nothing_varied(tmp_path: Path) -> None:
    """Control for the tarball pair: the naive build is only broken by variations."""
    require_bwrap()
    outcome = rebuild(
        FIXTURES / "tarball-naive" / "repro.toml", tmp_path / "out", "--no-vary", "all"
    )
    assert outcome.report["verdict"] == "REPRODUCED", outcome.stderr
