"""A side of a comparison read into memory as metadata plus content digests, never extracted.

A :class:`Listing` is one container (a directory, an archive, or a lone file): its own
header fields and its entries in stored order, each with a sha256 of its content. Content
itself stays in the archive; :class:`ContentSource` reads it back when a difference needs
showing, a stabilizer needs rewriting it, or a nested archive needs opening.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Protocol

from verifier.archive import ArchiveError, ArchiveReader, Member, MemberKind
from verifier.errors import InputError

Fields = tuple[tuple[str, str | int], ...]

_CHUNK = 1 << 20
#: nested archives up to this size are held in memory; larger ones spill to a temp file
NESTED_IN_MEMORY = 32 << 20


@dataclass(frozen=True, slots=True)
class Entry:
    """One member: what is compared, plus (not compared) how to read it back."""

    name: str
    kind: MemberKind
    size: int
    digest: str = ""  # sha256 hex of the content; "" for directories and links
    mode: int | None = None
    mtime: float | None = None
    owner: Fields = ()  # uid, gid, uname, gname (tar)
    link_target: str | None = None
    meta: Fields = ()  # format-specific fields (zip: compress_type, extra, ...)
    head: bytes = field(default=b"", compare=False)  # first bytes, to spot nested archives
    member: Member | None = field(default=None, compare=False)
    override: bytes | None = field(default=None, compare=False)  # content after a stabilizer

    def meta_value(self, key: str) -> str | int | None:
        """A format-specific field, or None."""
        for k, v in self.meta:
            if k == key:
                return v
        return None

    def with_content(self, data: bytes) -> Entry:
        """A copy with its content replaced (by a stabilizer)."""
        return replace(self, override=data, size=len(data), digest=hashlib.sha256(data).hexdigest())


class ContentSource(Protocol):
    """Reads an entry's original content back."""

    def open(self, entry: Entry) -> IO[bytes]: ...


@dataclass(frozen=True)
class Listing:
    """One container: format, header fields, entries in stored order."""

    label: str
    format: str  # dir, zip, tar, gzip, file
    entries: tuple[Entry, ...]
    meta: Fields = ()
    raw_digest: str | None = None  # sha256 of the container's own bytes, when it has some
    ordered: bool = True  # does member order belong to the format?
    duplicates: tuple[str, ...] = ()
    source: ContentSource | None = field(default=None, compare=False)
    #: things worth knowing about this container whether or not it differs (safety notes)
    findings: tuple[str, ...] = field(default=(), compare=False)

    def read(self, entry: Entry, limit: int) -> bytes:
        """Up to ``limit`` bytes of an entry's content (the stabilized content if rewritten)."""
        if entry.override is not None:
            return entry.override[:limit]
        if self.source is None or entry.kind is not MemberKind.FILE:
            return b""
        with self.source.open(entry) as stream:
            return stream.read(limit)

    def open(self, entry: Entry) -> IO[bytes]:
        """A stream of an entry's original content."""
        if self.source is None:
            raise InputError(f"{self.label}: {entry.name!r} cannot be read back")
        return self.source.open(entry)

    def by_name(self) -> dict[str, Entry]:
        """Entries keyed by name (names are unique: duplicates were renamed on reading)."""
        return {e.name: e for e in self.entries}


def _hash_stream(stream: IO[bytes]) -> tuple[str, int, bytes]:
    digest = hashlib.sha256()
    size = 0
    head = b""
    while chunk := stream.read(_CHUNK):
        if not head:
            head = chunk[:512]
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size, head


class _ArchiveSource:
    def __init__(self, reader: ArchiveReader) -> None:
        self._reader = reader

    def open(self, entry: Entry) -> IO[bytes]:
        if entry.member is None:
            raise ArchiveError(f"{self._reader.label}: {entry.name!r} has no member")
        return self._reader.open(entry.member)


class _PathSource:
    def __init__(self, root: Path) -> None:
        self._root = root

    def open(self, entry: Entry) -> IO[bytes]:
        path = self._root if entry.name == "." else self._root / entry.name
        try:
            return path.open("rb")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _unique(name: str, seen: dict[str, int], duplicates: list[str]) -> str:
    count = seen.get(name, 0) + 1
    seen[name] = count
    if count == 1:
        return name
    if count == 2:
        duplicates.append(name)
    return f"{name} (duplicate {count})"


