"""Formats of the ``verifier pins`` report: a writer interface and one module per format."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, assert_never

from verifier.pins.scan import PinsReport
from verifier.report.pins_json import PinsJsonWriter
from verifier.report.pins_sarif import PinsSarifWriter
from verifier.report.pins_text import PinsTextWriter


class PinsReportWriter(Protocol):
    """Turns a scan into the text of one report format."""

    def render(self, report: PinsReport) -> str:
        """The whole report, ending in a newline."""
        ...


class PinsFormat(StrEnum):
    """The report formats ``verifier pins --format`` offers."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"

    def writer(self) -> PinsReportWriter:
        """The writer for this format."""
        match self:
            case PinsFormat.TEXT:
                return PinsTextWriter()
            case PinsFormat.JSON:
                return PinsJsonWriter()
            case PinsFormat.SARIF:
                return PinsSarifWriter()
        assert_never(self)
