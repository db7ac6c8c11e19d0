"""``pylock.toml`` (PEP 751): packages with sdist, wheel and archive hashes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom.model import Inventory
from verifier.sbom.names import pep503_name, pypi_purl
from verifier.sbom.sources.lockfile import (
    LockFile,
    array,
    load_toml,
    lock_findings,
    lock_subject,
    locked_package,
    named_entry,
    optional_version,
    table,
)


def _hashes(artifact: Any, *, where: str, findings: list[str]) -> set[Digest]:
    found: set[Digest] = set()
    if not isinstance(artifact, dict):
        return found
    for alg, value in table(artifact.get("hashes", {}), where=f"{where}.hashes").items():
        if alg not in ("sha256", "sha512"):
            continue
        try:
            found.add(Digest(Algorithm(alg), str(value).lower()))
        except InputError:
            findings.append(f"{where}: unusable {alg} hash {value!r}")
    return found


@dataclass
class PylockSource(LockFile):
    """A ``pylock.toml`` / ``pylock.<name>.toml`` file, lock-version 1.x."""

    def inventory(self) -> Inventory:
        """Locked packages; ``dependencies`` entries (optional in PEP 751) form the graph."""
        doc = load_toml(self.path)
        lock_version = str(doc.get("lock-version", ""))
        if not lock_version.startswith("1."):
            raise InputError(
                f"{self.path}: unsupported pylock lock-version {lock_version!r} (expected 1.x)"
            )
        findings: list[str] = []
        entries = []
        by_name: dict[str, list[tuple[str | None, str]]] = {}
        for index, raw in enumerate(array(doc.get("packages"), where=f"{self.path}: packages")):
            where = f"{self.path}: packages[{index}]"
            entry, name = named_entry(raw, where=where)
            version = optional_version(entry, where=where)
            by_name.setdefault(name, []).append((version, pypi_purl(name, version)))
            entries.append((name, version, entry, where))
        packages = []
        for name, version, entry, where in entries:
            hashes = _hashes(entry.get("sdist"), where=f"{where}.sdist", findings=findings)
            hashes |= _hashes(entry.get("archive"), where=f"{where}.archive", findings=findings)
            for i, wheel in enumerate(array(entry.get("wheels"), where=f"{where}.wheels")):
                hashes |= _hashes(wheel, where=f"{where}.wheels[{i}]", findings=findings)
            depends_on: set[str] = set()
            for dep in array(entry.get("dependencies"), where=f"{where}.dependencies"):
                if isinstance(dep, dict) and isinstance(dep.get("name"), str):
                    dep_name = pep503_name(dep["name"], where=where)
                    depends_on.update(
                        ref
                        for ver, ref in by_name.get(dep_name, [])
                        if dep.get("version") in (None, ver)
                    )
            if version is None:
                findings.append(f"{where}: {name} has no version (directory or VCS source)")
            packages.append(
                locked_package(
                    name,
                    version,
                    hashes=tuple(sorted(hashes)),
                    origin=entry.get("index"),
                    depends_on=tuple(sorted(depends_on)),
                )
            )
        findings.extend(lock_findings(packages, where=str(self.path)))
        return Inventory(lock_subject(self.path, None, None), tuple(packages), (), tuple(findings))
