"""judge(): verdicts from compare_paths, without running builds (outputs made by hand)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.compare.conftest import ZipMember, make_zip
from verifier.compare import resolve
from verifier.digest import hash_file
from verifier.rebuild.runner import BuildOutput, BuildRun, BuildStatus
from verifier.rebuild.variations import ALL_VARIATIONS, Capabilities, plan_build
from verifier.rebuild.verdicts import Reference, Verdict, judge

CAPS = Capabilities(sandbox=True, faketime=None, disorderfs=None, taskset=None, domain=True, cpus=2)
NOW = datetime(2026, 1, 1, tzinfo=UTC)
NAME = "dist/p-1.0-py3-none-any.whl"


def _run(index: int, wheel: Path) -> BuildRun:
    variations = plan_build(index, frozenset(ALL_VARIATIONS), CAPS, {})
    output = BuildOutput(NAME, hash_file(wheel), wheel.stat().st_size, wheel)
    return BuildRun(
        index,
        BuildStatus.SUCCEEDED,
        0,
        (output,),
        wheel,
        hash_file(wheel),
        NOW,
        NOW,
        variations,
        wheel.parent,
    )


def _wheel(path: Path, *, when: tuple[int, int, int, int, int, int], text: bytes) -> Path:
    return make_zip(path, [ZipMember("p/__init__.py", text, date_time=when)])


def test_leaked_build_path_is_named(tmp_path: Path) -> None:
    one = _wheel(tmp_path / "1.whl", when=(2024, 1, 1, 0, 0, 0), text=b"P = '/tmp/build/src'\n")
    two = _wheel(
        tmp_path / "2.whl", when=(2024, 1, 1, 0, 0, 0), text=b"P = '/tmp/build-2/nested/src'\n"
    )
    (verdict,) = judge([_run(0, one), _run(1, two)], ["dist/*.whl"])
    assert verdict.verdict is Verdict.MISMATCH
    assert [c.cause for c in verdict.causes] == ["build-path"]
    assert verdict.differences == (
        "build 1 vs build 2: p/__init__.py: content 21 bytes -> 30 bytes (build-path)",
    )


def test_equivalent_needs_the_stabilizer_and_lists_members(tmp_path: Path) -> None:
    one = _wheel(tmp_path / "1.whl", when=(2024, 1, 1, 0, 0, 0), text=b"x = 1\n")
    two = _wheel(tmp_path / "2.whl", when=(2025, 1, 1, 0, 0, 0), text=b"x = 1\n")
    runs = [_run(0, one), _run(1, two)]
    (plain,) = judge(runs, ["dist/*.whl"])
    assert plain.verdict is Verdict.MISMATCH and plain.stabilizers == {}
    (stabilized,) = judge(runs, ["dist/*.whl"], None, resolve(["zip-modified-time"]))
    assert stabilized.verdict is Verdict.EQUIVALENT
    assert stabilized.stabilizers == {"zip-modified-time@1": ("p/__init__.py",)}
    assert stabilized.differences == () and stabilized.verdict.passed


def test_reference_compared_with_the_same_stabilizers(tmp_path: Path) -> None:
    one = _wheel(tmp_path / "1.whl", when=(2024, 1, 1, 0, 0, 0), text=b"x = 1\n")
    published = tmp_path / "pub"
    published.mkdir()
    _wheel(published / "p-1.0-py3-none-any.whl", when=(2021, 5, 5, 14, 18, 16), text=b"x = 1\n")
    runs = [_run(0, one), _run(1, one)]
    (verdict,) = judge(runs, ["dist/*.whl"], Reference.load(published))
    assert verdict.verdict is Verdict.MISMATCH
    assert verdict.reason == "build 1 differs from the reference"
    assert verdict.differences[0].startswith("build 1 vs reference: p/__init__.py: mtime")
    (ok,) = judge(runs, ["dist/*.whl"], Reference.load(published), resolve(["zip-modified-time@1"]))
    assert ok.verdict is Verdict.EQUIVALENT and ok.reference is not None


def test_corrupt_output_is_a_mismatch_not_a_crash(tmp_path: Path) -> None:
    good = _wheel(tmp_path / "1.whl", when=(2024, 1, 1, 0, 0, 0), text=b"x = 1\n" * 100)
    bad = tmp_path / "2.whl"
    bad.write_bytes(good.read_bytes()[:-30])
    (verdict,) = judge([_run(0, good), _run(1, bad)], ["dist/*.whl"], None, resolve(["all"]))
    assert verdict.verdict is Verdict.MISMATCH
    assert "cannot compare structurally" in verdict.differences[0]
