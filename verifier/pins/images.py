"""Container image references as build files write them, and whether a digest pins them.

Grammar (distribution's reference format): ``[HOST[:PORT]/]PATH[:TAG][@ALGO:HEX]``; the first
component is a host when it has a dot or a port, or is ``localhost``. Names without a host
are Docker Hub names (``python`` is ``docker.io/library/python``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
_DIGEST_RE = re.compile(r"@(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")
_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_PATH_RE = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_VARIABLE_RE = re.compile(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)")


def has_digest(reference: str) -> bool:
    """True when ``reference`` ends in ``@sha256:<64 hex>`` (or sha512)."""
    return bool(_DIGEST_RE.search(reference.strip()))


def has_variable(reference: str) -> bool:
    """True when the reference still holds a ``$VAR`` / ``${VAR}`` that only CI can expand."""
    return bool(_VARIABLE_RE.search(reference))


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference; ``host`` None means Docker Hub."""

    host: str | None
    path: str
    tag: str | None
    digest: str | None

    @classmethod
    def parse(cls, text: str) -> ImageRef | None:
        """Parse ``text``; None when it is not a literal image reference (variables, junk)."""
        text = text.strip()
        if not text or has_variable(text):
            return None
        digest = None
        match = _DIGEST_RE.search(text)
        if match:
            digest = match.group(1)
            text = text[: match.start()]
        tag = None
        last = text.rsplit("/", 1)[-1]
        if ":" in last:
            text, _, tag = text.rpartition(":")
            if not _TAG_RE.match(tag):
                return None
        host = None
        first, sep, rest = text.partition("/")
        if sep and ("." in first or ":" in first or first == "localhost"):
            host, text = first, rest
        if not _PATH_RE.match(text):
            return None
        return cls(host, text, tag, digest)

    @property
    def pinned(self) -> bool:
        """True when a digest names the content."""
        return self.digest is not None

    @property
    def registry(self) -> str:
        """The registry host (``docker.io`` for Docker Hub names)."""
        return self.host or DOCKER_HUB

    @property
    def repository(self) -> str:
        """The repository inside the registry (``library/NAME`` for official Hub images)."""
        if self.host in (None, DOCKER_HUB) and "/" not in self.path:
            return f"library/{self.path}"
        return self.path

    @property
    def effective_tag(self) -> str:
        """The tag a pull would use: ``latest`` when none is written."""
        return self.tag or "latest"

    def __str__(self) -> str:
        text = f"{self.host}/{self.path}" if self.host else self.path
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text
