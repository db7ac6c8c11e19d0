"""Digests: one validated value type, streaming file hashing and the tree digest.

Tree digest (``verifier-tree-v1``), used to pin directories:

* walk the directory without following symlinks; collect every entry below the root;
* sort entries by their relative POSIX path, compared as UTF-8 bytes (surrogate-escaped);
* for each entry emit a record ``TYPE NUL MODE NUL DIGEST NUL PATH NUL`` where
  ``TYPE`` is ``file``, ``dir`` or ``symlink``; ``MODE`` is ``x`` for a file with any
  executable bit, ``-`` otherwise; ``DIGEST`` is the hex sha256 of the file contents,
  of the symlink target bytes (the link is hashed, never followed), or empty for a directory;
* the tree digest is the sha256 of ``b"verifier-tree-v1\\0"`` followed by every record.

Owners, timestamps and permission bits other than "executable" are deliberately left out:
they never survive a checkout or an archive round trip, so pinning them would only break pins.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from verifier.errors import InputError

CHUNK_SIZE = 1 << 20
TREE_DIGEST_MAGIC = b"verifier-tree-v1\0"


class Algorithm(StrEnum):
    """Hash algorithms a digest may use."""

    SHA256 = "sha256"
    SHA512 = "sha512"

    @property
    def hex_length(self) -> int:
        """Number of hex characters in a digest of this algorithm."""
        match self:
            case Algorithm.SHA256:
                return 64
            case Algorithm.SHA512:
                return 128

    def new(self) -> hashlib._Hash:
        """A fresh hashlib object for this algorithm."""
        return hashlib.new(self.value)


_HEX_CHARS = frozenset("0123456789abcdef")
_DIGEST_RE = re.compile(r"^(sha256|sha512):([0-9a-f]+)$")


@dataclass(frozen=True, order=True)
class Digest:
    """A content digest such as ``sha256:<64 lowercase hex>``; never holds an invalid value."""

    algorithm: Algorithm
    hex: str

    def __post_init__(self) -> None:
        if not isinstance(self.algorithm, Algorithm):
            raise InputError(f"unsupported digest algorithm {self.algorithm!r}")
        if len(self.hex) != self.algorithm.hex_length or not _HEX_CHARS.issuperset(self.hex):
            raise InputError(
                f"invalid {self.algorithm.value} digest {self.hex!r}: "
                f"expected {self.algorithm.hex_length} lowercase hex characters"
            )

    @classmethod
    def parse(cls, text: str) -> Digest:
        """Parse ``alg:hex``; raises InputError naming the bad value."""
        match = _DIGEST_RE.match(text.strip())
        if match is None:
            raise InputError(
                f"invalid digest {text!r}: expected 'sha256:<64 hex>' or 'sha512:<128 hex>'"
            )
        return cls(Algorithm(match.group(1)), match.group(2))

    @classmethod
    def sha256_hex(cls, hex_value: str) -> Digest:
        """A sha256 digest from a bare hex string (as found in recipes and RECORD files)."""
        return cls(Algorithm.SHA256, hex_value.strip().lower())

    @classmethod
    def of_bytes(cls, data: bytes, algorithm: Algorithm = Algorithm.SHA256) -> Digest:
        """Digest of an in-memory byte string."""
        return cls(algorithm, hashlib.new(algorithm.value, data).hexdigest())

    def __str__(self) -> str:
        return f"{self.algorithm.value}:{self.hex}"

    @property
    def short(self) -> str:
        """The first 12 hex characters, for people."""
        return f"{self.algorithm.value}:{self.hex[:12]}"


def hash_stream(stream: BinaryIO, algorithm: Algorithm = Algorithm.SHA256) -> Digest:
    """Hash a binary stream in fixed-size chunks; never holds more than one chunk in memory."""
    h = algorithm.new()
    buffer = bytearray(CHUNK_SIZE)
    view = memoryview(buffer)
    while True:
        n = stream.readinto(view)  # type: ignore[attr-defined]
        if not n:
            break
        h.update(view[:n])
    return Digest(algorithm, h.hexdigest())


def hash_file(path: Path, algorithm: Algorithm = Algorithm.SHA256) -> Digest:
    """Hash one file by streaming it; raises InputError naming the file when it cannot be read."""
    try:
        with open(path, "rb", buffering=0) as stream:  # noqa: PTH123 - hot path, skip Path.open
            head = stream.read(CHUNK_SIZE)
            if len(head) < CHUNK_SIZE:
                # Small files (the common case in trees): one read, no buffer management.
                return Digest(algorithm, hashlib.new(algorithm.value, head).hexdigest())
            h = algorithm.new()
            h.update(head)
            buffer = bytearray(CHUNK_SIZE)
            view = memoryview(buffer)
            while n := stream.readinto(view):
                h.update(view[:n])
            return Digest(algorithm, h.hexdigest())
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def hash_files(
    paths: Iterable[Path], algorithm: Algorithm = Algorithm.SHA256, *, workers: int | None = None
) -> dict[Path, Digest]:
    """Hash many files in parallel threads (hashlib releases the GIL on large updates)."""
    path_list = list(paths)
    if len(path_list) <= 1:
        return {p: hash_file(p, algorithm) for p in path_list}
    workers = workers or min(32, len(os.sched_getaffinity(0)) * 2)
    # Hand each thread a batch, not a file: per-task overhead dominates for small files.
    size = max(1, min(512, len(path_list) // (workers * 4) or 1))
    batches = [path_list[i : i + size] for i in range(0, len(path_list), size)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda batch: [hash_file(p, algorithm) for p in batch], batches)
        digests = [d for batch in results for d in batch]
    return dict(zip(path_list, digests, strict=True))


@dataclass(frozen=True)
class TreeEntry:
    """One entry of a directory tree as the tree digest sees it."""

    path: str
    kind: str  # "file", "dir" or "symlink"
    executable: bool
    digest: str  # hex; empty for directories


def _walk(root: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError as exc:
            raise InputError(f"{current}: cannot list directory: {exc.strerror or exc}") from exc
        for entry in entries:
            path = Path(entry.path)
            st = entry.stat(follow_symlinks=False)
            yield path.relative_to(root).as_posix(), path, st
            if stat.S_ISDIR(st.st_mode):
                stack.append(path)


def tree_entries(root: Path) -> list[TreeEntry]:
    """The sorted entries of a directory tree with their content digests (hashed in parallel)."""
    if not root.is_dir():
        raise InputError(f"{root}: not a directory")
    entries: list[tuple[str, str, bool, Path | None, str]] = []
    files: list[Path] = []
    for rel, path, st in _walk(root):
        if stat.S_ISREG(st.st_mode):
            entries.append((rel, "file", bool(st.st_mode & 0o111), path, ""))
            files.append(path)
        elif stat.S_ISDIR(st.st_mode):
            entries.append((rel, "dir", False, None, ""))
        elif stat.S_ISLNK(st.st_mode):
            target = os.fsencode(path.readlink())
            entries.append((rel, "symlink", False, None, hashlib.sha256(target).hexdigest()))
        else:
            raise InputError(
                f"{path}: unsupported file type in tree (not a file, directory or link)"
            )
    file_digests = hash_files(files)
    result = [
        TreeEntry(rel, kind, executable, file_digests[path].hex if path is not None else link)
        for rel, kind, executable, path, link in entries
    ]
    result.sort(key=lambda e: os.fsencode(e.path))
    return result


def tree_digest(root: Path) -> Digest:
    """The ``verifier-tree-v1`` digest of a directory (see the module docstring)."""
    h = hashlib.sha256(TREE_DIGEST_MAGIC)
    for entry in tree_entries(root):
        mode = "x" if entry.executable else "-"
        h.update(f"{entry.kind}\0{mode}\0{entry.digest}\0".encode())
        h.update(os.fsencode(entry.path) + b"\0")
    return Digest(Algorithm.SHA256, h.hexdigest())


def digest_path(path: Path) -> Digest:
    """sha256 of a file, or the tree digest of a directory."""
    if path.is_dir() and not path.is_symlink():
        return tree_digest(path)
    return hash_file(path)
