"""Writing key pairs and bundles: owner-only permissions, no half-written files, no clobbering."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from verifier.errors import InputError
from verifier.sign.cosign_key import encrypt_private_key, plain_private_key
from verifier.sign.keys import PrivateKey


def write_atomically(path: Path, data: bytes, *, mode: int = 0o644, overwrite: bool = True) -> None:
    """Write through a temporary file in the same directory, then rename into place."""
    if not overwrite and path.exists():
        raise InputError(f"{path}: already exists (use --force to replace it)")
    directory = path.parent if str(path.parent) else Path()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
        Path(tmp).replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc


def write_key_pair(
    prefix: Path, key: PrivateKey, password: bytes | None, *, overwrite: bool = False
) -> tuple[Path, Path]:
    """Write ``PREFIX.key`` (0600; encrypted unless ``password`` is None) and ``PREFIX.pub``."""
    if prefix.is_dir():
        # "keys/" arrives as "keys": the pair would land beside the directory as keys.key.
        raise InputError(f"{prefix}: is a directory; give a prefix such as {prefix / 'cosign'}")
    private_path = prefix.with_name(prefix.name + ".key")
    public_path = prefix.with_name(prefix.name + ".pub")
    for path in (private_path, public_path):
        if not overwrite and path.exists():
            raise InputError(f"{path}: already exists (use --force to replace it)")
    pem = plain_private_key(key) if password is None else encrypt_private_key(key, password)
    write_atomically(private_path, pem, mode=0o600)
    write_atomically(public_path, key.public_key.pem, mode=0o644)
    return private_path, public_path
