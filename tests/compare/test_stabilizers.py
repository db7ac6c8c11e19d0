"""Stabilizers are opt-in, erase exactly what they name, and say which members they changed."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.compare.conftest import TarMember, ZipMember, make_gzip, make_tar, make_tar_gz, make_zip
from verifier.compare import CATALOGUE, DifferenceKind, compare_paths, resolve
from verifier.errors import InputError

K = DifferenceKind


def six_like(tmp_path: Path) -> tuple[Path, Path]:
    """Like six 1.16.0 rebuilt: same content, other dist-info timestamps and umask."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    record = b"six.py,sha256=x,1\nsix-1.16.0.dist-info/RECORD,,\n"
    a = make_zip(
        tmp_path / "a/six.whl",
        [
            ZipMember("six.py", b"# six\n", date_time=(2021, 5, 5, 14, 17, 58), mode=0o664),
            ZipMember("six-1.16.0.dist-info/RECORD", record, date_time=(2021, 5, 5, 14, 18, 16)),
        ],
    )
    b = make_zip(
        tmp_path / "b/six.whl",
        [
            ZipMember("six.py", b"# six\n", date_time=(2021, 5, 5, 14, 17, 58), mode=0o644),
            ZipMember("six-1.16.0.dist-info/RECORD", record, date_time=(2026, 11, 26, 9, 0, 0)),
        ],
    )
    return a, b


def test_default_is_bit_for_bit(tmp_path: Path) -> None:
    a, b = six_like(tmp_path)
    result = compare_paths(a, b)
    assert result.verdict == "DIFFERENT" and not result.equivalent
    assert all(d.erased_by is None for d in result.differences)


def test_equivalent_lists_stabilizers_and_members(tmp_path: Path) -> None:
    a, b = six_like(tmp_path)
    result = compare_paths(a, b, stabilizers=resolve(["zip-modified-time", "zip-file-mode"]))
    assert result.verdict == "EQUIVALENT" and not result.identical
    assert dict(result.stabilizers_applied) == {
        "zip-file-mode@1": ("six.py",),
        "zip-modified-time@1": ("six-1.16.0.dist-info/RECORD",),
    }
    assert {(d.path, d.kind, d.erased_by) for d in result.differences} == {
        ("six-1.16.0.dist-info/RECORD", K.MTIME, "zip-modified-time@1"),
        ("six.py", K.MODE, "zip-file-mode@1"),
    }
    assert result.to_dict()["stabilizers_applied"] == {
        "zip-file-mode@1": ["six.py"],
        "zip-modified-time@1": ["six-1.16.0.dist-info/RECORD"],
    }


def test_one_stabilizer_is_not_enough(tmp_path: Path) -> None:
    a, b = six_like(tmp_path)
    result = compare_paths(a, b, stabilizers=resolve(["zip-modified-time"]))
    assert result.verdict == "DIFFERENT"
    (left,) = result.remaining
    assert left.kind is K.MODE
    assert result.summary() == ("six.py: mode 0664 -> 0644 (umask)",)
    assert result.summary(limit=0) == ("... and 1 more",)


def test_stabilizers_never_hide_content(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("x", b"1")])
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"2", date_time=(2025, 1, 1, 0, 0, 0))])
    result = compare_paths(a, b, stabilizers=resolve(["all"]))
    assert [d.kind for d in result.remaining] == [K.CONTENT]


def test_zip_order_compression_misc(tmp_path: Path) -> None:
    a = make_zip(
        tmp_path / "a.zip",
        [ZipMember("b", b"2" * 500, extra=b"\xca\xfe\x00\x00"), ZipMember("a", b"1")],
        comment=b"x",
    )
    b = make_zip(
        tmp_path / "b.zip",
        [ZipMember("a", b"1"), ZipMember("b", b"2" * 500, compress_type=zipfile.ZIP_STORED)],
    )
    stabs = resolve(["zip-file-order", "zip-compression", "zip-misc"])
    result = compare_paths(a, b, stabilizers=stabs)
    assert result.equivalent
    assert set(result.stabilizers_applied) == {
        "zip-file-order@1",
        "zip-compression@1",
        "zip-misc@1",
    }


