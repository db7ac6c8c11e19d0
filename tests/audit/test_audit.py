"""``verifier audit`` over a store our own release pipeline filled: exact rows and goldens.

Goldens (tests/audit/golden/audit.{html,md,json,csv}) are compared after replacing what a
release run cannot reproduce: bundle digests and the referrer manifests holding them (the
provenance and SBOM statements name the build's temporary directory), and the digest of the
deliberately unreproducible release. Regenerate them with
VERIFIER_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.audit.conftest import PUB, STORE
from tests.rebuild.conftest import Outcome, run_cli
from verifier.sign.keys import PublicKey

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden"
REFS = ("--store", STORE, "--all-releases", "unsigned")
CLAUSE = r"oci-layout:\.verifier/store@sha256:<referrer>[^;\"\n<]*"
FINGERPRINT = f"key {PublicKey.load(PUB).fingerprint}"


def audit(*args: str) -> Outcome:
    return run_cli("audit", *args)


def normalize(text: str, report: dict[str, Any]) -> str:
    for entry in report["entries"]:
        for item in entry["evidence"]:
            text = text.replace(item["digest"], "sha256:<bundle>")
        if entry["rebuild"] and entry["rebuild"]["verdict"] == "MISMATCH":
            # unrepro-random writes random bytes: its digest is new on every run.
            text = text.replace(entry["digest"], "sha256:<random>")
            text = text.replace(entry["digest"][:19], "sha256:<random>")
    text = re.sub(r"@sha256:[0-9a-f]{64}", "@sha256:<referrer>", text)
    # The policy lists its reasons per bundle in referrer-digest order: sort them again.
    return re.sub(
        rf"{CLAUSE}(?:; {CLAUSE})+", lambda m: "; ".join(sorted(m.group(0).split("; "))), text
    )


def check_golden(name: str, text: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8"), (
        f"{golden} differs (VERIFIER_REGEN_GOLDEN=1 rewrites it)"
    )


def test_rows_are_exact(audit_project: Path) -> None:
    outcome = audit(*REFS, "--policy", "strict.yaml", "--format", "json")
    assert outcome.exit_code == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    rows = {
        e["reference"]: (
            e["version"],
            e["status"],
            e["signed"],
            e["decision"]["outcome"],
            e["rebuild"] and (e["rebuild"]["verdict"], e["rebuild"]["builds"]),
            e["sbom"] and (e["sbom"]["components"], e["sbom"]["sha256Share"]),
        )
        for e in report["entries"]
    }
    assert rows == {
        f"{STORE}:v1.0.0": ("1.0.0", "ok", "verified", "allowed", ("REPRODUCED", 2), (1, 1.0)),
        f"{STORE}:v1.1.0": ("1.1.0", "ok", "verified", "allowed", ("REPRODUCED", 2), (1, 1.0)),
        f"{STORE}:v1.2.0": ("1.2.0", "denied", "verified", "denied", ("MISMATCH", 2), (1, 1.0)),
        f"{STORE}:unsigned": (None, "denied", "unsigned", "denied", None, None),
    }
    order = [e["reference"] for e in report["entries"]]
    assert order == [f"{STORE}:v1.0.0", f"{STORE}:v1.1.0", f"{STORE}:v1.2.0", f"{STORE}:unsigned"]
    first = report["entries"][0]
    assert [s["signer"] for s in first["signatures"]] == [FINGERPRINT]
    assert first["rebuild"]["builders"] == ["urn:verifier:builder:local"]
    assert first["provenance"][0]["buildType"] == "urn:verifier:buildtype:rebuild:v1"
    denied = report["entries"][2]["decision"]["reasons"]
    assert any("says MISMATCH, the policy allows only REPRODUCED" in r for r in denied)
    diffs = [(d["old"], d["new"], d["added"], d["removed"]) for d in report["diffs"]]
    assert diffs == [
        (f"{STORE}:v1.0.0", f"{STORE}:v1.1.0", ["purepy 1.0.0"], ["payload.tar.gz"]),
        (f"{STORE}:v1.1.0", f"{STORE}:v1.2.0", ["random.txt"], ["purepy 1.0.0"]),
    ]
    assert report["counts"] == {"denied": 2, "ok": 2}
    assert "[4/4]" in outcome.stderr


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("html", "html"), ("markdown", "md"), ("csv", "csv"), ("json", "json")]
)
def test_golden_per_format(audit_project: Path, fmt: str, suffix: str) -> None:
    as_json = audit(*REFS, "--policy", "strict.yaml", "--format", "json")
    outcome = audit(*REFS, "--policy", "strict.yaml", "--format", fmt)
    assert outcome.exit_code == 0, outcome.stderr
    check_golden(f"audit.{suffix}", normalize(outcome.stdout, json.loads(as_json.stdout)))


def test_csv_has_one_row_per_artifact(audit_project: Path) -> None:
    outcome = audit(*REFS, "--policy", "strict.yaml", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(outcome.stdout)))
    assert [(r["version"], r["status"], r["rebuild_verdict"]) for r in rows] == [
        ("1.0.0", "ok", "REPRODUCED"),
        ("1.1.0", "ok", "REPRODUCED"),
        ("1.2.0", "denied", "MISMATCH"),
        ("", "denied", ""),
    ]


def test_output_is_the_same_with_one_job_or_many(audit_project: Path) -> None:
    one = audit(*REFS, "--policy", "strict.yaml", "-f", "markdown", "--jobs", "1")
    many = audit(*REFS, "--policy", "strict.yaml", "-f", "markdown", "--jobs", "8")
    assert one.exit_code == many.exit_code == 0
    assert one.stdout == many.stdout


def test_without_trust_everything_is_unverified(audit_project: Path) -> None:
    outcome = audit("--store", STORE, "--all-releases", "-f", "json", "--fail-on", "unverified")
    assert outcome.exit_code == 1, outcome.stderr
    assert "evidence is read but not verified" in outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["trust"] == [] and report["policy"] is None
    for entry in report["entries"]:
        assert entry["status"] == "unverified" and entry["decision"] is None
        assert {e["state"] for e in entry["evidence"]} == {"unverified"}
        # The claimed signer comes from the bundle's key hint: the golden key, not checked.
        assert [s["signer"] for s in entry["signatures"]] == [FINGERPRINT]
        assert entry["rebuild"]["state"] == entry["sbom"]["state"] == "unverified"


def test_a_key_verifies_without_a_decision(audit_project: Path) -> None:
    outcome = audit("--store", STORE, "--all-releases", "--key", "release.pub", "-f", "json")
    assert outcome.exit_code == 0, outcome.stderr
    report = json.loads(outcome.stdout)
    assert report["trust"] == [FINGERPRINT]
    assert [e["status"] for e in report["entries"]] == ["ok", "ok", "ok"]
    assert all(e["decision"] is None for e in report["entries"])


def test_an_unknown_key_refuses_every_signature(audit_project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    made = run_cli("keygen", "--output-prefix", str(other), "--unsafe-unencrypted")
    assert made.exit_code == 0, made.stderr
    pub = str(other) + ".pub"
    outcome = audit(f"{STORE}:v1.0.0", "--key", pub, "-f", "json", "--fail-on", "unsigned")
    assert outcome.exit_code == 1, outcome.stderr
    (entry,) = json.loads(outcome.stdout)["entries"]
    assert entry["signed"] == "refused" and entry["status"] == "unsigned"
    assert entry["rebuild"] is None and entry["sbom"] is None  # refused evidence never counts
    assert {e["state"] for e in entry["evidence"]} == {"refused"}


@pytest.mark.parametrize(("fail_on", "code"), [("denied", 1), ("unsigned", 1), ("unverified", 0)])
def test_fail_on(audit_project: Path, fail_on: str, code: int) -> None:
    outcome = audit(*REFS, "--policy", "strict.yaml", "-f", "csv", "--fail-on", fail_on)
    assert outcome.exit_code == code, outcome.stderr


def test_report_file_is_written(audit_project: Path, tmp_path: Path) -> None:
    out = tmp_path / "audit.html"
    outcome = audit(*REFS, "--policy", "strict.yaml", "-o", str(out))
    assert outcome.exit_code == 0 and outcome.stdout == ""
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_a_tampered_bundle_is_an_error_not_a_pass(audit_project: Path, tmp_path: Path) -> None:
    listed = json.loads(audit(f"{STORE}:v1.0.0", "--key", "release.pub", "-f", "json").stdout)
    bundle = next(e for e in listed["entries"][0]["evidence"] if e["kind"] == "sbom")
    blob = Path(".verifier/store/blobs/sha256") / bundle["digest"].removeprefix("sha256:")
    original = blob.read_bytes()
    try:
        blob.write_bytes(original.replace(b'"dsseEnvelope"', b'"dsseEnvelopX"', 1))
        outcome = audit(f"{STORE}:v1.0.0", "--key", "release.pub", "-f", "json")
    finally:
        blob.write_bytes(original)
    assert outcome.exit_code == 3, outcome.stderr
    (entry,) = json.loads(outcome.stdout)["entries"]
    assert entry["status"] == "error" and entry["errors"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--all-releases",), "--all-releases needs --store"),
        ((), "nothing to audit"),
        ((f"{STORE}:v1.0.0", "--policy", "missing.yaml"), "missing.yaml"),
        (("no-such-file",), "no-such-file"),
        ((f"{STORE}:v1.0.0", "--key", "strict.yaml"), "strict.yaml"),
    ],
)
def test_bad_input_exits_2(audit_project: Path, args: tuple[str, ...], message: str) -> None:
    outcome = audit(*args)
    assert outcome.exit_code == 2, outcome.stderr
    assert message in outcome.stderr


def test_an_unreachable_store_is_an_error_row_and_exit_3(audit_project: Path) -> None:
    outcome = audit("oci-layout:no-such-store:v1.0.0", "-f", "json")
    assert outcome.exit_code == 3, outcome.stderr
    (entry,) = json.loads(outcome.stdout)["entries"]
    assert entry["status"] == "error" and "no-such-store" in entry["errors"][0]
