"""Plain text for people (the CLI prints it on stderr; ``--format text`` on stdout)."""

from __future__ import annotations

from verifier.report.admission.interface import DecisionReport, findings_of

_MARK = {"error": "?", "violation": "x", "warning": "!"}


class TextWriter:
    """One block per decision, then a summary line."""

    def render(self, report: DecisionReport) -> str:
        """The report as lines of text."""
        lines: list[str] = []
        for decision in report.decisions:
            head = f"{decision.outcome.value.upper()} {decision.label}"
            if decision.location is not None and decision.location.line is not None:
                head += f" at {decision.location}"
            lines.append(head)
            for kind, policy, rule, message in findings_of(decision):
                lines.append(f"  {_MARK[kind]} [{policy}/{rule}] {message}")
        lines.append(f"{report.summary} (policy set {report.policy_set.short})")
        return "\n".join(lines) + "\n"
