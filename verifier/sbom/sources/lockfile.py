"""What every lock-file source shares: reading TOML with clear errors, the lock as subject."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom.model import ComponentKind, Package, Subject
from verifier.sbom.names import pep503_name, pypi_purl
from verifier.sbom.subject import subject_for_path

#: lock files larger than this are refused rather than parsed into memory
MAX_LOCK_SIZE = 256 << 20


@dataclass
class LockFile:
    """A lock file at ``path``; each lock-file source adds how to read its format."""

    path: Path

    @property
    def location(self) -> str:
        """The lock file path."""
        return str(self.path)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or InputError naming it."""
    try:
        size = path.stat().st_size
        if size > MAX_LOCK_SIZE:
            raise InputError(f"{path}: {size} bytes is larger than a lock file may be")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML lock file; a syntax error names the file, line and column."""
    try:
        return tomllib.loads(read_bytes(path).decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error: {exc}") from exc


def table(value: Any, *, where: str) -> dict[str, Any]:
    """``value`` as a table, or InputError naming where the shape is wrong."""
    if not isinstance(value, dict):
        raise InputError(f"{where}: expected a table, found {type(value).__name__}")
    return value


def array(value: Any, *, where: str) -> list[Any]:
    """``value`` as an array (missing = empty), or InputError naming where it is wrong."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: expected an array, found {type(value).__name__}")
    return value


def text(value: Any, *, where: str) -> str:
    """``value`` as a non-empty string, or InputError."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: expected a non-empty string, found {value!r}")
    return value


def named_entry(raw: Any, *, where: str) -> tuple[dict[str, Any], str]:
    """A ``[[package]]`` entry as a table, and its PEP 503 name (InputError if either is bad)."""
    entry = table(raw, where=where)
    return entry, pep503_name(text(entry.get("name"), where=f"{where}.name"), where=where)


def optional_version(entry: dict[str, Any], *, where: str) -> str | None:
    """The entry's version, None when absent (directory or VCS source); InputError if no string."""
    version = entry.get("version")
    if version is not None and not isinstance(version, str):
        raise InputError(f"{where}.version: expected a string, found {version!r}")
    return version


def digest_or_finding(raw: Any, *, where: str, findings: list[str]) -> Digest | None:
    """``sha256:<hex>`` (or sha512) from a lock entry; a bad value becomes a finding."""
    if not isinstance(raw, str):
        return None
    try:
        return Digest.parse(raw.lower())
    except InputError:
        findings.append(f"{where}: unusable hash {raw!r}")
        return None


def lock_subject(path: Path, name: str | None, version: str | None) -> Subject:
    """The lock file itself as subject, named after the project it locks when known."""
    return subject_for_path(
        path, name=name or path.name, version=version, kind=ComponentKind.APPLICATION
    )


def duplicates(packages: Iterable[Package], *, where: str) -> list[str]:
    """Findings for refs that occur more than once (the assembler merges them)."""
    seen: set[str] = set()
    found = []
    for package in packages:
        if package.ref in seen:
            found.append(f"{where}: {package.ref} is listed more than once")
        seen.add(package.ref)
    return found


#: where PyPI packages come from when a lock file names no index
DEFAULT_PYPI_INDEX = "https://pypi.org/simple"
SUPPLIER_FROM_INDEX = ("verifier:supplier-from", "package index")


def index_supplier(url: object) -> str | None:
    """The host of the index or registry a package was resolved from, as its supplier name.

    Lock files record where a package came from, not who made it; the index that served it
    is the entity that supplied it to this build (marked with :data:`SUPPLIER_FROM_INDEX`).
    """
    if not isinstance(url, str) or "://" not in url:
        return None
    host = urlsplit(url).hostname
    return host or None


def pep440_findings(packages: Iterable[Package], *, where: str) -> list[str]:
    """Findings for PyPI packages whose version is not PEP 440 (kept as written)."""
    found = []
    for package in packages:
        if package.version is None:
            continue
        try:
            Version(package.version)
        except InvalidVersion:
            found.append(
                f"{where}: {package.name} has a version that is not PEP 440: {package.version!r}"
            )
    return found


def locked_package(
    name: str,
    version: str | None,
    *,
    hashes: tuple[Digest, ...],
    origin: object,
    depends_on: tuple[str, ...],
    description: str | None = None,
) -> Package:
    """A locked PyPI package; the index it came from (``origin``) is its supplier."""
    supplier = index_supplier(origin)
    return Package(
        name=name,
        version=version,
        purl=pypi_purl(name, version),
        hashes=hashes,
        supplier=supplier,
        description=description,
        depends_on=depends_on,
        properties=(SUPPLIER_FROM_INDEX,) if supplier else (),
    )


def lock_findings(packages: Iterable[Package], *, where: str) -> list[str]:
    """Findings every lock file gets: refs listed twice, then versions that are not PEP 440."""
    listed = list(packages)
    return duplicates(listed, where=where) + pep440_findings(listed, where=where)
