"""Provenance and the rebuild summary: contents, determinism, and the golden report."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tests.rebuild.conftest import rebuild, require_bwrap
from verifier.digest import hash_file

GOLDEN = REPO / "tests" / "golden"


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")


def test_provenance_records_inputs_recipe_toolchain_and_log(tmp_path: Path) -> None:
    require_bwrap()
    outcome = rebuild(FIXTURES / "purepy" / "repro.toml", tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    statement = json.loads((tmp_path / "out" / "build-2" / "provenance.json").read_text())
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    wheel = tmp_path / "out" / "build-2" / "outputs" / "dist" / "purepy-1.0.0-py3-none-any.whl"
    assert {
        "name": "dist/purepy-1.0.0-py3-none-any.whl",
        "digest": {"sha256": hash_file(wheel).hex},
    } in statement["subject"]
    definition = statement["predicate"]["buildDefinition"]
    deps = {d["name"]: d for d in definition["resolvedDependencies"]}
    recipe_text = (FIXTURES / "purepy" / "repro.toml").read_text()
    source_pin = recipe_text.split('sha256 = "')[1].split('"')[0]
    assert deps["source"]["digest"] == {"sha256": source_pin}
    assert deps["flit_core"]["digest"]["sha256"].startswith("7aada352")
    assert deps["python"]["annotations"]["kind"] == "interpreter"
    assert definition["externalParameters"]["recipe"]["build"]["command"] == ["python", "build.py"]
    assert definition["internalParameters"]["variations"]["status"]["hostname"] == "applied"
    run = statement["predicate"]["runDetails"]
    log = tmp_path / "out" / "build-2" / "build.log"
    assert run["byproducts"][0]["digest"] == {"sha256": hash_file(log).hex}
    assert run["metadata"]["startedOn"].endswith("Z")


def test_summary_is_a_vsa_with_verdicts(tmp_path: Path) -> None:
    require_bwrap()
    rebuild(FIXTURES / "unrepro-random" / "repro.toml", tmp_path / "out")
    vsa = json.loads((tmp_path / "out" / "rebuild.vsa.json").read_text())
    assert vsa["predicateType"] == "https://slsa.dev/verification_summary/v1"
    predicate = vsa["predicate"]
    assert predicate["verificationResult"] == "FAILED"
    assert predicate["verifiedLevels"] == []
    assert predicate["policy"]["digest"]["sha256"]
    assert len(predicate["inputAttestations"]) == 2
    (output,) = predicate["rebuild"]["outputs"]
    assert output["verdict"] == "MISMATCH"
    assert len(predicate["rebuild"]["builds"]) == 2


def _normalize(text: str, tmp_path: Path) -> str:
    return text.replace(str(tmp_path), "<TMP>").replace(str(REPO), "<REPO>")


def test_statements_and_report_are_byte_identical_across_runs(
    tmp_path: Path, fixed_clock: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_bwrap()
    project = tmp_path / "tarball"
    shutil.copytree(FIXTURES / "tarball", project)
    monkeypatch.chdir(project)
    first = rebuild(Path("repro.toml"), Path("out-a"))
    second = rebuild(Path("repro.toml"), Path("out-a"))
    assert first.exit_code == second.exit_code == 0
    assert first.stdout == second.stdout
    copies = []
    for name in ("rebuild.vsa.json", "build-1/provenance.json", "build-2/provenance.json"):
        copies.append((Path("out-a") / name).read_bytes())
    third = rebuild(Path("repro.toml"), Path("out-a"))
    assert third.stdout == first.stdout
    assert copies == [
        (Path("out-a") / n).read_bytes()
        for n in ("rebuild.vsa.json", "build-1/provenance.json", "build-2/provenance.json")
    ]
    golden = GOLDEN / "rebuild-tarball.json"
    actual = _normalize(first.stdout, tmp_path)
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual)
    assert actual == golden.read_text()
