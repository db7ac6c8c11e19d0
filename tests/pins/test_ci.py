"""GitHub Actions and GitLab CI scanners."""

from __future__ import annotations

from collections.abc import Callable

from verifier.pins.finding import Finding

D1 = "sha256:" + "b" * 64
C1 = "0123456789abcdef0123456789abcdef01234567"
Scan = Callable[[str, str], tuple[Finding, ...]]


def _refs(findings: tuple[Finding, ...]) -> list[tuple[int, str, str]]:
    return [(f.line, f.kind.value, f.reference) for f in findings]


WORKFLOW = f"""\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    container:
      image: node:20
    services:
      db: postgres@{D1}
    steps:
      - uses: actions/checkout@{C1}
      - uses: actions/checkout@{C1.upper()}
      - uses: actions/checkout@v4.1.1
      - uses: actions/checkout@{C1[:7]}
      - uses: ./local/action
      - uses: docker://ghcr.io/o/tool@{D1}
      - uses: docker://ghcr.io/o/tool:1
      - run: |
          echo one
          curl -fsSL https://example.com/x.sh | bash
  b:
    uses: o/r/.github/workflows/w.yml@{C1}
"""


def test_workflow_uses_and_containers(scan_text: Scan) -> None:
    assert _refs(scan_text(".github/workflows/ci.yaml", WORKFLOW)) == [
        (6, "ci-image", "node:20"),
        (12, "github-action", "actions/checkout@v4.1.1"),
        (13, "github-action", f"actions/checkout@{C1[:7]}"),
        (16, "github-action", "docker://ghcr.io/o/tool:1"),
        (19, "download-to-shell", "curl -fsSL https://example.com/x.sh | bash"),
    ]


def test_yaml_outside_workflows_is_not_a_workflow(scan_text: Scan) -> None:
    assert scan_text("docs/example-workflow.yml", WORKFLOW) == ()


def test_docker_action_image(scan_text: Scan) -> None:
    text = "name: x\nruns:\n  using: docker\n  image: docker://alpine:3\n"
    assert _refs(scan_text("tools/action.yaml", text)) == [
        (4, "github-action", "docker://alpine:3")
    ]


def test_malformed_workflow_is_one_unreadable_finding(scan_text: Scan) -> None:
    findings = scan_text(".github/workflows/bad.yml", "jobs:\n  a: [1, 2\n")
    assert [(f.kind.value, f.line) for f in findings] == [("unreadable", 3)]
    assert findings[0].reference.startswith("invalid YAML:")


def test_uses_that_is_not_a_string_is_unreadable(scan_text: Scan) -> None:
    # A list or an empty value under uses: was skipped without a finding: a silent pass.
    text = "on: push\njobs:\n  a:\n    steps:\n      - uses: [1, 2]\n      - uses:\n"
    assert _refs(scan_text(".github/workflows/ci.yml", text)) == [
        (5, "unreadable", "uses: is not a string"),
        (6, "unreadable", "uses: is not a string"),
    ]


GITLAB = f"""\
include:
  - local: .gitlab/ci/build.yml
variables:
  IMAGE: python:3.12
default:
  image:
    name: python:3.12
  services:
    - postgres:16@{D1}
    - name: redis:7
job:
  image: $IMAGE
  services: ["mysql:8"]
  script:
    - curl -o tool https://example.com/tool
    - - nested: no
    - echo done
  after_script: sha256sum --check tool.sha256
pinned:
  image: alpine@{D1}
  script: curl -sSLo x https://example.com/x
"""


def test_gitlab_images_services_and_scripts(scan_text: Scan) -> None:
    assert _refs(scan_text(".gitlab-ci.yml", GITLAB)) == [
        (7, "ci-image", "python:3.12"),
        (10, "ci-image", "redis:7"),
        (12, "ci-image", "$IMAGE"),
        (13, "ci-image", "mysql:8"),
        (21, "download-unchecked", "curl -sSLo x https://example.com/x"),
    ]


def test_gitlab_included_files(scan_text: Scan) -> None:
    text = "build:\n  image: golang:1.22\n  script: [go build]\n"
    assert _refs(scan_text(".gitlab/ci/build.yml", text)) == [(2, "ci-image", "golang:1.22")]
    assert _refs(scan_text("ci/deploy.gitlab-ci.yml", text))[0][2] == "golang:1.22"


def test_gitlab_includes(scan_text: Scan) -> None:
    text = f"""\
include:
  - local: ci/a.yml
  - /ci/b.yml
  - https://example.com/c.yml
  - remote: https://example.com/d.yml
    integrity: sha256-abc=
  - remote: https://example.com/e.yml
    integrity: md5-abc
  - project: g/p
  - project: g/p
    ref: {C1}
  - component: example.com/g/c/x@{C1}
  - component: example.com/g/c/x@~latest
  - template: Auto-DevOps.gitlab-ci.yml
job: {{script: [make]}}
"""
    assert _refs(scan_text(".gitlab-ci.yml", text)) == [
        (4, "ci-include", "https://example.com/c.yml"),
        (7, "ci-include", "https://example.com/e.yml"),
        (9, "ci-include", "g/p@(default branch)"),
        (13, "ci-include", "example.com/g/c/x@~latest"),
    ]
    single = "include: https://example.com/c.yml\n"
    assert _refs(scan_text(".gitlab-ci.yml", single)) == [
        (1, "ci-include", "https://example.com/c.yml")
    ]
