"""`verifier sbom --image` on an image in the real Debian registry (copied in from a layout)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.sbom.test_oci_layout import _debian_image
from tests.store.conftest import Registry, registry  # noqa: F401 - the registry fixture
from verifier.cli import app
from verifier.digest import Digest
from verifier.store.copy import copy_artifact
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore


def _sbom(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["sbom", "generate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_image_in_a_registry_is_described_like_its_layout(
    tmp_path: Path,
    registry: Registry,  # noqa: F811
) -> None:
    layout, digest = _debian_image(tmp_path)
    target = registry.store("sbom/debian")
    copy_artifact(LayoutStore(layout, Deadline(30)), Digest.parse(digest), target, tag="1.0")
    reference = f"{registry.host}/sbom/debian:1.0"
    code, out, err = _sbom("--image", reference, *registry.cli_options())
    assert code == 0, err
    remote = json.loads(out)
    assert remote["metadata"]["component"]["name"] == f"{registry.host}/sbom/debian"
    purl = remote["metadata"]["component"]["purl"]
    assert purl.startswith("pkg:oci/debian@sha256")
    assert digest.split(":")[1] in purl
    assert "repository_url=" in purl
    code, out, err = _sbom(str(layout))
    local = json.loads(out)
    assert sorted(json.dumps(c, sort_keys=True) for c in remote["components"]) == sorted(
        json.dumps(c, sort_keys=True) for c in local["components"]
    )
    assert any(c["name"] == "express" for c in remote["components"])


def test_missing_image_is_an_error_naming_it(
    registry: Registry,  # noqa: F811
) -> None:
    code, _, err = _sbom("--image", f"{registry.host}/sbom/none:9", *registry.cli_options())
    assert code == 3, err
    assert "manifest 9: not found" in err


def test_image_and_path_together_are_refused(tmp_path: Path) -> None:
    code, _, err = _sbom(str(tmp_path), "--image", "registry.example/x:1")
    assert code == 2
    assert "give one of PATH, --python or --image" in err
