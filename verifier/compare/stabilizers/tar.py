"""Tar stabilizers, named after OSS Rebuild's tar catalogue."""

from __future__ import annotations

from dataclasses import replace

from verifier.archive import MemberKind
from verifier.compare.listing import Entry
from verifier.compare.stabilizers.interface import Stabilizer, setting, sort_entries, without

_TAR = frozenset({"tar"})


_TIME_RECORDS = ("atime", "ctime", "mtime")


def _time(entry: Entry) -> Entry:
    pax = entry.meta_value("pax")
    records = str(pax).split(";") if pax else []
    kept = ";".join(r for r in records if r.split("=", 1)[0] not in _TIME_RECORDS)
    return replace(entry, mtime=0.0, meta=setting(entry.meta, pax=kept) if pax else entry.meta)


def _mode(entry: Entry) -> Entry:
    # OSS Rebuild's tar-file-mode sets 0777 on every entry; so do we.
    return replace(entry, mode=0o777) if entry.kind is not MemberKind.SYMLINK else entry


TAR_STABILIZERS = (
    Stabilizer(
        "tar-file-order",
        1,
        _TAR,
        "the order of members (sorted by name)",
        listing_rule=sort_entries,
    ),
    Stabilizer(
        "tar-time",
        1,
        _TAR,
        "member modification times (and PAX atime/ctime records)",
        entry_rule=lambda _l, e: _time(e),
    ),
    Stabilizer(
        "tar-file-mode",
        1,
        _TAR,
        "member permission bits (all set to 0777)",
        entry_rule=lambda _l, e: _mode(e),
    ),
    Stabilizer(
        "tar-owners",
        1,
        _TAR,
        "uid, gid, user and group names",
        entry_rule=lambda _l, e: replace(e, owner=()),
    ),
    Stabilizer(
        "tar-xattrs",
        1,
        _TAR,
        "extended attributes and other PAX records",
        entry_rule=lambda _l, e: replace(e, meta=setting(without(e.meta, "pax"), pax="")),
    ),
    Stabilizer(
        "tar-device-number",
        1,
        _TAR,
        "device major and minor numbers",
        entry_rule=lambda _l, e: replace(e, meta=without(e.meta, "devmajor", "devminor")),
    ),
)
