"""One small fixture per cause: the difference it produces gets that cause and its hint."""

from __future__ import annotations

from pathlib import Path

from tests.compare.conftest import TarMember, ZipMember, make_gzip, make_tar, make_zip
from verifier.compare import Cause, Comparison, DifferenceKind, compare_paths

K = DifferenceKind


def causes(comparison: Comparison) -> set[Cause]:
    return {d.cause for d in comparison.differences}


def text_pair(tmp_path: Path, name: str, a: str, b: str) -> Comparison:
    return compare_paths(
        make_zip(tmp_path / "a.zip", [ZipMember(name, a.encode())]),
        make_zip(tmp_path / "b.zip", [ZipMember(name, b.encode())]),
    )


def test_timestamps(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("x", b"x", date_time=(2024, 1, 1, 10, 0, 0))])
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"x", date_time=(2024, 3, 5, 11, 17, 4))])
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.MTIME and diff.cause is Cause.TIMESTAMPS
    assert "SOURCE_DATE_EPOCH" in diff.hint


def test_time_zone_shift_of_whole_hours(tmp_path: Path) -> None:
    a = make_tar(tmp_path / "a.tar", [TarMember("x", mtime=1000), TarMember("y", mtime=5000)])
    b = make_tar(
        tmp_path / "b.tar",
        [TarMember("x", mtime=1000 + 7 * 3600), TarMember("y", mtime=5000 + 7 * 3600)],
    )
    result = compare_paths(a, b)
    assert causes(result) == {Cause.TIME_ZONE}
    assert "+7 h" in result.differences[0].note and "TZ=UTC" in result.differences[0].hint


def test_time_zone_in_content(tmp_path: Path) -> None:
    result = text_pair(
        tmp_path, "v.py", "built = '2024-01-01 10:00 +0000'\n", "built = '2024-01-01 11:00 +0100'\n"
    )
    assert causes(result) == {Cause.TIME_ZONE}


def test_embedded_build_date(tmp_path: Path) -> None:
    result = text_pair(
        tmp_path, "v.py", "date = '2024-01-01 10:00:00'\n", "date = '2024-02-03 09:14:55'\n"
    )
    assert causes(result) == {Cause.TIMESTAMPS}


def test_locale_month_names(tmp_path: Path) -> None:
    result = text_pair(tmp_path, "NEWS", "Released 3 Dec 2024\n", "Released 3 déc. 2024\n")
    assert causes(result) == {Cause.LOCALE}


def test_locale_decimal_separator(tmp_path: Path) -> None:
    result = text_pair(tmp_path, "stats.txt", "ratio: 1.5\n", "ratio: 1,5\n")
    assert causes(result) == {Cause.LOCALE}


def test_member_order(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("a", b"1"), ZipMember("b", b"2")])
    b = make_zip(tmp_path / "b.zip", [ZipMember("b", b"2"), ZipMember("a", b"1")])
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.MEMBER_ORDER and diff.cause is Cause.MEMBER_ORDER
    assert (diff.a, diff.b) == ("#1 a", "#1 b")


def test_build_path_given_by_caller(tmp_path: Path) -> None:
    blob_a = b"\x7fELF\0\0" + b"/srv/build-41/src/x.c\0" + b"\1" * 40
    blob_b = b"\x7fELF\0\0" + b"/srv/build-97/src/x.c\0" + b"\1" * 40
    a = make_zip(tmp_path / "a.zip", [ZipMember("x.so", blob_a)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("x.so", blob_b)])
    assert causes(compare_paths(a, b)) == {Cause.CONTENT}
    result = compare_paths(a, b, build_paths=["/srv/build-41", "/srv/build-97"])
    (diff,) = result.differences
    assert diff.cause is Cause.BUILD_PATH
    assert "'/srv/build-41' in A" in diff.note and "'/srv/build-97' in B" in diff.note


def test_build_path_recognized_in_text(tmp_path: Path) -> None:
    result = text_pair(
        tmp_path, "cfg.py", "ROOT = '/tmp/tmpab12/src'\n", "ROOT = '/tmp/tmpzz99/src'\n"
    )
    assert causes(result) == {Cause.BUILD_PATH}


def test_hostname_leak(tmp_path: Path) -> None:
    result = text_pair(tmp_path, "info.txt", "Build-Host: ci-runner-7\n", "Build-Host: laptop\n")
    assert causes(result) == {Cause.HOSTNAME}
    named = compare_paths(
        make_zip(tmp_path / "c.zip", [ZipMember("i", b"made on alpha01 ok")]),
        make_zip(tmp_path / "d.zip", [ZipMember("i", b"made on beta022 ok")]),
        hostnames=["alpha01", "beta022"],
    )
    assert causes(named) == {Cause.HOSTNAME}


def test_user_leak(tmp_path: Path) -> None:
    result = text_pair(tmp_path, "META-INF/MANIFEST.MF", "Built-By: alice\n", "Built-By: bob\n")
    assert causes(result) == {Cause.USER}
    a = make_tar(tmp_path / "a.tar", [TarMember("x", uid=1000, uname="alice")])
    b = make_tar(tmp_path / "b.tar", [TarMember("x", uid=0, uname="root")])
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.OWNER and diff.cause is Cause.USER


def test_umask_modes(tmp_path: Path) -> None:
    a = make_zip(tmp_path / "a.zip", [ZipMember("x", b"x", mode=0o644)])
    b = make_zip(tmp_path / "b.zip", [ZipMember("x", b"x", mode=0o664)])
    (diff,) = compare_paths(a, b).differences
    assert diff.cause is Cause.UMASK and "umask 022" in diff.hint
    c = make_zip(tmp_path / "c.zip", [ZipMember("x", b"x", mode=0o755)])
    (other,) = compare_paths(a, c).differences
    assert other.cause is Cause.FILE_MODE


def test_hash_seed_ordering(tmp_path: Path) -> None:
    result = text_pair(
        tmp_path,
        "gen.py",
        "NAMES = {'beta', 'alpha', 'gamma'}\n",
        "NAMES = {'gamma', 'beta', 'alpha'}\n",
    )
    assert causes(result) == {Cause.RANDOM_ORDER}
    lines = text_pair(tmp_path, "list.txt", "a\nb\nc\n", "c\na\nb\n")
    assert causes(lines) == {Cause.RANDOM_ORDER}


def test_wheel_record_order(tmp_path: Path) -> None:
    result = text_pair(
        tmp_path,
        "p-1.0.dist-info/RECORD",
        "p/__init__.py,sha256=x,1\np/a.py,sha256=y,2\n",
        "p/a.py,sha256=y,2\np/__init__.py,sha256=x,1\n",
    )
    (diff,) = result.differences
    assert diff.cause is Cause.WHEEL_RECORD_ORDER


def test_gzip_header(tmp_path: Path) -> None:
    a = make_gzip(tmp_path / "a.gz", b"x", name="x", mtime=1)
    b = make_gzip(tmp_path / "b.gz", b"x", name="x", mtime=2)
    (diff,) = compare_paths(a, b).differences
    assert diff.kind is K.GZIP_MTIME and diff.cause is Cause.GZIP_HEADER and "gzip -n" in diff.hint


def test_unrecognized_content_says_so(tmp_path: Path) -> None:
    result = text_pair(tmp_path, "m.py", "def f():\n    return 1\n", "def f():\n    return 2 + 2\n")
    (diff,) = result.differences
    assert diff.cause is Cause.CONTENT and "--deep" in diff.hint
