"""Time for the core comes from here: an injected clock, never a bare ``now()``."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from typing import Protocol

from verifier.errors import InputError


class Clock(Protocol):
    """Something that tells the time; tests inject a fixed one."""

    def now(self) -> datetime: ...


class SystemClock:
    """The machine's wall clock, in UTC, truncated to seconds for stable output."""

    def now(self) -> datetime:
        """Current UTC time without microseconds."""
        return datetime.fromtimestamp(int(time.time()), tz=UTC)


class FixedClock:
    """A clock that always answers the same instant."""

    def __init__(self, instant: datetime) -> None:
        self._instant = instant

    def now(self) -> datetime:
        """The fixed instant."""
        return self._instant


def source_date_epoch_clock() -> Clock:
    """FixedClock at SOURCE_DATE_EPOCH when set (reproducible runs), else the system clock."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None:
        return SystemClock()
    try:
        return FixedClock(datetime.fromtimestamp(int(raw), tz=UTC))
    except ValueError as exc:
        raise InputError(f"SOURCE_DATE_EPOCH={raw!r} is not a whole number of seconds") from exc


def rfc3339(instant: datetime) -> str:
    """``2026-01-02T03:04:05Z``: the form every statement uses."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
