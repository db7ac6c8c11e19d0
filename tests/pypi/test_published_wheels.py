"""The four published PyPI releases in fixtures/pypi, inferred and rebuilt offline.

Done-when of issue 3: attrs 23.2.0, idna 3.7 and packaging 24.1 rebuild bit for bit once the
backend, SOURCE_DATE_EPOCH and time zone inferred from their wheels are used; six 1.16.0 is
EQUIVALENT, with zip-modified-time erasing exactly the members stamped by the original
build's clock. The backends come from fixtures/pypi/backends (pip --no-index): no network.

The builds run the PEP 517 hook directly in a venv, not in the sandbox: this exercises the
inference and the comparison; sandboxed rebuilds are the rebuild engine's business.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from verifier.compare import compare_paths, resolve
from verifier.pypi import infer_recipe
from verifier.pypi.pep517_build import backend_venv, build_wheel

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


@pytest.fixture(scope="session")
def backend_envs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One venv per backend set, installed offline from fixtures/pypi/backends."""
    envs: dict[str, Path] = {}
    for backend in ("flit", "hatchling", "setuptools"):
        wheels = sorted(str(p) for p in (PYPI / "backends" / backend).glob("*.whl"))
        venv = tmp_path_factory.mktemp(f"venv-{backend}") / "venv"
        envs[backend] = backend_venv(venv, wheels, find_links=PYPI / "backends" / backend)
    return envs


@pytest.mark.slow
def test_published_wheels_rebuild_offline(backend_envs: dict[str, Path], tmp_path: Path) -> None:
    verdicts = {}
    for name, (_, _, backend) in RELEASES.items():
        sdist, published = release(name)
        recipe = infer_recipe(published, sdist)
        built = build_wheel(recipe, sdist, backend_envs[backend], tmp_path / name)
        comparison = compare_paths(published, built, stabilizers=resolve(recipe.stabilizers))
        verdicts[name] = comparison.verdict
        if name == "six":
            assert dict(comparison.stabilizers_applied) == {
                "zip-modified-time@1": recipe.wall_clock_members
            }
    assert verdicts == {
        "attrs": "IDENTICAL",
        "idna": "IDENTICAL",
        "packaging": "IDENTICAL",
        "six": "EQUIVALENT",
    }
