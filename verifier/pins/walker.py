"""Walking a tree for build files: skips vendored and VCS directories, bounds file sizes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from verifier.errors import InputError

#: Directories never entered: VCS data, installed dependencies, virtual environments, caches.
SKIPPED_DIRECTORIES = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".ruff_cache", ".pytest_cache"}
)  # fmt: skip
#: Larger files are reported ``unreadable`` instead of parsed: build files are small.
MAX_FILE_BYTES = 4 * 1024 * 1024
HEAD_BYTES = 128


@dataclass(frozen=True)
class WalkedFile:
    """A regular file found under the root."""

    path: Path
    display: PurePosixPath


def walk(root: Path) -> Iterator[WalkedFile]:
    """Regular files under ``root`` (or ``root`` itself), sorted, symlinks not followed.

    InputError (exit 2) when ``root`` does not exist or a directory cannot be listed.
    """
    if root.is_file():
        yield WalkedFile(root, PurePosixPath(root.name))
        return
    if not root.is_dir():
        raise InputError(f"{root}: no such file or directory")
    errors: list[OSError] = []
    found: list[WalkedFile] = []
    for directory, dirnames, filenames in os.walk(root, onerror=errors.append):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRECTORIES)
        base = Path(directory)
        for name in filenames:
            path = base / name
            if path.is_symlink() or not path.is_file():
                continue
            found.append(WalkedFile(path, PurePosixPath(path.relative_to(root).as_posix())))
    if errors:
        first = errors[0]
        raise InputError(f"{first.filename}: cannot list directory: {first.strerror or first}")
    yield from sorted(found, key=lambda f: f.display.as_posix())


def read_head(path: Path) -> bytes:
    """The first bytes of a file (for ``#!`` lines); InputError naming it when unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def read_bounded(path: Path, limit: int = MAX_FILE_BYTES) -> bytes | None:
    """The file's bytes, or None when it is over ``limit``; InputError when unreadable."""
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return None if len(data) > limit else data
