"""Python wheel stabilizers (ours; OSS Rebuild has none for wheels)."""

from __future__ import annotations

from verifier.compare.listing import Entry, Listing
from verifier.compare.stabilizers.interface import Stabilizer

_RECORD_LIMIT = 64 << 20


def _record_order(listing: Listing, entry: Entry) -> Entry:
    if not entry.name.endswith(".dist-info/RECORD") or entry.name.count("/") != 1:
        return entry
    data = listing.read(entry, _RECORD_LIMIT)
    lines = data.splitlines(keepends=True)
    if lines and not lines[-1].endswith(b"\n"):
        lines[-1] += b"\n"
    return entry.with_content(b"".join(sorted(lines)))


WHEEL_STABILIZERS = (
    Stabilizer(
        "wheel-record-order",
        1,
        frozenset({"zip"}),
        "the order of lines in <name>.dist-info/RECORD",
        entry_rule=_record_order,
    ),
)
