"""``uv.lock``: every locked package with its sdist and wheel hashes, and the lock's graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom.model import Inventory, Package
from verifier.sbom.names import pep503_name, pypi_purl
from verifier.sbom.sources.lockfile import (
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

#: sources that are the project itself (or a workspace member), not something it depends on
_LOCAL = ("editable", "virtual", "directory")


@dataclass
class UvLockSource:
    """A ``uv.lock`` file (lock format version 1)."""

    path: Path

    @property
    def location(self) -> str:
        """The lock file path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """Locked packages; local projects become the subject and their deps the direct ones."""
        doc = load_toml(self.path)
        if doc.get("version") != 1:
            raise InputError(
                f"{self.path}: unsupported uv.lock version {doc.get('version')!r} (expected 1)"
            )
        findings: list[str] = []
        entries = array(doc.get("package"), where=f"{self.path}: package")
        refs_by_name: dict[str, list[tuple[str | None, str]]] = {}
        parsed: list[tuple[dict[str, Any], str, str | None, bool]] = []
        for index, raw in enumerate(entries):
            where = f"{self.path}: package[{index}]"
            entry = table(raw, where=where)
            name = pep503_name(text(entry.get("name"), where=f"{where}.name"), where=where)
            version = entry.get("version")
            if version is not None and not isinstance(version, str):
                raise InputError(f"{where}.version: expected a string, found {version!r}")
            source = entry.get("source") or {}
            local = isinstance(source, dict) and any(k in source for k in _LOCAL)
            ref = pypi_purl(name, version)
            refs_by_name.setdefault(name, []).append((version, ref))
            parsed.append((entry, name, version, local))
        packages: list[Package] = []
        direct: list[str] = []
        project: tuple[str, str | None] | None = None
        for index, (entry, name, version, local) in enumerate(parsed):
            where = f"{self.path}: package[{index}]"
            deps = self._deps(entry, refs_by_name, where=where)
            if local:
                direct.extend(deps)
                project = (name, version) if project is None else project
                continue
            source = entry.get("source") or {}
            origin = next(
                (source.get(k) for k in ("registry", "url", "git") if isinstance(source, dict)),
                None,
            )
            supplier = index_supplier(origin)
            packages.append(
                Package(
                    name=name,
                    version=version,
                    purl=pypi_purl(name, version),
                    hashes=self._hashes(entry, where=where, findings=findings),
                    supplier=supplier,
                    depends_on=deps,
                    properties=(SUPPLIER_FROM_INDEX,) if supplier else (),
                )
            )
        findings.extend(duplicates(packages, where=str(self.path)))
        findings.extend(pep440_findings(packages, where=str(self.path)))
        subject = lock_subject(self.path, *(project or (None, None)))
        return Inventory(subject, tuple(packages), tuple(direct), tuple(findings))

    @staticmethod
    def _deps(
        entry: dict[str, Any], refs_by_name: dict[str, list[tuple[str | None, str]]], *, where: str
    ) -> tuple[str, ...]:
        wanted: list[Any] = list(array(entry.get("dependencies"), where=f"{where}.dependencies"))
        for key in ("dev-dependencies", "optional-dependencies"):
            groups = entry.get(key) or {}
            if isinstance(groups, dict):
                for group in groups.values():
                    wanted.extend(array(group, where=f"{where}.{key}"))
        refs: set[str] = set()
        for dep in wanted:
            if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
                raise InputError(f"{where}: dependency entry without a name: {dep!r}")
            name = pep503_name(dep["name"], where=where)
            candidates = refs_by_name.get(name, [])
            pinned = dep.get("version")
            refs.update(ref for ver, ref in candidates if pinned is None or ver == pinned)
        return tuple(sorted(refs))

    @staticmethod
    def _hashes(entry: dict[str, Any], *, where: str, findings: list[str]) -> tuple[Digest, ...]:
        artifacts = [entry.get("sdist"), *array(entry.get("wheels"), where=f"{where}.wheels")]
        found = set()
        for artifact in artifacts:
            if isinstance(artifact, dict):
                digest = digest_or_finding(artifact.get("hash"), where=where, findings=findings)
                if digest is not None:
                    found.add(digest)
        return tuple(sorted(found))
