"""Release versions: Semantic Versioning 2.0.0, validated on construction."""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifier.errors import InputError

# semver.org's grammar: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], no leading zeros.
_NUM = r"0|[1-9]\d*"
_IDENT = r"(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
_SEMVER = re.compile(
    rf"^(?P<major>{_NUM})\.(?P<minor>{_NUM})\.(?P<patch>{_NUM})"
    rf"(?:-(?P<pre>{_IDENT}(?:\.{_IDENT})*))?"
    r"(?:\+(?P<build>[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$"
)


@dataclass(frozen=True)
class ReleaseVersion:
    """A semantic version; the release tag is ``v`` + the version with ``+`` replaced by ``_``."""

    text: str

    def __post_init__(self) -> None:
        if not _SEMVER.match(self.text):
            raise InputError(
                f"version {self.text!r} is not a semantic version (MAJOR.MINOR.PATCH, "
                "e.g. 1.4.0 or 2.0.0-rc.1)"
            )

    @classmethod
    def parse(cls, text: str) -> ReleaseVersion:
        """Accept ``1.2.3`` or ``v1.2.3``."""
        return cls(text[1:] if text.startswith("v") else text)

    @property
    def tag(self) -> str:
        """The OCI tag (tags may not contain ``+``)."""
        return "v" + self.text.replace("+", "_")

    @property
    def key(self) -> tuple[int, int, int, int, tuple[tuple[int, int | str], ...]]:
        """Sort key with semver precedence (a pre-release sorts before its release)."""
        m = _SEMVER.match(self.text)
        assert m is not None
        pre = m.group("pre")
        ids: tuple[tuple[int, int | str], ...] = ()
        if pre:
            ids = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split("."))
        return (int(m["major"]), int(m["minor"]), int(m["patch"]), 0 if pre else 1, ids)


def version_of_tag(tag: str) -> ReleaseVersion | None:
    """The version a release tag names, or None for other tags."""
    if not tag.startswith("v"):
        return None
    try:
        return ReleaseVersion(tag[1:].replace("_", "+"))
    except InputError:
        return None