def test_wheel_record_order(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.whl", [ZipMember("p-1.dist-info/RECORD", b"a,,\nb,,\n")])
    b = make_zip(tmp_path / "b.whl", [ZipMember("p-1.dist-info/RECORD", b"b,,\na,,\n")])
    result = compare_paths(a, b, stabilizers=resolve(["wheel-record-order"]))
    assert result.verdict == "EQUIVALENT"
    assert dict(result.stabilizers_applied) == {"wheel-record-order@1": ("p-1.dist-info/RECORD",)}


def test_jar_manifest(tmp_path: Path) -> None:
    manifest_a = b'Manifest-Version: 1.0\nBuilt-By: alice\nExport-Package: a.b,c.d;uses:="x,y"\n'
    manifest_b = (
        b"Manifest-Version: 1.0\nBuilt-By: bob\nBuild-Jdk: 17.0.1\n"
        b'Export-Package: c.d;uses:="x,y",a.b\n'
    )
    a = make_zip(tmp_path / "a.jar", [ZipMember("META-INF/MANIFEST.MF", manifest_a)])
    b = make_zip(tmp_path / "b.jar", [ZipMember("META-INF/MANIFEST.MF", manifest_b)])
    only_meta = compare_paths(a, b, stabilizers=resolve(["jar-build-metadata"]))
    assert only_meta.verdict == "DIFFERENT"
    both = compare_paths(a, b, stabilizers=resolve(["jar"]))
    assert both.verdict == "EQUIVALENT"
    assert set(both.stabilizers_applied) == {"jar-attribute-value-order@1"}


def test_tar_stabilizers(tmp_path: Path) -> None:
    a = make_tar(
        tmp_path / "a.tar",
        [TarMember("b", b"2", mtime=5, uname="alice", uid=1000), TarMember("a", b"1", mode=0o600)],
    )
    b = make_tar(tmp_path / "b.tar", [TarMember("a", b"1"), TarMember("b", b"2", mtime=9)])
    result = compare_paths(a, b, stabilizers=resolve(["tar"]))
    assert result.verdict == "EQUIVALENT"
    assert set(result.stabilizers_applied) == {
        "tar-file-order@1",
        "tar-time@1",
        "tar-file-mode@1",
        "tar-owners@1",
    }


def test_gzip_stabilizers_reach_tar_gz(tmp_path: Path) -> None:
    members = [TarMember("p/a", b"1")]
    a = make_tar_gz(tmp_path / "a.tar.gz", members, name="a.tar", mtime=1)
    b = make_tar_gz(tmp_path / "b.tar.gz", members, name="b.tar", mtime=2)
    result = compare_paths(a, b, stabilizers=resolve(["gzip-name", "gzip-time"]))
    assert result.verdict == "EQUIVALENT"
    assert dict(result.stabilizers_applied) == {"gzip-name@1": (".",), "gzip-time@1": (".",)}


def test_gzip_compression_level(tmp_path: Path) -> None:
    data = b"".join(b"%d\n" % i for i in range(5000))
    a = make_gzip(tmp_path / "a.gz", data, level=1)
    b = make_gzip(tmp_path / "b.gz", data, level=9)
    assert compare_paths(a, b).verdict == "DIFFERENT"
    result = compare_paths(a, b, stabilizers=resolve(["gzip-compression"]))
    assert result.verdict == "EQUIVALENT"


def test_resolve_names_versions_families() -> None:
    assert [s.name for s in resolve(["gzip"])] == [
        "gzip-compression",
        "gzip-name",
        "gzip-time",
        "gzip-misc",
    ]
    assert resolve(["zip-misc@1"]) == resolve(["zip-misc"])
    # Catalogue order, whatever order the user typed.
    assert resolve(["zip-misc,zip-file-order"]) == resolve(["zip-file-order", "zip-misc"])
    assert len(resolve(["all"])) == len(CATALOGUE)
    with pytest.raises(InputError, match="unknown stabilizer 'zip-everything'"):
        resolve(["zip-everything"])
    with pytest.raises(InputError, match="version 7 unknown"):
        resolve(["zip-misc@7"])


def test_catalogue_uses_oss_rebuild_names() -> None:
    # Names from google/oss-rebuild docs/content/stabilizers.md, plus our wheel one.
    names = {s.name for s in CATALOGUE}
    assert {
        "tar-file-order",
        "tar-time",
        "tar-file-mode",
        "tar-owners",
        "tar-xattrs",
        "tar-device-number",
        "zip-file-order",
        "zip-modified-time",
        "zip-compression",
        "zip-data-descriptor",
        "zip-file-encoding",
        "zip-file-mode",
        "zip-misc",
        "gzip-compression",
        "gzip-name",
        "gzip-time",
        "gzip-misc",
        "jar-build-metadata",
        "jar-attribute-value-order",
        "jar-git-properties",
    } <= names
    assert "wheel-record-order" in names


def _patch_zip_flags(path: Path, bit: int) -> None:
    """Set a general-purpose flag bit on every local and central header of a zip."""
    import struct

    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (pos := data.find(signature, start)) >= 0:
            (flags,) = struct.unpack_from("<H", data, pos + offset)
            struct.pack_into("<H", data, pos + offset, flags | bit)
            start = pos + 4
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "name,bit,kind",
    [
        ("zip-data-descriptor", 0x08, K.ZIP_ATTRIBUTES),
        ("zip-file-encoding", 0x800, K.ZIP_ATTRIBUTES),
    ],
)
def test_zip_flag_stabilizers(tmp_path: Path, name: str, bit: int, kind: DifferenceKind) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("x", b"1")])
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"1")])
    _patch_zip_flags(b, bit)
    plain = compare_paths(a, b)
    assert [(d.path, d.kind) for d in plain.differences] == [("x", kind)]
    result = compare_paths(a, b, stabilizers=resolve([name]))
    assert result.verdict == "EQUIVALENT"
    assert dict(result.stabilizers_applied) == {f"{name}@1": ("x",)}


