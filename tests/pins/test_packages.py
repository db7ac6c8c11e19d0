"""pip requirements files and npm package.json with its lock."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from verifier.pins.finding import Finding
from verifier.pins.scan import scan_path

H = "sha256:" + "d" * 64
Scan = Callable[[str, str], tuple[Finding, ...]]


def _refs(findings: tuple[Finding, ...]) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.kind.value, f.reference) for f in findings]


def test_requirement_forms(scan_text: Scan) -> None:
    text = f"""\
--require-hashes
--extra-index-url https://example.com/simple  # comment
a==1.0 --hash={H}
b===2.0 --hash={H}
c[extra]==3.0 ; python_version >= "3.11" \\
    --hash={H}
d>=1 --hash={H}
e==1.0
f @ https://example.com/f-1.tar.gz --hash={H}
git+https://github.com/o/g@{"1" * 40}#egg=g
-e git+https://github.com/o/h#egg=h
--editable=./local
./some/dir
i==1.0 \\
  # a comment line ends the continuation here
"""
    assert [
        (line, kind, ref) for _, line, kind, ref in _refs(scan_text("requirements-x.txt", text))
    ] == [
        (7, "python-requirement", "d>=1"),
        (8, "python-requirement", "e==1.0"),
        (10, "python-requirement", f"git+https://github.com/o/g@{'1' * 40}#egg=g"),
        (11, "python-requirement", "-e git+https://github.com/o/h#egg=h"),
        (12, "python-requirement", "--editable=./local"),
        (13, "python-requirement", "./some/dir"),
        (14, "python-requirement", "i==1.0"),
    ]


def test_includes_are_followed_and_cycles_end(tmp_path: Path) -> None:
    (tmp_path / "deps").mkdir()
    (tmp_path / "deps" / "base.in").write_text("-r ../requirements.txt\nbase==1\n")
    (tmp_path / "requirements.txt").write_text("-r deps/base.in\ntop==1\n")
    assert _refs(scan_path(tmp_path / "requirements.txt").findings) == [
        ("deps/base.in", 2, "python-requirement", "base==1"),
        ("requirements.txt", 2, "python-requirement", "top==1"),
    ]


def test_requirements_directory(scan_text: Scan) -> None:
    assert _refs(scan_text("requirements/test.txt", "x==1\n")) == [
        ("requirements/test.txt", 1, "python-requirement", "x==1")
    ]


def _package(tmp_path: Path, deps: dict[str, str], lock: object | None) -> Path:
    (tmp_path / "package.json").write_text(
        json.dumps({"name": "p", "dependencies": deps}, indent=2) + "\n"
    )
    if lock is not None:
        (tmp_path / "package-lock.json").write_text(json.dumps(lock))
    return tmp_path


SRI = "sha512-" + "A" * 86 + "=="


def test_npm_lock_v1(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 1,
        "dependencies": {
            "a": {"version": "1.0.0", "integrity": SRI},
            "b": {"version": "1.0.0", "integrity": "sha1-abc="},
        },
    }
    findings = scan_path(_package(tmp_path, {"a": "^1", "b": "^1", "c": "^1"}, lock)).findings
    assert _refs(findings) == [
        ("package.json", 5, "npm-dependency", "b@^1"),
        ("package.json", 6, "npm-dependency", "c@^1"),
    ]


def test_npm_git_dependency_pinned_by_commit(tmp_path: Path) -> None:
    lock = {
        "lockfileVersion": 3,
        "packages": {
            "node_modules/g": {"resolved": f"git+ssh://git@github.com/o/g.git#{'e' * 40}"},
            "node_modules/h": {"resolved": "git+ssh://git@github.com/o/h.git#main"},
        },
    }
    findings = scan_path(_package(tmp_path, {"g": "github:o/g", "h": "github:o/h"}, lock)).findings
    assert _refs(findings) == [("package.json", 5, "npm-dependency", "h@github:o/h")]


def test_npm_shrinkwrap_wins_over_package_lock(tmp_path: Path) -> None:
    _package(tmp_path, {"a": "1"}, {"lockfileVersion": 3, "packages": {}})
    (tmp_path / "npm-shrinkwrap.json").write_text(
        json.dumps({"lockfileVersion": 3, "packages": {"node_modules/a": {"integrity": SRI}}})
    )
    assert scan_path(tmp_path).findings == ()


def test_npm_malformed_lock_and_manifest(tmp_path: Path) -> None:
    _package(tmp_path, {"a": "1"}, None)
    (tmp_path / "package-lock.json").write_text('{\n  "packages": \n')
    findings = scan_path(tmp_path).findings
    assert [(f.path, f.kind.value) for f in findings] == [("package-lock.json", "unreadable")]
    (tmp_path / "package.json").write_text("[1, 2")
    findings = scan_path(tmp_path / "package.json").findings
    assert [(f.path, f.line, f.kind.value) for f in findings] == [("package.json", 1, "unreadable")]


def test_an_include_outside_the_root_is_named_relative_to_it(tmp_path: Path) -> None:
    (tmp_path / "shared.txt").write_text("shared==1\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "requirements.txt").write_text("-r ../shared.txt\n")
    assert _refs(scan_path(tmp_path / "app").findings) == [
        ("../shared.txt", 1, "python-requirement", "shared==1")
    ]
