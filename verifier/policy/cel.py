"""Custom conditions: CEL expressions (cel-python), compiled once when the policy is loaded.

An expression sees two variables, built by :func:`verifier.policy.evidence_view.cel_activation`:
``subject`` (``name``, ``digest``, ``namespace``) and ``evidence`` (``signatures``,
``attestations``, ``sbom``, ``provenance``, ``rebuilds``, ``vulnerabilities``). It must
return a boolean; ``true`` means the condition holds. An expression that fails to evaluate
(a missing field, a type error) or returns something else is a violation, never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError

from verifier.errors import InputError


class ConditionError(Exception):
    """A condition could not be evaluated; the message says why."""


@dataclass(frozen=True)
class CompiledCondition:
    """A named CEL expression with the message a violation carries."""

    name: str
    expression: str
    message: str
    program: Any = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        env = celpy.Environment()
        try:
            ast = env.compile(self.expression)
            program = env.program(ast)
        except CELParseError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
            raise InputError(f"condition {self.name!r}: invalid CEL expression: {first}") from None
        except Exception as exc:  # cel-python raises assorted errors for bad programs
            raise InputError(f"condition {self.name!r}: invalid CEL expression: {exc}") from None
        object.__setattr__(self, "program", program)

    def holds(self, activation: Mapping[str, Any]) -> bool:
        """Evaluate; ConditionError when the expression errors or is not a boolean."""
        try:
            result = self.program.evaluate(activation)
        except Exception as exc:  # CELEvalError and errors cel-python lets escape
            raise ConditionError(_reason(exc)) from None
        if isinstance(result, CELEvalError):
            raise ConditionError(_reason(result))
        if not isinstance(result, celtypes.BoolType):
            raise ConditionError(f"returned {type(result).__name__}, not a boolean")
        return bool(result)


def _reason(exc: BaseException) -> str:
    args = getattr(exc, "args", ())
    if args and isinstance(args[0], str):
        return args[0]
    return str(exc) or type(exc).__name__


def to_cel(data: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-like data as CEL values."""
    return {key: json_to_cel(value) for key, value in data.items()}
