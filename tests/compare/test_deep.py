"""--deep runs the real diffoscope (installed with the dev dependencies) on differing members."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.compare.conftest import ZipMember, make_zip
from verifier.cli import app
from verifier.compare import DeepDiff, compare_paths, resolve
from verifier.compare.deep import find_diffoscope
from verifier.errors import EnvironmentFailure


@pytest.fixture
def diffoscope() -> str:
    found = find_diffoscope()
    if found is None:
        pytest.fail("diffoscope missing: run tools/bootstrap (it is a dev dependency)")
    return found


def pair(tmp_path: Path) -> tuple[Path, Path]:
    a = make_zip(
        tmp_path / "a.zip",
        [
            ZipMember("m.py", b"x = 1\n"),
            ZipMember("same.py", b"s\n", date_time=(2020, 1, 1, 0, 0, 0)),
        ],
    )
    b = make_zip(tmp_path / "b.zip", [ZipMember("m.py", b"x = 2\n"), ZipMember("same.py", b"s\n")])
    return a, b


def test_deep_runs_on_differing_members_only(tmp_path: Path, diffoscope: str) -> None:
    a, b = pair(tmp_path)
    result = compare_paths(a, b, deep=DeepDiff(diffoscope))
    content = next(d for d in result.differences if d.kind.value == "content")
    assert content.deep is not None
    assert "-x = 1" in content.deep and "+x = 2" in content.deep
    assert "--- a/m.py" in content.deep  # temp directory names are not in the report
    assert all(d.deep is None for d in result.differences if d.kind.value != "content")


def test_deep_skips_members_a_stabilizer_erased(tmp_path: Path, diffoscope: str) -> None:
    a = make_zip(tmp_path / "a.whl", [ZipMember("p-1.dist-info/RECORD", b"a,,\nb,,\n")])
    b = make_zip(tmp_path / "b.whl", [ZipMember("p-1.dist-info/RECORD", b"b,,\na,,\n")])
    deep = DeepDiff(diffoscope)
    result = compare_paths(a, b, stabilizers=resolve(["wheel"]), deep=deep)
    assert result.equivalent and deep.runs == 0


def test_deep_time_bound(tmp_path: Path, diffoscope: str) -> None:
    a, b = pair(tmp_path)
    result = compare_paths(a, b, deep=DeepDiff(diffoscope, timeout=0.01))
    content = next(d for d in result.differences if d.kind.value == "content")
    assert content.deep == "(diffoscope stopped after 0.01s)"


def test_deep_size_and_count_bounds(tmp_path: Path, diffoscope: str) -> None:
    a, b = pair(tmp_path)
    result = compare_paths(a, b, deep=DeepDiff(diffoscope, max_bytes=3))
    content = next(d for d in result.differences if d.kind.value == "content")
    assert content.deep == "(not run: member larger than 3 bytes)"
    none = compare_paths(a, b, deep=DeepDiff(diffoscope, max_members=0))
    assert "(not run: the first 0 differing members were shown)" in str(none.to_dict())


def test_missing_diffoscope_says_how_to_install(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(EnvironmentFailure, match="pip install diffoscope"):
        DeepDiff.locate()
    a, b = pair(tmp_path)
    result = cli.invoke(app, ["diff", str(a), str(b), "--deep"])
    assert result.exit_code == 3
    assert "diffoscope is not installed" in " ".join(result.stderr.split())


def test_deep_reaches_members_of_nested_archives(tmp_path: Path, diffoscope: str) -> None:
    from tests.compare.conftest import TarMember, make_tar, zip_bytes

    inner_a = zip_bytes([ZipMember("m.py", b"x = 1\n")])
    inner_b = zip_bytes([ZipMember("m.py", b"x = 2\n")])
    a = make_tar(tmp_path / "a.tar", [TarMember("in.whl", inner_a)])
    b = make_tar(tmp_path / "b.tar", [TarMember("in.whl", inner_b)])
    (diff,) = compare_paths(a, b, deep=DeepDiff(diffoscope)).differences
    assert diff.path == "in.whl!m.py"
    assert diff.deep is not None and "+x = 2" in diff.deep


def test_same_differing_members_as_diffoscope(tmp_path: Path, diffoscope: str) -> None:
    import json

    from verifier import process

    members = [ZipMember(f"pkg/m{i}.py", b"v = %d\n" % i) for i in range(30)]
    changed = [
        ZipMember(m.name, m.data + (b"# changed\n" if i in (3, 17) else b""), (2025, 1, 1, 0, 0, 0))
        for i, m in enumerate(members)
    ]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = make_zip(tmp_path / "a" / "p.whl", members)
    b = make_zip(tmp_path / "b" / "p.whl", changed)
    done = process.run(
        [diffoscope, "--json", "-", "--no-progress", str(a), str(b)], timeout=120, check=False
    )
    assert done.returncode == 1, done.stderr
    theirs = {
        str(d["source1"])
        for d in json.loads(done.stdout)["details"]
        if "{}" not in str(d["source1"]) and not str(d["source1"]).startswith("file list")
    }
    ours = {d.path for d in compare_paths(a, b).differences if d.kind.value == "content"}
    assert ours == theirs == {"pkg/m3.py", "pkg/m17.py"}
