"""Zip stabilizers, named after OSS Rebuild's zip catalogue."""

from __future__ import annotations

from dataclasses import replace

from verifier.compare.listing import Entry, Listing
from verifier.compare.stabilizers.interface import (
    Stabilizer,
    forget_encoding,
    setting,
    sort_entries,
    without,
)

_ZIP = frozenset({"zip"})
_DATA_DESCRIPTOR = 0x08
_UTF8 = 0x800


def _flag(entry: Entry, bit: int) -> Entry:
    flags = entry.meta_value("flag_bits")
    if not isinstance(flags, int):
        return entry
    return replace(entry, meta=setting(entry.meta, flag_bits=flags & ~bit))


def _zip_comment(listing: Listing) -> Listing:
    return replace(listing, meta=setting(listing.meta, **{"zip.comment": ""}))


ZIP_STABILIZERS = (
    Stabilizer(
        "zip-file-order",
        1,
        _ZIP,
        "the order of members (sorted by name)",
        listing_rule=sort_entries,
    ),
    Stabilizer(
        "zip-modified-time",
        1,
        _ZIP,
        "every member's modification date and time",
        entry_rule=lambda _l, e: replace(e, mtime=0.0),
    ),
    Stabilizer(
        "zip-compression",
        1,
        _ZIP,
        "compression method and level (members compare by uncompressed content)",
        entry_rule=lambda _l, e: replace(e, meta=without(e.meta, "compress_type", "compress_size")),
        listing_rule=forget_encoding,
    ),
    Stabilizer(
        "zip-data-descriptor",
        1,
        _ZIP,
        "the data-descriptor flag (general purpose bit 3)",
        entry_rule=lambda _l, e: _flag(e, _DATA_DESCRIPTOR),
    ),
    Stabilizer(
        "zip-file-encoding",
        1,
        _ZIP,
        "the UTF-8 name flag (general purpose bit 11)",
        entry_rule=lambda _l, e: _flag(e, _UTF8),
    ),
    Stabilizer(
        "zip-file-mode",
        1,
        _ZIP,
        "creator system and version, and external attributes (Unix mode)",
        entry_rule=lambda _l, e: replace(
            e, mode=None, meta=without(e.meta, "create_system", "create_version", "external_attr")
        ),
    ),
    Stabilizer(
        "zip-misc",
        1,
        _ZIP,
        "member and archive comments, extra fields, reader version",
        entry_rule=lambda _l, e: replace(
            e, meta=without(e.meta, "comment", "extra", "extract_version")
        ),
        listing_rule=_zip_comment,
    ),
)
