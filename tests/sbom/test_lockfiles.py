"""Lock-file sources: components, hashes, graphs, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sbom.conftest import LOCKS
from verifier.errors import InputError
from verifier.sbom import build_sbom
from verifier.sbom.sources.npm_lock import NpmLockSource
from verifier.sbom.sources.poetry_lock import PoetryLockSource
from verifier.sbom.sources.pylock import PylockSource
from verifier.sbom.sources.requirements import RequirementsSource
from verifier.sbom.sources.uv_lock import UvLockSource


def _graph(doc: dict) -> dict[str, list[str]]:
    return {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}


def test_uv_lock_components_hashes_and_graph() -> None:
    doc = json.loads(build_sbom([UvLockSource(LOCKS / "uv.lock")]))
    subject = doc["metadata"]["component"]
    assert (subject["name"], subject["version"]) == ("demo-app", "1.2.0")
    refs = sorted(c["bom-ref"] for c in doc["components"])
    assert refs == [
        "pkg:pypi/idna@3.7",
        "pkg:pypi/iniconfig@2.0.0",
        "pkg:pypi/pytest@8.3.2",
        "pkg:pypi/requests@2.32.3",
        "pkg:pypi/urllib3@2.2.2",
    ]
    assert all(c["hashes"] for c in doc["components"])
    requests = next(c for c in doc["components"] if c["name"] == "requests")
    assert len(requests["hashes"]) == 2  # sdist and wheel
    graph = _graph(doc)
    assert graph[subject["bom-ref"]] == ["pkg:pypi/pytest@8.3.2", "pkg:pypi/requests@2.32.3"]
    assert graph["pkg:pypi/requests@2.32.3"] == ["pkg:pypi/idna@3.7", "pkg:pypi/urllib3@2.2.2"]


def test_poetry_lock_normalizes_names_and_links_dependencies() -> None:
    inventory = PoetryLockSource(LOCKS / "poetry.lock").inventory()
    by_name = {p.name: p for p in inventory.packages}
    assert set(by_name) == {"certifi", "charset-normalizer", "requests"}
    assert by_name["charset-normalizer"].purl == "pkg:pypi/charset-normalizer@3.3.2"
    assert by_name["requests"].depends_on == (
        "pkg:pypi/certifi@2024.7.4",
        "pkg:pypi/charset-normalizer@3.3.2",
    )
    assert len(by_name["certifi"].hashes) == 2


def test_pylock_hashes_and_dependencies() -> None:
    inventory = PylockSource(LOCKS / "pylock.toml").inventory()
    six = next(p for p in inventory.packages if p.name == "six")
    assert {d.hex[:8] for d in six.hashes} == {"1e61c374", "8abb2f1d"}
    assert six.depends_on == ("pkg:pypi/attrs@23.2.0",)


def test_requirements_with_hashes_continuations_and_markers() -> None:
    inventory = RequirementsSource(LOCKS / "requirements.txt").inventory()
    by_name = {p.name: p for p in inventory.packages}
    assert set(by_name) == {"idna", "six", "importlib-metadata"}
    assert by_name["six"].purl == "pkg:pypi/six@1.16.0"  # "Six" normalized
    assert len(by_name["six"].hashes) == 2
    assert ("verifier:marker", 'python_version < "3.8"') in by_name["importlib-metadata"].properties
    assert inventory.findings == ()


def test_requirements_unpinned_and_unhashed_are_findings(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("requests>=2\nidna==3.7\n-r other.txt\n")
    (tmp_path / "other.txt").write_text("idna==3.7\n")
    inventory = RequirementsSource(req).inventory()
    text = "\n".join(inventory.findings)
    assert "requests is not pinned" in text
    assert "idna==3.7 has no --hash" in text
    assert "listed more than once" in text


def test_requirements_paths_and_urls_are_findings_not_errors(tmp_path: Path) -> None:
    """Lines pip installs from a path or URL (as real requirements files have them)."""
    req = tmp_path / "requirements.txt"
    lines = [
        "./local/pkg",
        "../sibling",
        "/abs/dist/thing-1.0-py3-none-any.whl",
        "vendor/pkg-1.0.tar.gz",
        "https://example.org/pkg-1.0.tar.gz#sha256=00",
        "git+https://example.org/repo.git@v1#egg=repo",
        "idna==3.7 --hash=sha256:" + "0" * 64,
    ]
    req.write_text("\n".join(lines) + "\n")
    inventory = RequirementsSource(req).inventory()
    assert [p.name for p in inventory.packages] == ["idna"]
    located = [f for f in inventory.findings if "is a path or URL" in f]
    assert [f.split(":")[1] for f in located] == ["1", "2", "3", "4", "5", "6"]
    assert all(f.startswith(str(req)) for f in located)


def test_npm_lock_scoped_nested_dev_and_linked() -> None:
    doc = json.loads(build_sbom([NpmLockSource(LOCKS / "package-lock.json")]))
    refs = sorted(c["bom-ref"] for c in doc["components"])
    assert refs == [
        "pkg:npm/%40scope/util@1.0.2",
        "pkg:npm/debug@4.3.5",
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/local-lib@0.0.1",
        "pkg:npm/ms@1.0.0",
        "pkg:npm/ms@2.1.2",
    ]
    graph = _graph(doc)
    # the nested copy of ms wins for @scope/util; debug resolves the top-level one
    assert graph["pkg:npm/%40scope/util@1.0.2"] == ["pkg:npm/ms@1.0.0"]
    assert graph["pkg:npm/debug@4.3.5"] == ["pkg:npm/ms@2.1.2"]
    assert "pkg:npm/local-lib@0.0.1" in graph[doc["metadata"]["component"]["bom-ref"]]
    left_pad = next(c for c in doc["components"] if c["name"] == "left-pad")
    assert [h["alg"] for h in left_pad["hashes"]] == ["SHA-512"]  # sha1 dropped
    assert left_pad["licenses"] == [{"license": {"id": "WTFPL"}}]


@pytest.mark.parametrize(
    ("name", "source", "content", "message"),
    [
        ("uv.lock", UvLockSource, "version = 1\n[[package]\nname='x'\n", "TOML syntax error"),
        ("poetry.lock", PoetryLockSource, "[[package]]\nname = 'x'\n", "version"),
        ("pylock.toml", PylockSource, 'lock-version = "2.0"\n', "unsupported pylock"),
        (
            "package-lock.json",
            NpmLockSource,
            '{"lockfileVersion": 3, "packages": {',
            "not valid JSON",
        ),
        ("package-lock.json", NpmLockSource, '{"lockfileVersion": 1}', "lockfileVersion 1"),
        ("requirements.txt", RequirementsSource, "foo ==== 1\n", "invalid requirement"),
        ("uv.lock", UvLockSource, "version = 1\n[[package]]\nname = 'a b'\n", "invalid Python"),
    ],
)
def test_lock_syntax_errors_name_the_file(
    tmp_path: Path, name: str, source: type, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message) as info:
        source(path).inventory()
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_duplicate_lock_entries_are_recorded_and_merged(tmp_path: Path) -> None:
    path = tmp_path / "poetry.lock"
    entry = (
        '[[package]]\nname = "{n}"\nversion = "1.0"\n'
        'files = [{{file = "a", hash = "sha256:{h}"}}]\n'
    )
    path.write_text(entry.format(n="Dup", h="a" * 64) + entry.format(n="dup", h="b" * 64))
    source = PoetryLockSource(path)
    assert any("more than once" in f for f in source.inventory().findings)
    doc = json.loads(build_sbom([source]))
    assert len(doc["components"]) == 1
    assert len(doc["components"][0]["hashes"]) == 2


def test_invalid_version_in_a_lock_is_a_finding_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "pylock.toml"
    path.write_text(
        'lock-version = "1.0"\n[[packages]]\nname = "odd"\nversion = "not.a-version!"\n'
    )
    inventory = PylockSource(path).inventory()
    assert inventory.packages[0].version == "not.a-version!"
    assert inventory.findings == (
        f"{path}: odd has a version that is not PEP 440: 'not.a-version!'",
    )
    assert json.loads(build_sbom([PylockSource(path)]))["components"][0]["version"] == (
        "not.a-version!"
    )


def test_npm_lock_fields_of_the_wrong_type(tmp_path: Path) -> None:
    # A number where a version string belongs used to end as an internal error (exit 3).
    path = tmp_path / "package-lock.json"
    path.write_text(
        json.dumps(
            {
                "lockfileVersion": 3,
                "name": 7,
                "packages": {
                    "": {"name": {"x": 1}, "version": 3},
                    "node_modules/a": {"version": 5},
                    "node_modules/b": {"version": "1.0.0"},
                },
            }
        )
    )
    inventory = NpmLockSource(path).inventory()
    assert [(p.name, p.version, p.purl) for p in inventory.packages] == [
        ("a", None, "pkg:npm/a"),
        ("b", "1.0.0", "pkg:npm/b@1.0.0"),
    ]
    assert f"{path}: packages['node_modules/a']: a has no version" in inventory.findings
    assert json.loads(build_sbom([NpmLockSource(path)]))["metadata"]["component"]["name"]


def test_npm_lock_entry_without_a_name_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text('{"lockfileVersion": 3, "packages": {"node_modules/": {"version": "1"}}}')
    with pytest.raises(InputError, match=r"packages\['node_modules/'\]: no package name"):
        NpmLockSource(path).inventory()
