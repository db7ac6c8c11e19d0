"""`verifier infer-recipe`: the recipe on stdout, notes on stderr, one-line errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest
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


def _release(
    tmp_path: Path, pyproject: str, extra: tuple[tuple[str, bytes], ...] = ()
) -> tuple[str, str]:
    """A hatchling-built wheel of s 1.0 and its sdist with this pyproject.toml."""
    wheel = make_zip(
        tmp_path / "s-1.0-py3-none-any.whl",
        [
            ZipMember(
                "s-1.0.dist-info/METADATA", b"Metadata-Version: 2.1\nName: s\nVersion: 1.0\n"
            ),
            ZipMember(
                "s-1.0.dist-info/WHEEL", b"Wheel-Version: 1.0\nGenerator: hatchling 1.25.0\n"
            ),
            ZipMember("s/__init__.py", b""),
        ],
    )
    sdist = tmp_path / "s-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        for name, data in (
            ("s-1.0/PKG-INFO", b"Metadata-Version: 2.1\nName: s\nVersion: 1.0\n"),
            ("s-1.0/pyproject.toml", pyproject.encode()),
            ("s-1.0/s/__init__.py", b""),
            *extra,
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return str(wheel), str(sdist)


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ("build-system = 3\n", "[build-system] is not a table"),
        ("[build-system]\nrequires = 5\n", "build-system.requires is not an array of strings"),
        ("[build-system]\nrequires = 'abc'\n", "build-system.requires is not an array of strings"),
        ("[build-system]\nrequires = ['a b c']\n", "build-system.requires 'a b c': Expected"),
        (
            '[build-system]\nrequires = []\nbuild-backend = "x\\"]\\nnetwork = true\\n#"\n',
            "build-system.build-backend 'x\"]\\nnetwork = true\\n#' is not a PEP 517 object",
        ),
        ("[build-system]\nrequires = []\nbuild-backend = 7\n", "build-backend 7 is not a PEP"),
        (
            "[build-system]\nrequires = []\nbuild-backend = 'b'\nbackend-path = ['../up']\n",
            "build-system.backend-path ['../up'] is not a list of directories inside",
        ),
    ],
)
def test_hostile_build_system_is_refused(
    cli: CliRunner, tmp_path: Path, pyproject: str, message: str
) -> None:
    # A number made an internal error (exit 3); a string became requirements a, b, c; a
    # backend with a quote and a line break wrote its own TOML (network = true) into the recipe.
    wheel, sdist = _release(tmp_path, pyproject)
    result = cli.invoke(app, ["infer-recipe", wheel, sdist])
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {sdist}: pyproject.toml")
    assert message in line


def test_requirements_with_double_quotes_give_valid_toml(cli: CliRunner, tmp_path: Path) -> None:
    # Each requirement used to be written between double quotes as it was: a marker such as
    # python_version >= "3.8" ended the string and the recipe was not TOML.
    requirement = 'hatch-vcs; python_version >= "3.8"'
    wheel, sdist = _release(
        tmp_path,
        f"[build-system]\nrequires = ['hatchling', '{requirement}']\n"
        "build-backend = 'hatchling.build'\n",
    )
    result = cli.invoke(app, ["infer-recipe", wheel, sdist])
    assert result.exit_code == 0, result.stderr
    recipe = tomllib.loads(result.stdout)
    assert recipe["toolchain"]["requirements"] == ["hatchling==1.25.0", requirement]
    assert "network" not in recipe["build"]


def test_in_tree_backend_is_imported_from_its_backend_path(cli: CliRunner, tmp_path: Path) -> None:
    # PyYAML 6.0.2 builds with backend-path = ["packaging"]: the command used to import the
    # backend without it, so the inferred recipe could not build (ModuleNotFoundError).
    backend = b"def build_wheel(directory):\n    open(directory + '/s.whl', 'w').close()\n"
    wheel, sdist = _release(
        tmp_path,
        "[build-system]\nrequires = []\nbuild-backend = 'intree'\nbackend-path = ['tools']\n",
        (("s-1.0/tools/intree.py", backend),),
    )
    result = cli.invoke(app, ["infer-recipe", wheel, sdist])
    assert result.exit_code == 0, result.stderr
    command = tomllib.loads(result.stdout)["build"]["command"]
    tree = tmp_path / "tree"
    with tarfile.open(sdist) as tf:
        tf.extractall(tree, filter="data")
    subprocess.run([sys.executable, *command[1:]], cwd=tree / "s-1.0", check=True)
    assert (tree / "s-1.0" / "dist" / "s.whl").is_file()
