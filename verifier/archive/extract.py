"""Extraction that never writes outside its destination."""

from __future__ import annotations

import os
import posixpath
import shutil
from pathlib import Path

from verifier.archive.limits import DEFAULT_LIMITS, ArchiveError, Limits
from verifier.archive.member import MemberKind
from verifier.archive.reader import open_archive


def extract(
    archive: Path,
    dest: Path,
    *,
    strip: int = 0,
    limits: Limits = DEFAULT_LIMITS,
    keep_mtimes: bool = False,
    umask: int | None = None,
) -> None:
    """Extract files, directories and in-tree symlinks of ``archive`` into ``dest``.

    Refused (ArchiveError): names escaping the root, links pointing outside it, hard links,
    devices and fifos, and members written through a previously extracted symlink. Modes are
    reduced to 0644/0755 so the result depends on the archive's contents, not on its owner.

    To re-create what a build saw when it unpacked the archive itself (some backends write
    file mtimes and modes into their output): ``keep_mtimes`` sets each file's mtime from the
    archive, and ``umask`` gives files the archive's permission bits less that umask
    (as ``tar`` does for a non-root user), instead of 0644/0755.
    """
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    reader = open_archive(archive, limits)
    try:
        for member in reader.members():
            parts = member.name.split("/")
            if len(parts) <= strip:
                continue
            rel = "/".join(parts[strip:])
            if not rel:
                continue
            target = root / rel
            # A member path must not pass through a symlink extracted earlier.
            parent = target.parent
            if parent.resolve() != parent.absolute() or not str(parent.resolve()).startswith(
                str(root)
            ):
                raise ArchiveError(f"{archive}: member {member.name!r} goes through a symlink")
            match member.kind:
                case MemberKind.DIR:
                    target.mkdir(parents=True, exist_ok=True)
                case MemberKind.FILE:
                    parent.mkdir(parents=True, exist_ok=True)
                    with reader.open(member) as src, target.open("wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    if umask is None:
                        target.chmod(0o755 if member.mode & 0o111 else 0o644)
                    else:
                        target.chmod(member.mode & 0o777 & ~umask)
                    if keep_mtimes:
                        os.utime(target, (member.mtime, member.mtime))
                case MemberKind.SYMLINK:
                    link = member.link_target or ""
                    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), link))
                    if link.startswith("/") or resolved == ".." or resolved.startswith("../"):
                        raise ArchiveError(
                            f"{archive}: symlink {member.name!r} points outside: {link!r}"
                        )
                    parent.mkdir(parents=True, exist_ok=True)
                    target.symlink_to(link)
                case MemberKind.HARDLINK | MemberKind.OTHER:
                    raise ArchiveError(
                        f"{archive}: member {member.name!r} is a {member.kind.value}; refused"
                    )
    finally:
        reader.close()
