"""The audit report as one self-contained HTML page: no script, no external asset at all.

Inline CSS; inline SVG for the reproducibility of each release (one bar per artifact, its
height the number of builds, its colour the rebuild verdict) and for the license breakdown
over every audited SBOM; tables for the artifacts and the per-release component changes.
Every value is HTML-escaped; the page is a pure function of the report.
"""

from __future__ import annotations

from collections import Counter
from html import escape

from verifier.audit.model import AuditEntry, AuditReport, ComponentDiffInfo
from verifier.report.audit_markdown import short

VERDICT_COLOURS = {
    "REPRODUCED": "#2e7d32",
    "EQUIVALENT": "#f9a825",
    "MISMATCH": "#c62828",
    "BUILD_FAILED": "#6a1b9a",
    "MISSING": "#757575",
}
STATUS_CLASSES = {
    "ok": "good",
    "allowed": "good",
    "unverified": "warn",
    "unsigned": "bad",
    "denied": "bad",
}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1c1c1c;
background:#fafafa}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;background:#fff;margin:6px 0 12px}
th,td{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eceff1}code{font:12px ui-monospace,monospace}
.good{color:#1b5e20;font-weight:600}.warn{color:#8d6e00;font-weight:600}
.bad{color:#b71c1c;font-weight:600}.muted{color:#666}
.card{background:#fff;border:1px solid #d0d0d0;padding:8px 14px;margin:10px 0}
ul{margin:4px 0;padding-left:20px}svg{background:#fff;border:1px solid #d0d0d0}
"""


def _status(status: str) -> str:
    return f'<span class="{STATUS_CLASSES.get(status, "bad")}">{escape(status)}</span>'


def reproducibility_chart(entries: tuple[AuditEntry, ...]) -> str:
    """An SVG bar per artifact: height = builds, colour = rebuild verdict."""
    bar, gap, top, plot = 56, 28, 30, 150
    width = max(600, len(entries) * (bar + gap) + gap + 30)
    most = max([e.rebuild.builds for e in entries if e.rebuild] + [1])
    parts = [
        f'<svg width="{width}" height="{top + plot + 60}" '
        f'role="img" aria-label="Reproducibility across releases">',
        f'<line x1="30" y1="{top + plot}" x2="{width - 10}" y2="{top + plot}" stroke="#999"/>',
        f'<text x="4" y="{top - 12}" font-size="11" fill="#555">builds</text>',
    ]
    for tick in range(0, most + 1):
        y = top + plot - plot * tick / most
        parts.append(f'<text x="12" y="{y + 4:.1f}" font-size="10" fill="#555">{tick}</text>')
    for i, entry in enumerate(entries):
        x = 30 + gap + i * (bar + gap)
        label = escape(entry.version or short(entry.digest)[7:])
        if entry.rebuild is None:
            verdict, height, colour = "no rebuild", 4.0, "#bdbdbd"
        else:
            verdict = entry.rebuild.verdict
            height = max(4.0, plot * entry.rebuild.builds / most)
            colour = VERDICT_COLOURS.get(verdict, "#757575")
        y = top + plot - height
        tip = escape(f"{entry.reference}: {verdict}")
        parts.append(
            f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{height:.1f}" fill="{colour}">'
            f"<title>{tip}</title></rect>"
        )
        parts.append(
            f'<text x="{x + bar / 2}" y="{y - 5:.1f}" font-size="10" text-anchor="middle">'
            f"{escape(verdict)}</text>"
        )
        parts.append(
            f'<text x="{x + bar / 2}" y="{top + plot + 16}" font-size="11" '
            f'text-anchor="middle">{label}</text>'
        )
    legend_y = top + plot + 40
    for i, (verdict, colour) in enumerate(VERDICT_COLOURS.items()):
        lx = 30 + i * 110
        parts.append(f'<rect x="{lx}" y="{legend_y}" width="10" height="10" fill="{colour}"/>')
        parts.append(
            f'<text x="{lx + 14}" y="{legend_y + 9}" font-size="10">{escape(verdict)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def license_chart(entries: tuple[AuditEntry, ...]) -> str:
    """An SVG horizontal bar per license, summed over every audited SBOM."""
    totals: Counter[str] = Counter()
    for entry in entries:
        if entry.sbom is not None:
            totals.update(dict(entry.sbom.licenses))
    if not totals:
        return '<p class="muted">No SBOM lists a component.</p>'
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    most = ranked[0][1]
    row, label_w, bar_w = 22, 200, 320
    parts = [
        f'<svg width="{label_w + bar_w + 60}" '
        f'height="{len(ranked) * row + 12}" role="img" aria-label="License breakdown">'
    ]
    for i, (name, count) in enumerate(ranked):
        y = 6 + i * row
        w = max(2.0, bar_w * count / most)
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">'
            f"{escape(name)}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="#1565c0"/>'
        )
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 14}" font-size="11">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _summary_table(report: AuditReport) -> str:
    head = (
        "<tr><th>artifact</th><th>version</th><th>digest</th><th>status</th><th>signed</th>"
        "<th>rebuild</th><th>components</th><th>SHA-256</th><th>SBOM quality</th>"
        "<th>policy</th></tr>"
    )
    rows = []
    for e in report.entries:
        share = (
            "-"
            if e.sbom is None or e.sbom.sha256_share is None
            else f"{e.sbom.sha256_share * 100:.0f}%"
        )
        rebuild = f"{e.rebuild.verdict} ({e.rebuild.builds} builds)" if e.rebuild else "none"
        cells = [
            escape(e.reference),
            escape(e.version or "-"),
            f"<code>{escape(short(e.digest))}</code>",
            _status(e.status),
            escape(e.signed),
            escape(rebuild),
            escape(str(e.sbom.components) if e.sbom else "none"),
            escape(share),
            escape(f"{e.sbom.quality.total}/10" if e.sbom else "-"),
            _status(e.decision.outcome) if e.decision else "-",
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table>{head}{''.join(rows)}</table>"


def _li(text: str) -> str:
    return f"<li>{escape(text)}</li>"


def _entry_card(e: AuditEntry) -> str:
    items = [f"<li>digest <code>{escape(e.digest or '-')}</code></li>"]
    items.append(f"<li>status {_status(e.status)}</li>")
    for sig in e.signatures:
        note = f" ({sig.detail})" if sig.detail else ""
        items.append(_li(f"signature: {sig.signer}: {sig.state.value}{note}"))
    if not e.signatures:
        items.append(_li("signature: none found"))
    if e.rebuild:
        r = e.rebuild
        items.append(
            _li(
                f"rebuild ({r.state.value}): {r.result}, {r.verdict}, {r.builds} builds, "
                f"builders {', '.join(r.builders) or '-'}, "
                f"stabilizers {', '.join(r.stabilizers) or 'none'}"
            )
        )
    else:
        items.append(_li("rebuild: no rebuild verification summary"))
    if e.sbom:
        s = e.sbom
        share = "-" if s.sha256_share is None else f"{s.sha256_share * 100:.0f}%"
        items.append(
            _li(
                f"SBOM ({s.state.value}): CycloneDX {s.spec_version}, {s.components} components, "
                f"{share} with SHA-256, quality {s.quality.total}/10, NTIA minimum elements "
                f"{'complete' if s.quality.ntia_complete else 'incomplete'}"
            )
        )
    else:
        items.append(_li("SBOM: none"))
    for p in e.provenance:
        items.append(
            _li(
                f"provenance ({p.state.value}): builder {p.builder_id}, build type "
                f"{p.build_type}, source {p.source}"
            )
        )
    if e.decision:
        reasons = "".join(_li(r) for r in e.decision.reasons)
        items.append(
            f"<li>policy {_status(e.decision.outcome)}"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + "</li>"
        )
    items.extend(f'<li class="bad">error: {escape(err)}</li>' for err in e.errors)
    quality = ""
    if e.sbom:
        rows = "".join(
            f"<tr><td>{escape(c.category)}</td><td>{escape(c.name)}</td>"
            f"<td>{'n/a' if c.score is None else c.score}</td><td>{escape(c.detail)}</td></tr>"
            for c in e.sbom.quality.checks
        )
        quality = (
            "<details><summary>SBOM quality checks</summary><table><tr><th>category</th>"
            f"<th>check</th><th>score</th><th>detail</th></tr>{rows}</table></details>"
        )
    return (
        f'<div class="card"><h3>{escape(e.reference)}</h3><ul>{"".join(items)}</ul>{quality}</div>'
    )


def _diff_table(diffs: tuple[ComponentDiffInfo, ...]) -> str:
    if not diffs:
        return '<p class="muted">Fewer than two audited artifacts have an SBOM.</p>'
    rows = []
    for d in diffs:

        def lst(names: tuple[str, ...]) -> str:
            return "<br>".join(escape(n) for n in names) or '<span class="muted">-</span>'

        rows.append(
            f"<tr><td>{escape(d.old)}</td><td>{escape(d.new)}</td><td>{lst(d.added)}</td>"
            f"<td>{lst(d.removed)}</td><td>{lst(d.changed)}</td><td>{d.unchanged}</td></tr>"
        )
    return (
        "<table><tr><th>from</th><th>to</th><th>added</th><th>removed</th><th>changed</th>"
        f"<th>unchanged</th></tr>{''.join(rows)}</table>"
    )


class AuditHtmlWriter:
    """Self-contained HTML writer."""

    def render(self, report: AuditReport) -> str:
        """The whole page."""
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items())
        trust = ", ".join(report.trust) if report.trust else "none: evidence is unverified"
        body = [
            "<h1>verifier audit</h1>",
            f'<p class="muted">Generated {escape(report.generated_at)}; '
            f"{len(report.entries)} artifacts: {escape(counts)}.</p>",
            f"<p>Policy: {escape(report.policy or 'none (no decision)')}<br>"
            f"Trust: {escape(trust)}</p>",
            "<h2>Artifacts</h2>",
            _summary_table(report),
            "<h2>Reproducibility across releases</h2>",
            reproducibility_chart(report.entries),
            "<h2>Licenses</h2>",
            license_chart(report.entries),
            "<h2>Component changes between releases</h2>",
            _diff_table(report.diffs),
            "<h2>Details</h2>",
            *(_entry_card(e) for e in report.entries),
        ]
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            "<title>verifier audit</title>"
            f"<style>{CSS.strip()}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
        )
