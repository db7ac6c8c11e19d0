"""A source distribution: `<name>-<version>/PKG-INFO` and pyproject.toml, read in place."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from verifier.archive import open_archive
from verifier.sbom.archive_files import file_components
from verifier.sbom.model import Inventory
from verifier.sbom.python_metadata import declared_requirements
from verifier.sbom.sources.distribution import (
    METADATA_LIMIT,
    distribution_subject,
    read_metadata,
)


@dataclass
class SdistSource:
    """``*.tar.gz`` or ``*.zip`` sdist: the archive is the subject, requirements its components."""

    path: Path
    files: bool = False

    @property
    def location(self) -> str:
        """The sdist path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """PKG-INFO's name, version, licenses; requirements from PKG-INFO or pyproject.toml."""
        reader = open_archive(self.path)
        try:
            found = read_metadata(
                reader,
                self.path,
                directory_suffix="",
                metadata="PKG-INFO",
                companion="pyproject.toml",
                twice=f"{self.path}: more than one top-level */PKG-INFO",
                missing=f"{self.path}: not an sdist: no <name>-<version>/PKG-INFO",
            )
            meta, where, pyproject = found.meta, found.where, found.companion
            findings = list(meta.findings)
            if not meta.requires and pyproject is not None:
                # Metadata-Version < 2.2 may omit Requires-Dist; a static [project] table has them.
                raw = reader.read(pyproject, METADATA_LIMIT)
                meta = replace(meta, requires=_pyproject_requires(raw, where, findings))
        finally:
            reader.close()
        requirements = declared_requirements(meta)
        files = tuple(file_components(self.path)) if self.files else ()
        subject = distribution_subject(self.path, meta)
        packages = requirements + files
        return Inventory(subject, packages, tuple(p.ref for p in packages), tuple(findings))


def _pyproject_requires(raw: bytes, where: str, findings: list[str]) -> tuple[Requirement, ...]:
    try:
        project = tomllib.loads(raw.decode("utf-8")).get("project", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        findings.append(f"{where}: pyproject.toml unreadable: {exc}")
        return ()
    if not isinstance(project, dict) or "dependencies" in project.get("dynamic", []):
        return ()
    requires = []
    for spec in project.get("dependencies", []) or []:
        try:
            requires.append(Requirement(str(spec)))
        except InvalidRequirement as exc:
            findings.append(f"{where}: pyproject.toml dependency {spec!r}: {exc}")
    return tuple(requires)
