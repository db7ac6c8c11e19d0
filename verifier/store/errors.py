"""Errors of the store: each names the store (registry or layout) and maps to an exit code."""

from __future__ import annotations

from verifier.errors import CheckFailed, EnvironmentFailure, InputError


class StoreError(EnvironmentFailure):
    """The store failed: unreachable, timed out, refused, or answered nonsense (exit 3)."""


class StoreTimeout(StoreError):
    """The operation ran past its one total deadline."""


class AuthenticationFailed(StoreError):
    """The registry refused our credentials, or asked for some and we had none."""


class NotFound(StoreError):
    """A blob, manifest or tag the operation needs does not exist in the store."""


class TagChanged(StoreError):
    """A conditional tag update found the tag moved since it was read (retry after re-reading)."""


class DigestMismatch(CheckFailed):
    """Bytes the store returned do not hash to the digest that names them (exit 1)."""


class TagImmutable(CheckFailed):
    """An immutable tag already points at another digest and may not move (exit 1)."""


class BadReference(InputError):
    """A store or artifact reference the user gave cannot be parsed (exit 2)."""
