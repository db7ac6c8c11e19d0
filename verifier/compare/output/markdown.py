"""Markdown for pull requests and CI summaries: a table of differences, then details."""

from __future__ import annotations

from verifier.archive import printable_name
from verifier.compare.model import Comparison, Difference


def _cell(text: str | None) -> str:
    if text is None:
        return ""
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if "`" not in text else f"``{text}``"


class MarkdownWriter:
    """Review-ready report."""

    def render(self, comparison: Comparison) -> str:
        """The comparison as GitHub-flavoured Markdown."""
        out = [
            f"## verifier diff: {comparison.verdict}",
            "",
            f"- A: {_code(comparison.a)}"
            + (f" ({comparison.digest_a})" if comparison.digest_a else ""),
            f"- B: {_code(comparison.b)}"
            + (f" ({comparison.digest_b})" if comparison.digest_b else ""),
        ]
        if comparison.stabilizers:
            out.append(f"- stabilizers: {', '.join(_code(s) for s in comparison.stabilizers)}")
        if comparison.stabilizers_applied:
            out += ["", "| stabilizer | members changed |", "|---|---|"]
            for name, paths in comparison.stabilizers_applied.items():
                out.append(f"| {_code(name)} | {_cell(', '.join(paths))} |")
        if comparison.findings:
            out += ["", "Findings:", ""]
            out += [f"- {_cell(finding)}" for finding in comparison.findings]
        causes = comparison.causes()
        if causes:
            out += ["", "| cause | count | fix |", "|---|---|---|"]
            for cause, count in causes.items():
                out.append(f"| {cause.value} | {count} | {_cell(cause.hint)} |")
        if comparison.differences:
            out += ["", "| path | kind | A | B | cause | erased by |", "|---|---|---|---|---|---|"]
            for d in comparison.differences:
                out.append(
                    f"| {_cell(_code(d.path))} | {d.kind.value} | {_cell(d.a)} | {_cell(d.b)} "
                    f"| {d.cause.value} | {_cell(d.erased_by) or ''} |"
                )
        details = [d for d in comparison.differences if d.detail is not None or d.deep]
        for diff in details:
            out += ["", f"### {_cell(diff.path)} ({diff.kind.value})", ""]
            out.extend(self._detail(diff))
        # Names that are not UTF-8 (tar, file systems) as \xNN: the report is UTF-8 text.
        return printable_name("\n".join(out) + "\n")

    def _detail(self, diff: Difference) -> list[str]:
        out: list[str] = []
        if diff.note:
            out += [f"{diff.cause.value}: {diff.note}", ""]
        detail = diff.detail
        if detail is not None and detail.unified_diff:
            out += ["```diff", *detail.unified_diff, "```"]
        elif detail is not None and detail.offset is not None:
            out += [
                f"First difference at byte {detail.offset}:",
                "",
                "```",
                f"a @{detail.window}: {detail.hex_a}",
                f"b @{detail.window}: {detail.hex_b}",
                "```",
            ]
        if diff.deep:
            out += [
                "",
                "<details><summary>diffoscope</summary>",
                "",
                "```",
                diff.deep,
                "```",
                "",
                "</details>",
            ]
        return out
