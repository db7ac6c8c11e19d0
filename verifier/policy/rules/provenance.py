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

from verifier.policy.requirements import ProvenanceRule
from verifier.policy.rules.context import RuleContext, parse_time, too_old

PROVENANCE_PREDICATES = ("https://slsa.dev/provenance/",)


@dataclass(frozen=True)
class Source:
    """A source the build checked out: a repository and the ref it was at (if said)."""

    repository: str
    ref: str | None


@dataclass(frozen=True)
class ProvenanceFacts:
    """What a provenance statement says about where the artifact came from."""

    builder: str
    sources: tuple[Source, ...]
    finished: str | None

    @property
    def repositories(self) -> tuple[str, ...]:
        """The sources' repositories, in order."""
        return tuple(dict.fromkeys(s.repository for s in self.sources))

    @property
    def refs(self) -> tuple[str, ...]:
        """The sources' refs, in order."""
        return tuple(dict.fromkeys(s.ref for s in self.sources if s.ref))


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _git_source(uri: object) -> Source | None:
    """``git+https://host/repo@ref`` -> Source; anything else (purls, downloads) is no source."""
    if not isinstance(uri, str) or not uri.startswith("git+"):
        return None
    bare = uri.removeprefix("git+")
    if "@" in bare.split("://", 1)[-1]:
        repo, _, ref = bare.rpartition("@")
        return Source(repo, ref or None)
    return Source(bare, None)


def provenance_facts(predicate: dict[str, Any]) -> ProvenanceFacts:
    """Builder, sources and finish time of a v1 or v0.2 predicate.

    Sources are the GitHub workflow's repository and ref, the config source (v0.2), and every
    ``git+`` resolved dependency; other dependencies (packages, downloads) are not sources,
    so a dependency's version can never pass for the release's ref.
    """
    sources: list[Source] = []
    builder = _get(predicate, "runDetails", "builder", "id") or _get(predicate, "builder", "id")
    workflow = _get(predicate, "buildDefinition", "externalParameters", "workflow")
    if isinstance(workflow, dict) and isinstance(workflow.get("repository"), str):
        ref = workflow.get("ref")
        sources.append(Source(workflow["repository"], ref if isinstance(ref, str) else None))
    uris = [_get(predicate, "invocation", "configSource", "uri")]
    uris += [
        _get(dep, "uri") for dep in _get(predicate, "buildDefinition", "resolvedDependencies") or []
    ]
    for uri in uris:
        source = _git_source(uri)
        if source is not None and source not in sources:
            sources.append(source)
    finished = _get(predicate, "runDetails", "metadata", "finishedOn") or _get(
        predicate, "metadata", "buildFinishedOn"
    )
    return ProvenanceFacts(
        builder if isinstance(builder, str) else "",
        tuple(sources),
        finished if isinstance(finished, str) else None,
    )


def _any(values: tuple[str, ...], patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(v, p) for v in values for p in patterns)


def _source_ok(source: Source, rule: ProvenanceRule) -> bool:
    if rule.source_repositories and not _any((source.repository,), rule.source_repositories):
        return False
    return not rule.refs or (source.ref is not None and _any((source.ref,), rule.refs))


def _why_not(facts: ProvenanceFacts, rule: ProvenanceRule, ctx: RuleContext) -> str | None:
    if rule.builder_ids and not _any((facts.builder,), rule.builder_ids):
        return f"builder {facts.builder or '(none)'} is not one of {', '.join(rule.builder_ids)}"
    constrained = bool(rule.source_repositories or rule.refs)
    # Repository and ref must hold for the same source.
    if constrained and not any(_source_ok(s, rule) for s in facts.sources):
        candidates = [
            s
            for s in facts.sources
            if not rule.source_repositories or _any((s.repository,), rule.source_repositories)
        ]
        if not candidates:
            found = ", ".join(facts.repositories) or "(none)"
            return f"source {found} is not one of {', '.join(rule.source_repositories)}"
        at = ", ".join(f"{s.ref or '(no ref)'} of {s.repository}" for s in candidates)
        return f"ref {at} is not one of {', '.join(rule.refs)}"
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
