"""``package-lock.json`` v2/v3: the ``packages`` map, npm's integrity hashes and its graph."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom.licenses import parse_license_text
from verifier.sbom.model import Inventory, Package
from verifier.sbom.names import npm_purl
from verifier.sbom.node_modules import resolve
from verifier.sbom.sources.lockfile import (
    SUPPLIER_FROM_INDEX,
    LockFile,
    duplicates,
    index_supplier,
    lock_subject,
    read_bytes,
)

_INTEGRITY = {"sha512": Algorithm.SHA512, "sha256": Algorithm.SHA256}


def integrity_digests(value: Any, *, where: str, findings: list[str]) -> tuple[Digest, ...]:
    """SRI ``sha512-<base64>`` strings (space separated) as digests; sha1 is skipped."""
    if not isinstance(value, str):
        return ()
    found = []
    for token in value.split():
        alg, _, encoded = token.partition("-")
        if alg not in _INTEGRITY:
            continue
        try:
            found.append(Digest(_INTEGRITY[alg], base64.b64decode(encoded, validate=True).hex()))
        except (ValueError, InputError):
            findings.append(f"{where}: unusable integrity {token[:40]!r}")
    return tuple(sorted(found))


def _text(value: Any) -> str | None:
    """A field that must be a non-empty string (a hand-edited lock may hold anything)."""
    return value if isinstance(value, str) and value else None


def package_name(path: str, entry: dict[str, Any]) -> str:
    """The package's name: its own ``name`` field, else the last ``node_modules/`` segment."""
    if isinstance(entry.get("name"), str) and entry["name"]:
        return str(entry["name"])
    return path.rsplit("node_modules/", 1)[-1]


@dataclass
class NpmLockSource(LockFile):
    """An npm ``package-lock.json`` or ``npm-shrinkwrap.json`` with lockfileVersion 2 or 3."""

    def inventory(self) -> Inventory:
        """Installed packages (links resolved), the root's dependencies as the direct ones."""
        try:
            doc = json.loads(read_bytes(self.path))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{self.path}: not valid JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise InputError(f"{self.path}: not a package-lock.json (top level is not an object)")
        version = doc.get("lockfileVersion")
        if version not in (2, 3):
            raise InputError(
                f"{self.path}: lockfileVersion {version!r} is not supported (2 or 3; "
                "regenerate a v1 lock with npm 7 or later)"
            )
        entries = doc.get("packages")
        if not isinstance(entries, dict):
            raise InputError(f"{self.path}: no 'packages' object")
        paths = {p for p in entries if p}
        findings: list[str] = []
        refs: dict[str, str] = {}
        for path, entry in entries.items():
            if path and isinstance(entry, dict) and not entry.get("link"):
                name = package_name(path, entry)
                if not name:
                    raise InputError(f"{self.path}: packages[{path!r}]: no package name")
                refs[path] = npm_purl(name, _text(entry.get("version")))
        packages = []
        for path, raw in sorted(entries.items()):
            where = f"{self.path}: packages[{path!r}]"
            if not path or not isinstance(raw, dict) or raw.get("link"):
                continue
            name = package_name(path, raw)
            deps = self._deps(path, raw, paths, entries, refs, where, findings)
            lic = raw.get("license")
            license_value = parse_license_text(lic) if isinstance(lic, str) else None
            if _text(raw.get("version")) is None:
                findings.append(f"{where}: {name} has no version")
            properties = tuple(
                (f"verifier:npm:{flag}", "true")
                for flag in ("dev", "optional", "peer")
                if raw.get(flag)
            )
            supplier = index_supplier(raw.get("resolved"))
            if supplier:
                properties += (SUPPLIER_FROM_INDEX,)
            packages.append(
                Package(
                    name=name,
                    version=_text(raw.get("version")),
                    purl=refs[path],
                    hashes=integrity_digests(raw.get("integrity"), where=where, findings=findings),
                    licenses=(license_value,) if license_value else (),
                    supplier=supplier,
                    depends_on=deps,
                    properties=properties,
                    found_in=path,
                )
            )
        root = entries.get("", {})
        root = root if isinstance(root, dict) else {}
        direct = self._deps("", root, paths, entries, refs, f"{self.path}: root", findings)
        findings.extend(duplicates(packages, where=str(self.path)))
        subject = lock_subject(
            self.path,
            _text(root.get("name")) or _text(doc.get("name")),
            _text(root.get("version")) or _text(doc.get("version")),
        )
        return Inventory(subject, tuple(packages), direct, tuple(findings))

    @staticmethod
    def _deps(
        path: str,
        entry: dict[str, Any],
        paths: set[str],
        entries: dict[str, Any],
        refs: dict[str, str],
        where: str,
        findings: list[str],
    ) -> tuple[str, ...]:
        found = set()
        for key in ("dependencies", "optionalDependencies", "devDependencies", "peerDependencies"):
            declared = entry.get(key) or {}
            if not isinstance(declared, dict):
                raise InputError(f"{where}.{key}: expected an object")
            for dep in declared:
                target = resolve(path, dep, paths)
                if target is None:
                    if key == "dependencies":
                        findings.append(f"{where}: dependency {dep!r} is not in the lock")
                    continue
                linked = entries.get(target, {})
                if isinstance(linked, dict) and linked.get("link"):
                    target = str(linked.get("resolved", ""))
                if target in refs:
                    found.add(refs[target])
        return tuple(sorted(found))
