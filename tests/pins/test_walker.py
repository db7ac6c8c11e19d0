"""The walk: skipped directories, size bound, encodings, symlinks, unreadable paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.pins.scan import scan_path

UNPINNED_FROM = "FROM python:3.12\n"


def test_vcs_vendored_and_venv_directories_are_skipped(tmp_path: Path) -> None:
    for skipped in (".git", "node_modules/pkg", ".venv/lib", "src/.tox"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "Dockerfile").write_text(UNPINNED_FROM)
    (tmp_path / "src" / "Dockerfile").write_text(UNPINNED_FROM)
    report = scan_path(tmp_path)
    assert [f.path for f in report.findings] == ["src/Dockerfile"]
    assert report.files_scanned == 1


def test_files_over_the_size_bound_are_unreadable_not_parsed(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(UNPINNED_FROM + "# padding\n" * 200)
    findings = scan_path(tmp_path, max_file_bytes=1000).findings
    assert [(f.path, f.line, f.kind.value) for f in findings] == [("Dockerfile", 1, "unreadable")]
    assert "larger than 1000 bytes" in findings[0].reference


def test_not_utf8_is_unreadable_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_bytes(b"a==1\nb==\xff\n")
    findings = scan_path(tmp_path).findings
    assert [(f.line, f.kind.value, f.reference) for f in findings] == [
        (2, "unreadable", "not UTF-8 text")
    ]


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"\xef\xbb\xbf" + UNPINNED_FROM.encode())
    assert [f.reference for f in scan_path(tmp_path).findings] == ["python:3.12"]


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Dockerfile").write_text(UNPINNED_FROM)
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(outside)
    (root / "Dockerfile").symlink_to(outside / "Dockerfile")
    assert scan_path(root).findings == ()


def test_missing_path_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope: no such file or directory"):
        scan_path(tmp_path / "nope")


def test_a_file_that_cannot_be_read_is_input_error() -> None:
    # /proc/self/mem refuses reads at offset 0 (EIO), even for root.
    with pytest.raises(InputError, match=r"^/proc/self/mem: cannot read: "):
        scan_path(Path("/proc/self/mem"))


def test_output_does_not_depend_on_directory_order(tmp_path: Path) -> None:
    for name in ("b", "a", "c"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(UNPINNED_FROM * 2)
    paths = [(f.path, f.line) for f in scan_path(tmp_path).findings]
    assert paths == [(f"{d}/Dockerfile", n) for d in "abc" for n in (1, 2)]


def test_special_files_are_skipped(tmp_path: Path) -> None:
    # A FIFO would block a read forever, even one named like a script.
    import os

    os.mkfifo(tmp_path / "install")
    (tmp_path / "Dockerfile").write_text(UNPINNED_FROM)
    assert [f.path for f in scan_path(tmp_path).findings] == ["Dockerfile"]
