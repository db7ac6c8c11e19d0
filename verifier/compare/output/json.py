"""JSON: the Comparison's own to_dict(), keys sorted, one trailing newline."""

from __future__ import annotations

import json
from typing import Any

from verifier.archive import printable_name
from verifier.compare.model import Comparison


def _printable(value: Any) -> Any:
    """Every string of a report with names that are not UTF-8 escaped (JSON is UTF-8)."""
    if isinstance(value, str):
        return printable_name(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


class JsonWriter:
    """Machine-readable report (schema: docs/diff.md)."""

    def render(self, comparison: Comparison) -> str:
        """The comparison as indented JSON."""
        return (
            json.dumps(
                _printable(comparison.to_dict()), indent=2, sort_keys=True, ensure_ascii=False
            )
            + "\n"
        )
