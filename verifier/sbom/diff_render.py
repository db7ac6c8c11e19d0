"""``sbom diff`` reports: text for a terminal, JSON for machines, Markdown for a review."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any, assert_never

from verifier.sbom.diff import ComponentChange, ComponentSummary, SbomDiff


class DiffFormat(StrEnum):
    """Output formats of ``verifier sbom diff``."""

    TEXT = "text"
    JSON = "json"
    MARKDOWN = "markdown"

    def render(self, diff: SbomDiff) -> str:
        """The report in this format."""
        match self:
            case DiffFormat.TEXT:
                return render_text(diff)
            case DiffFormat.JSON:
                return render_json(diff)
            case DiffFormat.MARKDOWN:
                return render_markdown(diff)
        assert_never(self)


def _label(item: ComponentSummary) -> str:
    return f"{item.name} {item.version}" if item.version else item.name


def _change_lines(change: ComponentChange) -> list[str]:
    lines = []
    for field in change.fields:
        if field == "version":
            lines.append(f"version {change.old.version} -> {change.new.version}")
        elif field == "licenses":
            old = " ".join(change.old.licenses) or "none"
            new = " ".join(change.new.licenses) or "none"
            lines.append(f"licenses {old} -> {new}")
        else:
            gone = sorted(set(change.old.hashes) - set(change.new.hashes))
            came = sorted(set(change.new.hashes) - set(change.old.hashes))
            lines.extend(f"hash removed {h}" for h in gone)
            lines.extend(f"hash added {h}" for h in came)
    return lines


def _counts(diff: SbomDiff) -> str:
    return (
        f"{len(diff.added)} added, {len(diff.removed)} removed, {len(diff.changed)} changed, "
        f"{diff.unchanged} unchanged"
    )


def render_text(diff: SbomDiff) -> str:
    """One line per component, ``+`` added, ``-`` removed, ``~`` changed."""
    lines = [f"--- {diff.old_name}", f"+++ {diff.new_name}"]
    lines += [f"+ {_label(item)}  {item.purl or item.identity}" for item in diff.added]
    lines += [f"- {_label(item)}  {item.purl or item.identity}" for item in diff.removed]
    for change in diff.changed:
        lines.append(f"~ {_label(change.new)}  {change.new.identity}")
        lines += [f"    {line}" for line in _change_lines(change)]
    lines.append(_counts(diff))
    return "\n".join(lines) + "\n"


def _summary_json(item: ComponentSummary) -> dict[str, Any]:
    return {
        "name": item.name,
        "version": item.version,
        "purl": item.purl,
        "identity": item.identity,
        "hashes": list(item.hashes),
        "licenses": list(item.licenses),
    }


def render_json(diff: SbomDiff) -> str:
    """A JSON object with ``added``, ``removed``, ``changed`` and counts."""
    doc = {
        "old": diff.old_name,
        "new": diff.new_name,
        "identical": diff.identical,
        "counts": {
            "added": len(diff.added),
            "removed": len(diff.removed),
            "changed": len(diff.changed),
            "unchanged": diff.unchanged,
        },
        "added": [_summary_json(i) for i in diff.added],
        "removed": [_summary_json(i) for i in diff.removed],
        "changed": [
            {
                "identity": c.new.identity,
                "fields": list(c.fields),
                "old": _summary_json(c.old),
                "new": _summary_json(c.new),
            }
            for c in diff.changed
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def render_markdown(diff: SbomDiff) -> str:
    """A review-ready Markdown section with one table per kind of change."""
    lines = [f"## SBOM changes: `{_cell(diff.old_name)}` -> `{_cell(diff.new_name)}`", ""]
    lines += [_counts(diff), ""]
    if diff.added:
        lines += ["### Added", "", "| component | version | purl |", "|---|---|---|"]
        lines += [
            f"| {_cell(i.name)} | {_cell(i.version)} | `{_cell(i.purl)}` |" for i in diff.added
        ]
        lines.append("")
    if diff.removed:
        lines += ["### Removed", "", "| component | version | purl |", "|---|---|---|"]
        lines += [
            f"| {_cell(i.name)} | {_cell(i.version)} | `{_cell(i.purl)}` |" for i in diff.removed
        ]
        lines.append("")
    if diff.changed:
        lines += ["### Changed", "", "| component | change |", "|---|---|"]
        for change in diff.changed:
            detail = "<br>".join(_cell(line) for line in _change_lines(change))
            lines.append(f"| {_cell(change.new.name)} | {detail} |")
        lines.append("")
    return "\n".join(lines)
