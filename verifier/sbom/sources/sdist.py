"""A source distribution: `<name>-<version>/PKG-INFO` and pyproject.toml, read in place."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from verifier.archive import Member, MemberKind, open_archive
from verifier.errors import InputError
from verifier.sbom.archive_files import file_components
from verifier.sbom.model import ComponentKind, Inventory
from verifier.sbom.names import pypi_purl
from verifier.sbom.python_metadata import declared_requirements, parse_metadata
from verifier.sbom.subject import subject_for_path

METADATA_LIMIT = 16 << 20


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
            pkg_info: Member | None = None
            pyproject: Member | None = None
            for member in reader.members():
                parts = member.name.split("/")
                if member.kind is not MemberKind.FILE or len(parts) != 2:
                    continue
                if parts[1] == "PKG-INFO":
                    if pkg_info is not None:
                        raise InputError(f"{self.path}: more than one top-level */PKG-INFO")
                    pkg_info = member
                elif parts[1] == "pyproject.toml":
                    pyproject = member
            if pkg_info is None:
                raise InputError(f"{self.path}: not an sdist: no <name>-<version>/PKG-INFO")
            where = f"{self.path}!{pkg_info.name}"
            meta = parse_metadata(reader.read(pkg_info, METADATA_LIMIT), where=where)
            findings = list(meta.findings)
            if not meta.requires and pyproject is not None:
                # Metadata-Version < 2.2 may omit Requires-Dist; a static [project] table has them.
                raw = reader.read(pyproject, METADATA_LIMIT)
                meta = replace(meta, requires=_pyproject_requires(raw, where, findings))
        finally:
            reader.close()
        requirements = declared_requirements(meta)
        files = tuple(file_components(self.path)) if self.files else ()
        subject = subject_for_path(
            self.path,
            name=meta.name,
            version=meta.version,
            kind=ComponentKind.LIBRARY,
            purl=pypi_purl(meta.name, meta.version),
            licenses=meta.licenses,
            supplier=meta.supplier,
            author=meta.author,
            description=meta.summary,
        )
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
