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
    if not isinstance(project, dict):
        return ()
    dynamic = project.get("dynamic", [])
    if isinstance(dynamic, list) and "dependencies" in dynamic:
        return ()
    declared = project.get("dependencies", [])
    if not isinstance(declared, list):
        # A string would otherwise be read one character at a time, as requirements a, b, c.
        findings.append(
            f"{where}: pyproject.toml [project].dependencies is not an array "
            f"({type(declared).__name__}); ignored"
        )
        return ()
    requires = []
    for spec in declared:
        if not isinstance(spec, str):
            findings.append(f"{where}: pyproject.toml dependency {spec!r} is not a string; ignored")
            continue
        try:
            requires.append(Requirement(spec))
        except InvalidRequirement as exc:
            reason = str(exc).splitlines()[0]
            findings.append(f"{where}: pyproject.toml dependency {spec!r}: {reason}")
    return tuple(requires)
