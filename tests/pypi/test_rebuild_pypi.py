"""`verifier rebuild pypi:NAME==VERSION`, offline, in the real bwrap sandbox.

Done-when of issue 3: the four fixture releases, served by an index on 127.0.0.1 and rebuilt
with toolchains pinned from fixtures/pypi/backends, give REPRODUCED x3 and, for six 1.16.0
with --stabilize zip-modified-time, EQUIVALENT with exactly the wall-clock members listed.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.pypi.conftest import LocalIndex, serve_index
from tests.rebuild.conftest import Outcome, require_bwrap, run_cli
from verifier.pypi import infer_recipe
from verifier.recipe import InputKind, load_recipe

PYPI = FIXTURES / "pypi"
#: release -> (backend fixture directory, index sha256 of the wheel from SOURCE.md)
RELEASES = {
    "attrs==23.2.0": (
        "hatchling",
        "99b87a485a5820b23b879f04c2305b44b951b502fd64be915879d77a7e8fc6f1",
    ),
    "idna==3.7": ("flit", "82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0"),
    "packaging==24.1": ("flit", "5b8f2217dbdbd2f7f384c41c628544e6d52f2d0f53c6d0c3ea61aa5d1d7ff124"),
    "six==1.16.0": (
        "setuptools",
        "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254",
    ),
}


@pytest.fixture(scope="module")
def index() -> Any:
    with serve_index() as served:
        yield served


def _rebuild(index: LocalIndex, spec: str, out: Path, *extra: str) -> Outcome:
    backend, _ = RELEASES[spec]
    return run_cli(
        "rebuild",
        f"pypi:{spec}",
        "--index-url",
        index.url,
        "--find-links",
        str(PYPI / "backends" / backend),
        "--out",
        str(out),
        "--json",
        *extra,
    )


def _provenance(out: Path) -> dict[str, Any]:
    return json.loads((out / "build-1" / "provenance.json").read_text())["predicate"]  # type: ignore[no-any-return]


#: the done-when: REPRODUCED x3, EQUIVALENT x1 (six, opted into zip-modified-time)
EXPECTED = {
    "attrs==23.2.0": "REPRODUCED",
    "idna==3.7": "REPRODUCED",
    "packaging==24.1": "REPRODUCED",
    "six==1.16.0": "EQUIVALENT",
}


@pytest.mark.slow
@pytest.mark.parametrize("spec", sorted(EXPECTED))
def test_published_wheel_rebuilds_offline(
    spec: str, index: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_bwrap()
    monkeypatch.chdir(tmp_path)
    name = spec.split("==")[0]
    _, wheel_sha = RELEASES[spec]
    extra = ("--stabilize", "zip-modified-time") if name == "six" else ()
    emit = tmp_path / "recipe"
    outcome = _rebuild(index, spec, tmp_path / "out", "--emit-recipe", str(emit), *extra)
    assert outcome.exit_code == 0, outcome.stderr
    (output,) = outcome.report["outputs"]
    assert output["verdict"] == EXPECTED[spec], output
    assert output["reference"] == f"sha256:{wheel_sha}"
    assert outcome.report["sandbox"] == "bwrap"
    # The recipe is real: saved, loadable, the sdist a pinned url input, the toolchain
    # hash-pinned and taken from the fixture backends only.
    recipe = load_recipe(emit / "repro.toml")
    (sdist,) = recipe.inputs
    assert sdist.kind is InputKind.URL and sdist.unpack and sdist.strip == 1
    assert sdist.location.startswith(index.url.removesuffix("/simple"))
    filename = sdist.location.rsplit("/", 1)[1]
    assert sdist.sha256 is not None and sdist.sha256.hex == index.claimed[filename]
    assert recipe.toolchain is not None and recipe.toolchain.find_links
    assert all("--hash=sha256:" in r for r in recipe.toolchain.requirements)
    assert recipe.build.umask is not None
    # It was printed too (stdout holds the JSON report, so on stderr).
    assert 'name = "sdist"' in outcome.stderr
    # Provenance records the index and the digests it publishes.
    external = _provenance(tmp_path / "out")["buildDefinition"]["externalParameters"]
    published = external["published"]
    assert published["index"] == index.url
    digests = {f["filename"]: f["digest"]["sha256"] for f in published["files"]}
    assert len(digests) == 2 and digests == {n: index.claimed[n] for n in digests}
    if name == "six":
        members = infer_recipe(
            PYPI / "wheel" / "six-1.16.0-py2.py3-none-any.whl",
            PYPI / "sdist" / "six-1.16.0.tar.gz",
        ).wall_clock_members
        assert output["stabilizers"] == {"zip-modified-time@1": list(members)}
        assert "EQUIVALENT six (after stabilizers zip-modified-time@1)" in outcome.stderr
        assert recipe.toolchain.requirements[0].startswith("setuptools==56.0.0 ")
    else:
        assert output["stabilizers"] == {}


@pytest.mark.slow
def test_stabilizers_the_inference_wants_are_never_applied_silently(
    index: LocalIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_bwrap()
    monkeypatch.chdir(tmp_path)
    outcome = _rebuild(index, "six==1.16.0", tmp_path / "out")
    assert outcome.exit_code == 1
    (output,) = outcome.report["outputs"]
    assert output["verdict"] == "MISMATCH" and output["stabilizers"] == {}
    assert [c["cause"] for c in output["causes"]] == ["timestamps"]
    assert all("dist-info" in d for d in output["differences"])
    assert "pass --stabilize zip-modified-time to accept them" in " ".join(outcome.stderr.split())
    # Without --emit-recipe the recipe is kept beside the fetched files.
    text = (tmp_path / ".verifier" / "pypi" / "six-1.16.0" / "repro.toml").read_text()
    assert tomllib.loads(text)["build"]["source_date_epoch"] == "none"


@pytest.mark.slow
def test_without_find_links_the_toolchain_is_the_one_offered_when_the_wheel_was_uploaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """six's wheel names wheel 0.36.2 but not its setuptools: the index offers 56.0.0 and
    84.2.1; only 56.0.0 existed when the wheel was uploaded, and only it rebuilds six."""
    require_bwrap()
    monkeypatch.chdir(tmp_path)
    backends = PYPI / "backends"
    old = backends / "setuptools" / "setuptools-56.0.0-py3-none-any.whl"
    new = backends / "hatchling" / "setuptools-84.2.1-py3-none-any.whl"
    wheel = backends / "setuptools" / "wheel-0.36.2-py2.py3-none-any.whl"
    # Upload times as PyPI publishes them (PEP 700), the wheel's between the two setuptools.
    uploaded = {
        old.name: "2021-04-11T17:12:00.000000Z",
        wheel.name: "2020-12-13T12:40:05.000000Z",
        new.name: "2026-10-20T09:00:00.000000Z",
        "six-1.16.0-py2.py3-none-any.whl": "2021-05-05T15:35:00.000000Z",
    }
    with serve_index([old, new, wheel], uploaded) as served:
        outcome = run_cli(
            "rebuild",
            "pypi:six==1.16.0",
            "--index-url",
            served.url,
            "--out",
            str(tmp_path / "out"),
            "--emit-recipe",
            str(tmp_path / "recipe"),
            "--stabilize",
            "zip-modified-time",
            "--json",
        )
    assert outcome.exit_code == 0, outcome.stderr
    (output,) = outcome.report["outputs"]
    assert output["verdict"] == "EQUIVALENT", output
    assert "toolchain as of the wheel's upload, 2021-05-05 15:35Z" in outcome.stderr
    recipe = load_recipe(tmp_path / "recipe" / "repro.toml")
    assert recipe.toolchain is not None and not recipe.toolchain.find_links
    pins = sorted(r.split(" --hash")[0] for r in recipe.toolchain.requirements)
    assert pins == ["setuptools==56.0.0", "wheel==0.36.2"]
    text = (tmp_path / "recipe" / "repro.toml").read_text()
    assert "the newest release uploaded by 2021-05-05T15:35:00Z" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pypi:six>=1"], "expected pypi:NAME==VERSION"),
        (["pypi:six==1.16.0", "--against", "x.whl"], "drop --against"),
        # checked before anything is fetched (no index is reachable at this address)
        (
            ["pypi:six==1.16.0", "-s", "nope", "--index-url", "http://127.0.0.1:9/simple"],
            "unknown stabilizer 'nope'",
        ),
        (["repro.toml", "--index-url", "https://example.invalid/simple"], "--index-url only"),
        (["repro.toml", "--emit-recipe", "d"], "--emit-recipe only"),
    ],
)
def test_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    outcome = run_cli("rebuild", *args, "--out", str(tmp_path / "out"))
    assert outcome.exit_code == 2, outcome.stderr
    assert message in outcome.stderr
