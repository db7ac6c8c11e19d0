"""Hostile or random content never crashes a scanner: it is a finding or nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verifier.pins.finding import FindingKind
from verifier.pins.scan import scan_path

FILE_NAMES = [
    "Dockerfile",
    ".github/workflows/ci.yml",
    ".gitlab-ci.yml",
    "deploy.yaml",
    "kustomization.yaml",
    "values.yaml",
    "requirements.txt",
    "package.json",
    "run.sh",
    "repro.toml",
]
# Characters that matter to YAML, JSON, TOML, shell and Dockerfile syntax, plus some text.
ALPHABET = st.sampled_from(list("\n :-[]{}\"'#|&;$\\@=,.*!%<>`~/\tabcFROMimagesh0123456789"))


@pytest.mark.parametrize("name", FILE_NAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(ALPHABET, max_size=200))
def test_random_text_is_findings_or_nothing(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        report = scan_path(Path(directory))
        assert all(isinstance(f.kind, FindingKind) and f.line >= 1 for f in report.findings)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("values.yaml", "a: " + "[" * 20000 + "]" * 20000 + "\n"),
        ("package.json", "[" * 100000),
        ("deploy.yaml", "a: " + "{b: " * 3000 + "1" + "}" * 3000 + "\n"),
    ],
)
def test_deep_nesting_is_unreadable(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    findings = scan_path(tmp_path).findings
    assert [(f.kind.value, f.reference) for f in findings] == [
        ("unreadable", "nested too deeply to parse")
    ]


def test_alias_bomb_is_cheap(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, y]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)
    ]
    (tmp_path / ".gitlab-ci.yml").write_text(
        "\n".join(lines) + "\njob:\n  script: *a11\n  image: alpine:3\n"
    )
    findings = scan_path(tmp_path).findings
    assert [(f.line, f.kind.value) for f in findings] == [(15, "ci-image")]
