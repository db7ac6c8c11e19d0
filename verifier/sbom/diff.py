"""What changed between two CycloneDX SBOMs: components added, removed and changed.

Components are matched by identity: the purl without its version (type, namespace, name and
qualifiers), else the bom-ref, else the name. Where one identity has several versions on a
side (npm often nests two), equal versions pair first and the rest pair in version order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packageurl import PackageURL

from verifier.errors import InputError
from verifier.sbom.validate import parse_json


@dataclass(frozen=True, order=True)
class ComponentSummary:
    """What ``sbom diff`` compares of one component."""

    identity: str
    name: str
    version: str | None
    purl: str | None
    hashes: tuple[str, ...]  # "SHA-256:<hex>", sorted
    licenses: tuple[str, ...]  # ids, names or expressions, sorted


@dataclass(frozen=True)
class ComponentChange:
    """A component present in both SBOMs that differs in version, hashes or licenses."""

    old: ComponentSummary
    new: ComponentSummary

    @property
    def fields(self) -> tuple[str, ...]:
        """Which of ``version``, ``hashes``, ``licenses`` changed."""
        names = []
        if self.old.version != self.new.version:
            names.append("version")
        if self.old.hashes != self.new.hashes:
            names.append("hashes")
        if self.old.licenses != self.new.licenses:
            names.append("licenses")
        return tuple(names)


@dataclass(frozen=True)
class SbomDiff:
    """The comparison of two SBOMs."""

    old_name: str
    new_name: str
    added: tuple[ComponentSummary, ...]
    removed: tuple[ComponentSummary, ...]
    changed: tuple[ComponentChange, ...]
    unchanged: int

    @property
    def identical(self) -> bool:
        """No component was added, removed or changed."""
        return not (self.added or self.removed or self.changed)


def _identity(component: dict[str, Any]) -> str:
    purl = component.get("purl")
    if isinstance(purl, str):
        try:
            parsed = PackageURL.from_string(purl)
            return PackageURL(
                type=parsed.type,
                namespace=parsed.namespace,
                name=parsed.name,
                qualifiers=parsed.qualifiers,
                subpath=parsed.subpath,
            ).to_string()
        except ValueError:
            return purl
    if isinstance(component.get("bom-ref"), str):
        return f"ref:{component['bom-ref']}"
    return f"name:{component.get('group') or ''}/{component.get('name')}"


def _licenses(component: dict[str, Any]) -> tuple[str, ...]:
    found = []
    for entry in component.get("licenses") or []:
        if not isinstance(entry, dict):
            continue
        if "expression" in entry:
            found.append(str(entry["expression"]))
        lic = entry.get("license")
        if isinstance(lic, dict):
            found.append(str(lic.get("id") or lic.get("name") or ""))
    return tuple(sorted(found))


def _walk(components: Any, *, where: str) -> list[dict[str, Any]]:
    """Components and their nested components, depth first, without recursion."""
    found: list[dict[str, Any]] = []
    pending = [components]
    while pending:
        level = pending.pop()
        if level is None:
            continue
        if not isinstance(level, list) or not all(isinstance(c, dict) for c in level):
            raise InputError(f"{where}: components must be an array of objects")
        for component in level:
            found.append(component)
            pending.append(component.get("components"))
    return found


def summaries(data: bytes, *, where: str) -> list[ComponentSummary]:
    """Every component (nested ones too) of a CycloneDX JSON document."""
    doc = parse_json(data, where=where)
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise InputError(f"{where}: not a CycloneDX JSON document (no bomFormat 'CycloneDX')")
    result = []
    for component in _walk(doc.get("components"), where=where):
        hashes = tuple(
            sorted(
                f"{h.get('alg')}:{h.get('content')}"
                for h in component.get("hashes") or []
                if isinstance(h, dict)
            )
        )
        version = component.get("version")
        result.append(
            ComponentSummary(
                identity=_identity(component),
                name=str(component.get("name", "")),
                version=str(version) if version is not None else None,
                purl=component.get("purl") if isinstance(component.get("purl"), str) else None,
                hashes=hashes,
                licenses=_licenses(component),
            )
        )
    return sorted(set(result))


def diff_sboms(old: bytes, new: bytes, *, old_name: str, new_name: str) -> SbomDiff:
    """Compare two CycloneDX JSON documents component by component."""
    before: dict[str, list[ComponentSummary]] = {}
    after: dict[str, list[ComponentSummary]] = {}
    for item in summaries(old, where=old_name):
        before.setdefault(item.identity, []).append(item)
    for item in summaries(new, where=new_name):
        after.setdefault(item.identity, []).append(item)
    added, removed, changed = [], [], []
    unchanged = 0
    for identity in sorted(set(before) | set(after)):
        olds, news = list(before.get(identity, [])), list(after.get(identity, []))
        for item in list(olds):  # equal versions pair first
            twin = next((n for n in news if n.version == item.version), None)
            if twin is not None:
                olds.remove(item)
                news.remove(twin)
                if twin == item:
                    unchanged += 1
                else:
                    changed.append(ComponentChange(item, twin))
        pairs = min(len(olds), len(news))
        changed.extend(
            ComponentChange(o, n) for o, n in zip(olds[:pairs], news[:pairs], strict=True)
        )
        removed.extend(olds[pairs:])
        added.extend(news[pairs:])
    return SbomDiff(old_name, new_name, tuple(added), tuple(removed), tuple(changed), unchanged)
