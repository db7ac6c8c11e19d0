"""Plain text for a terminal: a verdict line, then one block per difference."""

from __future__ import annotations

from verifier.archive import printable_name
from verifier.compare.model import Comparison, Difference


def difference_lines(diff: Difference) -> list[str]:
    """The lines describing one difference (shared with the Markdown writer)."""
    values = ""
    if diff.a is not None or diff.b is not None:
        values = (
            f": {diff.a if diff.a is not None else '-'} -> {diff.b if diff.b is not None else '-'}"
        )
    lines = [f"{diff.kind.value} {diff.path}{values}"]
    cause = f"  cause: {diff.cause.value}"
    if diff.note:
        cause += f" ({diff.note})"
    lines.append(cause)
    if diff.erased_by:
        lines.append(f"  erased by: {diff.erased_by}")
    else:
        lines.append(f"  hint: {diff.hint}")
    detail = diff.detail
    if detail is not None:
        if detail.unified_diff:
            lines.extend(f"    {line}" for line in detail.unified_diff)
            if detail.truncated:
                lines.append("    (diff cut short)")
        elif detail.offset is not None:
            lines.append(f"    first difference at byte {detail.offset}")
            lines.append(f"    a @{detail.window}: {detail.hex_a}")
            lines.append(f"    b @{detail.window}: {detail.hex_b}")
    if diff.deep:
        lines.append("  diffoscope:")
        lines.extend(f"    {line}" for line in diff.deep.splitlines())
    return lines


class TextWriter:
    """Readable report, deterministic line for line."""

    def render(self, comparison: Comparison) -> str:
        """The comparison as plain text."""
        out = [f"{comparison.verdict}: {comparison.a} vs {comparison.b}"]
        if comparison.stabilizers:
            out.append(f"stabilizers: {', '.join(comparison.stabilizers)}")
        for name, paths in comparison.stabilizers_applied.items():
            out.append(f"  {name} changed {len(paths)}: {', '.join(paths)}")
        total, left = len(comparison.differences), len(comparison.remaining)
        if total:
            out.append(f"{total} differences, {left} not erased by a stabilizer")
        for cause, count in comparison.causes().items():
            out.append(f"  {count} x {cause.value}: {cause.hint}")
        for finding in comparison.findings:
            out.append(f"finding: {finding}")
        for diff in comparison.differences:
            out.append("")
            out.extend(difference_lines(diff))
        # Names that are not UTF-8 (tar, file systems) as \xNN: the report is UTF-8 text.
        return printable_name("\n".join(out) + "\n")
