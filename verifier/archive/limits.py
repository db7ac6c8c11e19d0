"""Bounds every archive reader enforces, and the error raised when one is crossed."""

from __future__ import annotations

from dataclasses import dataclass

from verifier.errors import InputError


class ArchiveError(InputError):
    """A malformed or hostile archive (exit 2); the message names the archive and the member."""


@dataclass(frozen=True)
class Limits:
    """How much an archive may expand to before we stop reading it."""

    max_members: int = 200_000
    max_total_size: int = 16 * 1024**3
    max_member_size: int = 8 * 1024**3
    #: uncompressed/compressed ratio above which a member is treated as a decompression bomb
    max_ratio: int = 250
    #: nesting depth for archives inside archives (used by callers that recurse)
    max_depth: int = 4

    def __post_init__(self) -> None:
        for name in ("max_members", "max_total_size", "max_member_size", "max_ratio", "max_depth"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Limits.{name} must be positive")


DEFAULT_LIMITS = Limits()
