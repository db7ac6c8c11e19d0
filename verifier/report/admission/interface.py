"""The report-format axis for decisions: text, JSON, SARIF, JUnit, Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, assert_never

from verifier.digest import Digest
from verifier.policy.decision import Decision, Outcome, overall_exit_code


@dataclass(frozen=True)
class DecisionReport:
    """Every decision of one run, with the policy set they were made under."""

    decisions: tuple[Decision, ...]
    policy_set: Digest
    policy_source: str

    @property
    def exit_code(self) -> int:
        """0 all allowed, 1 some denied, 3 some undecided."""
        return overall_exit_code(list(self.decisions))

    def count(self, outcome: Outcome) -> int:
        """How many decisions had this outcome."""
        return sum(1 for d in self.decisions if d.outcome is outcome)

    @property
    def summary(self) -> str:
        """``2 allowed, 1 denied, 0 undecided``."""
        return ", ".join(f"{self.count(o)} {o.value}" for o in Outcome)


class ReportWriter(Protocol):
    """Renders a report as text for stdout or a file."""

    def render(self, report: DecisionReport) -> str:
        """The whole report."""
        ...


class ReportFormat(StrEnum):
    """``--format``."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    JUNIT = "junit"
    MARKDOWN = "markdown"

    def writer(self) -> ReportWriter:
        """The backend for this format."""
        from verifier.report.admission import json_format, junit, markdown, sarif, text

        match self:
            case ReportFormat.TEXT:
                return text.TextWriter()
            case ReportFormat.JSON:
                return json_format.JsonWriter()
            case ReportFormat.SARIF:
                return sarif.SarifWriter()
            case ReportFormat.JUNIT:
                return junit.JunitWriter()
            case ReportFormat.MARKDOWN:
                return markdown.MarkdownWriter()
        assert_never(self)


def findings_of(decision: Decision) -> Sequence[tuple[str, str, str, str]]:
    """(kind, policy, rule, message) rows: errors, violations, then warnings."""
    rows = [("error", f.policy, f.rule, f.message) for f in decision.errors]
    rows += [("violation", f.policy, f.rule, f.message) for f in decision.violations]
    rows += [("warning", f.policy, f.rule, f.message) for f in decision.warnings]
    return rows
