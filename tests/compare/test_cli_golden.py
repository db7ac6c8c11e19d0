"""`verifier diff` end to end: exit codes, stdout formats against golden files.

Regenerate the golden files with VERIFIER_REGEN_GOLDEN=1.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.compare.conftest import TarMember, ZipMember, make_tar, make_zip, zip_bytes
from verifier.cli import app

GOLDEN = Path(__file__).parent / "golden"


def build_pair(root: Path) -> None:
    """Two wheels-in-a-tarball that differ in most of the ways a rebuild can."""
    inner_a = zip_bytes([ZipMember("p/mod.py", b"ROOT = '/tmp/build-1/src'\n")])
    inner_b = zip_bytes([ZipMember("p/mod.py", b"ROOT = '/tmp/build-2/src'\n")])
    record_a = b"p/__init__.py,sha256=x,1\np/data.bin,sha256=y,2\n"
    record_b = b"p/data.bin,sha256=y,2\np/__init__.py,sha256=x,1\n"
    make_zip(
        root / "a.whl",
        [
            ZipMember("p/__init__.py", b"VERSION = '1.0'\nBUILT = '2024-01-01 10:00:00'\n"),
            ZipMember("p/data.bin", bytes(range(64))),
            ZipMember("p/inner.whl", inner_a),
            ZipMember("p-1.0.dist-info/RECORD", record_a),
            ZipMember("p/gone.py", b""),
        ],
    )
    make_zip(
        root / "b.whl",
        [
            ZipMember(
                "p/__init__.py",
                b"VERSION = '1.0'\nBUILT = '2024-06-30 17:45:12'\n",
                date_time=(2024, 6, 30, 17, 45, 12),
            ),
            ZipMember("p/data.bin", bytes(range(32)) + b"\xee" + bytes(range(33, 64)), mode=0o664),
            ZipMember("p/inner.whl", inner_b),
            ZipMember("p-1.0.dist-info/RECORD", record_b),
            ZipMember("p/new.py", b""),
        ],
    )


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    build_pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} changed; VERIFIER_REGEN_GOLDEN=1 to accept"


@pytest.mark.parametrize(
    "fmt,golden", [("text", "diff.txt"), ("json", "diff.json"), ("markdown", "diff.md")]
)
def test_formats_match_golden(pair: Path, cli: CliRunner, fmt: str, golden: str) -> None:
    result = cli.invoke(
        app, ["diff", "a.whl", "b.whl", "--format", fmt, "--build-path", "/tmp/build-1"]
    )
    assert result.exit_code == 1, result.stderr
    check_golden(golden, result.stdout)


def test_stabilized_json_golden(pair: Path, cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["diff", "a.whl", "b.whl", "--json", "-s", "zip-modified-time,wheel-record-order"]
    )
    assert result.exit_code == 1
    check_golden("diff-stabilized.json", result.stdout)
    report = json.loads(result.stdout)
    assert report["stabilizers_applied"] == {
        "wheel-record-order@1": ["p-1.0.dist-info/RECORD"],
        "zip-modified-time@1": ["p/__init__.py"],
    }


def test_identical_exits_zero(pair: Path, cli: CliRunner) -> None:
    result = cli.invoke(app, ["diff", "a.whl", "a.whl", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["verdict"] == "IDENTICAL"


def test_equivalent_exits_zero(tmp_path: Path, cli: CliRunner) -> None:
    a = make_tar(tmp_path / "a.tar", [TarMember("x", b"1", mtime=1)])
    b = make_tar(tmp_path / "b.tar", [TarMember("x", b"1", mtime=2)])
    plain = cli.invoke(app, ["diff", str(a), str(b)])
    assert plain.exit_code == 1 and plain.stdout.startswith("DIFFERENT")
    stabilized = cli.invoke(app, ["diff", str(a), str(b), "--stabilize", "tar-time"])
    assert stabilized.exit_code == 0 and stabilized.stdout.startswith("EQUIVALENT")
    assert "tar-time@1 changed 1: x" in stabilized.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["diff", "a.whl", "missing.whl"], "missing.whl: no such file or directory"),
        (["diff", "a.whl", "b.whl", "-s", "nope"], "unknown stabilizer 'nope'"),
        (["diff", ".", "a.whl"], "cannot compare a directory with a file"),
    ],
)
def test_bad_input_exits_two_with_one_line(
    pair: Path, cli: CliRunner, args: list[str], message: str
) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    # One error, wrapped only by the console's width.
    assert result.stderr.startswith("error: ") and result.stderr.count("error:") == 1
    assert message in " ".join(result.stderr.split()) and result.stdout == ""


def test_stabilizers_command_lists_catalogue(cli: CliRunner) -> None:
    result = cli.invoke(app, ["stabilizers"])
    assert result.exit_code == 0
    assert "zip-modified-time@1" in result.stdout and "wheel-record-order@1" in result.stdout
