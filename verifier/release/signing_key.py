"""The release signing key: given, or the embedded default created on first use.

The default lives at ``.verifier/keys/release.key`` (cosign's encrypted format, mode 0600) with
``release.pub`` beside it. Under CI (``CI=true``) a missing key is an error: a pipeline that
silently made a fresh key on every run would sign with keys nobody trusts.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verifier.errors import InputError
from verifier.sign.cosign_key import read_private_key
from verifier.sign.keyfiles import write_key_pair
from verifier.sign.keys import KeyAlgorithm, PrivateKey, PublicKey

DEFAULT_KEY = Path(".verifier") / "keys" / "release.key"


@dataclass(frozen=True)
class ReleaseKey:
    """The private key that signs a release, and where its public half is."""

    key: PrivateKey
    private_path: Path
    public_path: Path | None
    created: bool

    @property
    def public_key(self) -> PublicKey:
        """The verification key (what admission and ``rollback-check`` trust)."""
        return self.key.public_key


def running_in_ci() -> bool:
    """CI=true (GitHub Actions, GitLab CI and most others set it)."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def release_key(
    path: Path | None,
    password: Callable[[bool], bytes],
    *,
    on_notice: Callable[[str], None],
) -> ReleaseKey:
    """Read ``path``, or the default key, creating the default on first use outside CI.

    ``password(confirm)`` supplies the password (environment or prompt).
    """
    if path is not None:
        if not path.is_file():
            raise InputError(f"{path}: signing key not found")
        return ReleaseKey(
            read_private_key(path, password(False)), path, _public_beside(path), False
        )
    if DEFAULT_KEY.is_file():
        return ReleaseKey(
            read_private_key(DEFAULT_KEY, password(False)),
            DEFAULT_KEY,
            _public_beside(DEFAULT_KEY),
            False,
        )
    if running_in_ci():
        raise InputError(
            f"no signing key: CI=true and {DEFAULT_KEY} does not exist; pass --key KEY "
            "(or --keyless) instead of generating a key nobody trusts"
        )
    key = KeyAlgorithm.ECDSA_P256.generate()
    DEFAULT_KEY.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_KEY.parent.chmod(0o700)
    private, public = write_key_pair(DEFAULT_KEY.with_suffix(""), key, password(True))
    on_notice(
        f"created a new signing key {private} (public key {public}); "
        "back it up, and give its public key to whoever admits your releases"
    )
    return ReleaseKey(key, private, public, True)


def _public_beside(private: Path) -> Path | None:
    public = private.with_suffix(".pub")
    return public if public.is_file() else None
