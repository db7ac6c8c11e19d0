"""One total deadline for a store operation, instead of per-request retries and sleeps.

NOTE: oras-py retries every request five times with sleeps of ``2 + 3**n`` seconds, so an
unreachable registry takes 131 s to fail (measured, ``/work/shared/reference/measured.md`` Q4).
Every network wait here is bounded by what is left of a single budget instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from verifier.errors import InputError
from verifier.store.errors import StoreTimeout

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Deadline:
    """A point in monotonic time after which store work gives up (exit 3)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise InputError(f"timeout must be a positive number of seconds, not {self.seconds!r}")

    @property
    def expires_at(self) -> float:
        """The monotonic time at which it passes."""
        return self.started + self.seconds

    @property
    def remaining(self) -> float:
        """Seconds left; never negative."""
        return max(0.0, self.started + self.seconds - time.monotonic())

    def check(self, what: str) -> float:
        """Seconds left, or StoreTimeout naming ``what`` when none are."""
        left = self.remaining
        if left <= 0:
            raise StoreTimeout(f"{what}: gave up after the {self.seconds:g}s deadline (--timeout)")
        return left
