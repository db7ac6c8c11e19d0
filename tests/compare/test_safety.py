"""Hostile and broken inputs: a finding or a clear exit 2, never a crash, hang or pass."""

from __future__ import annotations

import io
import json
import os
import struct
import tarfile
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.compare.conftest import TarMember, ZipMember, make_tar, make_zip
from verifier.archive import ArchiveError, Limits
from verifier.cli import app
from verifier.compare import DifferenceKind, compare_paths


def one_line(stderr: str) -> str:
    """The error message with the console's wrapping undone; it must be a single error."""
    assert stderr.startswith("error: ") and stderr.count("error:") == 1, stderr
    assert "Traceback" not in stderr
    return " ".join(stderr.split())


def bomb(path: Path, size: int = 64 << 20) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros", b"\0" * size)
    return path


def test_zip_bomb_ratio_is_refused(tmp_path: Path, cli: CliRunner) -> None:
    a = bomb(tmp_path / "a.zip")
    b = make_zip(tmp_path / "b.zip", [ZipMember("zeros", b"\0")])
    result = cli.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 2
    assert "a.zip: member 'zeros' expands" in one_line(result.stderr) and "bomb" in result.stderr


def test_absolute_size_bound(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("big", bytes(range(256)) * 8192)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("big", b"")])
    with pytest.raises(ArchiveError, match="over the limit"):
        compare_paths(a, b, limits=Limits(max_member_size=1 << 20))


def test_bomb_nested_in_a_tar_is_refused_with_its_path(tmp_path: Path) -> None:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros", b"\0" * (64 << 20))
    a = make_tar(tmp_path / "a.tar", [TarMember("in.zip", inner.getvalue())])
    b = make_tar(tmp_path / "b.tar", [TarMember("in.zip", b"PK\x05\x06" + b"\0" * 18)])
    with pytest.raises(ArchiveError, match=r"a\.tar!in\.zip: member 'zeros' expands"):
        compare_paths(a, b)


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/../../evil"])
def test_hostile_names_exit_two(tmp_path: Path, cli: CliRunner, name: str) -> None:
    a = tmp_path / "a.zip"
    with zipfile.ZipFile(a, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"x")
    b = make_zip(tmp_path / "b.zip", [ZipMember("ok", b"x")])
    result = cli.invoke(app, ["diff", str(a), str(b)])
    assert result.exit_code == 2
    assert "a.zip: member" in one_line(result.stderr)


def test_escaping_symlinks_are_findings_never_followed(tmp_path: Path) -> None:
    a = make_tar(tmp_path / "a.tar", [TarMember("l", kind=tarfile.SYMTYPE, linkname="../../etc")])
    b = make_tar(tmp_path / "b.tar", [TarMember("l", kind=tarfile.SYMTYPE, linkname="/etc/passwd")])
    result = compare_paths(a, b)
    assert [d.kind for d in result.differences] == [DifferenceKind.LINK_TARGET]
    assert any("symlink 'l' points outside the archive: '../../etc'" in f for f in result.findings)
    assert any("'/etc/passwd'" in f for f in result.findings)


def test_directory_symlinks_are_not_followed(tmp_path: Path) -> None:
    for side in ("a", "b"):
        (tmp_path / side).mkdir()
        (tmp_path / side / "out").symlink_to("/")
    result = compare_paths(tmp_path / "a", tmp_path / "b")
    assert result.identical
    # Not followed: an identical link to / must not make us walk the whole machine.


def test_duplicate_names_are_reported(tmp_path: Path) -> None:
    a = tmp_path / "a.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(a, "w") as zf:
        zf.writestr("x", b"first")
        zf.writestr("x", b"second")
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"first")])
    result = compare_paths(a, b)
    found = {(d.path, d.kind) for d in result.differences}
    assert (".", DifferenceKind.DUPLICATE) in found
    assert ("x (duplicate 2)", DifferenceKind.REMOVED) in found
    assert any("member 'x' occurs more than once" in f for f in result.findings)


