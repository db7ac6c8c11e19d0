"""Each rule family beyond the decision table: provenance, vulnerabilities, SBOM details, modes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.policy.conftest import Kit, label
from verifier.attest.uris import PROVENANCE_V1
from verifier.policy.decision import Outcome
from verifier.policy.rules.licenses import denied_by
from verifier.policy.rules.vulnerability_reports import read_report, severity_rank
from verifier.policy.versions import VersionRange
from verifier.sign.artifact import Artifact


def make_policy(kit: Kit, require: str, mode: str = "enforce", name: str = "p.yaml") -> Path:
    return kit.policy(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: rules}\nspec:\n"
        f"  mode: {mode}\n"
        "  authorities:\n    - {name: ci, key: {file: alice.pub}}\n"
        "    - {name: scanner, key: {file: scanner.pub}}\n"
        "  require:\n" + "\n".join("    " + line for line in require.strip().splitlines()) + "\n",
        name,
    )


def attest(
    kit: Kit, app: Path, signer: str, ptype: str, predicate: dict[str, Any], out: str
) -> Path:
    return kit.attest(signer, (app.name, Artifact.from_path(app).digest), ptype, predicate, out)


GITHUB_PROVENANCE = {
    "buildDefinition": {
        "buildType": "https://actions.github.io/buildtypes/workflow/v1",
        "externalParameters": {
            "workflow": {
                "ref": "refs/tags/v1.2.0",
                "repository": "https://github.com/acme/app",
                "path": ".github/workflows/release.yml",
            }
        },
        "resolvedDependencies": [
            {
                "uri": "git+https://github.com/acme/app@refs/tags/v1.2.0",
                "digest": {"gitCommit": "a" * 40},
            }
        ],
    },
    "runDetails": {
        "builder": {"id": "https://github.com/actions/runner/github-hosted"},
        "metadata": {"finishedOn": "2026-11-05T00:00:00Z"},
    },
}
PROVENANCE_RULE = (
    "provenance:\n  authorities: [ci]\n"
    "  builderIds: ['https://github.com/actions/runner/github-hosted']\n"
    "  sourceRepositories: ['https://github.com/acme/*']\n  refs: ['refs/tags/v*']"
)


def test_provenance_accepted(kit: Kit) -> None:
    app = kit.artifact()
    attest(kit, app, "alice", PROVENANCE_V1, GITHUB_PROVENANCE, "app.tar.gz.prov.sigstore.json")
    assert kit.decide(make_policy(kit, PROVENANCE_RULE), app).outcome is Outcome.ALLOWED


def test_provenance_from_a_branch_is_denied(kit: Kit) -> None:
    app = kit.artifact()
    predicate = {**GITHUB_PROVENANCE}
    predicate["buildDefinition"] = {
        "externalParameters": {
            "workflow": {"ref": "refs/heads/main", "repository": "https://github.com/acme/app"}
        }
    }
    bundle = attest(kit, app, "alice", PROVENANCE_V1, predicate, "app.tar.gz.prov.sigstore.json")
    decision = kit.decide(make_policy(kit, PROVENANCE_RULE), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: no acceptable provenance: {bundle}: ref refs/heads/main of "
        "https://github.com/acme/app is not one of refs/tags/v*"
    ]


def test_provenance_from_another_builder_is_denied(kit: Kit) -> None:
    app = kit.artifact()
    predicate = {**GITHUB_PROVENANCE, "runDetails": {"builder": {"id": "https://evil.example"}}}
    bundle = attest(kit, app, "alice", PROVENANCE_V1, predicate, "app.tar.gz.prov.sigstore.json")
    decision = kit.decide(make_policy(kit, PROVENANCE_RULE), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: no acceptable provenance: {bundle}: builder https://evil.example is not "
        "one of https://github.com/actions/runner/github-hosted"
    ]


VULN_RULE = "vulnerabilities: {authorities: [scanner], severity: high}"
VEX = "https://cyclonedx.org/vex"
COSIGN_VULN = "https://cosign.sigstore.dev/attestation/vuln/v1"


def test_vulnerabilities_cyclonedx_with_vex(kit: Kit) -> None:
    app = kit.artifact()
    report = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"bom-ref": "c1", "name": "openssl", "purl": "pkg:deb/debian/openssl@3.0.11"}
        ],
        "vulnerabilities": [
            {
                "id": "CVE-2024-0001",
                "ratings": [{"severity": "critical"}],
                "affects": [{"ref": "c1"}],
            },
            {
                "id": "CVE-2024-0002",
                "ratings": [{"severity": "high"}],
                "affects": [{"ref": "c1"}],
                "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
            },
            {
                "id": "CVE-2024-0003",
                "ratings": [{"severity": "medium"}],
                "affects": [{"ref": "c1"}],
            },
        ],
    }
    attest(kit, app, "scanner", VEX, report, "app.tar.gz.vex.sigstore.json")
    decision = kit.decide(make_policy(kit, VULN_RULE), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: CVE-2024-0001 (critical) in pkg:deb/debian/openssl@3.0.11 is unresolved"
    ]


def test_vulnerabilities_scanner_output_with_separate_vex(kit: Kit) -> None:
    app = kit.artifact()
    trivy = {
        "SchemaVersion": 2,
        "Results": [
            {
                "Vulnerabilities": [
                    {
                        "VulnerabilityID": "CVE-2025-1111",
                        "PkgName": "zlib",
                        "InstalledVersion": "1.2.13",
                        "Severity": "HIGH",
                    },
                    {
                        "VulnerabilityID": "CVE-2025-2222",
                        "PkgName": "zlib",
                        "InstalledVersion": "1.2.13",
                        "Severity": "LOW",
                    },
                ]
            }
        ],
    }
    attest(
        kit,
        app,
        "scanner",
        COSIGN_VULN,
        {"scanner": {"uri": "trivy", "result": trivy}},
        "app.tar.gz.trivy.sigstore.json",
    )
    decision = kit.decide(make_policy(kit, VULN_RULE), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: CVE-2025-1111 (high) in zlib@1.2.13 is unresolved"
    ]
    vex = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "vulnerabilities": [{"id": "CVE-2025-1111", "analysis": {"state": "not_affected"}}],
    }
    attest(kit, app, "scanner", VEX, vex, "app.tar.gz.vex.sigstore.json")
    assert kit.decide(make_policy(kit, VULN_RULE), app).outcome is Outcome.ALLOWED


def test_vulnerabilities_osv_scanner_and_grype(kit: Kit) -> None:
    osv = {
        "results": [
            {
                "packages": [
                    {
                        "package": {"name": "requests", "version": "2.30.0", "ecosystem": "PyPI"},
                        "vulnerabilities": [{"id": "GHSA-j8r2-6x86-q33q"}],
                        "groups": [{"ids": ["GHSA-j8r2-6x86-q33q"], "max_severity": "6.1"}],
                    }
                ]
            }
        ]
    }
    grype = {
        "matches": [
            {
                "vulnerability": {"id": "CVE-2023-9", "severity": "Critical"},
                "artifact": {"name": "x", "version": "1", "purl": "pkg:npm/x@1"},
            }
        ]
    }
    assert [
        (f.id, f.component, f.severity) for f in read_report({"scanner": {"result": osv}}) or []
    ] == [("GHSA-j8r2-6x86-q33q", "requests@2.30.0", "medium")]
    assert [(f.id, f.component, f.severity) for f in read_report(grype) or []] == [
        ("CVE-2023-9", "pkg:npm/x@1", "critical")
    ]
    records = {
        "vulns": [
            {
                "id": "PYSEC-2023-74",
                "database_specific": {"severity": "MODERATE"},
                "affected": [
                    {
                        "package": {
                            "name": "requests",
                            "ecosystem": "PyPI",
                            "purl": "pkg:pypi/requests",
                        }
                    }
                ],
            }
        ]
    }
    assert [(f.id, f.component, f.severity) for f in read_report(records) or []] == [
        ("PYSEC-2023-74", "pkg:pypi/requests", "medium")
    ]
    assert read_report({"something": "else"}) is None


def test_no_vulnerability_report_is_denied(kit: Kit) -> None:
    app = kit.artifact()
    decision = kit.decide(make_policy(kit, VULN_RULE), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: no vulnerability report signed by scanner"
    ]


@pytest.mark.parametrize(
    ("value", "rank"),
    [
        ("critical", 3),
        ("HIGH", 2),
        ("moderate", 1),
        ("7.5", 2),
        (9.8, 3),
        ("0.0", -1),
        ("negligible", -1),
        ("", 3),
        ("weird", 3),
    ],
)
def test_severity_ranks(value: object, rank: int) -> None:
    assert severity_rank(value) == rank


def test_denied_components_and_unlicensed(kit: Kit) -> None:
    app = kit.artifact()
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "components": [
            {
                "name": "requests",
                "purl": "pkg:pypi/requests@2.30.0",
                "licenses": [{"license": {"id": "Apache-2.0"}}],
            },
            {
                "name": "requests",
                "purl": "pkg:pypi/requests@2.32.3",
                "licenses": [{"license": {"id": "Apache-2.0"}}],
            },
            {"name": "a", "purl": "pkg:npm/a@1"},
            {"name": "b", "purl": "pkg:npm/b@1", "components": [{"name": "c", "version": "2"}]},
        ],
    }
    attest(kit, app, "alice", "https://cyclonedx.org/bom", sbom, "app.tar.gz.sbom.sigstore.json")
    rule = (
        "sbom:\n  authorities: [ci]\n  minSpecVersion: '1.5'\n  maxUnlicensed: 1\n"
        "  deniedComponents:\n"
        "    - {purl: 'pkg:pypi/requests', versions: '<2.31.0', reason: CVE-2023-32681}"
    )
    decision = kit.decide(make_policy(kit, rule), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: 3 SBOM component(s) without a license, at most 1 allowed: pkg:npm/a@1, "
        "pkg:npm/b@1, c@2",
        f"{label(app)}: SBOM spec version 1.4 is below the required 1.5",
        f"{label(app)}: component pkg:pypi/requests@2.30.0 is denied (pkg:pypi/requests <2.31.0): "
        "CVE-2023-32681",
    ]


def test_legacy_cosign_cyclonedx_predicate(kit: Kit) -> None:
    app = kit.artifact()
    sbom = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [
            {
                "name": "gpl",
                "purl": "pkg:pypi/gpl@1",
                "licenses": [{"license": {"id": "GPL-3.0-only"}}],
            }
        ],
    }
    attest(
        kit,
        app,
        "alice",
        "https://cyclonedx.org/schema",
        {"Data": sbom},
        "app.tar.gz.sbom.sigstore.json",
    )
    rule = "sbom: {authorities: [ci], deniedLicenses: [GPL-3.0-only]}"
    decision = kit.decide(make_policy(kit, rule), app)
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: component pkg:pypi/gpl@1 has denied license GPL-3.0-only"
    ]


def test_warn_mode_turns_violations_and_errors_into_warnings(kit: Kit) -> None:
    app = kit.artifact()
    (kit.evidence / "app.tar.gz.sigstore.json").write_text("{not json")
    decision = kit.decide(make_policy(kit, "signatures: {authorities: [ci]}", mode="warn"), app)
    assert decision.outcome is Outcome.ALLOWED
    assert [w.rule for w in decision.warnings] == ["evidence", "signatures"]


def test_enforce_mode_with_unreadable_evidence_is_undecided(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    (kit.evidence / "app.tar.gz.extra.sigstore.json").write_text("{not json")
    decision = kit.decide(make_policy(kit, "signatures: {authorities: [ci]}"), app)
    assert decision.outcome is Outcome.UNDECIDED
    assert decision.errors[0].message.startswith(
        f"{kit.evidence / 'app.tar.gz.extra.sigstore.json'}: not valid JSON"
    )


def test_namespaces_restrict_kubernetes_objects_only(kit: Kit) -> None:
    app = kit.artifact()
    path = kit.policy(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: prod}\nspec:\n"
        "  match: {namespaces: [prod]}\n  require: {signatures: {authorities: [a]}}\n"
        "  authorities: [{name: a, key: {file: alice.pub}}]\n"
    )
    assert kit.decide(path, app, namespace="dev").violations[0].rule == "match"
    assert kit.decide(path, app, namespace="prod").violations[0].rule == "signatures"
    assert kit.decide(path, app).violations[0].rule == "signatures"


def test_decision_json_is_deterministic(kit: Kit) -> None:
    app = kit.artifact()
    kit.sign("alice", app)
    kit.sign("bob", app)
    path = make_policy(kit, "signatures: {authorities: [ci]}")
    first = kit.decide(path, app).to_json()
    assert kit.decide(path, app).to_json() == first


@pytest.mark.parametrize(
    ("expression", "denied"),
    [
        ("MIT", False),
        ("GPL-3.0-only", True),
        ("MIT OR GPL-3.0-only", False),
        ("MIT AND GPL-3.0-only", True),
        ("(MIT OR GPL-3.0-only) AND AGPL-3.0-or-later", True),
        ("GPL-2.0-only WITH Classpath-exception-2.0", False),
        ("gpl-3.0-only", True),
    ],
)
def test_license_expressions(expression: str, denied: bool) -> None:
    assert denied_by(expression, ["GPL-3.0-only", "AGPL-*"]) is denied


@pytest.mark.parametrize(
    ("spec", "version", "inside"),
    [
        ("<2.31.0", "2.30.9", True),
        ("<2.31.0", "2.31.0", False),
        (">=1.0,<1.4.2", "1.4.1", True),
        (">=1.0,<1.4.2", "1.10", False),
        ("==3.0.0", "3.0.0", True),
        ("<1.0", "1.0rc1", True),
        ("!=2", "2", False),
    ],
)
def test_version_ranges(spec: str, version: str, inside: bool) -> None:
    assert VersionRange(spec).contains(version) is inside


def test_a_dependency_version_never_passes_for_the_ref(kit: Kit) -> None:
    app = kit.artifact()
    predicate = {
        "buildDefinition": {
            "externalParameters": {},
            "resolvedDependencies": [
                {"uri": "git+https://github.com/acme/app@refs/heads/main"},
                {"uri": "pkg:npm/left-pad@refs/tags/v1.3.0"},
                {"uri": "git+https://github.com/other/lib@refs/tags/v2.0.0"},
            ],
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}},
    }
    bundle = attest(kit, app, "alice", PROVENANCE_V1, predicate, "app.tar.gz.prov.sigstore.json")
    decision = kit.decide(make_policy(kit, PROVENANCE_RULE), app)
    # acme/app is at a branch; the v2.0.0 tag belongs to another repository.
    assert [v.message for v in decision.violations] == [
        f"{label(app)}: no acceptable provenance: {bundle}: ref refs/heads/main of "
        "https://github.com/acme/app is not one of refs/tags/v*"
    ]


@pytest.mark.parametrize(
    ("name", "pattern", "applies"),
    [
        ("registry.example/acme/app:1.0", "registry.example/acme/*", True),
        ("registry.example/acme/app@sha256:" + "1" * 64, "registry.example/acme/app", True),
        ("registry:5000/app:1.0", "registry:5000/app", True),
        ("nginx:1.25", "nginx", True),
        ("ghcr.io/evil/app:1.0", "ghcr.io/acme/*", False),
        ("dist/app.tar.gz", "*.tar.gz", True),
        ("dist/app.whl", "*.tar.gz", False),
    ],
)
def test_match_names(name: str, pattern: str, applies: bool) -> None:
    from verifier.policy.model import MatchSpec

    assert MatchSpec((pattern,)).applies(name, None) is applies
