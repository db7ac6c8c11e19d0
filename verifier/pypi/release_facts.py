"""Facts read from a published wheel and its sdist, without extracting either."""

from __future__ import annotations

import email.parser
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from verifier.archive import ArchiveError, MemberKind, open_archive
from verifier.errors import InputError

_SMALL = 1 << 20


@dataclass(frozen=True)
class WheelMember:
    """A wheel member's name, zip timestamp (read as UTC seconds) and Unix mode."""

    name: str
    zip_time: int
    mode: int


@dataclass(frozen=True)
class WheelFacts:
    """What a wheel records about its build."""

    name: str
    version: str
    generator: str
    members: tuple[WheelMember, ...]


@dataclass(frozen=True)
class SdistFacts:
    """What an sdist records: its top directory, file mtimes, and its build-system table."""

    top: str
    mtimes: dict[str, int]  # path below the top directory -> mtime
    build_requires: tuple[str, ...]
    build_backend: str | None
    #: ``[build-system].backend-path``: in-tree directories the backend is imported from
    backend_path: tuple[str, ...] = ()
    #: Name and Version of ``<top>/PKG-INFO`` ("" when the sdist has none)
    name: str = ""
    version: str = ""


def read_wheel(path: Path) -> WheelFacts:
    """Name, version, WHEEL Generator and member timestamps/modes of a wheel."""
    reader = open_archive(path)
    try:
        members: list[WheelMember] = []
        wheel_text = metadata_text = ""
        for member in reader.members():
            if member.kind is not MemberKind.FILE:
                continue
            members.append(WheelMember(member.name, int(member.mtime), member.mode))
            parts = member.name.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info"):
                if parts[1] == "WHEEL":
                    wheel_text = reader.read(member, _SMALL).decode("utf-8", "replace")
                elif parts[1] == "METADATA":
                    metadata_text = reader.read(member, _SMALL).decode("utf-8", "replace")
    finally:
        reader.close()
    if not wheel_text or not metadata_text:
        raise InputError(f"{path}: not a wheel: no *.dist-info/WHEEL and METADATA")
    wheel = email.parser.Parser().parsestr(wheel_text)
    metadata = email.parser.Parser().parsestr(metadata_text)
    generator = wheel.get("Generator", "")
    if not generator:
        raise InputError(f"{path}: WHEEL has no Generator line: the backend cannot be inferred")
    return WheelFacts(
        name=str(metadata.get("Name", "")),
        version=str(metadata.get("Version", "")),
        generator=str(generator).strip(),
        members=tuple(members),
    )


def read_sdist(path: Path) -> SdistFacts:
    """The sdist's top directory, file mtimes and pyproject.toml [build-system]."""
    reader = open_archive(path)
    try:
        mtimes: dict[str, int] = {}
        top = ""
        pyproject = pkg_info = b""
        for member in reader.members():
            first, _, rest = member.name.partition("/")
            top = top or first
            if member.kind is MemberKind.FILE and rest:
                mtimes[rest] = int(member.mtime)
                if rest == "pyproject.toml":
                    pyproject = reader.read(member, _SMALL)
                elif rest == "PKG-INFO":
                    pkg_info = reader.read(member, _SMALL)
    finally:
        reader.close()
    requires, backend, backend_path = (
        _build_system(pyproject, path) if pyproject else ((), None, ())
    )
    meta = email.parser.Parser().parsestr(pkg_info.decode("utf-8", "replace"), headersonly=True)
    return SdistFacts(
        top,
        mtimes,
        requires,
        backend,
        backend_path=backend_path,
        name=str(meta.get("Name", "")).strip(),
        version=str(meta.get("Version", "")).strip(),
    )


#: a PEP 517 object reference, ``module.path`` or ``module.path:object.path``
_BACKEND = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?::[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?$")


#: a relative directory of the sdist (backend-path entries go into the build's Python code)
_IN_TREE = re.compile(r"^[\w.-]+(?:/[\w.-]+)*/?$")


def _build_system(
    pyproject: bytes, path: Path
) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """``[build-system]`` requires and build-backend, checked: both end up in a recipe.

    The backend is written into the build command's Python code and both into TOML, so
    anything but PEP 508 requirements and a PEP 517 object reference is refused.
    """
    where = f"{path}: pyproject.toml"
    try:
        table = tomllib.loads(pyproject.decode("utf-8")).get("build-system", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"{where} is not valid TOML: {exc}") from exc
    if not isinstance(table, dict):
        raise ArchiveError(f"{where}: [build-system] is not a table")
    requires = table.get("requires", [])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise ArchiveError(f"{where}: build-system.requires is not an array of strings")
    for requirement in requires:
        try:
            Requirement(requirement)
        except InvalidRequirement as exc:
            reason = str(exc).splitlines()[0]
            raise ArchiveError(f"{where}: build-system.requires {requirement!r}: {reason}") from exc
    backend = table.get("build-backend")
    if backend is not None and (not isinstance(backend, str) or not _BACKEND.match(backend)):
        raise ArchiveError(
            f"{where}: build-system.build-backend {backend!r} is not a PEP 517 object reference"
        )
    backend_path = table.get("backend-path", [])
    if not isinstance(backend_path, list) or not all(
        isinstance(p, str) and _IN_TREE.match(p) and ".." not in p.split("/") for p in backend_path
    ):
        # PEP 517: relative to the project root, and never outside it.
        raise ArchiveError(
            f"{where}: build-system.backend-path {backend_path!r} is not a list of "
            "directories inside the sdist"
        )
    return tuple(requires), backend, tuple(backend_path)
