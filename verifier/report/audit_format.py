"""Formats of the ``verifier audit`` report: a writer interface and one module per format."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, assert_never

from verifier.audit.model import AuditReport
from verifier.report.audit_csv import AuditCsvWriter
from verifier.report.audit_html import AuditHtmlWriter
from verifier.report.audit_json import AuditJsonWriter
from verifier.report.audit_markdown import AuditMarkdownWriter


class AuditReportWriter(Protocol):
    """Turns an audit into the text of one report format."""

    def render(self, report: AuditReport) -> str:
        """The whole report, ending in a newline."""
        ...


class AuditFormat(StrEnum):
    """The report formats ``verifier audit --format`` offers."""

    HTML = "html"
    MARKDOWN = "markdown"
    JSON = "json"
    CSV = "csv"

    def writer(self) -> AuditReportWriter:
        """The writer for this format."""
        match self:
            case AuditFormat.HTML:
                return AuditHtmlWriter()
            case AuditFormat.MARKDOWN:
                return AuditMarkdownWriter()
            case AuditFormat.JSON:
                return AuditJsonWriter()
            case AuditFormat.CSV:
                return AuditCsvWriter()
        assert_never(self)
