"""Which files or archive members differ between two outputs (a summary, not an explanation)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from verifier.archive import ArchiveError, MemberKind, detect_format, open_archive

MAX_LISTED = 20


def _member_digests(path: Path) -> tuple[dict[str, str], dict[str, dict[str, object]], list[str]]:
    reader = open_archive(path)
    try:
        contents: dict[str, str] = {}
        meta: dict[str, dict[str, object]] = {}
        order: list[str] = []
        for member in reader.members():
            order.append(member.name)
            digest = ""
            if member.kind is MemberKind.FILE:
                h = hashlib.sha256()
                with reader.open(member) as stream:
                    while chunk := stream.read(1 << 20):
                        h.update(chunk)
                digest = h.hexdigest()
            contents[member.name] = f"{member.kind.value}:{digest}:{member.link_target or ''}"
            meta[member.name] = {
                "mode": f"{member.mode:04o}",
                "mtime": member.mtime,
                **{k: v for k, v in member.extra if k != "raw_name"},
            }
        return contents, meta, order
    finally:
        reader.close()


def _first_difference(a: Path, b: Path) -> int:
    with a.open("rb") as fa, b.open("rb") as fb:
        offset = 0
        while True:
            ca, cb = fa.read(1 << 16), fb.read(1 << 16)
            if ca != cb:
                for i, (x, y) in enumerate(zip(ca, cb, strict=False)):
                    if x != y:
                        return offset + i
                return offset + min(len(ca), len(cb))
            if not ca:
                return -1
            offset += len(ca)


def differing_members(a: Path, b: Path) -> list[str]:
    """Short lines naming what differs: archive members (content, metadata, order) or bytes."""
    try:
        archive = detect_format(a) is not None and detect_format(b) is not None
        if archive:
            ca, ma, oa = _member_digests(a)
            cb, mb, ob = _member_digests(b)
    except ArchiveError as exc:
        return [f"cannot read as archive ({exc}); compared as bytes", *_bytes(a, b)]
    if not archive:
        return _bytes(a, b)
    lines = [f"member {n}: only in the first" for n in sorted(set(ca) - set(cb))]
    lines += [f"member {n}: only in the second" for n in sorted(set(cb) - set(ca))]
    for name in sorted(set(ca) & set(cb)):
        if ca[name] != cb[name]:
            lines.append(f"member {name}: content differs")
        elif ma[name] != mb[name]:
            fields = sorted(
                k for k in ma[name].keys() | mb[name].keys() if ma[name].get(k) != mb[name].get(k)
            )
            shown = ", ".join(f"{k} {ma[name].get(k)} vs {mb[name].get(k)}" for k in fields[:3])
            lines.append(f"member {name}: {shown}")
    common = [n for n in oa if n in cb]
    if not lines and common != [n for n in ob if n in ca]:
        lines.append("member order differs")
    if not lines:
        lines.append("archive container bytes differ (headers or compression), members identical")
    if len(lines) > MAX_LISTED:
        lines = [*lines[:MAX_LISTED], f"... and {len(lines) - MAX_LISTED} more"]
    return lines


def _bytes(a: Path, b: Path) -> list[str]:
    offset = _first_difference(a, b)
    if offset < 0:
        return []
    return [f"bytes differ from offset {offset} (sizes {a.stat().st_size} and {b.stat().st_size})"]
