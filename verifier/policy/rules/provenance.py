"""``require.provenance``: signed SLSA provenance from an allowed builder, source and ref.

Read from provenance v1 (``runDetails.builder.id``; the source from
``externalParameters.workflow.repository`` / ``.ref`` as GitHub Actions writes them, or from
``resolvedDependencies[].uri`` such as ``git+https://github.com/acme/app@refs/tags/v1.2``)
and v0.2 (``builder.id``, ``invocation.configSource.uri``). Patterns are globs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from verifier.policy.model import ProvenanceRule
from verifier.policy.rules.context import RuleContext, parse_time, too_old

PROVENANCE_PREDICATES = ("https://slsa.dev/provenance/",)


@dataclass(frozen=True)
class ProvenanceFacts:
    """What a provenance statement says about where the artifact came from."""

    builder: str
    repositories: tuple[str, ...]
    refs: tuple[str, ...]
    finished: str | None


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _split_uri(uri: str) -> tuple[str, str | None]:
    bare = uri.removeprefix("git+")
    if "@" in bare.split("://", 1)[-1]:
        repo, _, ref = bare.rpartition("@")
        return repo, ref
    return bare, None


def provenance_facts(predicate: dict[str, Any]) -> ProvenanceFacts:
    """Builder, repositories, refs and finish time of a v1 or v0.2 predicate."""
    repos: list[str] = []
    refs: list[str] = []
    builder = _get(predicate, "runDetails", "builder", "id") or _get(predicate, "builder", "id")
    workflow = _get(predicate, "buildDefinition", "externalParameters", "workflow")
    if isinstance(workflow, dict):
        if isinstance(workflow.get("repository"), str):
            repos.append(workflow["repository"])
        if isinstance(workflow.get("ref"), str):
            refs.append(workflow["ref"])
    uris = [_get(predicate, "invocation", "configSource", "uri")]
    for dep in _get(predicate, "buildDefinition", "resolvedDependencies") or []:
        uris.append(_get(dep, "uri"))
    for uri in uris:
        if isinstance(uri, str) and uri:
            repo, ref = _split_uri(uri)
            repos.append(repo)
            if ref:
                refs.append(ref)
    finished = _get(predicate, "runDetails", "metadata", "finishedOn") or _get(
        predicate, "metadata", "buildFinishedOn"
    )
    return ProvenanceFacts(
        builder if isinstance(builder, str) else "",
        tuple(dict.fromkeys(repos)),
        tuple(dict.fromkeys(refs)),
        finished if isinstance(finished, str) else None,
    )


def _any(values: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(v, p) for v in values for p in patterns)


def _why_not(facts: ProvenanceFacts, rule: ProvenanceRule, ctx: RuleContext) -> str | None:
    if rule.builder_ids and not _any((facts.builder,), rule.builder_ids):
        return f"builder {facts.builder or '(none)'} is not one of {', '.join(rule.builder_ids)}"
    if rule.source_repositories and not _any(facts.repositories, rule.source_repositories):
        found = ", ".join(facts.repositories) or "(none)"
        return f"source {found} is not one of {', '.join(rule.source_repositories)}"
    if rule.refs and not _any(facts.refs, rule.refs):
        return f"ref {', '.join(facts.refs) or '(none)'} is not one of {', '.join(rule.refs)}"
    return too_old(parse_time(facts.finished), rule.max_age, ctx.now)


def check(rule: ProvenanceRule, ctx: RuleContext) -> list[str]:
    """Pass when one trusted provenance statement satisfies every constraint."""
    found = ctx.evidence.attestations(PROVENANCE_PREDICATES, ctx.trust_ids(rule.authorities))
    if not found:
        return [
            f"{ctx.label}: no provenance signed by {', '.join(rule.authorities)}"
            f"{ctx.refused_note(PROVENANCE_PREDICATES)}"
        ]
    reasons = []
    for statement in found:
        why = _why_not(provenance_facts(statement.predicate), rule, ctx)
        if why is None:
            return []
        reasons.append(f"{statement.source}: {why}")
    return [f"{ctx.label}: no acceptable provenance: {'; '.join(reasons)}"]
