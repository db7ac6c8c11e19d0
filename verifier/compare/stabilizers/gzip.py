"""Gzip stabilizers, named after OSS Rebuild's gzip catalogue (they reach a .tar.gz too)."""

from __future__ import annotations

from dataclasses import replace

from verifier.compare.listing import Listing
from verifier.compare.stabilizers.interface import Stabilizer, setting

_GZIP = frozenset({"gzip", "tar"})


def _has_gzip(listing: Listing) -> bool:
    return any(k.startswith("gzip.") for k, _ in listing.meta)


def _compression(listing: Listing) -> Listing:
    if not _has_gzip(listing):
        return listing
    return replace(listing, meta=setting(listing.meta, **{"gzip.xfl": 0}), raw_digest=None)


def _misc(listing: Listing) -> Listing:
    if not _has_gzip(listing):
        return listing
    flags = dict(listing.meta).get("gzip.flags", 0)
    # Only FNAME (0x08) stays: gzip-name owns it. FTEXT, FHCRC, FEXTRA, FCOMMENT go.
    kept = flags & 0x08 if isinstance(flags, int) else 0
    values: dict[str, str | int] = {
        "gzip.comment": "",
        "gzip.extra": "",
        "gzip.os": 255,
        "gzip.flags": kept,
    }
    return replace(listing, meta=setting(listing.meta, **values))


def _name(listing: Listing) -> Listing:
    if not _has_gzip(listing):
        return listing
    flags = dict(listing.meta).get("gzip.flags", 0)
    values: dict[str, str | int] = {
        "gzip.name": "",
        "gzip.flags": flags & ~0x08 if isinstance(flags, int) else 0,
    }
    return replace(listing, meta=setting(listing.meta, **values))


def _time(listing: Listing) -> Listing:
    if not _has_gzip(listing):
        return listing
    return replace(listing, meta=setting(listing.meta, **{"gzip.mtime": 0}))


GZIP_STABILIZERS = (
    Stabilizer(
        "gzip-compression",
        1,
        _GZIP,
        "compression level and the compressed bytes (compare the decompressed stream)",
        listing_rule=_compression,
    ),
    Stabilizer("gzip-name", 1, _GZIP, "the original file name in the header", listing_rule=_name),
    Stabilizer("gzip-time", 1, _GZIP, "the modification time in the header", listing_rule=_time),
    Stabilizer(
        "gzip-misc",
        1,
        _GZIP,
        "header comment, extra field, text/CRC flags and OS byte (set to 255)",
        listing_rule=_misc,
    ),
)
