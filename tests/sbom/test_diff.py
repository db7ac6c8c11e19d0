"""``sbom diff``: added, removed and changed components in text, JSON and Markdown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sbom.conftest import LOCKS, check_golden
from verifier.errors import InputError
from verifier.sbom import build_sbom
from verifier.sbom.diff import diff_sboms
from verifier.sbom.diff_render import DiffFormat
from verifier.sbom.sources.uv_lock import UvLockSource

NEW_URLLIB3 = "a" * 64


def _pair(tmp_path: Path) -> tuple[bytes, bytes]:
    old = build_sbom([UvLockSource(LOCKS / "uv.lock")])
    text = (LOCKS / "uv.lock").read_text()
    text = text.replace(
        'name = "urllib3"\nversion = "2.2.2"', 'name = "urllib3"\nversion = "2.2.3"'
    )
    # idna: same version, a different wheel hash (a rebuilt artifact under the same version)
    text = text.replace(
        "82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0", NEW_URLLIB3
    )
    text = text.replace('    { name = "iniconfig" },\n', '    { name = "pluggy" },\n')
    text = text.replace(
        'name = "iniconfig"\nversion = "2.0.0"', 'name = "pluggy"\nversion = "1.5.0"'
    )
    changed = tmp_path / "uv.lock"
    changed.write_text(text)
    return old, build_sbom([UvLockSource(changed)])


def test_diff_finds_each_kind_of_change(tmp_path: Path) -> None:
    old, new = _pair(tmp_path)
    result = diff_sboms(old, new, old_name="old.cdx.json", new_name="new.cdx.json")
    assert [i.name for i in result.added] == ["pluggy"]
    assert [i.name for i in result.removed] == ["iniconfig"]
    changes = {c.new.name: c.fields for c in result.changed}
    assert changes == {"idna": ("hashes",), "urllib3": ("version",)}
    assert result.unchanged == 2
    assert not result.identical
    assert diff_sboms(old, old, old_name="a", new_name="b").identical


@pytest.mark.parametrize("fmt", list(DiffFormat))
def test_diff_golden_reports(tmp_path: Path, fmt: DiffFormat) -> None:
    old, new = _pair(tmp_path)
    result = diff_sboms(old, new, old_name="old.cdx.json", new_name="new.cdx.json")
    suffix = {"text": "txt", "json": "json", "markdown": "md"}[fmt.value]
    check_golden(f"diff.{suffix}", fmt.render(result))


def test_nested_components_and_multiple_versions() -> None:
    def doc(components: list[dict]) -> bytes:
        return json.dumps(
            {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": components}
        ).encode()

    old = doc(
        [
            {"type": "library", "name": "ms", "version": "1.0.0", "purl": "pkg:npm/ms@1.0.0"},
            {
                "type": "library",
                "name": "ms",
                "version": "2.1.2",
                "purl": "pkg:npm/ms@2.1.2",
                "components": [{"type": "file", "name": "inner", "bom-ref": "file:inner"}],
            },
        ]
    )
    new = doc(
        [
            {"type": "library", "name": "ms", "version": "2.1.3", "purl": "pkg:npm/ms@2.1.3"},
            {"type": "library", "name": "ms", "version": "1.0.0", "purl": "pkg:npm/ms@1.0.0"},
        ]
    )
    result = diff_sboms(old, new, old_name="a", new_name="b")
    assert [(c.old.version, c.new.version) for c in result.changed] == [("2.1.2", "2.1.3")]
    assert [i.name for i in result.removed] == ["inner"]
    assert result.unchanged == 1


def test_diff_refuses_non_cyclonedx() -> None:
    with pytest.raises(InputError, match=r"b\.json: not a CycloneDX"):
        diff_sboms(b'{"bomFormat":"CycloneDX"}', b"[]", old_name="a.json", new_name="b.json")


@pytest.mark.parametrize("components", ['"abc"', "[5, null]", '[{"name": "a", "components": 7}]'])
def test_components_that_are_not_an_array_of_objects(components: str) -> None:
    # A string used to be walked as nothing and numbers skipped: a diff of garbage, exit 0.
    bad = f'{{"bomFormat": "CycloneDX", "components": {components}}}'.encode()
    good = build_sbom([UvLockSource(LOCKS / "uv.lock")])
    with pytest.raises(InputError, match=r"^bad\.json: components must be an array of objects$"):
        diff_sboms(bad, good, old_name="bad.json", new_name="uv.json")
