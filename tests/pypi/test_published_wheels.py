"""What the four published PyPI releases in fixtures/pypi tell about their builds.

The rebuilds themselves (sandboxed, offline, REPRODUCED x3 and EQUIVALENT x1) are in
test_rebuild_pypi.py, through `verifier rebuild pypi:NAME==VERSION`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from verifier.pypi import infer_recipe

PYPI = FIXTURES / "pypi"
RELEASES = {
    "attrs": ("attrs-23.2.0.tar.gz", "attrs-23.2.0-py3-none-any.whl", "hatchling"),
    "idna": ("idna-3.7.tar.gz", "idna-3.7-py3-none-any.whl", "flit"),
    "packaging": ("packaging-24.1.tar.gz", "packaging-24.1-py3-none-any.whl", "flit"),
    "six": ("six-1.16.0.tar.gz", "six-1.16.0-py2.py3-none-any.whl", "setuptools"),
}


def release(name: str) -> tuple[Path, Path]:
    sdist, wheel, _ = RELEASES[name]
    return PYPI / "sdist" / sdist, PYPI / "wheel" / wheel


@pytest.mark.parametrize(
    "name,generator,sde,tz,umask,requirements",
    [
        ("attrs", "hatchling 1.21.0", 1704003602, "UTC", 0o022, "hatchling==1.21.0"),
        ("idna", "flit 3.9.0", None, "America/Los_Angeles", 0o022, "flit_core==3.9.0"),
        ("packaging", "flit 3.9.0", None, "Europe/London", 0o022, "flit_core==3.9.0"),
        ("six", "bdist_wheel (0.36.2)", None, "UTC", 0o002, "wheel==0.36.2"),
    ],
)
def test_inferred_recipe(
    name: str, generator: str, sde: int | None, tz: str, umask: int, requirements: str
) -> None:
    sdist, wheel = release(name)
    recipe = infer_recipe(wheel, sdist)
    assert (recipe.generator, recipe.source_date_epoch, recipe.tz, recipe.umask) == (
        generator,
        sde,
        tz,
        umask,
    )
    assert recipe.requirements[0] == requirements
    expected_wall_clock = 5 if name == "six" else 0
    assert len(recipe.wall_clock_members) == expected_wall_clock
    assert recipe.stabilizers == (("zip-modified-time",) if name == "six" else ())


def test_recipe_toml_names_the_pins() -> None:
    sdist, wheel = release("idna")
    text = infer_recipe(wheel, sdist).to_toml("https://example.invalid/idna-3.7.tar.gz", "ab" * 32)
    assert 'url = "https://example.invalid/idna-3.7.tar.gz"' in text
    assert 'env = { TZ = "America/Los_Angeles" }' in text and '"flit_core==3.9.0"' in text
    assert "source_date_epoch" not in text.split("# no SOURCE_DATE_EPOCH")[0].split("[build]")[1]
