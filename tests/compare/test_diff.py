"""Each kind of difference, in each container format, found without extracting."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.compare.conftest import (
    TarMember,
    ZipMember,
    make_gzip,
    make_tar,
    make_tar_gz,
    make_zip,
    zip_bytes,
)
from verifier.compare import Comparison, DifferenceKind, compare_paths
from verifier.errors import InputError

K = DifferenceKind


def kinds(comparison: Comparison) -> set[tuple[str, DifferenceKind]]:
    return {(d.path, d.kind) for d in comparison.differences}


def test_identical_files_are_identical(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.whl", [ZipMember("x.py", b"x")])
    b = make_zip(tmp_path / "b.whl", [ZipMember("x.py", b"x")])
    result = compare_paths(a, b)
    assert result.identical and result.equivalent and result.verdict == "IDENTICAL"
    assert result.digest_a == result.digest_b


def test_added_removed_and_content(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("keep", b"1\n"), ZipMember("gone", b"g")])
    b = make_zip(tmp_path / "b.zip", [ZipMember("keep", b"2\n"), ZipMember("new", b"n")])
    result = compare_paths(a, b)
    assert kinds(result) == {("gone", K.REMOVED), ("new", K.ADDED), ("keep", K.CONTENT)}
    content = next(d for d in result.differences if d.kind is K.CONTENT)
    assert content.detail is not None
    assert content.detail.unified_diff == ("@@ -1 +1 @@", "-1", "+2")
    assert not result.identical and not result.equivalent


def test_binary_content_shows_offset_and_hex(tmp_path: Path) -> None:
    blob_a = bytes(range(256)) * 4
    blob_b = blob_a[:700] + b"\xff" + blob_a[701:]
    a = make_zip(tmp_path / "a.zip", [ZipMember("lib.so", blob_a)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("lib.so", blob_b)])
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.CONTENT and diff.detail is not None
    assert diff.detail.offset == 700
    assert diff.detail.window == 688
    assert diff.detail.hex_a.startswith("b0b1b2b3") and "ffbdbebf" in diff.detail.hex_b


def test_zip_metadata_kinds(tmp_path: Path) -> None:
    a = make_zip(
        tmp_path / "a.zip",
        [ZipMember("m", b"data" * 100, extra=b"\xca\xfe\x00\x00"), ZipMember("n", b"n")],
        comment=b"one",
    )
    b = make_zip(
        tmp_path / "b.zip",
        [
            ZipMember("n", b"n", date_time=(2024, 1, 2, 0, 0, 0), mode=0o755),
            ZipMember("m", b"data" * 100, compress_type=zipfile.ZIP_STORED, comment=b"hi"),
        ],
        comment=b"two",
    )
    found = kinds(compare_paths(a, b))
    assert {
        (".", K.MEMBER_ORDER),
        (".", K.ZIP_COMMENT),
        ("m", K.COMPRESSION),
        ("m", K.ZIP_EXTRA),
        ("m", K.ZIP_COMMENT),
        ("n", K.MTIME),
        ("n", K.MODE),
    } <= found
    assert not any(kind is K.CONTENT for _, kind in found)


def test_same_method_other_level_is_compression(tmp_path: Path) -> None:
    data = b"".join(b"line %d of some compressible text\n" % i for i in range(2000))
    a = make_zip(tmp_path / "a.zip", [ZipMember("t", data, level=1)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("t", data, level=9)])
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.COMPRESSION and "compress_size" in (diff.a or "")


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_flavours(tmp_path: Path, mode: str) -> None:
    # Same file name on both sides: tarfile's gzip writer records it in the gzip header.
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = make_tar(tmp_path / "a/p.tar", [TarMember("p/a", b"1", uname="alice", uid=1000)], mode)
    b = make_tar(tmp_path / "b/p.tar", [TarMember("p/a", b"1", mtime=1704070800, mode=0o664)], mode)
    found = kinds(compare_paths(a, b))
    assert found == {("p/a", K.OWNER), ("p/a", K.MTIME), ("p/a", K.MODE)}


def test_gzip_header_name_and_mtime(tmp_path: Path) -> None:
    a = make_gzip(tmp_path / "a.txt.gz", b"same\n", name="a.txt", mtime=100)
    b = make_gzip(tmp_path / "b.txt.gz", b"same\n", name="b.txt", mtime=200)
    found = kinds(compare_paths(a, b))
    assert found == {(".", K.GZIP_NAME), (".", K.GZIP_MTIME)}


def test_tar_gz_outer_gzip_header_is_compared(tmp_path: Path) -> None:
    members = [TarMember("p/a", b"1")]
    a = make_tar_gz(tmp_path / "a.tar.gz", members, mtime=1)
    b = make_tar_gz(tmp_path / "b.tar.gz", members, mtime=2)
    assert kinds(compare_paths(a, b)) == {(".", K.GZIP_MTIME)}


def test_gzip_level_only_is_encoding(tmp_path: Path) -> None:
    data = b"".join(b"%d\n" % i for i in range(5000))
    a = make_gzip(tmp_path / "a.gz", data, level=1)
    b = make_gzip(tmp_path / "b.gz", data, level=9)
    found = kinds(compare_paths(a, b))
    assert (".", K.GZIP_HEADER) in found or (".", K.ENCODING) in found
    assert all(kind in (K.GZIP_HEADER, K.ENCODING) for _, kind in found)


def test_nested_archives_are_opened(tmp_path: Path) -> None:
    inner_a = zip_bytes([ZipMember("pkg/mod.py", b"A = 1\n")])
    inner_b = zip_bytes([ZipMember("pkg/mod.py", b"A = 2\n")])
    a = make_tar(tmp_path / "a.tar", [TarMember("dist/p.whl", inner_a)])
    b = make_tar(tmp_path / "b.tar", [TarMember("dist/p.whl", inner_b)])
    result = compare_paths(a, b)
    (diff,) = result.differences
    assert diff.location == ("dist/p.whl", "pkg/mod.py") and diff.kind is K.CONTENT
    assert diff.path == "dist/p.whl!pkg/mod.py"


def test_nesting_depth_is_bounded(tmp_path: Path) -> None:
    from verifier.archive import Limits

    inner_a = zip_bytes([ZipMember("x", b"1")])
    inner_b = zip_bytes([ZipMember("x", b"2")])
    a = make_zip(tmp_path / "a.zip", [ZipMember("in.zip", inner_a)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("in.zip", inner_b)])
    (diff,) = compare_paths(a, b, limits=Limits(max_depth=1)).differences
    assert diff.location == ("in.zip", "x")
    (shallow,) = compare_paths(a, b, limits=Limits(max_depth=0 + 1)).differences
    assert shallow.kind is K.CONTENT


def test_directories(tmp_path: Path) -> None:
    for side, text in (("a", "one\n"), ("b", "two\n")):
        root = tmp_path / side
        (root / "sub").mkdir(parents=True)
        (root / "sub" / "f.txt").write_text(text)
        (root / f"only-{side}").write_text("x")
        (root / "link").symlink_to(f"target-{side}")
    result = compare_paths(tmp_path / "a", tmp_path / "b")
    assert kinds(result) == {
        ("only-a", K.REMOVED),
        ("only-b", K.ADDED),
        ("sub/f.txt", K.CONTENT),
        ("link", K.LINK_TARGET),
    }


def test_plain_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("hello\nworld\n")
    (tmp_path / "b.txt").write_text("hello\nthere\n")
    (diff,) = compare_paths(tmp_path / "a.txt", tmp_path / "b.txt").differences
    assert diff.path == "." and diff.kind is K.CONTENT


def test_directory_against_file_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(InputError, match="cannot compare a directory with a file"):
        compare_paths(tmp_path, tmp_path / "f")


def test_missing_input_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope: no such file or directory"):
        compare_paths(tmp_path / "nope", tmp_path / "nope")


def test_symlinks_in_tar_compare_targets(tmp_path: Path) -> None:
    a = make_tar(tmp_path / "a.tar", [TarMember("l", kind=tarfile.SYMTYPE, linkname="x")])
    b = make_tar(tmp_path / "b.tar", [TarMember("l", kind=tarfile.SYMTYPE, linkname="y")])
    assert kinds(compare_paths(a, b)) == {("l", K.LINK_TARGET)}


def test_archives_inside_directories_are_opened(tmp_path: Path) -> None:
    for side, value in (("a", b"1"), ("b", b"2")):
        (tmp_path / side / "dist").mkdir(parents=True)
        make_zip(tmp_path / side / "dist" / "p.whl", [ZipMember("p/v.py", b"V = " + value)])
    (diff,) = compare_paths(tmp_path / "a", tmp_path / "b").differences
    assert diff.path == "dist/p.whl!p/v.py" and diff.kind is K.CONTENT
    assert diff.detail is not None and diff.detail.unified_diff[-1] == "+V = 2"
