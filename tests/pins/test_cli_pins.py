"""``verifier pins`` on the command line: exit codes, streams, formats, failure messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.pins.conftest import PINNED, UNPINNED
from verifier.cli import app


def test_unpinned_exits_1_with_text_on_stderr_only(cli: CliRunner) -> None:
    result = cli.invoke(app, ["pins", str(UNPINNED)])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert "Dockerfile:5: dockerfile-from: ${PYTHON} (= python:3.12-slim)" in result.stderr
    assert "56 unpinned input(s) in 21 file(s)" in result.stderr


def test_pinned_twin_exits_0(cli: CliRunner) -> None:
    result = cli.invoke(app, ["pins", str(PINNED), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["unpinned"] == 0 and report["findings"] == []
    assert "every input is pinned" in result.stderr


@pytest.mark.parametrize("options", [["--json"], ["--format", "json"], ["-f", "JSON"]])
def test_json_on_stdout(cli: CliRunner, options: list[str]) -> None:
    result = cli.invoke(app, ["pins", str(UNPINNED / "k8s"), *options])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["command"] == "pins"
    assert report["counts"] == {"kubernetes-image": 4, "unreadable": 1}
    assert [f["line"] for f in report["findings"]] == [15, 19, 45, 11, 11]


def test_sarif_to_an_output_file(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "pins.sarif"
    result = cli.invoke(app, ["pins", str(UNPINNED), "--format", "sarif", "--output", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 56


def test_malformed_yaml_is_a_finding_not_a_crash(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "deploy.yaml").write_text("kind: Pod\nspec: [\n")
    result = cli.invoke(app, ["pins", str(tmp_path)])
    assert result.exit_code == 1
    assert "deploy.yaml:3: unreadable: invalid YAML:" in result.stderr
    assert "Traceback" not in result.output


def test_missing_path_exits_2_with_one_line(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["pins", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {tmp_path / 'missing'}: no such file or directory"


def test_unreadable_file_exits_2_naming_it(cli: CliRunner) -> None:
    result = cli.invoke(app, ["pins", "/proc/self/mem"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: /proc/self/mem: cannot read:")


def test_unwritable_output_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "no-such-dir" / "r.json"
    result = cli.invoke(app, ["pins", str(PINNED), "--json", "--output", str(out)])
    assert result.exit_code == 2
    assert "cannot write the report" in result.stderr


def test_bad_format_is_usage_error(cli: CliRunner) -> None:
    result = cli.invoke(app, ["pins", str(PINNED), "--format", "xml"])
    assert result.exit_code == 2


def test_empty_directory_is_clean(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(app, ["pins", str(tmp_path)])
    assert result.exit_code == 0
    assert "every input is pinned (0 file(s) scanned)" in result.stderr


def test_text_report_to_an_output_file(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "pins.txt"
    result = cli.invoke(app, ["pins", str(UNPINNED / "Dockerfile"), "--output", str(out)])
    assert result.exit_code == 1
    assert result.stdout == ""
    text = out.read_text()
    assert text.startswith("Dockerfile:5: dockerfile-from: ${PYTHON} (= python:3.12-slim)\n")
    assert text.rstrip("\n") in result.stderr  # the same report people saw
