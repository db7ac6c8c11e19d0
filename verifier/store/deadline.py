"""One total deadline for a store operation, instead of per-request retries and sleeps.

NOTE: oras-py retries every request five times with sleeps of ``2 + 3**n`` seconds, so an
unreachable registry takes 131 s to fail (measured, ``/work/shared/reference/measured.md`` Q4).
Every network wait here is bounded by what is left of a single budget instead.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from verifier.errors import InputError
from verifier.store.errors import StoreTimeout

DEFAULT_TIMEOUT = 10.0
#: A week: more than any store operation needs, and far below what socket and time_t
#: arithmetic overflow on (``--timeout inf`` or ``1e308`` ended in an OverflowError).
MAX_TIMEOUT = 7 * 24 * 3600.0


def check_timeout(seconds: float) -> None:
    """InputError unless ``seconds`` is a usable time limit: positive, finite, at most a week."""
    if not (seconds > 0 and math.isfinite(seconds) and seconds <= MAX_TIMEOUT):
        raise InputError(
            f"timeout must be a positive number of seconds up to {MAX_TIMEOUT:g}, not {seconds!r}"
        )


@dataclass(frozen=True)
class Deadline:
    """A point in monotonic time after which store work gives up (exit 3)."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        check_timeout(self.seconds)

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
