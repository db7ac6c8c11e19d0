"""Schema validation: JSON paths in issues, duplicates found, the 10,000-component scale."""

from __future__ import annotations

import json
import sys

import pytest

from tests.sbom.conftest import LOCKS
from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom import SpecVersion, build_from_inventory, build_sbom, validate_sbom
from verifier.sbom.model import ComponentKind, Inventory, License, Package, Subject
from verifier.sbom.names import pypi_purl
from verifier.sbom.sources.uv_lock import UvLockSource


def _doc() -> dict:
    return json.loads(build_sbom([UvLockSource(LOCKS / "uv.lock")]))


def test_valid_document_has_no_issues() -> None:
    assert validate_sbom(json.dumps(_doc()).encode()) == []


def test_issues_name_json_paths() -> None:
    doc = _doc()
    doc["components"][2]["type"] = "nonsense"
    doc["components"][0]["hashes"][0]["content"] = "xyz"
    doc["metadata"]["unexpected"] = True
    issues = validate_sbom(json.dumps(doc).encode())
    paths = {i.path for i in issues}
    assert "$.components[2].type" in paths
    assert "$.components[0].hashes[0].content" in paths
    assert "$.metadata" in paths
    assert any("'nonsense' is not one of" in i.message for i in issues)


def test_failed_alternatives_point_at_the_deepest_failure() -> None:
    doc = _doc()
    doc["components"][1]["licenses"] = [{"license": {"id": "Not-An-Id"}}]
    issues = validate_sbom(json.dumps(doc).encode())
    assert [i.path for i in issues] == ["$.components[1].licenses[0].license.id"]
    assert issues[0].message.startswith("'Not-An-Id' is not one of ['0BSD'")


def test_duplicate_components_are_found_by_the_linear_unique_items() -> None:
    doc = _doc()
    doc["components"].append(doc["components"][0])
    issues = validate_sbom(json.dumps(doc).encode())
    assert [i.path for i in issues] == ["$.components"]
    assert "repeats an earlier item" in issues[0].message


def test_bad_iri_is_refused() -> None:
    doc = _doc()
    doc["components"][0]["externalReferences"] = [{"type": "website", "url": "http://a b/<x>"}]
    issues = validate_sbom(json.dumps(doc).encode())
    assert [i.path for i in issues] == ["$.components[0].externalReferences[0].url"]


def test_spec_version_from_document_and_forced() -> None:
    doc = _doc()
    doc["specVersion"] = "1.5"
    doc["$schema"] = SpecVersion.V1_5.schema_url
    assert validate_sbom(json.dumps(doc).encode()) == []
    doc["specVersion"] = "1.2"
    with pytest.raises(InputError, match=r"specVersion '1\.2' is not one we validate"):
        validate_sbom(json.dumps(doc).encode(), where="x.json")


def test_not_json_or_not_cyclonedx() -> None:
    with pytest.raises(InputError, match=r"x\.json: not valid JSON"):
        validate_sbom(b"{", where="x.json")
    with pytest.raises(InputError, match="not a CycloneDX JSON document"):
        validate_sbom(b'{"spdxVersion": "SPDX-2.3"}', where="x.json")


def synthetic_inventory(count: int) -> Inventory:
    """``count`` components in a chain, each with purl, sha256, license and supplier."""
    packages = []
    for i in range(count):
        name, version, next_version = f"pkg{i}", f"1.0.{i}", f"1.0.{i + 1}"
        packages.append(
            Package(
                name=name,
                version=version,
                purl=pypi_purl(name, version),
                hashes=(Digest.of_bytes(name.encode()),),
                licenses=(License("id", "MIT"),),
                supplier="Example",
                depends_on=(pypi_purl(f"pkg{i + 1}", next_version),),
            )
        )
    data = b"synthetic"
    subject = Subject(
        "synthetic",
        None,
        ComponentKind.FILE,
        (Digest.of_bytes(data), Digest.of_bytes(data, Algorithm.SHA512)),
    )
    return Inventory(subject, tuple(packages))


@pytest.mark.slow
def test_ten_thousand_components_generate_and_validate() -> None:
    data = build_from_inventory(synthetic_inventory(10_000))  # validates inside
    doc = json.loads(data)
    assert len(doc["components"]) == 10_000
    assert len(doc["dependencies"]) == 10_001
    doc["components"][9_999] = doc["components"][17]
    doc["components"][5_000]["licenses"] = [{"license": {"id": "Not-An-SPDX-Id"}}]
    issues = validate_sbom(json.dumps(doc).encode())
    paths = [i.path for i in issues]
    assert "$.components" in paths  # the duplicate
    assert "$.components[5000].licenses[0].license.id" in paths


@pytest.mark.parametrize("version", list(SpecVersion))
def test_stock_library_validator_agrees_on_our_output(version: SpecVersion) -> None:
    """Our linear validator must not be more lenient than cyclonedx-python-lib's own."""
    from cyclonedx.validation.json import JsonStrictValidator

    data = build_sbom([UvLockSource(LOCKS / "uv.lock")], spec_version=version)
    stock = JsonStrictValidator(version.library_version)
    assert stock.validate_str(data.decode()) is None
    doc = json.loads(data)
    doc["components"][0]["hashes"][0]["alg"] = "MD4"
    bad = json.dumps(doc)
    assert stock.validate_str(bad) is not None
    assert validate_sbom(bad.encode()) != []


def test_inline_refs_replaces_local_and_external_refs() -> None:
    from verifier.sbom.schema_refs import inline_refs

    other = {"definitions": {"leaf": {"type": "string"}}}
    main = {
        "definitions": {
            "node": {"type": "object", "properties": {"child": {"$ref": "#/definitions/node"}}},
            "alias": {"$ref": "other.json#/definitions/leaf"},
        },
        "properties": {"a": {"$ref": "#/definitions/alias"}, "n": {"$ref": "#/definitions/node"}},
    }
    inline_refs({"main.json": main, "other.json": other})
    assert main["properties"]["a"] is other["definitions"]["leaf"]  # chains followed
    node = main["definitions"]["node"]
    assert main["properties"]["n"] is node
    assert node["properties"]["child"] is node  # recursion becomes a cycle
    with pytest.raises(ValueError, match="names no known schema"):
        inline_refs({"x.json": {"properties": {"a": {"$ref": "missing.json"}}}})


def _nested(depth: int) -> bytes:
    component: dict[str, object] = {"type": "library", "name": "leaf"}
    for level in range(depth):
        component = {"type": "library", "name": f"n{level}", "components": [component]}
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1}
    return json.dumps({**doc, "components": [component]}).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"]" * 100_000, r"x\.json: not valid JSON: nested too deeply$"),
        (b'{"version": ' + b"9" * 5000 + b"}", r"x\.json: not valid JSON: an integer of more"),
        (_nested(300), r"x\.json: nested too deeply to validate$"),
    ],
)
def test_hostile_json_is_bad_input_not_an_internal_error(data: bytes, message: str) -> None:
    # RecursionError and ValueError from json and jsonschema used to end as exit 3. The CLI
    # runs with Python's default recursion limit; other tests' libraries may have raised it.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        with pytest.raises(InputError, match=message):
            validate_sbom(data, where="x.json")
    finally:
        sys.setrecursionlimit(limit)
