"""``require.digestPinned``: the artifact must be named by digest, never by a (movable) tag."""

from __future__ import annotations

from verifier.policy.rules.context import RuleContext


def check(enabled: bool, ctx: RuleContext) -> list[str]:
    """A violation when the reference was a tag."""
    if enabled and not ctx.pinned:
        return [f"{ctx.evidence.name}: referenced by tag, not by digest"]
    return []
