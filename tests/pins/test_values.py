"""The value types: findings validate when built; image references parse as registries do."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import ImageRef, has_digest
from verifier.pins.scan import scan_path

HEX = "e" * 64


@pytest.mark.parametrize(("path", "line", "reference"), [("", 1, "x"), ("a", 0, "x"), ("a", 1, "")])
def test_finding_refuses_invalid_values(path: str, line: int, reference: str) -> None:
    with pytest.raises(InputError):
        Finding(path, line, FindingKind.DOCKERFILE_FROM, reference)


def test_finding_default_hint_is_the_kinds() -> None:
    finding = Finding("Dockerfile", 3, FindingKind.HELM_IMAGE, "x:1")
    assert finding.hint == FindingKind.HELM_IMAGE.hint
    assert Finding("a", 1, FindingKind.HELM_IMAGE, "x", "own").hint == "own"


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("python", "docker.io", "library/python", None, None),
        ("python:3.12-slim", "docker.io", "library/python", "3.12-slim", None),
        ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", None),
        ("docker.io/library/golang:1.22", "docker.io", "library/golang", "1.22", None),
        ("localhost/app", "localhost", "app", None, None),
        ("127.0.0.1:5000/a/b:t", "127.0.0.1:5000", "a/b", "t", None),
        (f"ghcr.io/o/app:1@sha256:{HEX}", "ghcr.io", "o/app", "1", f"sha256:{HEX}"),
        (f"ghcr.io/o/app@sha256:{HEX}", "ghcr.io", "o/app", None, f"sha256:{HEX}"),
    ],
)
def test_image_reference_parts(
    text: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    image = ImageRef.parse(text)
    assert image is not None
    assert (image.registry, image.repository, image.tag, image.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert str(image) == text
    assert image.pinned == (digest is not None)


@pytest.mark.parametrize("text", ["", "$IMAGE", "Upper/Case:1", "a:b:c", "x:" + "t" * 200])
def test_not_image_references(text: str) -> None:
    assert ImageRef.parse(text) is None


def test_digest_must_be_full() -> None:
    assert has_digest(f"a@sha256:{HEX}")
    assert not has_digest(f"a@sha256:{HEX[:-1]}")
    assert not has_digest(f"a@sha256:{HEX.upper()}")


def test_a_single_file_no_scanner_reads_is_input_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("FROM python\n")
    with pytest.raises(InputError, match="not a kind of file verifier pins reads"):
        scan_path(notes)
