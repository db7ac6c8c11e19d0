"""The shipped policies end to end, on evidence made by our own commands.

keygen -> rebuild (two builders) -> sign -> attest (VSAs, SBOM) -> sbom -> push (artifact and
bundles into an OCI layout) -> admit; all through the CLI, as a release job runs them.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import REPO
from tests.policy.conftest import Rebuilt
from verifier.cli import app
from verifier.sign.artifact import Artifact

BUNDLE_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
#: 2026-11-10: nine days after the rebuilds.
EPOCH = "1794268800"


@pytest.fixture
def workdir(tmp_path: Path) -> Iterator[Path]:
    cwd = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(cwd)


def run(*args: str) -> tuple[int, str, str]:
    env = {"VERIFIER_PASSWORD": "test", "SOURCE_DATE_EPOCH": EPOCH}
    result = CliRunner().invoke(app, list(args), env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def ok(*args: str) -> str:
    code, out, err = run(*args)
    assert code == 0, f"verifier {' '.join(args)}: exit {code}: {err}"
    return out


@pytest.fixture
def release_job(workdir: Path, rebuilt: Rebuilt) -> Callable[[list[str]], Path]:
    """Make keys and evidence the way a release job would; returns the artifact path."""

    def job(builders: list[str]) -> Path:
        (workdir / "policies" / "keys").mkdir(parents=True)
        shutil.copy(REPO / "policies" / "release-strict.yaml", workdir / "policies")
        for name in ("release", "rebuilder-a", "rebuilder-b"):
            ok("keygen", "--output-prefix", f"policies/keys/{name}")
        dist = workdir / "dist"
        dist.mkdir()
        shutil.copy(rebuilt.output, dist / "payload.tar.gz")
        ok("sign", "dist/payload.tar.gz", "--key", "policies/keys/release.key")
        for builder in builders:
            short = builder.rsplit(":", 1)[1]
            predicate = workdir / f"vsa-{short}.json"
            predicate.write_text(json.dumps(json.loads(rebuilt.vsas[builder])["predicate"]))
            ok(
                "attest",
                "--subject",
                "dist/payload.tar.gz",
                "--predicate-type",
                "https://slsa.dev/verification_summary/v1",
                "--predicate",
                str(predicate),
                "--key",
                f"policies/keys/rebuilder-{short}.key",
                "--output",
                f"dist/payload.tar.gz.vsa-{short}.sigstore.json",
            )
        ok("sbom", "dist/payload.tar.gz", "-o", "sbom.cdx.json")
        ok(
            "attest",
            "--subject",
            "dist/payload.tar.gz",
            "--predicate-type",
            "https://cyclonedx.org/bom",
            "--predicate",
            "sbom.cdx.json",
            "--key",
            "policies/keys/release.key",
            "--output",
            "dist/payload.tar.gz.sbom.sigstore.json",
        )
        return dist / "payload.tar.gz"

    return job


def test_release_strict_allows_a_release_from_local_evidence(
    release_job: Callable[[list[str]], Path],
) -> None:
    release_job(["urn:builder:a", "urn:builder:b"])
    code, out, err = run(
        "admit",
        "dist/payload.tar.gz",
        "--policy",
        "policies/release-strict.yaml",
        "--evidence",
        "dist",
        "--json",
    )
    assert code == 0, out + err
    decision = json.loads(out)["decisions"][0]
    assert decision["outcome"] == "allowed"
    assert len(decision["evidence"]) == 4  # signature, two VSAs, SBOM


def test_release_strict_denies_a_single_builder(
    release_job: Callable[[list[str]], Path],
) -> None:
    artifact = release_job(["urn:builder:a"])
    code, out, _ = run(
        "admit",
        "dist/payload.tar.gz",
        "--policy",
        "policies/release-strict.yaml",
        "--evidence",
        "dist",
        "--json",
    )
    assert code == 1
    short = Artifact.from_path(artifact).digest.short
    assert [v["message"] for v in json.loads(out)["decisions"][0]["violations"]] == [
        f"dist/payload.tar.gz ({short}): reproduced by 1 independent builder(s) "
        "(urn:builder:a), 2 required"
    ]


@pytest.mark.slow
def test_release_strict_allows_the_release_pushed_to_a_store(
    release_job: Callable[[list[str]], Path],
) -> None:
    release_job(["urn:builder:a", "urn:builder:b"])
    pushed = json.loads(ok("push", "dist/payload.tar.gz", "oci-layout:store:v1.0", "--json"))
    for bundle in sorted(Path("dist").glob("*.sigstore.json")):
        ok(
            "push",
            str(bundle),
            "oci-layout:store",
            "--subject",
            pushed["digest"],
            "--artifact-type",
            BUNDLE_TYPE,
            "--media-type",
            BUNDLE_TYPE,
        )
    code, out, err = run(
        "admit",
        f"oci-layout:store@{pushed['digest']}",
        "--policy",
        "policies/release-strict.yaml",
        "--json",
    )
    assert code == 0, out + err
    assert len(json.loads(out)["decisions"][0]["evidence"]) == 4
    # The same release by tag: release-strict refuses tags.
    code, out, _ = run(
        "admit", "oci-layout:store:v1.0", "--policy", "policies/release-strict.yaml", "--json"
    )
    assert code == 1
    assert [v["rule"] for v in json.loads(out)["decisions"][0]["violations"]] == ["digestPinned"]


def test_warn_only_never_denies(workdir: Path) -> None:
    (workdir / "policies" / "keys").mkdir(parents=True)
    shutil.copy(REPO / "policies" / "warn-only.yaml", workdir / "policies")
    ok("keygen", "--output-prefix", "policies/keys/release")
    Path("app.tar.gz").write_bytes(b"unsigned\n")
    code, out, _ = run("admit", "app.tar.gz", "--policy", "policies/warn-only.yaml", "--json")
    assert code == 0
    decision = json.loads(out)["decisions"][0]
    assert decision["outcome"] == "allowed"
    assert [w["rule"] for w in decision["warnings"]] == ["sbom", "signatures"]


def test_keyless_github_on_conformance_bundles(
    workdir: Path, conformance: Callable[[str], Path]
) -> None:
    case = conformance("happy-path-v0.3")
    shutil.copy(case.parent / "a.txt", "a.txt")
    shutil.copy(case / "bundle.sigstore.json", "a.txt.sigstore.json")
    text = (REPO / "policies" / "keyless-github.yaml").read_text()
    # The shipped policy, for the conformance suite's workflow instead of acme's.
    beacon = text.replace('names: ["ghcr.io/acme/*"]', 'names: ["*"]').replace(
        "https://github\\.com/acme/[^/]+/\\.github/workflows/release\\.ya?ml@refs/tags/v.*",
        "https://github\\.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
        "\\.github/workflows/extremely-dangerous-oidc-beacon\\.yml@refs/heads/main",
    )
    Path("beacon.yaml").write_text(beacon)
    code, out, _ = run("admit", "a.txt", "--policy", "beacon.yaml", "--evidence", ".", "--json")
    decision = json.loads(out)["decisions"][0]
    # The signature verifies for this identity; there is no provenance, so it is denied there.
    assert code == 1
    assert [v["rule"] for v in decision["violations"]] == ["provenance"]
    # For acme's identity the same bundle is refused.
    Path("acme.yaml").write_text(text.replace('names: ["ghcr.io/acme/*"]', 'names: ["*"]'))
    code, out, _ = run("admit", "a.txt", "--policy", "acme.yaml", "--evidence", ".", "--json")
    assert code == 1
    assert [v["rule"] for v in json.loads(out)["decisions"][0]["violations"]] == [
        "provenance",
        "signatures",
    ]
