"""The seam between the webhook and the decisions: one image in, one decision out.

The webhook never evaluates policies itself. For each image it asks a :class:`Decider`:

1. :meth:`Decider.route`, local and without I/O: either a decision already (an explicit allow
   rule, or no policy selecting the image) or the :class:`DecisionKey` under which a decision
   may be cached: (image digest, policy digest, trust digest);
2. :meth:`Decider.decide`, which may read the registry; the webhook runs it in a worker
   thread under a hard deadline, with the configured failure mode past it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from verifier.digest import Digest
from verifier.errors import InputError

_DIGEST_SUFFIX = re.compile(r"@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")


def short_image(image: str) -> str:
    """The reference with its digest cut to 12 hex characters, for warnings that must be short."""
    match = _DIGEST_SUFFIX.search(image)
    if match is None:
        return image
    return image[: match.start()] + "@" + Digest.parse(match.group(1)).short


class Outcome(StrEnum):
    """What a decision says about one image."""

    ALLOWED = "allowed"
    DENIED = "denied"
    #: A policy in warn mode said no: admitted, with a warning.
    WARNED = "warned"


class Route(StrEnum):
    """How a decision was reached; reported in logs and metrics."""

    ALLOW_RULE = "allow-rule"
    SUMMARY = "summary"
    POLICY = "policy"
    CACHE = "cache"
    TIMEOUT = "timeout"
    ERROR = "error"


@dataclass(frozen=True)
class ImageQuery:
    """One image to decide on, in the namespace it would run in."""

    image: str
    namespace: str

    def __post_init__(self) -> None:
        if not self.image or any(c.isspace() for c in self.image):
            raise InputError(f"image reference {self.image!r} is empty or contains spaces")

    @property
    def digest(self) -> Digest | None:
        """The digest the reference pins (``name@sha256:...``), or None for a tag."""
        match = _DIGEST_SUFFIX.search(self.image)
        return Digest.parse(match.group(1)) if match else None


@dataclass(frozen=True)
class ImageDecision:
    """A decision for one image: the outcome, the rule that decided, and why."""

    image: str
    outcome: Outcome
    rule: str
    message: str
    route: Route
    #: Shown to the user as ``IMAGE: WARNING`` (the image's digest shortened).
    warnings: tuple[str, ...] = ()
    #: Only definite answers are cached; timeouts and errors are asked again next time.
    cacheable: bool = True

    def __post_init__(self) -> None:
        if not self.rule:
            raise InputError(f"decision for {self.image} names no rule")
        if self.outcome is Outcome.DENIED and not self.message:
            raise InputError(f"decision for {self.image} says no without a reason")
        if self.outcome is Outcome.WARNED and not self.warnings:
            raise InputError(f"decision for {self.image} warns without a warning")

    def answer_for(self, image: str, route: Route) -> ImageDecision:
        """The same decision for ``image`` (same digest), reported as reached by ``route``."""
        return ImageDecision(
            image, self.outcome, self.rule, self.message, route, self.warnings, self.cacheable
        )


@dataclass(frozen=True)
class DecisionKey:
    """What a cached decision depends on: the image, the policy, and whom it trusts."""

    image: Digest
    policy: Digest
    trust: Digest


@dataclass(frozen=True)
class Routing:
    """The local answer of :meth:`Decider.route`: a decision, a cache key, or neither.

    Neither means "decide, but do not cache" (a reference by tag: its digest is not known).
    """

    decision: ImageDecision | None = None
    key: DecisionKey | None = None

    def __post_init__(self) -> None:
        if self.decision is not None and self.key is not None:
            raise InputError("a routing is either a decision or a cache key, not both")


class Decider(Protocol):
    """Decides per image. ``route`` must not do I/O; ``decide`` may, and may raise."""

    def ready(self) -> bool:
        """True once policies and trust are loaded."""
        ...

    def route(self, query: ImageQuery) -> Routing:
        """Answer locally when an explicit rule decides, else give the cache key (or none)."""
        ...

    def decide(self, query: ImageQuery) -> ImageDecision:
        """The full decision; raise VerifierError when it cannot be made (fail closed)."""
        ...
