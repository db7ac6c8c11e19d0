"""`verifier infer-recipe`: the recipe on stdout, notes on stderr, one-line errors."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from typer.testing import CliRunner

from tests.compare.conftest import ZipMember, make_zip
from tests.conftest import FIXTURES
from verifier.cli import app

PYPI = FIXTURES / "pypi"


def test_recipe_is_valid_toml(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "infer-recipe",
            str(PYPI / "wheel" / "attrs-23.2.0-py3-none-any.whl"),
            str(PYPI / "sdist" / "attrs-23.2.0.tar.gz"),
            "--sdist-ref",
            "https://files.example/attrs-23.2.0.tar.gz",
        ],
    )
    assert result.exit_code == 0, result.stderr
    recipe = tomllib.loads(result.stdout)
    assert recipe["build"]["source_date_epoch"] == 1704003602
    assert recipe["build"]["env"] == {"SOURCE_DATE_EPOCH": "1704003602", "TZ": "UTC"}
    assert recipe["toolchain"]["requirements"][0] == "hatchling==1.21.0"
    assert recipe["input"][0]["url"] == "https://files.example/attrs-23.2.0.tar.gz"
    assert recipe["input"][0]["sha256"] == (
        "935dc3b529c262f6cf76e50877d35a4bd3c1de194fd41f47a2b7ae8f19971f30"
    )
    assert "built by hatchling 1.21.0" in result.stderr


def test_json_facts(cli: CliRunner) -> None:
    result = cli.invoke(
        app,
        [
            "infer-recipe",
            str(PYPI / "wheel" / "six-1.16.0-py2.py3-none-any.whl"),
            str(PYPI / "sdist" / "six-1.16.0.tar.gz"),
            "--json",
        ],
    )
    assert result.exit_code == 0
    facts = json.loads(result.stdout)
    assert facts["umask"] == "002" and facts["stabilizers"] == ["zip-modified-time"]
    assert len(facts["wall_clock_members"]) == 5


def test_not_a_wheel_exits_two(cli: CliRunner, tmp_path: Path) -> None:
    fake = make_zip(tmp_path / "x-1.0-py3-none-any.whl", [ZipMember("x.py", b"")])
    result = cli.invoke(app, ["infer-recipe", str(fake), str(PYPI / "sdist" / "six-1.16.0.tar.gz")])
    assert result.exit_code == 2
    assert "not a wheel" in " ".join(result.stderr.split())
    missing = cli.invoke(app, ["infer-recipe", str(tmp_path / "nope.whl"), str(fake)])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_sdist_of_another_release_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    # The wheel of attrs with the sdist of idna used to give an "attrs" recipe that builds
    # idna, exit 0. Normalized names and versions must agree.
    wheel = str(PYPI / "wheel" / "attrs-23.2.0-py3-none-any.whl")
    result = cli.invoke(app, ["infer-recipe", wheel, str(PYPI / "sdist" / "idna-3.7.tar.gz")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"error: {PYPI / 'sdist' / 'idna-3.7.tar.gz'}: not the sdist of "
        "attrs-23.2.0-py3-none-any.whl (attrs 23.2.0): idna 3.7"
    )
