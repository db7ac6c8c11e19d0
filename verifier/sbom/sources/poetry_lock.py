"""``poetry.lock``: packages with their file hashes and ``[package.dependencies]`` graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.errors import InputError
from verifier.sbom.model import Inventory, Package
from verifier.sbom.names import normalize, pep503_name, pypi_purl
from verifier.sbom.sources.lockfile import (
    DEFAULT_PYPI_INDEX,
    SUPPLIER_FROM_INDEX,
    array,
    digest_or_finding,
    duplicates,
    index_supplier,
    load_toml,
    lock_subject,
    pep440_findings,
    table,
    text,
)


@dataclass
class PoetryLockSource:
    """A ``poetry.lock`` file (lock-version 1.x and 2.x)."""

    path: Path

    @property
    def location(self) -> str:
        """The lock file path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """Locked packages; the roots of the graph are the subject's direct dependencies."""
        doc = load_toml(self.path)
        metadata = table(doc.get("metadata", {}), where=f"{self.path}: metadata")
        # lock-version 1.x keeps file hashes in [metadata.files] instead of per package
        legacy_files = table(metadata.get("files", {}), where=f"{self.path}: metadata.files")
        findings: list[str] = []
        entries: list[tuple[str, str, dict[str, Any], str]] = []
        for index, raw in enumerate(array(doc.get("package"), where=f"{self.path}: package")):
            where = f"{self.path}: package[{index}]"
            entry = table(raw, where=where)
            name = pep503_name(text(entry.get("name"), where=f"{where}.name"), where=where)
            version = text(entry.get("version"), where=f"{where}.version")
            entries.append((name, version, entry, where))
        versions: dict[str, list[str]] = {}
        for name, version, _, _ in entries:
            versions.setdefault(name, []).append(pypi_purl(name, version))
        packages = []
        for name, version, entry, where in entries:
            files = array(entry.get("files"), where=f"{where}.files") or array(
                legacy_files.get(entry["name"]) or legacy_files.get(name), where=f"{where}.files"
            )
            hashes = set()
            for file in files:
                if isinstance(file, dict):
                    found = digest_or_finding(file.get("hash"), where=where, findings=findings)
                    if found is not None:
                        hashes.add(found)
            deps = table(entry.get("dependencies", {}), where=f"{where}.dependencies")
            depends_on = sorted({ref for dep in deps for ref in versions.get(normalize(dep), [])})
            missing = sorted(d for d in deps if normalize(d) not in versions)
            if missing and not entry.get("optional", False):
                findings.append(f"{where}: {name} depends on {', '.join(missing)}, not locked")
            source = entry.get("source")
            url = source.get("url") if isinstance(source, dict) else DEFAULT_PYPI_INDEX
            supplier = index_supplier(url)
            packages.append(
                Package(
                    name=name,
                    version=version,
                    purl=pypi_purl(name, version),
                    hashes=tuple(sorted(hashes)),
                    supplier=supplier,
                    description=entry.get("description") or None,
                    depends_on=tuple(depends_on),
                    properties=(SUPPLIER_FROM_INDEX,) if supplier else (),
                )
            )
        if not packages and "package" not in doc:
            raise InputError(f"{self.path}: not a poetry.lock: no [[package]] entries")
        findings.extend(duplicates(packages, where=str(self.path)))
        findings.extend(pep440_findings(packages, where=str(self.path)))
        return Inventory(lock_subject(self.path, None, None), tuple(packages), (), tuple(findings))
