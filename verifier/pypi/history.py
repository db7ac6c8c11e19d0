"""Build requirements as the index offered them when a wheel was published.

A wheel records its backend's version (the WHEEL ``Generator:`` line) and nothing else of its
build environment: not the setuptools under ``bdist_wheel``, not ``setuptools_scm`` or
``hatch-vcs`` (which write ``_version.py``). Unpinned, pip takes today's versions, and their
output differs (Metadata-Version, ``License-File:``, the ``_version.py`` template). The best
evidence of what the author had is the wheel's upload time: each unpinned requirement, and each
package pip then pulls in, is pinned to its newest release uploaded no later than the wheel
(what ``uv --exclude-newer`` does), from the upload times the index publishes (PEP 700).

NOTE: ``bench/pypi_rebuild.py`` over 20 popular releases: 10 rebuilt bit for bit, 4
equivalent, 6 different with today's versions; six and pytz differed in METADATA (setuptools),
pluggy, iniconfig, filelock and platformdirs in ``_version.py`` (setuptools_scm) (docs/pypi.md
"Measured").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from verifier.errors import EnvironmentFailure, InputError
from verifier.pypi.fetch import project_files, upload_time
from verifier.rebuild.toolchain import lock_requirements

#: How many times pip's resolution is re-pinned: packages older pins pull in are pinned too.
MAX_ROUNDS = 3


def _names_a_prerelease(text: str) -> bool:
    try:
        return Version(text.rstrip(".*")).is_prerelease
    except InvalidVersion:
        return False


def _version_of(wheel: str, project: str) -> Version | None:
    """The version of a wheel of ``project`` (None: not a wheel of it)."""
    try:
        name, version, _, _ = parse_wheel_filename(wheel)
    except InvalidWheelFilename:
        return None
    return version if name == canonicalize_name(project) else None


def newest_as_of(
    files: Iterable[Mapping[str, Any]], cutoff: datetime, requirement: Requirement
) -> Version | None:
    """The newest version ``requirement`` allows with a file uploaded by ``cutoff``.

    Pre-releases only if the requirement names one; yanked files never; None when none is.
    """
    specifier = requirement.specifier
    allow_pre = any(_names_a_prerelease(spec.version) for spec in specifier)
    best: Version | None = None
    for entry in files:
        when = upload_time(entry)
        if when is None or when > cutoff or entry.get("yanked"):
            continue
        filename = str(entry.get("filename", ""))
        if not filename.endswith(".whl"):
            continue  # toolchains are installed from wheels only
        version = _version_of(filename, requirement.name)
        if version is None or (version.is_prerelease and not allow_pre):
            continue
        if not specifier.contains(version, prereleases=True):
            continue
        if best is None or version > best:
            best = version
    return best


@dataclass(frozen=True)
class PinnedAsOf:
    """Requirements pinned as of a date, and what could not be."""

    requirements: tuple[str, ...]
    notes: tuple[str, ...]
    #: the hash-pinned lines pip resolved for exactly ``requirements``, when it was asked
    locked: tuple[str, ...] | None = None


class ReleaseHistory(Protocol):
    """Where release files and their upload times come from."""

    def files(self, name: str) -> list[Mapping[str, Any]]:
        """The file entries (PEP 691, with PEP 700 ``upload-time``) of project ``name``."""
        ...


@dataclass(frozen=True)
class IndexHistory:
    """Release files and their upload times, read from a PEP 691 JSON index."""

    index_url: str
    timeout: float = 60.0

    def files(self, name: str) -> list[Mapping[str, Any]]:
        """The index's file entries for project ``name``."""
        return list(project_files(self.index_url, name, self.timeout)[1])


def _pinned(requirement: Requirement) -> bool:
    return any(spec.operator in ("==", "===") for spec in requirement.specifier)


def _with_version(requirement: Requirement, version: Version) -> str:
    extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
    marker = f"; {requirement.marker}" if requirement.marker else ""
    return f"{requirement.name}{extras}=={version}{marker}"


def pin_as_of(
    requirements: Sequence[str],
    cutoff: datetime,
    history: ReleaseHistory,
    resolve: Callable[[Sequence[str]], Sequence[tuple[str, str]]],
) -> PinnedAsOf:
    """Pin each unpinned requirement, and everything pip resolves for them, as of ``cutoff``.

    ``resolve`` turns requirements into the (name, version) pairs pip would install. Pinned
    requirements stay as they are. A package with no release by then keeps today's version,
    with a note.
    """
    try:
        parsed = [Requirement(r) for r in requirements]
    except InvalidRequirement as exc:
        raise InputError(f"build requirement {exc}") from None
    pins: dict[str, str] = {}
    notes: list[str] = []
    for requirement in parsed:
        if _pinned(requirement):
            pins[canonicalize_name(requirement.name)] = str(requirement)
            continue
        version = newest_as_of(history.files(requirement.name), cutoff, requirement)
        if version is None:
            notes.append(f"{requirement.name}: no release by {cutoff:%Y-%m-%d}; today's used")
            pins[canonicalize_name(requirement.name)] = str(requirement)
        else:
            pins[canonicalize_name(requirement.name)] = _with_version(requirement, version)
    # Round by round, what pip resolves around those pins is pinned too. A package with no
    # release by then is left unpinned: it came with today's versions and goes with them.
    unpinnable: dict[str, str] = {}
    resolved_pins: dict[str, str] | None = None  # the last pins pip resolved
    for _ in range(MAX_ROUNDS):
        try:
            resolved = resolve(list(pins.values()))
        except EnvironmentFailure as exc:
            if resolved_pins is None:
                raise
            notes.append(f"dependencies as of then do not resolve together ({exc}); today's used")
            pins = resolved_pins
            break
        resolved_pins = dict(pins)
        added = False
        unpinnable = {}
        for name, today in resolved:
            key = canonicalize_name(name)
            if key in pins:
                continue
            older = newest_as_of(history.files(name), cutoff, Requirement(name))
            if older is None:
                unpinnable[key] = f"{name} {today}"
                continue
            pins[key] = f"{name}=={older}"
            added = True
        if not added:
            break
    notes += [
        f"{what}: no release by {cutoff:%Y-%m-%d}; today's used" for what in unpinnable.values()
    ]
    return PinnedAsOf(tuple(pins[k] for k in sorted(pins)), tuple(notes))


def resolved_pairs(locked: Sequence[str]) -> list[tuple[str, str]]:
    """(name, version) of ``name==version --hash=...`` lines."""
    pairs = []
    for line in locked:
        name, _, rest = line.partition("==")
        pairs.append((name.strip(), rest.split()[0] if rest.split() else ""))
    return pairs


def toolchain_as_of(requirements: Sequence[str], cutoff: datetime, index_url: str) -> PinnedAsOf:
    """:func:`pin_as_of` with the index's history and pip's resolution from that index."""
    resolved: dict[tuple[str, ...], tuple[str, ...]] = {}

    def resolve(reqs: Sequence[str]) -> list[tuple[str, str]]:
        locked = lock_requirements(reqs, index_url=index_url)
        resolved[tuple(sorted(reqs))] = locked
        return resolved_pairs(locked)

    pinned = pin_as_of(requirements, cutoff, IndexHistory(index_url), resolve)
    # The last round usually resolved the final pins already: no third pip run for them.
    return replace(pinned, locked=resolved.get(tuple(sorted(pinned.requirements))))
