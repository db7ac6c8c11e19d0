"""The ``formulation`` of a rebuild, added to the document and validated."""

from __future__ import annotations

import json

import pytest

from tests.sbom.conftest import LOCKS, check_golden
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom import (
    PinnedInput,
    RebuildRecipe,
    SpecVersion,
    build_sbom,
    validate_sbom,
    with_formulation,
)
from verifier.sbom.sources.uv_lock import UvLockSource

RECIPE = RebuildRecipe(
    name="repro.toml",
    digest=Digest.of_bytes(b"recipe"),
    inputs=(
        PinnedInput("source", "https://example.org/demo-1.2.0.tar.gz", Digest.of_bytes(b"src")),
        PinnedInput("uv.lock", "file:uv.lock", Digest.of_bytes(b"lock")),
    ),
    command=("python", "-m", "build", "--wheel", "--outdir", "dist dir"),
    environment=(("SOURCE_DATE_EPOCH", "1700000000"), ("LC_ALL", "C.UTF-8")),
)


@pytest.mark.parametrize("version", list(SpecVersion))
def test_formulation_validates_and_is_golden(version: SpecVersion) -> None:
    data = build_sbom([UvLockSource(LOCKS / "uv.lock")], formulation=RECIPE, spec_version=version)
    assert validate_sbom(data) == []
    doc = json.loads(data)
    formula = doc["formulation"][0]
    workflow = formula["workflows"][0]
    assert workflow["taskTypes"] == ["build"]
    assert workflow["steps"][0]["commands"][0]["executed"] == (
        "python -m build --wheel --outdir 'dist dir'"
    )
    refs = [c["bom-ref"] for c in formula["components"]]
    assert refs[0] == f"formulation:recipe:{RECIPE.digest}"
    assert {"resource": {"ref": "formulation:input:source"}} in workflow["inputs"]
    if version is SpecVersion.V1_6:
        check_golden("uv-lock-formulation.cdx.json", data.decode())


def test_formulation_changes_the_serial() -> None:
    source = UvLockSource(LOCKS / "uv.lock")
    plain = json.loads(build_sbom([source]))["serialNumber"]
    formulated = json.loads(build_sbom([source], formulation=RECIPE))["serialNumber"]
    assert plain != formulated


def test_recipe_values_validate_on_construction() -> None:
    with pytest.raises(InputError, match="empty build command"):
        RebuildRecipe("r", Digest.of_bytes(b"r"), (), ())
    with pytest.raises(InputError, match="names an input twice"):
        pinned = PinnedInput("a", "file:a", Digest.of_bytes(b"a"))
        RebuildRecipe("r", Digest.of_bytes(b"r"), (pinned, pinned), ("make",))
    with pytest.raises(InputError, match="must be sha256"):
        PinnedInput("a", "file:a", Digest.parse("sha512:" + "0" * 128))


def test_with_formulation_adds_to_an_existing_sbom() -> None:
    plain = build_sbom([UvLockSource(LOCKS / "uv.lock")])
    added = with_formulation(plain, RECIPE)
    assert added == build_sbom([UvLockSource(LOCKS / "uv.lock")], formulation=RECIPE)
    assert with_formulation(added, RECIPE) == added  # replaced, not appended
    with pytest.raises(InputError, match=r"x\.json: not valid JSON"):
        with_formulation(b"{", RECIPE, where="x.json")
