"""`verifier policy test DIR`: policies tested like code, with evidence fixtures and expectations.

Every ``*.test.yaml`` file below DIR is a suite::

    policy: ../policies/release-strict.yaml     # file or directory, relative to this file
    now: "2026-11-20T00:00:00Z"                 # the clock the decisions use
    cases:
      - name: signed, reproduced twice
        artifact: artifacts/app.tar.gz          # a file (relative), or `subject` + `name`
        evidence: evidence/good                 # a directory of bundles (relative), optional
        namespace: prod                         # optional
        reference: reg.example/app:1.0          # optional: judge a reference instead
        expect: allowed                         # allowed | denied | undecided
        violations:                             # optional: exactly these messages
          - "..."
        warnings: ["..."]                       # optional: exactly these messages

A case passes when the outcome is the expected one and, where lists are given, the
decision's messages are exactly those (order does not matter).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from verifier.admission.gate import admit_target
from verifier.admission.targets import Target, target_of
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.decision import Decision, Outcome
from verifier.policy.loader import load_policies, load_yaml_documents
from verifier.policy.sources.local_directory import LocalEvidenceDirectory
from verifier.sign.artifact import Artifact
from verifier.sign.keys import read_small_file

_CASE_KEYS = frozenset(
    {
        "name",
        "artifact",
        "subject",
        "reference",
        "evidence",
        "namespace",
        "expect",
        "violations",
        "warnings",
    }
)


@dataclass(frozen=True)
class CaseResult:
    """One case: passed or not, and what differed."""

    suite: str
    name: str
    passed: bool
    problems: tuple[str, ...]
    decision: Decision


def _time(text: object, where: str) -> datetime:
    if not isinstance(text, str):
        raise InputError(f"{where}: 'now' must be an RFC 3339 time string")
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: 'now' is not an RFC 3339 time: {text!r}") from None
    if value.tzinfo is None:
        raise InputError(f"{where}: 'now' needs a time zone (e.g. a trailing Z)")
    return value


def _strings(case: dict[str, Any], key: str, where: str) -> frozenset[str] | None:
    value = case.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where}: '{key}' must be a list of strings")
    return frozenset(value)


def _target(case: dict[str, Any], base: Path, where: str) -> Target:
    namespace = case.get("namespace")
    if namespace is not None and not isinstance(namespace, str):
        raise InputError(f"{where}: 'namespace' must be a string")
    given = [key for key in ("artifact", "reference", "subject") if key in case]
    if len(given) > 1:
        raise InputError(f"{where}: give one of 'artifact', 'reference' or 'subject', not both")
    try:
        return _target_of(case, base, where, namespace)
    except InputError as exc:
        if exc.message.startswith(where):
            raise
        raise InputError(f"{where}: {exc.message}") from None


def _target_of(case: dict[str, Any], base: Path, where: str, namespace: str | None) -> Target:
    if "artifact" in case:
        path = base / str(case["artifact"])
        if not path.is_file():
            raise InputError(f"{where}: artifact {case['artifact']} is not a file")
        name = str(case["artifact"])
        return Target(name, Artifact.from_path(path), True, None, namespace)
    if "reference" in case:
        target = target_of(str(case["reference"]), namespace=namespace)
        return Target(target.name, target.artifact, target.pinned, None, namespace)
    if "subject" in case:
        digest = Digest.parse(str(case["subject"]))
        return Target(str(case.get("name", digest)), Artifact(digest), True, None, namespace)
    raise InputError(f"{where}: a case needs 'artifact', 'reference' or 'subject'")


def run_suite(file: Path) -> list[CaseResult]:
    """Run every case of one ``*.test.yaml`` file."""
    try:
        text = read_small_file(file, 1024 * 1024).decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8 text") from None
    docs = load_yaml_documents(text, str(file))
    doc = docs[0] if len(docs) == 1 else None
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list) or not doc["cases"]:
        raise InputError(f"{file}: expected 'policy', 'now' and a non-empty 'cases' list")
    base = file.parent
    if not isinstance(doc.get("policy"), str):
        raise InputError(f"{file}: 'policy' must name a policy file or directory")
    policy_set = load_policies(base / doc["policy"])
    now = _time(doc.get("now"), str(file))
    results = []
    for i, case in enumerate(doc["cases"]):
        where = f"{file}: cases[{i}]"
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            raise InputError(f"{where}: a case is a mapping with a 'name'")
        unknown = sorted(set(case) - _CASE_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown field {unknown[0]!r}")
        try:
            expect = Outcome(str(case.get("expect")))
        except ValueError:
            raise InputError(f"{where}: 'expect' must be allowed, denied or undecided") from None
        target = _target(case, base, where)
        source = None
        if "evidence" in case:
            evidence = base / str(case["evidence"])
            if not evidence.is_dir():
                raise InputError(f"{where}: evidence {case['evidence']} is not a directory")
            source = LocalEvidenceDirectory(evidence)
        decision = admit_target(target, policy_set, source, now=now)
        problems = []
        if decision.outcome is not expect:
            problems.append(f"expected {expect.value}, got {decision.outcome.value}")
        for key, got in (
            ("violations", {f.message for f in decision.violations}),
            ("warnings", {f.message for f in decision.warnings}),
        ):
            want = _strings(case, key, where)
            if want is None:
                continue
            problems += [f"missing {key[:-1]}: {m}" for m in sorted(want - got)]
            problems += [f"unexpected {key[:-1]}: {m}" for m in sorted(got - want)]
        if decision.outcome is not expect:
            problems += [f"error: {f.message}" for f in decision.errors]
        results.append(CaseResult(str(file), case["name"], not problems, tuple(problems), decision))
    return results


def run_policy_tests(directory: Path) -> list[CaseResult]:
    """Every suite below ``directory`` (or the one file given)."""
    if directory.is_file():
        return run_suite(directory)
    if not directory.is_dir():
        raise InputError(f"{directory}: no such directory")
    suites = sorted(directory.rglob("*.test.yaml"))
    if not suites:
        raise InputError(f"{directory}: no *.test.yaml suite found")
    return [result for suite in suites for result in run_suite(suite)]
