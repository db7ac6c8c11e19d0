"""JSON: the Comparison's own to_dict(), keys sorted, one trailing newline."""

from __future__ import annotations

import json

from verifier.compare.model import Comparison


class JsonWriter:
    """Machine-readable report (schema: docs/diff.md)."""

    def render(self, comparison: Comparison) -> str:
        """The comparison as indented JSON."""
        return json.dumps(comparison.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
