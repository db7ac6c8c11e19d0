"""The hard deadline on a decision and what happens past it: the failure mode.

The API server gives a webhook ``timeoutSeconds`` (10 in our deploy/); past it the
``failurePolicy`` applies and the user sees ``context deadline exceeded``. We answer before
that: a decision not made within the deadline is replaced by the failure mode's answer, with
a message saying the decision timed out. The same applies to a decision that raised.

``deny`` (the default) fails closed. ``unsafe-allow`` admits and says so in a warning, an
audit annotation and the log; it exists for clusters that prefer availability, and is named
so that nobody turns it on by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from verifier.admission.decider import ImageDecision, ImageQuery, Outcome, Route
from verifier.errors import InputError

#: The API server's default webhook timeout is 10 s; leave it room to receive our answer.
DEFAULT_DEADLINE_SECONDS = 8.0
MAX_WEBHOOK_TIMEOUT_SECONDS = 30.0


class FailureMode(StrEnum):
    """What a decision that timed out or failed becomes."""

    DENY = "deny"
    UNSAFE_ALLOW = "unsafe-allow"


@dataclass(frozen=True)
class DecisionLimits:
    """The deadline per review and the failure mode."""

    deadline_seconds: float = DEFAULT_DEADLINE_SECONDS
    failure_mode: FailureMode = FailureMode.DENY

    def __post_init__(self) -> None:
        if not 0 < self.deadline_seconds < MAX_WEBHOOK_TIMEOUT_SECONDS:
            raise InputError(
                f"decision deadline {self.deadline_seconds} s must be above 0 and below the "
                f"largest webhook timeout ({MAX_WEBHOOK_TIMEOUT_SECONDS:g} s)"
            )

    def failed(self, query: ImageQuery, route: Route, reason: str) -> ImageDecision:
        """The failure mode's decision for an image that could not be decided."""
        rule = "deadline" if route is Route.TIMEOUT else "decision-error"
        match self.failure_mode:
            case FailureMode.DENY:
                return ImageDecision(
                    image=query.image,
                    outcome=Outcome.DENIED,
                    rule=rule,
                    message=f"{reason}; denied (failure mode deny)",
                    route=route,
                    cacheable=False,
                )
            case FailureMode.UNSAFE_ALLOW:
                return ImageDecision(
                    image=query.image,
                    outcome=Outcome.ALLOWED,
                    rule=rule,
                    message=f"{reason}; admitted by failure mode unsafe-allow",
                    route=route,
                    warnings=(f"{reason}; admitted (unsafe-allow)",),
                    cacheable=False,
                )

    def timed_out(self, query: ImageQuery) -> ImageDecision:
        """The decision for an image not decided within the deadline."""
        reason = f"decision timed out after {self.deadline_seconds:g} s"
        return self.failed(query, Route.TIMEOUT, reason)