def test_member_count_limit_for_tar(tmp_path: Path) -> None:
    many = [TarMember(f"f{i}") for i in range(50)]
    a = make_tar(tmp_path / "a.tar", many)
    b = make_tar(tmp_path / "b.tar", many[:-1])
    with pytest.raises(ArchiveError, match="more than 20 members"):
        compare_paths(a, b, limits=Limits(max_members=20))


def _zip_of_empty_members(path: Path, count: int) -> Path:
    """A valid zip of ``count`` empty stored members, written directly (fast)."""
    local, central = bytearray(), bytearray()
    for i in range(count):
        name = b"%07d" % i
        offset = len(local)
        local += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0x21, 0, 0, 0, len(name), 0)
        local += name
        central += struct.pack(
            "<4s6H3I5H2I",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0x21,
            0,
            0,
            0,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
    n = min(count, 0xFFFF)
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, n, n, len(central), len(local), 0)
    path.write_bytes(bytes(local) + bytes(central) + end)
    return path


def test_declared_member_count_is_checked_before_parsing(tmp_path: Path) -> None:
    a = _zip_of_empty_members(tmp_path / "a.zip", 3000)
    b = _zip_of_empty_members(tmp_path / "b.zip", 2999)
    with pytest.raises(ArchiveError, match=r"more than 1000 members"):
        compare_paths(a, b, limits=Limits(max_members=1000))


def test_a_million_tiny_members_with_bounded_memory(tmp_path: Path) -> None:
    # 1,000,000 members: the zip64-less count field says 65535, so the member budget
    # stops the walk; memory stays bounded by the member limit, not the archive.
    a = _zip_of_empty_members(tmp_path / "a.zip", 1_000_000)
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"")])
    tracemalloc.start()
    try:
        with pytest.raises(ArchiveError, match="more than 200000 members"):
            compare_paths(a, b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1536 << 20


def test_truncated_zip_exits_two(tmp_path: Path, cli: CliRunner) -> None:
    good = make_zip(tmp_path / "good.zip", [ZipMember("x", bytes(range(256)) * 100)])
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[:-30])
    result = cli.invoke(app, ["diff", str(good), str(cut)])
    assert result.exit_code == 2 and "cut.zip" in result.stderr


def test_corrupt_zip_member_exits_two(tmp_path: Path, cli: CliRunner) -> None:
    good = make_zip(tmp_path / "good.zip", [ZipMember("x", b"hello world " * 100)])
    data = bytearray(good.read_bytes())
    data[40:50] = b"\xff" * 10  # inside the deflate stream
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(data))
    result = cli.invoke(app, ["diff", str(good), str(bad)])
    assert result.exit_code == 2 and "bad.zip" in one_line(result.stderr)


def test_truncated_tar_gz_exits_two(tmp_path: Path, cli: CliRunner) -> None:
    payload = zlib.compress(bytes(range(256)) * 4000)
    good = make_tar(tmp_path / "good.tar.gz", [TarMember("x", payload)], "w:gz")
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    result = cli.invoke(app, ["diff", str(good), str(cut)])
    assert result.exit_code == 2 and "cut.tar.gz" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_names_that_are_not_utf8_are_escaped_in_reports(
    tmp_path: Path, cli: CliRunner, fmt: str
) -> None:
    # Such names used to reach stdout as lone surrogates: a UnicodeEncodeError under a UTF-8
    # locale, or a raw 0xe9 byte in the --json report (not UTF-8, so not JSON) under C.
    sides = []
    for side, content in (("a", b"1"), ("b", b"2")):
        root = tmp_path / side
        root.mkdir()
        Path(os.fsdecode(os.fsencode(root) + b"/caf\xe9")).write_bytes(content)
        sides.append(str(root))
    result = cli.invoke(app, ["diff", "-f", fmt, *sides])
    assert result.exit_code == 1, result.stderr
    report = result.stdout_bytes.decode("utf-8")
    if fmt == "json":
        assert json.loads(report)["differences"][0]["location"] == ["caf\\xe9"]
    else:
        assert "caf\\xe9" in report
