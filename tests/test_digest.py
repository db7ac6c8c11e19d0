from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from verifier.digest import Algorithm, Digest, hash_file, hash_files, tree_digest
from verifier.errors import InputError

HEX = "a" * 64


def test_parse_round_trips() -> None:
    d = Digest.parse(f"sha256:{HEX}")
    assert d.algorithm is Algorithm.SHA256
    assert str(d) == f"sha256:{HEX}"
    assert str(Digest.parse("sha512:" + "b" * 128)).startswith("sha512:")


@pytest.mark.parametrize(
    "text",
    [
        "sha256:" + "a" * 63,
        "sha256:" + "A" * 64,
        "md5:" + "a" * 32,
        "sha256" + HEX,
        "",
        "sha512:" + HEX,
    ],
)
def test_invalid_digests_are_refused(text: str) -> None:
    with pytest.raises(InputError, match="invalid"):
        Digest.parse(text)


def test_constructor_validates() -> None:
    with pytest.raises(InputError):
        Digest(Algorithm.SHA256, "zz" * 32)


def test_hash_file_streams_and_matches_hashlib(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)
    f = tmp_path / "blob"
    f.write_bytes(data)
    assert hash_file(f).hex == hashlib.sha256(data).hexdigest()
    assert hash_file(f, Algorithm.SHA512).hex == hashlib.sha512(data).hexdigest()


def test_hash_file_names_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope: cannot read"):
        hash_file(tmp_path / "nope")


def test_hash_files_parallel_matches_serial(tmp_path: Path) -> None:
    paths = []
    for i in range(50):
        p = tmp_path / f"f{i}"
        p.write_bytes(os.urandom(i * 100))
        paths.append(p)
    result = hash_files(paths, workers=4)
    assert result == {p: hash_file(p) for p in paths}


def _make_tree(root: Path) -> None:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "a.py").write_text("a = 1\n")
    (root / "run.sh").write_text("#!/bin/sh\n")
    (root / "run.sh").chmod(0o755)
    (root / "empty").mkdir()
    (root / "link").symlink_to("pkg/a.py")


def test_tree_digest_is_stable_across_copies(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    _make_tree(a)
    _make_tree(b)
    os.utime(b / "pkg" / "a.py", (0, 0))  # timestamps are not part of the digest
    assert tree_digest(a) == tree_digest(b)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: (r / "pkg" / "a.py").write_text("a = 2\n"),
        lambda r: (r / "run.sh").chmod(0o644),
        lambda r: (r / "empty").rmdir(),
        lambda r: ((r / "link").unlink(), (r / "link").symlink_to("run.sh")),
        lambda r: (r / "pkg" / "a.py").rename(r / "pkg" / "b.py"),
    ],
    ids=["content", "exec-bit", "empty-dir", "link-target", "rename"],
)
def test_tree_digest_sees_every_change(tmp_path: Path, mutate: object) -> None:
    root = tmp_path / "t"
    _make_tree(root)
    before = tree_digest(root)
    mutate(root)  # type: ignore[operator]
    assert tree_digest(root) != before


def test_tree_digest_does_not_follow_symlinks(tmp_path: Path) -> None:
    root = tmp_path / "t"
    _make_tree(root)
    outside = tmp_path / "outside"
    outside.write_text("x")
    (root / "ext").symlink_to(outside)
    before = tree_digest(root)
    outside.write_text("changed")
    assert tree_digest(root) == before