def test_tar_xattrs_and_device_numbers(tmp_path: Path) -> None:
    import io

    def tar(path: Path, xattr: str, major: int) -> Path:
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
            info = tarfile.TarInfo("f")
            info.size = 1
            info.pax_headers = {"SCHILY.xattr.user.origin": xattr}
            tf.addfile(info, io.BytesIO(b"1"))
            dev = tarfile.TarInfo("dev")
            dev.type = tarfile.CHRTYPE
            dev.devmajor, dev.devminor = major, 3
            tf.addfile(dev)
        return path

    a, b = tar(tmp_path / "a.tar", "ci", 1), tar(tmp_path / "b.tar", "laptop", 9)
    plain = compare_paths(a, b)
    assert {(d.path, d.kind) for d in plain.differences} == {
        ("f", K.TAR_HEADER),
        ("dev", K.TAR_HEADER),
    }
    assert compare_paths(a, b, stabilizers=resolve(["tar-xattrs"])).verdict == "DIFFERENT"
    result = compare_paths(a, b, stabilizers=resolve(["tar-xattrs", "tar-device-number"]))
    assert result.verdict == "EQUIVALENT"
    assert dict(result.stabilizers_applied) == {
        "tar-xattrs@1": ("f",),
        "tar-device-number@1": ("dev",),
    }


def test_gzip_misc_os_byte(tmp_path: Path) -> None:
    a = make_gzip(tmp_path / "a.gz", b"data\n")
    b = make_gzip(tmp_path / "b.gz", b"data\n")
    raw = bytearray(b.read_bytes())
    raw[9] = 11  # OS: NTFS instead of "unknown" (what Python writes)
    b.write_bytes(bytes(raw))
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.GZIP_HEADER and (diff.a, diff.b) == ("gzip.os=255", "gzip.os=11")
    assert compare_paths(a, b, stabilizers=resolve(["gzip-misc"])).verdict == "EQUIVALENT"


def test_jar_git_properties(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.jar", [ZipMember("META-INF/git.properties", b"git.commit.id=aaa\n")])
    b = make_zip(tmp_path / "b.jar", [ZipMember("META-INF/git.properties", b"git.commit.id=bbb\n")])
    assert compare_paths(a, b).verdict == "DIFFERENT"
    result = compare_paths(a, b, stabilizers=resolve(["jar-git-properties"]))
    assert result.verdict == "EQUIVALENT"
    assert dict(result.stabilizers_applied) == {
        "jar-git-properties@1": ("META-INF/git.properties",)
    }
