"""``poetry.lock``: packages with their file hashes and ``[package.dependencies]`` graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.errors import InputError
from verifier.sbom.model import Inventory
from verifier.sbom.names import normalize, pypi_purl
from verifier.sbom.sources.lockfile import (
    DEFAULT_PYPI_INDEX,
    LockFile,
    array,
    digest_or_finding,
    load_toml,
    lock_findings,
    lock_subject,
    locked_package,
    named_entry,
    table,
    text,
)


@dataclass
class PoetryLockSource(LockFile):
    """A ``poetry.lock`` file (lock-version 1.x and 2.x)."""

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
            entry, name = named_entry(raw, where=where)
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
            packages.append(
                locked_package(
                    name,
                    version,
                    hashes=tuple(sorted(hashes)),
                    origin=url,
                    depends_on=tuple(depends_on),
                    description=entry.get("description") or None,
                )
            )
        if not packages and "package" not in doc:
            raise InputError(f"{self.path}: not a poetry.lock: no [[package]] entries")
        findings.extend(lock_findings(packages, where=str(self.path)))
        return Inventory(lock_subject(self.path, None, None), tuple(packages), (), tuple(findings))
