"""Build requirements pinned as the index offered them when a wheel was uploaded."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import FIXTURES
from tests.pypi.conftest import serve_index
from verifier.errors import EnvironmentFailure, InputError
from verifier.pypi.history import IndexHistory, newest_as_of, pin_as_of, resolved_pairs

CUTOFF = datetime(2021, 5, 5, 15, 0, tzinfo=UTC)


def _wheel(name: str, version: str, uploaded: str, **extra: Any) -> dict[str, Any]:
    return {"filename": f"{name}-{version}-py3-none-any.whl", "upload-time": uploaded, **extra}


FILES = [
    _wheel("setuptools", "56.0.0", "2021-04-11T10:00:00.123456Z"),
    _wheel("setuptools", "56.1.0", "2021-05-05T15:00:00Z"),  # exactly at the cutoff: counts
    _wheel("setuptools", "56.2.0", "2021-05-10T08:00:00Z"),  # after
    _wheel("setuptools", "57.0.0b1", "2021-05-01T08:00:00Z"),  # a pre-release
    _wheel("setuptools", "56.1.1", "2021-05-04T08:00:00Z", yanked="broken"),
    {"filename": "setuptools-56.1.5.tar.gz", "upload-time": "2021-05-04T09:00:00Z"},  # no wheel
    _wheel("setuptools_scm", "6.0.1", "2021-04-01T08:00:00Z"),  # another project
    _wheel("setuptools", "40.0.0", "not a time"),
    _wheel("setuptools", "41.0.0", None),
]


def test_the_newest_wheel_uploaded_by_then_is_chosen() -> None:
    assert str(newest_as_of(FILES, CUTOFF, Requirement("setuptools"))) == "56.1.0"
    assert str(newest_as_of(FILES, CUTOFF, Requirement("setuptools<56.1"))) == "56.0.0"
    assert str(newest_as_of(FILES, CUTOFF, Requirement("setuptools>=57.0.0b1"))) == "57.0.0b1"
    assert newest_as_of(FILES, CUTOFF, Requirement("setuptools>=60")) is None
    assert newest_as_of(FILES, datetime(2020, 1, 1, tzinfo=UTC), Requirement("setuptools")) is None


class ListedHistory:
    """Release files per project, as an index would list them (the algorithm's input)."""

    def __init__(self, files: dict[str, list[dict[str, Any]]]) -> None:
        self.by_name = files

    def files(self, name: str) -> list[Any]:
        return list(self.by_name.get(name, []))


HISTORY = ListedHistory(
    {
        "setuptools": FILES,
        "setuptools-scm": [
            _wheel("setuptools_scm", "6.0.1", "2021-04-01T08:00:00Z"),
            _wheel("setuptools_scm", "10.3.4", "2026-10-01T08:00:00Z"),
        ],
        "packaging": [
            _wheel("packaging", "20.9", "2021-01-29T08:00:00Z"),
            _wheel("packaging", "26.4", "2026-09-01T08:00:00Z"),
        ],
    }
)


def _resolver(graph: dict[str, list[tuple[str, str]]], calls: list[list[str]]) -> Any:
    """What pip would install for some requirements: each pin's own dependencies."""

    def resolve(requirements: Sequence[str]) -> list[tuple[str, str]]:
        calls.append(list(requirements))
        out = []
        for req in map(Requirement, requirements):
            pins = [spec.version for spec in req.specifier if spec.operator == "=="]
            version = pins[0] if pins else "latest"
            out.append((req.name, version))
            out += graph.get(f"{canonicalize_name(req.name)}=={version}", [])
        return out

    return resolve


def test_unpinned_requirements_and_what_they_pull_in_are_pinned_as_of_then() -> None:
    graph = {
        # today's setuptools-scm pulls in a package that did not exist then, and packaging
        "setuptools-scm==6.0.1": [("packaging", "26.4"), ("vcs-versioning", "2.6.0")],
    }
    calls: list[list[str]] = []
    pinned = pin_as_of(
        ["wheel==0.36.2", "setuptools", "setuptools-scm[toml]>=6; python_version >= '3'"],
        CUTOFF,
        HISTORY,
        _resolver(graph, calls),
    )
    assert pinned.requirements == (
        "packaging==20.9",
        "setuptools==56.1.0",
        'setuptools-scm[toml]==6.0.1; python_version >= "3"',
        "wheel==0.36.2",
    )
    assert pinned.notes == ("vcs-versioning 2.6.0: no release by 2021-05-05; today's used",)
    assert len(calls) == 2  # the second round found nothing more to pin


def test_a_later_round_that_does_not_resolve_keeps_the_last_that_did() -> None:
    def resolve(requirements: Sequence[str]) -> list[tuple[str, str]]:
        if "packaging==20.9" in requirements:
            raise EnvironmentFailure("conflict")
        return [("setuptools", "56.1.0"), ("packaging", "26.4")]

    pinned = pin_as_of(["setuptools"], CUTOFF, HISTORY, resolve)
    assert pinned.requirements == ("setuptools==56.1.0",)
    assert "do not resolve together (conflict)" in pinned.notes[0]

    def never(requirements: Sequence[str]) -> list[tuple[str, str]]:
        raise EnvironmentFailure("index down")

    with pytest.raises(EnvironmentFailure, match="index down"):
        pin_as_of(["setuptools"], CUTOFF, HISTORY, never)
    with pytest.raises(InputError, match="build requirement"):
        pin_as_of(["not a requirement !!"], CUTOFF, HISTORY, never)


def test_resolved_pairs_reads_locked_lines() -> None:
    assert resolved_pairs(["wheel==0.36.2 --hash=sha256:aa", "six==1.16.0"]) == [
        ("wheel", "0.36.2"),
        ("six", "1.16.0"),
    ]


def test_the_index_history_is_read_from_a_pep_691_index(tmp_path: Path) -> None:
    backend = FIXTURES / "pypi" / "backends" / "setuptools" / "setuptools-56.0.0-py3-none-any.whl"
    uploaded = {backend.name: "2021-04-11T10:00:00Z"}
    with serve_index([backend], uploaded) as index:
        files = IndexHistory(index.url).files("setuptools")
        assert [f["filename"] for f in files] == [backend.name]
        version = newest_as_of(files, CUTOFF, Requirement("setuptools"))
        assert str(version) == "56.0.0"
        with pytest.raises(InputError, match="not found"):
            IndexHistory(index.url).files("no-such-project")
