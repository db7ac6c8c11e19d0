"""Registry credentials and authentication challenges (Basic and Bearer).

NOTE: we never call ``oras`` ``login()``: it writes plaintext credentials to
``~/.docker/config.json`` (ignoring DOCKER_CONFIG), and its default token backend misreads a
``Basic realm="..."`` challenge as a token URL and retries for minutes (measured.md Q4).
Credentials are only ever read here, in this order:

1. ``VERIFIER_REGISTRY_USERNAME`` / ``VERIFIER_REGISTRY_PASSWORD``;
2. the Docker config (``$DOCKER_CONFIG/config.json``, else ``~/.docker/config.json``):
   ``credHelpers[host]``, then ``auths[host]``, then ``credsStore``.

Passwords never appear in messages or logs.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from verifier import process
from verifier.errors import VerifierError
from verifier.store.errors import AuthenticationFailed

ENV_USERNAME = "VERIFIER_REGISTRY_USERNAME"
ENV_PASSWORD = "VERIFIER_REGISTRY_PASSWORD"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True)
class Credentials:
    """A user name and its secret; the secret never prints."""

    username: str
    password: str = field(repr=False)
    origin: str = ""

    def basic_header(self) -> str:
        """``Basic base64(user:password)``."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"


@dataclass(frozen=True)
class Challenge:
    """A parsed ``WWW-Authenticate`` header."""

    scheme: str  # "basic" or "bearer", lower case
    params: dict[str, str]


_PARAM_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))')


def parse_challenge(header: str) -> Challenge | None:
    """Parse ``Basic realm="x"`` or ``Bearer realm="u",service="s",scope="a b"``."""
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3)).replace(
            '\\"', '"'
        )
        for m in _PARAM_RE.finditer(rest)
    }
    return Challenge(scheme.lower(), params)


def _docker_config_path() -> Path:
    base = os.environ.get("DOCKER_CONFIG")
    return (Path(base) if base else Path.home() / ".docker") / "config.json"


def _from_helper(helper: str, host: str, timeout: float) -> Credentials | None:
    program = f"docker-credential-{helper}"
    try:
        done = process.run(
            [program, "get"], timeout=timeout, input_bytes=host.encode(), check=False
        )
    except VerifierError as exc:
        raise AuthenticationFailed(f"registry {host}: credential helper {program}: {exc}") from exc
    if done.returncode != 0:
        return None  # helpers exit non-zero for "no credentials for this host"
    try:
        answer = json.loads(done.stdout)
        return Credentials(str(answer["Username"]), str(answer["Secret"]), program)
    except (ValueError, KeyError, TypeError):
        raise AuthenticationFailed(
            f"registry {host}: credential helper {program} answered malformed JSON"
        ) from None


def _from_auths(auths: object, host: str, where: str) -> Credentials | None:
    if not isinstance(auths, dict):
        return None
    keys = [host, f"https://{host}", f"http://{host}", f"https://{host}/v1/"]
    if host in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        keys.append("https://index.docker.io/v1/")  # where docker login stores Hub credentials
    for key in keys:
        entry = auths.get(key)
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("auth"), str) and entry["auth"]:
            try:
                user, sep, password = base64.b64decode(entry["auth"]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise AuthenticationFailed(f"{where}: auths[{key!r}].auth is not base64") from None
            if sep:
                return Credentials(user, password, where)
        if isinstance(entry.get("username"), str) and isinstance(entry.get("password"), str):
            return Credentials(entry["username"], entry["password"], where)
    return None


def find_credentials(host: str, timeout: float) -> Credentials | None:
    """Credentials for ``host`` from the environment or the Docker config, or None."""
    user = os.environ.get(ENV_USERNAME)
    password = os.environ.get(ENV_PASSWORD)
    if user is not None and password is not None:
        return Credentials(user, password, ENV_USERNAME)
    if (user is None) != (password is None):
        raise AuthenticationFailed(f"set both {ENV_USERNAME} and {ENV_PASSWORD}, or neither")
    path = _docker_config_path()
    try:
        config = json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise AuthenticationFailed(f"{path}: unreadable Docker config: {exc}") from exc
    if not isinstance(config, dict):
        return None
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict) and isinstance(helpers.get(host), str):
        return _from_helper(helpers[host], host, timeout)
    found = _from_auths(config.get("auths"), host, str(path))
    if found is not None:
        return found
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return _from_helper(store, host, timeout)
    return None
