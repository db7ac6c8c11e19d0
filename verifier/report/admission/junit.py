"""JUnit XML for CI test tabs: one test case per artifact; denied = failure, undecided = error."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from verifier.policy.decision import Outcome
from verifier.report.admission.interface import DecisionReport


class JunitWriter:
    """``<testsuites><testsuite name="verifier admit">`` with a case per decision."""

    def render(self, report: DecisionReport) -> str:
        """XML text with a declaration."""
        suite = ET.Element(
            "testsuite",
            {
                "name": "verifier admit",
                "tests": str(len(report.decisions)),
                "failures": str(report.count(Outcome.DENIED)),
                "errors": str(report.count(Outcome.UNDECIDED)),
                "skipped": "0",
            },
        )
        for decision in report.decisions:
            classname = str(decision.location) if decision.location else "admit"
            case = ET.SubElement(
                suite, "testcase", {"name": decision.label, "classname": classname}
            )
            if decision.outcome is Outcome.UNDECIDED:
                text = "\n".join(f"[{f.policy}/{f.rule}] {f.message}" for f in decision.errors)
                node = ET.SubElement(case, "error", {"message": "could not decide"})
                node.text = text
            elif decision.outcome is Outcome.DENIED:
                text = "\n".join(f"[{f.policy}/{f.rule}] {f.message}" for f in decision.violations)
                node = ET.SubElement(case, "failure", {"message": "denied"})
                node.text = text
            if decision.warnings:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"warning [{f.policy}/{f.rule}] {f.message}" for f in decision.warnings
                )
        root = ET.Element("testsuites")
        root.append(suite)
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
