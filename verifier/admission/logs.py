"""Structured logs: one JSON object a line on stderr, for a cluster's log pipeline.

Every record has ``time`` (UTC, RFC 3339 with milliseconds), ``level``, ``logger`` and
``event``; fields passed as ``extra={"fields": {...}}`` (the request ``uid``, the decision,
the images) are merged in with stable key order.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any


class JsonLogFormatter(logging.Formatter):
    """Formats a record as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        """The JSON line (no trailing newline; the handler adds it)."""
        when = datetime.fromtimestamp(record.created, tz=UTC)
        entry: dict[str, Any] = {
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, sort_keys=True, default=str, ensure_ascii=False)


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted.

    A handler that kept the stream of the moment it was configured would write to a closed
    file once that stream is swapped (a test's capture, a daemon's redirected stderr).
    """

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass  # the stream is always the current sys.stderr


def configure_json_logging(level: str = "info") -> None:
    """Send ``verifier.*`` and ``uvicorn.*`` logs to stderr as JSON lines."""
    handler = _CurrentStderr()
    handler.setFormatter(JsonLogFormatter())
    for name in ("verifier", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level.upper())
        logger.propagate = False
    # One line per review comes from the webhook itself; uvicorn's access log would repeat it.
    logging.getLogger("uvicorn.access").disabled = True
