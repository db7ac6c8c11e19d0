"""The structural difference of two listings at one level, before causes are assigned."""

from __future__ import annotations

from datetime import UTC, datetime

from verifier.archive import MemberKind
from verifier.compare.listing import Entry, Fields, Listing
from verifier.compare.model import DifferenceKind as K

#: per-entry format fields and the difference kind each one reports
ENTRY_FIELDS: dict[str, K] = {
    "compress_type": K.COMPRESSION,
    "compress_size": K.COMPRESSION,
    "extra": K.ZIP_EXTRA,
    "comment": K.ZIP_COMMENT,
    "create_system": K.ZIP_ATTRIBUTES,
    "create_version": K.ZIP_ATTRIBUTES,
    "extract_version": K.ZIP_ATTRIBUTES,
    "flag_bits": K.ZIP_ATTRIBUTES,
    "external_attr": K.ZIP_ATTRIBUTES,
    "devmajor": K.TAR_HEADER,
    "devminor": K.TAR_HEADER,
    "pax": K.TAR_HEADER,
}

#: container-level fields and the difference kind each one reports
CONTAINER_FIELDS: dict[str, K] = {
    "zip.comment": K.ZIP_COMMENT,
    "gzip.name": K.GZIP_NAME,
    "gzip.mtime": K.GZIP_MTIME,
    "gzip.os": K.GZIP_HEADER,
    "gzip.xfl": K.GZIP_HEADER,
    "gzip.flags": K.GZIP_HEADER,
    "gzip.comment": K.GZIP_HEADER,
    "gzip.extra": K.GZIP_HEADER,
    "tar.compression": K.COMPRESSION,
}


class RawDifference:
    """A difference before classification: where, what kind, and the two values."""

    __slots__ = ("a", "b", "entry_a", "entry_b", "kind", "location")

    def __init__(
        self,
        location: tuple[str, ...],
        kind: K,
        a: str | None,
        b: str | None,
        entry_a: Entry | None = None,
        entry_b: Entry | None = None,
    ) -> None:
        self.location, self.kind, self.a, self.b = location, kind, a, b
        self.entry_a, self.entry_b = entry_a, entry_b

    @property
    def key(self) -> tuple[tuple[str, ...], K]:
        """Identity of the difference across stabilizer rounds."""
        return self.location, self.kind


def iso(mtime: float) -> str:
    """A timestamp as ISO 8601 UTC."""
    try:
        return datetime.fromtimestamp(mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return str(mtime)


def describe(entry: Entry) -> str:
    """A short description of an entry for added/removed/type differences."""
    match entry.kind:
        case MemberKind.FILE:
            return f"file, {entry.size} bytes"
        case MemberKind.SYMLINK | MemberKind.HARDLINK:
            return f"{entry.kind.value} -> {entry.link_target}"
        case _:
            return entry.kind.value


def _owner(fields: Fields) -> str:
    values = dict(fields)
    ids = f"{values.get('uid', '?')}/{values.get('gid', '?')}"
    return f"{ids} {values.get('uname', '')}/{values.get('gname', '')}"


def _grouped(
    fields_a: Fields, fields_b: Fields, table: dict[str, K], skip: frozenset[str] = frozenset()
) -> dict[K, tuple[str, str]]:
    """Differing fields grouped by the difference kind they report."""
    da, db = dict(fields_a), dict(fields_b)
    out: dict[K, tuple[list[str], list[str]]] = {}
    for key in sorted(da.keys() | db.keys()):
        if key in skip or key not in table or da.get(key) == db.get(key):
            continue
        sides = out.setdefault(table[key], ([], []))
        sides[0].append(f"{key}={da.get(key, '')}")
        sides[1].append(f"{key}={db.get(key, '')}")
    return {kind: (", ".join(a), ", ".join(b)) for kind, (a, b) in out.items()}


def diff_entries(loc: tuple[str, ...], a: Entry, b: Entry) -> list[RawDifference]:
    """Differences of one member present on both sides."""
    out: list[RawDifference] = []

    def add(kind: K, va: str | None, vb: str | None) -> None:
        out.append(RawDifference(loc, kind, va, vb, a, b))

    if a.kind is not b.kind:
        add(K.TYPE, describe(a), describe(b))
        return out
    if a.digest != b.digest:
        add(K.CONTENT, f"{a.size} bytes", f"{b.size} bytes")
    if a.link_target != b.link_target:
        add(K.LINK_TARGET, a.link_target, b.link_target)
    if a.mode is not None and b.mode is not None and a.mode != b.mode:
        add(K.MODE, f"{a.mode:04o}", f"{b.mode:04o}")
    if a.mtime is not None and b.mtime is not None and a.mtime != b.mtime:
        add(K.MTIME, iso(a.mtime), iso(b.mtime))
    if a.owner != b.owner:
        add(K.OWNER, _owner(a.owner), _owner(b.owner))
    # A different content naturally compresses to a different size: not a finding of its own;
    # nor is the compressed size of content a stabilizer rewrote.
    rewritten = a.override is not None or b.override is not None
    skip = frozenset({"compress_size"}) if a.digest != b.digest or rewritten else frozenset()
    for kind, (va, vb) in _grouped(a.meta, b.meta, ENTRY_FIELDS, skip).items():
        add(kind, va, vb)
    return out


def diff_listings(
    prefix: tuple[str, ...], la: Listing, lb: Listing, *, encoding: bool
) -> list[RawDifference]:
    """Every difference of two containers at this level (nested archives not opened).

    ``encoding`` adds ENCODING when the containers' own bytes differ; the caller asks for
    it only when nothing else explains why they do.
    """
    out: list[RawDifference] = []
    for kind, (va, vb) in _grouped(la.meta, lb.meta, CONTAINER_FIELDS).items():
        out.append(RawDifference(prefix, kind, va, vb))
    if la.duplicates != lb.duplicates:
        out.append(
            RawDifference(prefix, K.DUPLICATE, ", ".join(la.duplicates), ", ".join(lb.duplicates))
        )
    by_a, by_b = la.by_name(), lb.by_name()
    for name, entry in by_a.items():
        if name not in by_b:
            out.append(RawDifference((*prefix, name), K.REMOVED, describe(entry), None, entry))
    for name, entry in by_b.items():
        if name not in by_a:
            out.append(RawDifference((*prefix, name), K.ADDED, None, describe(entry), None, entry))
    for name in sorted(by_a.keys() & by_b.keys()):
        out.extend(diff_entries((*prefix, name), by_a[name], by_b[name]))
    if la.ordered and lb.ordered:
        order_a = [e.name for e in la.entries if e.name in by_b]
        order_b = [e.name for e in lb.entries if e.name in by_a]
        if order_a != order_b:
            i = next(k for k, (x, y) in enumerate(zip(order_a, order_b, strict=True)) if x != y)
            out.append(
                RawDifference(
                    prefix, K.MEMBER_ORDER, f"#{i + 1} {order_a[i]}", f"#{i + 1} {order_b[i]}"
                )
            )
    if encoding and la.raw_digest and lb.raw_digest and la.raw_digest != lb.raw_digest:
        out.append(RawDifference(prefix, K.ENCODING, la.raw_digest[:16], lb.raw_digest[:16]))
    return out
