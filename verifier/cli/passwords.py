"""Key passwords for every command: from the environment, else a prompt; never logged."""

from __future__ import annotations

import os
import sys

import typer

from verifier.errors import InputError

PASSWORD_VARIABLES = ("VERIFIER_PASSWORD", "COSIGN_PASSWORD")


def key_password(confirm: bool = False) -> bytes:
    """From VERIFIER_PASSWORD or COSIGN_PASSWORD (empty allowed), else a prompt on a terminal."""
    for name in PASSWORD_VARIABLES:
        value = os.environ.get(name)
        if value is not None:
            return value.encode()
    if not sys.stdin.isatty():
        raise InputError(
            "no password: set VERIFIER_PASSWORD (or COSIGN_PASSWORD), or run on a terminal"
        )
    text: str = typer.prompt("Password", hide_input=True, confirmation_prompt=confirm, err=True)
    return text.encode()
