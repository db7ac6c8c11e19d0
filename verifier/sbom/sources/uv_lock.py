"""``uv.lock``: every locked package with its sdist and wheel hashes, and the lock's graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom.model import Inventory, Package
from verifier.sbom.names import pep503_name, pypi_purl
from verifier.sbom.sources.lockfile import (
    LockFile,
    array,
    digest_or_finding,
    load_toml,
    lock_findings,
    lock_subject,
    locked_package,
    named_entry,
    optional_version,
)

#: sources that are the project itself (or a workspace member), not something it depends on
_LOCAL = ("editable", "virtual", "directory")


@dataclass
class UvLockSource(LockFile):
    """A ``uv.lock`` file (lock format version 1)."""

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
            entry, name = named_entry(raw, where=where)
            version = optional_version(entry, where=where)
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
            packages.append(
                locked_package(
                    name,
                    version,
                    hashes=self._hashes(entry, where=where, findings=findings),
                    origin=origin,
                    depends_on=deps,
                )
            )
        findings.extend(lock_findings(packages, where=str(self.path)))
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
