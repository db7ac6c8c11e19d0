from __future__ import annotations

import io
import struct
import tarfile
import zipfile
from pathlib import Path

import pytest

from verifier.archive import ArchiveError, ArchiveFormat, Limits, MemberKind, extract, open_archive


def _tar(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    with tarfile.open(path, mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    "mode,fmt", [("w", "tar"), ("w:gz", "tar"), ("w:bz2", "tar"), ("w:xz", "tar")]
)
def test_tar_flavours_are_read(tmp_path: Path, mode: str, fmt: str) -> None:
    path = _tar(tmp_path / "a.tar", {"pkg/a.txt": b"hello", "pkg/b.bin": b"\0\1"}, mode)
    reader = open_archive(path)
    assert reader.format == ArchiveFormat(fmt)
    members = list(reader.members())
    assert [m.name for m in members] == ["pkg/a.txt", "pkg/b.bin"]
    assert reader.read(members[0]) == b"hello"


def test_zip_members_carry_zip_metadata(tmp_path: Path) -> None:
    reader = open_archive(_zip(tmp_path / "a.whl", {"x/y.py": b"print(1)\n"}))
    (member,) = list(reader.members())
    assert member.kind is MemberKind.FILE
    assert member.extra_value("compress_type") == zipfile.ZIP_DEFLATED
    assert reader.read(member) == b"print(1)\n"


def test_plain_gzip_is_one_member(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b"abc"))
    reader = open_archive(path)
    assert reader.format is ArchiveFormat.GZIP
    (member,) = list(reader.members())
    assert member.name == "notes.txt" and reader.read(member) == b"abc"


@pytest.mark.parametrize("name", ["../evil", "/etc/passwd", "a/../../evil", "C:/x"])
def test_hostile_names_are_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo(name), b"x")
    with pytest.raises(ArchiveError, match=r"evil\.zip"):
        list(open_archive(path).members())


def test_decompression_bomb_is_refused(tmp_path: Path) -> None:
    path = _zip(tmp_path / "bomb.zip", {"zeros": b"\0" * (64 << 20)})
    with pytest.raises(ArchiveError, match="decompression bomb"):
        list(open_archive(path).members())


def test_member_count_limit(tmp_path: Path) -> None:
    path = _zip(tmp_path / "many.zip", {f"f{i}": b"" for i in range(20)})
    with pytest.raises(ArchiveError, match="more than 10 members"):
        list(open_archive(path, Limits(max_members=10)).members())


def test_not_an_archive(tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("hello")
    with pytest.raises(ArchiveError, match=r"plain\.txt: not a zip, tar or gzip archive"):
        open_archive(path)


def test_truncated_archive_is_an_error_not_a_crash(tmp_path: Path) -> None:
    path = _tar(tmp_path / "t.tar.gz", {"a": b"x" * 100000})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveError):
        reader = open_archive(path)
        for m in reader.members():
            reader.read(m)


def test_extract_strips_and_normalizes_modes(tmp_path: Path) -> None:
    path = _tar(tmp_path / "s.tar.gz", {"pkg-1.0/a.py": b"a", "pkg-1.0/sub/b.py": b"b"})
    extract(path, tmp_path / "out", strip=1)
    assert (tmp_path / "out" / "a.py").read_bytes() == b"a"
    assert (tmp_path / "out" / "sub" / "b.py").stat().st_mode & 0o777 == 0o644


def test_extract_refuses_symlink_escape(tmp_path: Path) -> None:
    path = tmp_path / "link.tar"
    with tarfile.open(path, "w") as tf:
        info = tarfile.TarInfo("out")
        info.type = tarfile.SYMTYPE
        info.linkname = "../../etc"
        tf.addfile(info)
    with pytest.raises(ArchiveError, match="points outside"):
        extract(path, tmp_path / "dest")


def test_extract_refuses_write_through_symlink(tmp_path: Path) -> None:
    path = tmp_path / "through.tar"
    with tarfile.open(path, "w") as tf:
        link = tarfile.TarInfo("d")
        link.type = tarfile.SYMTYPE
        link.linkname = "."
        tf.addfile(link)
        info = tarfile.TarInfo("d/x")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(ArchiveError, match="through a symlink"):
        extract(path, tmp_path / "dest")


def test_zip_entries_sharing_one_local_header_are_refused(tmp_path: Path) -> None:
    # Central-directory entries may all point at one compressed member: each is inflated
    # again, so a 24 MB zip with 100 such entries made us decompress and hash 14 GB.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a", b"x" * 1000)
    data = buf.getvalue()
    end = data.rfind(b"PK\x05\x06")
    _, cd_size, cd_offset = struct.unpack("<HII", data[end + 10 : end + 20])
    central = data[cd_offset : cd_offset + cd_size] * 3
    tail = struct.pack("<HHHHII", 0, 0, 3, 3, len(central), cd_offset) + data[end + 20 :]
    bomb = tmp_path / "overlap.zip"
    bomb.write_bytes(data[:cd_offset] + central + b"PK\x05\x06" + tail)
    reader = open_archive(bomb)
    try:
        with pytest.raises(ArchiveError, match=r"share their data at offset 0 \(overlapping"):
            list(reader.members())
    finally:
        reader.close()


def test_zip_directory_member_with_data_is_refused(tmp_path: Path) -> None:
    # Nothing reads a directory's content, so two zips whose directories hid different bytes
    # compared EQUIVALENT under --stabilize zip-compression. An empty deflated directory (as
    # jar writes it: 2 compressed bytes, 0 uncompressed) stays fine.
    hidden = tmp_path / "hidden.zip"
    with zipfile.ZipFile(hidden, "w") as zf:
        zf.writestr(zipfile.ZipInfo("d/"), b"payload")
    jarlike = tmp_path / "jarlike.zip"
    with zipfile.ZipFile(jarlike, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("META-INF/"), b"", compress_type=zipfile.ZIP_DEFLATED)
    reader = open_archive(jarlike)
    try:
        assert [m.kind for m in reader.members()] == [MemberKind.DIR]
    finally:
        reader.close()
    reader = open_archive(hidden)
    try:
        with pytest.raises(ArchiveError, match=r"directory member 'd' carries 7 bytes of data"):
            list(reader.members())
    finally:
        reader.close()
