"""One error hierarchy; each error knows the exit code it maps to at the CLI edge.

Exit codes (every command): 0 passed, 1 the check said no, 2 bad input, 3 the environment failed.
"""

from __future__ import annotations

from typing import ClassVar


class VerifierError(Exception):
    """Base of every error the tool raises on purpose; the message is one line for a person."""

    exit_code: ClassVar[int] = 3

    def __init__(self, message: str, *, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __str__(self) -> str:
        return self.message


class InputError(VerifierError):
    """Bad usage or unreadable, malformed input: the command could not judge (exit 2)."""

    exit_code = 2


class CheckFailed(VerifierError):
    """The check ran and said no: not reproducible, tampered input, bad signature (exit 1)."""

    exit_code = 1


class EnvironmentFailure(VerifierError):
    """The environment failed: missing sandbox, unreachable host, time limit (exit 3)."""

    exit_code = 3


class ProcessTimeout(EnvironmentFailure):
    """A subprocess ran past its time limit and was killed."""


class ProcessFailed(EnvironmentFailure):
    """A helper subprocess (not the build itself) exited non-zero."""

    def __init__(self, message: str, *, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr
