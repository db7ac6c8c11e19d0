"""Infer how a published wheel was built, from the wheel and its sdist.

Backend and version, SOURCE_DATE_EPOCH, time zone, umask, and which timestamps no recipe
can reproduce. The evidence, as measured on attrs, idna, packaging and six (docs/pypi.md):
the WHEEL ``Generator:`` line names the backend and its version; uniform zip timestamps are
SOURCE_DATE_EPOCH; zip timestamps that equal the sdist's file mtimes shifted by whole hours
are local time in a zone that far from UTC; group-writable modes mean umask 002; and
generated (dist-info) members of a setuptools build without SOURCE_DATE_EPOCH, or stamped
no earlier than the newest sdist file, carry the build's wall clock.
"""

from __future__ import annotations

import contextlib
import json
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from packaging.version import InvalidVersion, Version

from verifier.errors import InputError
from verifier.pypi.release_facts import SdistFacts, WheelFacts, read_sdist, read_wheel

#: what hatchling writes when SOURCE_DATE_EPOCH is unset (2020-02-02 00:00:00 UTC)
HATCHLING_DEFAULT_TIME = 1580601600
_GENERATORS = (
    (re.compile(r"^flit (\S+)$"), "flit_core", "flit_core.buildapi"),
    (re.compile(r"^hatchling (\S+)$"), "hatchling", "hatchling.build"),
    (re.compile(r"^bdist_wheel \((\S+)\)$"), "wheel", "setuptools.build_meta:__legacy__"),
    (re.compile(r"^setuptools \((\S+)\)$"), "setuptools", "setuptools.build_meta"),
    (re.compile(r"^poetry-core (\S+)$"), "poetry-core", "poetry.core.masonry.api"),
    (re.compile(r"^pdm-backend \((\S+)\)$"), "pdm-backend", "pdm.backend"),
)


@dataclass(frozen=True)
class InferredRecipe:
    """How to rebuild a published wheel from its sdist, as far as the wheel tells."""

    name: str
    version: str
    generator: str
    backend: str  # PEP 517 backend object, "module:object" or "module"
    requirements: tuple[str, ...]  # the backend pinned, then other build requirements
    source_date_epoch: int | None
    tz: str | None  # POSIX TZ ("UTC+7" = seven hours behind UTC); None: not inferable
    umask: int | None
    wall_clock_members: tuple[str, ...]  # stamped at build time: cannot be reproduced
    notes: tuple[str, ...] = field(default=())
    #: in-tree directories the sdist's backend is imported from (PEP 517 backend-path)
    backend_path: tuple[str, ...] = field(default=())

    @property
    def stabilizers(self) -> tuple[str, ...]:
        """Stabilizers an honest comparison needs: only for wall-clock timestamps."""
        return ("zip-modified-time",) if self.wall_clock_members else ()

    @property
    def build_code(self) -> str:
        """Python that builds the wheel into ``dist/`` with the backend (PEP 517)."""
        module, _, obj = self.backend.partition(":")
        hook = f"{module}.{obj}" if obj else module
        # PEP 517: backend-path entries go first on sys.path, so an in-tree backend imports.
        path = (
            f"import sys; sys.path[:0] = {list(self.backend_path)!r}; " if self.backend_path else ""
        )
        return (
            f"{path}import os, {module}; os.makedirs('dist', exist_ok=True); "
            f"print({hook}.build_wheel('dist'))"
        )

    def env(self) -> dict[str, str]:
        """Environment the build needs."""
        out: dict[str, str] = {"TZ": self.tz or "UTC"}
        if self.source_date_epoch is not None:
            out["SOURCE_DATE_EPOCH"] = str(self.source_date_epoch)
        return out

    def to_toml(
        self,
        sdist: str,
        sdist_sha256: str,
        *,
        requirements: Sequence[str] | None = None,
        index_url: str | None = None,
        find_links: Sequence[str] = (),
        comments: Sequence[str] = (),
    ) -> str:
        """A repro.toml for ``verifier rebuild`` (``sdist``: a URL or a path beside it).

        ``requirements``: the toolchain locked with hashes (and ``index_url``/``find_links``,
        where pip finds it); without them the inferred, unhashed requirements are written and
        the recipe needs pinning before use.
        """
        key = "url" if "://" in sdist else "path"
        lines = [
            _comment(
                f"Inferred by verifier from {self.name} {self.version}'s wheel "
                f"(Generator: {self.generator})."
            ),
            *(_comment(c) for c in comments),
        ]
        if requirements is None:
            requirements = self.requirements
            lines.append("# Pin each requirement with --hash=sha256:... before use.")
        reqs = ",\n".join(f"    {_toml_string(r)}" for r in requirements)
        lines += [
            "version = 1",
            f"name = {_toml_string(self.name)}",
            "",
            "[[input]]",
            'name = "sdist"',
            f"{key} = {_toml_string(sdist)}",
            f"sha256 = {_toml_string(sdist_sha256)}",
            "unpack = true",
            "strip = 1",
            "",
            "[toolchain]",
            f"requirements = [\n{reqs},\n]",
        ]
        if index_url:
            lines.append(f"index_url = {_toml_string(index_url)}")
        if find_links:
            lines.append("find_links = [" + ", ".join(_toml_string(f) for f in find_links) + "]")
        lines += [
            "",
            "[build]",
            f'command = ["python", "-c", {_toml_string(self.build_code)}]',
            'outputs = ["dist/*.whl"]',
        ]
        env = ", ".join(f"{k} = {_toml_string(v)}" for k, v in sorted(self.env().items()))
        lines.append(f"env = {{ {env} }}")
        if self.source_date_epoch is not None:
            lines.append(f"source_date_epoch = {self.source_date_epoch}")
        else:
            lines.append("# no SOURCE_DATE_EPOCH: the backend wrote the sdist files' mtimes")
            lines.append('source_date_epoch = "none"')
        if self.umask is not None:
            lines.append("# the umask the published modes show")
            lines.append(f'umask = "{self.umask:04o}"')
        if self.stabilizers:
            lines.append(
                f"# {len(self.wall_clock_members)} members carry the original build's wall "
                f"clock: expect EQUIVALENT only with --stabilize {','.join(self.stabilizers)}"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        """JSON-able form."""
        return {
            "name": self.name,
            "version": self.version,
            "generator": self.generator,
            "backend": self.backend,
            "requirements": list(self.requirements),
            "source_date_epoch": self.source_date_epoch,
            "tz": self.tz,
            "umask": None if self.umask is None else f"{self.umask:03o}",
            "wall_clock_members": list(self.wall_clock_members),
            "stabilizers": list(self.stabilizers),
            "notes": list(self.notes),
        }


def _toml_string(value: str) -> str:
    """``value`` as a TOML basic string: a JSON string is one, once DEL is escaped too.

    Requirements carry double quotes (``x; python_version >= "3.8"``) and every value here
    comes from a published release: none may end the string and write TOML of its own.
    """
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _comment(text: str) -> str:
    """A one-line TOML comment: line breaks and other control characters become spaces."""
    return "# " + "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in text)


def _backend(
    facts: WheelFacts, sdist: SdistFacts, wheel: Path
) -> tuple[str, tuple[str, ...], list[str]]:
    notes: list[str] = []
    for pattern, package, backend in _GENERATORS:
        match = pattern.match(facts.generator)
        if match is None:
            continue
        pinned = f"{package}=={match.group(1)}"
        others = [
            r
            for r in sdist.build_requires
            if _req_name(r) not in (_req_name(package), "wheel", "setuptools")
        ]
        requirements = [pinned, *others]
        if package == "wheel":
            requirements.append("setuptools")
            notes.append(
                "the setuptools version is not recorded in the wheel: pin the one current "
                "when the wheel was built"
            )
        return sdist.build_backend or backend, tuple(requirements), notes
    raise InputError(f"{wheel}: unknown WHEEL generator {facts.generator!r}")


def _req_name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else requirement


#: zones tried first, so a common name is chosen among zones that agree
PREFERRED_ZONES = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
)


def _time_zone(pairs: list[tuple[int, int]]) -> tuple[str | None, int]:
    """The zone in which every (mtime, zip time - mtime) pair is local time.

    One offset for all: a fixed POSIX zone (``UTC+7`` is seven hours behind UTC). Several
    (daylight saving time): the first IANA zone whose offset at each mtime matches.
    """
    if not pairs:
        return None, 0
    offsets = Counter(offset for _, offset in pairs)
    common, _ = offsets.most_common(1)[0]
    if any(offset % 900 or abs(offset) > 14 * 3600 for offset in offsets):
        return None, common
    if len(offsets) == 1:
        hours, rest = divmod(abs(common), 3600)
        sign = "-" if common > 0 else "+"  # POSIX counts west of Greenwich as positive
        name = (
            "UTC" if common == 0 else f"UTC{sign}{hours}" + (f":{rest // 60:02d}" if rest else "")
        )
        return name, common
    zones = [*PREFERRED_ZONES, *sorted(zoneinfo.available_timezones())]
    for name in zones:
        try:
            zone = zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        if all(_offset(zone, mtime) == offset for mtime, offset in pairs):
            return name, common
    return None, common


def _offset(zone: zoneinfo.ZoneInfo, mtime: int) -> int:
    delta = datetime.fromtimestamp(mtime, UTC).astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _sdist_path(name: str, sdist: SdistFacts) -> str | None:
    """The sdist file a wheel member was copied from (flat or src/ layout), if any."""
    for candidate in (name, f"src/{name}"):
        if candidate in sdist.mtimes:
            return candidate
    return None


def _release_key(name: str, version: str) -> tuple[str, str]:
    """PEP 503 name and PEP 440 normalized version, to compare a wheel with an sdist."""
    with contextlib.suppress(InvalidVersion):
        version = str(Version(version))
    return re.sub(r"[-_.]+", "-", name).lower(), version


def _check_same_release(wheel: Path, facts: WheelFacts, sdist: Path, source: SdistFacts) -> None:
    """InputError unless the sdist is the wheel's release: inferring across two would mix them.

    PKG-INFO says which release an sdist is; without one, its ``<name>-<version>`` top
    directory does.
    """
    want = _release_key(facts.name, facts.version)
    if source.name and source.version:
        found = f"{source.name} {source.version}"
        same = _release_key(source.name, source.version) == want
    else:
        found = f"top directory {source.top!r}"
        name, _, version = source.top.rpartition("-")
        same = bool(name) and _release_key(name, version) == want
    if not same:
        raise InputError(
            f"{sdist}: not the sdist of {wheel.name} ({facts.name} {facts.version}): {found}"
        )


def infer_recipe(wheel: Path, sdist: Path) -> InferredRecipe:
    """Read the wheel and its sdist and infer the build settings (see module docstring)."""
    facts, source = read_wheel(wheel), read_sdist(sdist)
    _check_same_release(wheel, facts, sdist, source)
    backend, requirements, notes = _backend(facts, source, wheel)
    times = Counter(m.zip_time for m in facts.members)
    sde: int | None = None
    tz: str | None = None
    wall_clock: tuple[str, ...] = ()
    if len(times) == 1:
        (only,) = times
        if only != HATCHLING_DEFAULT_TIME:
            sde = only
            tz = "UTC"
    else:
        # Members that also exist in the sdist: how far are their zip times from the mtimes?
        sources = {m.name: _sdist_path(m.name, source) for m in facts.members}
        # Zip times have a resolution of two seconds: compare with the mtime rounded down.
        pairs = [
            (source.mtimes[path], m.zip_time - (source.mtimes[path] & ~1))
            for m in facts.members
            if (path := sources[m.name]) is not None
        ]
        tz, offset = _time_zone(pairs)
        generated = [m for m in facts.members if sources[m.name] is None]
        if requirements[0].startswith(("wheel==", "setuptools==")):
            # Without SOURCE_DATE_EPOCH, bdist_wheel stamps what it generates (dist-info)
            # with the build's clock: never reproducible.
            wall_clock = tuple(sorted(m.name for m in generated))
        elif tz is not None:
            # Other backends stamp generated members with a constant; one stamped no
            # earlier than the newest sdist file carries the build's clock.
            newest = max(source.mtimes.values()) + offset
            wall_clock = tuple(sorted(m.name for m in generated if m.zip_time >= newest))
        if wall_clock:
            notes.append(f"{len(wall_clock)} members carry the original build's wall-clock time")
        if tz is None and pairs:
            notes.append("zip times do not follow the sdist mtimes in any time zone")
    # bdist_wheel writes RECORD with a fixed 0664 whatever the umask: leave it out.
    modes = [m.mode for m in facts.members if m.mode and not m.name.endswith(".dist-info/RECORD")]
    group_writable = sum(1 for mode in modes if mode & 0o020)
    umask = (0o002 if group_writable * 2 > len(modes) else 0o022) if modes else None
    return InferredRecipe(
        name=facts.name,
        version=facts.version,
        generator=facts.generator,
        backend=backend,
        requirements=requirements,
        source_date_epoch=sde,
        tz=tz,
        umask=umask,
        wall_clock_members=wall_clock,
        notes=tuple(notes),
        backend_path=source.backend_path if backend == source.build_backend else (),
    )
