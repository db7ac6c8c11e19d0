"""How a Comparison is written out: text for people, JSON for machines, Markdown for reviews."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, assert_never

from verifier.compare.model import Comparison


class ComparisonWriter(Protocol):
    """Renders a comparison as one string."""

    def render(self, comparison: Comparison) -> str: ...


class DiffFormat(StrEnum):
    """Output formats of ``verifier diff``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"

    def writer(self) -> ComparisonWriter:
        """The writer for this format."""
        from verifier.compare.output.json import JsonWriter
        from verifier.compare.output.markdown import MarkdownWriter
        from verifier.compare.output.text import TextWriter

        match self:
            case DiffFormat.TEXT:
                return TextWriter()
            case DiffFormat.JSON:
                return JsonWriter()
            case DiffFormat.MARKDOWN:
                return MarkdownWriter()
        assert_never(self)


__all__ = ["ComparisonWriter", "DiffFormat"]
