"""Package names and purls per ecosystem (purl spec: github.com/package-url/purl-spec)."""

from __future__ import annotations

import re
from functools import lru_cache

from packageurl import PackageURL

from verifier.errors import InputError

# PEP 508 project names: letters, digits and ``._-``, starting and ending with a letter or digit.
_PEP508_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def normalize(name: str) -> str:
    """PEP 503 normalization (``Foo_Bar.baz`` -> ``foo-bar-baz``) of a name known to be valid."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pep503_name(name: str, *, where: str) -> str:
    """The PEP 503 normalized form of a project name; InputError naming ``where`` if invalid."""
    if not _PEP508_NAME.match(name):
        raise InputError(f"{where}: invalid Python package name {name!r}")
    return normalize(name)


@lru_cache(maxsize=65536)
def pypi_purl(name: str, version: str | None) -> str:
    """``pkg:pypi/<pep503 name>@<version>``; the purl spec asks for the normalized name."""
    return PackageURL(type="pypi", name=name, version=version).to_string()


@lru_cache(maxsize=65536)
def npm_purl(name: str, version: str | None) -> str:
    """``pkg:npm/%40scope/name@version``: the scope is the purl namespace."""
    namespace = None
    if name.startswith("@") and "/" in name:
        namespace, name = name.split("/", 1)
    return PackageURL(type="npm", namespace=namespace, name=name, version=version).to_string()


def os_purl(
    kind: str, namespace: str, name: str, version: str, arch: str | None, distro: str | None
) -> str:
    """``pkg:deb/debian/<name>@<version>?arch=..&distro=debian-12`` or ``pkg:apk/alpine/...``."""
    qualifiers = {k: v for k, v in (("arch", arch), ("distro", distro)) if v}
    return PackageURL(
        type=kind, namespace=namespace, name=name, version=version, qualifiers=qualifiers or None
    ).to_string()


def generic_purl(name: str, version: str | None, sha256_hex: str | None = None) -> str:
    """``pkg:generic/<name>@<version>?checksum=sha256:..`` for artifacts without an ecosystem."""
    qualifiers = {"checksum": f"sha256:{sha256_hex}"} if sha256_hex else None
    return PackageURL(type="generic", name=name, version=version, qualifiers=qualifiers).to_string()


def oci_purl(name: str, digest: str) -> str:
    """``pkg:oci/<name>@sha256%3A<hex>``: an image by its manifest digest."""
    return PackageURL(type="oci", name=name.lower(), version=digest).to_string()
