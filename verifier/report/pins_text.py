"""The ``verifier pins`` report for people: one finding per line, its fix below, a summary."""

from __future__ import annotations

from verifier.pins.scan import PinsReport


class PinsTextWriter:
    """``PATH:LINE: KIND: REFERENCE`` then ``  fix: HINT``, sorted by file and line."""

    def render(self, report: PinsReport) -> str:
        """The text report."""
        lines: list[str] = []
        for finding in report.findings:
            lines.append(
                f"{finding.path}:{finding.line}: {finding.kind.value}: {finding.reference}"
            )
            lines.append(f"  fix: {finding.hint}")
        scanned = f"{report.files_scanned} file(s) scanned"
        if report.clean:
            lines.append(f"every input is pinned ({scanned})")
        else:
            files = len({f.path for f in report.findings})
            lines.append(f"{len(report.findings)} unpinned input(s) in {files} file(s) ({scanned})")
        return "\n".join(lines) + "\n"
