"""A stabilizer: a named, versioned, pure normalization of one listing.

Following OSS Rebuild's model (docs/content/stabilizers.md in google/oss-rebuild): each
stabilizer is a pure function package -> package; two artifacts are equivalent when their
stabilized forms are equal. Ours act on the listing (metadata and digests) rather than on
rewritten archive bytes, so applying one costs no recompression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from verifier.compare.listing import Entry, Fields, Listing

EntryRule = Callable[[Listing, Entry], Entry]
ListingRule = Callable[[Listing], Listing]


@dataclass(frozen=True)
class Stabilizer:
    """One normalization: what it is called, its version, which formats it touches, and how.

    ``entry_rule`` rewrites each entry of a listing of one of ``formats``; ``listing_rule``
    rewrites the listing as a whole (order, container header). Either may be absent.
    """

    name: str
    version: int
    formats: frozenset[str]
    erases: str
    entry_rule: EntryRule | None = None
    listing_rule: ListingRule | None = None

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.lower() or " " in self.name:
            raise ValueError(f"stabilizer name {self.name!r} must be lower-case kebab")
        if self.version < 1:
            raise ValueError(f"stabilizer {self.name}: version must be at least 1")
        if self.entry_rule is None and self.listing_rule is None:
            raise ValueError(f"stabilizer {self.name}: needs an entry or a listing rule")

    @property
    def label(self) -> str:
        """``name@version``, as recorded in reports and statements."""
        return f"{self.name}@{self.version}"

    def stabilize(self, listing: Listing) -> Listing:
        """The listing with this normalization applied (unchanged when the format differs)."""
        if listing.format not in self.formats:
            return listing
        if self.entry_rule is not None:
            rule = self.entry_rule
            listing = replace(listing, entries=tuple(rule(listing, e) for e in listing.entries))
        if self.listing_rule is not None:
            listing = self.listing_rule(listing)
        return listing


def without(fields: Fields, *keys: str) -> Fields:
    """``fields`` minus ``keys``."""
    return tuple((k, v) for k, v in fields if k not in keys)


def setting(fields: Fields, **values: str | int) -> Fields:
    """``fields`` with ``values`` set (kept sorted by key)."""
    merged = dict(fields)
    merged.update(values)
    return tuple(sorted(merged.items()))


def sort_entries(listing: Listing) -> Listing:
    """Entries sorted by name."""
    return replace(listing, entries=tuple(sorted(listing.entries, key=lambda e: e.name)))


def forget_encoding(listing: Listing) -> Listing:
    """Drop the container's own bytes from the comparison (only members count)."""
    return replace(listing, raw_digest=None)