def scan_archive(reader: ArchiveReader, raw_digest: str | None) -> Listing:
    """Read every member's metadata and content digest, streaming."""
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    duplicates: list[str] = []
    for member in reader.members():
        digest, size, head = "", member.size, b""
        if member.kind is MemberKind.FILE:
            with reader.open(member) as stream:
                digest, size, head = _hash_stream(stream)
        owner = tuple((k, v) for k, v in member.extra if k in ("uid", "gid", "uname", "gname"))
        meta = tuple(
            (k, v & 0xFFFF if k == "external_attr" and isinstance(v, int) else v)
            for k, v in member.extra
            if k not in ("uid", "gid", "uname", "gname", "raw_name", "date_time")
        )
        entries.append(
            Entry(
                # A gzip file's one member is the file itself: its name is the file's, not data.
                name="."
                if reader.format == "gzip"
                else _unique(member.name or ".", seen, duplicates),
                kind=member.kind,
                size=size,
                digest=digest,
                mode=None if reader.format == "gzip" else member.mode,
                mtime=None if reader.format == "gzip" else member.mtime,
                owner=owner,
                link_target=member.link_target,
                meta=meta,
                head=head,
                member=member,
            )
        )
    findings = [f"{reader.label}: member {name!r} occurs more than once" for name in duplicates]
    findings += [
        f"{reader.label}: symlink {e.name!r} points outside the archive: {e.link_target!r}"
        for e in entries
        if e.kind is MemberKind.SYMLINK and escapes(e.name, e.link_target or "")
    ]
    return Listing(
        label=reader.label,
        format=str(reader.format),
        entries=tuple(entries),
        meta=reader.archive_meta(),
        raw_digest=raw_digest,
        ordered=reader.format != "gzip",
        duplicates=tuple(sorted(duplicates)),
        source=_ArchiveSource(reader),
        findings=tuple(sorted(findings)),
    )


def escapes(name: str, target: str) -> bool:
    """True when a symlink named ``name`` pointing at ``target`` leaves its root."""
    if target.startswith("/"):
        return True
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    return resolved == ".." or resolved.startswith("../")


def scan_directory(root: Path) -> Listing:
    """Every file, directory and symlink under ``root`` (symlinks are not followed).

    Directory mtimes and owners are left out: they record when and by whom the tree was
    written, not what it is. Archive the tree to compare those.
    """
    entries: list[Entry] = []
    for path in _walk(root):
        rel = path.relative_to(root).as_posix()
        try:
            st = path.lstat()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        mode = stat.S_IMODE(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            entries.append(
                Entry(rel, MemberKind.SYMLINK, 0, mode=None, link_target=str(path.readlink()))
            )
        elif stat.S_ISDIR(st.st_mode):
            entries.append(Entry(rel, MemberKind.DIR, 0, mode=mode))
        elif stat.S_ISREG(st.st_mode):
            try:
                with path.open("rb") as stream:
                    digest, size, head = _hash_stream(stream)
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
            entries.append(Entry(rel, MemberKind.FILE, size, digest, mode=mode, head=head))
        else:
            entries.append(Entry(rel, MemberKind.OTHER, 0, mode=mode))
    return Listing(
        label=str(root),
        format="dir",
        entries=tuple(entries),
        ordered=False,
        source=_PathSource(root),
    )


def _walk(root: Path) -> Iterator[Path]:
    try:
        children = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"{root}: cannot list: {exc.strerror or exc}") from exc
    for child in children:
        path = Path(child.path)
        yield path
        if child.is_dir(follow_symlinks=False):
            yield from _walk(path)


def scan_file(path: Path, raw_digest: str) -> Listing:
    """A lone file that is not an archive: one entry named ``.``."""
    try:
        with path.open("rb") as stream:
            digest, size, head = _hash_stream(stream)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    entry = Entry(".", MemberKind.FILE, size, digest, head=head)
    return Listing(
        label=str(path),
        format="file",
        entries=(entry,),
        raw_digest=raw_digest,
        ordered=False,
        source=_PathSource(path),
    )


def spool(listing: Listing, entry: Entry) -> IO[bytes]:
    """A seekable copy of a member (a nested archive): in memory, or a temp file if large."""
    out = tempfile.SpooledTemporaryFile(max_size=NESTED_IN_MEMORY)  # noqa: SIM115
    try:
        with listing.open(entry) as stream:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
