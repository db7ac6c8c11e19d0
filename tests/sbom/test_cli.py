"""``verifier sbom``: generate (the default), validate and diff, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.sbom.conftest import DISTS, LOCKS, check_golden
from verifier.cli import app


def test_generate_is_the_default_and_writes_output(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out.cdx.json"
    result = cli.invoke(app, ["sbom", str(LOCKS / "uv.lock"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_bytes())["metadata"]["component"]["name"] == "demo-app"
    explicit = cli.invoke(app, ["sbom", "generate", str(LOCKS / "uv.lock")])
    assert explicit.exit_code == 0
    assert explicit.stdout.encode() == out.read_bytes()


def test_generate_type_files_and_spec_version(cli: CliRunner, tmp_path: Path) -> None:
    wheel = DISTS / "six-1.16.0-py2.py3-none-any.whl"
    result = cli.invoke(
        app, ["sbom", "--type", "archive", "--files", "--spec-version", "1.5", str(wheel)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["specVersion"] == "1.5"
    assert doc["metadata"]["component"]["purl"].startswith("pkg:generic/six-1.16.0")
    assert "file:six.py" in {c["bom-ref"] for c in doc["components"]}


def test_failure_leaves_no_output_and_exits_2(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "poetry.lock"
    bad.write_text("[[package]\n")
    out = tmp_path / "out.cdx.json"
    result = cli.invoke(app, ["sbom", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert not out.exists()
    # rich wraps long lines on a narrow terminal: compare without whitespace
    assert f"{bad}:TOMLsyntaxerror" in "".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_unknown_input_asks_for_type(cli: CliRunner, tmp_path: Path) -> None:
    odd = tmp_path / "thing.bin"
    odd.write_bytes(b"\x00\x01")
    result = cli.invoke(app, ["sbom", str(odd)])
    assert result.exit_code == 2
    assert "--type" in result.stderr


def test_findings_are_printed(cli: CliRunner, tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests>=2\n")
    result = cli.invoke(app, ["sbom", str(req)])
    assert result.exit_code == 0
    assert "requests is not pinned" in result.stderr


def test_validate_exit_codes_and_json(cli: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_bytes(cli.invoke(app, ["sbom", str(LOCKS / "uv.lock")]).stdout.encode())
    assert cli.invoke(app, ["sbom", "validate", str(good)]).exit_code == 0
    doc = json.loads(good.read_text())
    doc["components"][1]["hashes"][0]["alg"] = "MD4"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    result = cli.invoke(app, ["sbom", "validate", "--json", str(bad)])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["issues"][0]["path"] == "$.components[1].hashes[0].alg"
    assert "$.components[1].hashes[0].alg" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert cli.invoke(app, ["sbom", "validate", str(broken)]).exit_code == 2
    assert cli.invoke(app, ["sbom", "validate", str(tmp_path / "missing.json")]).exit_code == 2


def test_diff_formats_and_exit_code(cli: CliRunner, tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(cli.invoke(app, ["sbom", str(LOCKS / "uv.lock")]).stdout)
    b.write_text(cli.invoke(app, ["sbom", str(LOCKS / "poetry.lock")]).stdout)
    same = cli.invoke(app, ["sbom", "diff", "--exit-code", str(a), str(a)])
    assert same.exit_code == 0
    assert "0 added, 0 removed, 0 changed" in same.stdout
    differ = cli.invoke(app, ["sbom", "diff", "--exit-code", "-f", "json", str(a), str(b)])
    assert differ.exit_code == 1
    assert json.loads(differ.stdout)["counts"]["changed"] == 1  # requests in both, new hash
    markdown = cli.invoke(app, ["sbom", "diff", "-f", "markdown", str(a), str(b)])
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("## SBOM changes")


def test_options_that_do_not_apply_are_refused(cli: CliRunner) -> None:
    result = cli.invoke(app, ["sbom", "--files", str(LOCKS / "uv.lock")])
    assert result.exit_code == 2
    assert "--files applies to" in result.stderr
    result = cli.invoke(app, ["sbom", "--ref", "v1", str(LOCKS / "uv.lock")])
    assert result.exit_code == 2
    both = cli.invoke(app, ["sbom", "--python", "python3", str(LOCKS / "uv.lock")])
    assert both.exit_code == 2
    assert "give one of PATH, --python or --image" in both.stderr


def test_validate_json_report_golden(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = json.loads(cli.invoke(app, ["sbom", str(LOCKS / "uv.lock")]).stdout)
    doc["components"][0]["type"] = "lib"
    doc["components"][1]["licenses"] = [{"license": {"id": "Not-An-Id"}}]
    doc["components"].append(doc["components"][2])
    Path("bad.json").write_text(json.dumps(doc))
    result = cli.invoke(app, ["sbom", "validate", "--json", "bad.json"])
    assert result.exit_code == 1
    check_golden("validate.json", result.stdout)


def test_target_option_names_the_subject(cli: CliRunner) -> None:
    wheel = DISTS / "six-1.16.0-py2.py3-none-any.whl"
    result = cli.invoke(app, ["sbom", str(LOCKS / "uv.lock"), "--target", str(wheel)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["metadata"]["component"]["purl"] == "pkg:pypi/six@1.16.0"
    assert len(doc["components"]) == 5
