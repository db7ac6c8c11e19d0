"""Markdown for job summaries (``$GITHUB_STEP_SUMMARY``): a table, then every finding."""

from __future__ import annotations

from verifier.report.admission.interface import DecisionReport, findings_of

_ICON = {"allowed": "✅ allowed", "denied": "❌ denied", "undecided": "⚠️ undecided"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownWriter:
    """A summary table and a findings list per artifact."""

    def render(self, report: DecisionReport) -> str:
        """Markdown text."""
        lines = [
            "## verifier admit",
            "",
            f"{report.summary}; policy set `{report.policy_set.short}`",
            "",
            "| artifact | decision | findings |",
            "|---|---|---|",
        ]
        for d in report.decisions:
            lines.append(
                f"| `{_cell(d.label)}` | {_ICON[d.outcome.value]} | {len(findings_of(d))} |"
            )
        for d in report.decisions:
            rows = findings_of(d)
            if not rows:
                continue
            lines += ["", f"### `{_cell(d.label)}`", ""]
            if d.location is not None:
                lines += [f"named at `{_cell(str(d.location))}`", ""]
            for kind, policy, rule, message in rows:
                lines.append(f"- **{kind}** `{policy}/{rule}`: {_cell(message)}")
        return "\n".join(lines) + "\n"
