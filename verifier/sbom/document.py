"""Assembly of a deterministic CycloneDX JSON document from source inventories.

NOTE: why we do not serialize through cyclonedx-python-lib's model (measured on the CI-like
machine, /work/shared/reference/measured.md Q2, 10,000 components): building the ``Bom``
incrementally took 15.5 s (SortedSet inserts recompute a heavy comparison tuple), and
``JsonV1Dot6.output_as_string`` 48-69 s because ``Json.generate()`` calls the deprecated
``Bom.validate()``, whose ``register_dependency`` scans every dependency per component (O(n^2)).
Even with a dict-indexed ``register_dependency`` the library serializer took 5.4 s for 10,000
components, leaving no room under the 10 s budget for validation. So the document is built
here as plain JSON from our validated values (a few hundred ms for 10,000), with the library's
own bundled schema as the judge (:mod:`verifier.sbom.validate`), and the tests read our output
back with the library's deserializer to prove the two agree.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from verifier import __version__
from verifier.clock import rfc3339
from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom.licenses import single_expression
from verifier.sbom.model import Inventory, License, Package, Subject
from verifier.sbom.spec import SpecVersion

#: namespace of serial numbers: uuid5(NAMESPACE_URL, "https://verifier.dev/sbom/serial")
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://verifier.dev/sbom/serial")

_HASH_ALG = {Algorithm.SHA256: "SHA-256", Algorithm.SHA512: "SHA-512"}

Json = dict[str, Any]


def _hashes(digests: Sequence[Digest]) -> list[Json]:
    unique = sorted(set(digests))
    return [{"alg": _HASH_ALG[d.algorithm], "content": d.hex} for d in unique]


def _licenses(licenses: Sequence[License]) -> list[Json]:
    out: list[Json] = []
    for lic in single_expression(tuple(sorted(set(licenses)))):
        if lic.form == "expression":
            return [{"expression": lic.value}]
        out.append({"license": {lic.form: lic.value}})
    return out


def _common(item: Package | Subject, ref: str) -> Json:
    doc: Json = {"type": item.kind.value, "bom-ref": ref}
    if item.supplier:
        doc["supplier"] = {"name": item.supplier}
    if item.author:
        doc["author"] = item.author
    if isinstance(item, Package) and item.group:
        doc["group"] = item.group
    doc["name"] = item.name
    if item.version:
        doc["version"] = item.version
    if item.description:
        doc["description"] = item.description
    if item.hashes:
        doc["hashes"] = _hashes(item.hashes)
    if item.licenses:
        doc["licenses"] = _licenses(item.licenses)
    if item.purl:
        doc["purl"] = item.purl
    return doc


def component_json(package: Package) -> Json:
    """One package as a CycloneDX component object."""
    doc = _common(package, package.ref)
    if package.external_urls:
        doc["externalReferences"] = [
            {"type": kind, "url": url} for kind, url in sorted(set(package.external_urls))
        ]
    properties = list(package.properties)
    if package.found_in:
        properties.append(("verifier:found-in", package.found_in))
    if properties:
        doc["properties"] = [{"name": n, "value": v} for n, v in sorted(set(properties))]
    return doc


def subject_json(subject: Subject) -> Json:
    """The subject as ``metadata.component``."""
    doc = _common(subject, subject.ref)
    if subject.properties:
        doc["properties"] = [{"name": n, "value": v} for n, v in sorted(subject.properties)]
    return doc


def merge_inventories(inventories: Sequence[Inventory]) -> Inventory:
    """One inventory: the first subject, packages deduplicated by bom-ref (hashes united)."""
    if not inventories:
        raise InputError("no SBOM source given")
    subject = inventories[0].subject
    packages: dict[str, Package] = {}
    direct: list[str] = []
    findings: list[str] = []
    for inventory in inventories:
        findings.extend(inventory.findings)
        for package in inventory.packages:
            if package.ref == subject.ref:
                direct.extend(package.depends_on)
                continue
            seen = packages.get(package.ref)
            if seen is None:
                packages[package.ref] = package
                continue
            if set(seen.hashes) != set(package.hashes) and seen.hashes and package.hashes:
                findings.append(
                    f"{package.ref} appears twice with different hashes; both are recorded"
                )
            packages[package.ref] = _merge(seen, package)
        direct.extend(inventory.direct)
    return Inventory(subject, tuple(packages.values()), tuple(direct), tuple(findings))


def _merge(a: Package, b: Package) -> Package:
    return replace(
        a,
        hashes=tuple(sorted(set(a.hashes) | set(b.hashes))),
        licenses=a.licenses or b.licenses,
        depends_on=tuple(sorted(set(a.depends_on) | set(b.depends_on))),
        properties=tuple(sorted(set(a.properties) | set(b.properties))),
        supplier=a.supplier or b.supplier,
        author=a.author or b.author,
    )


def dependencies_json(inventory: Inventory) -> list[Json]:
    """Every component and the subject with its (existing) dependencies, sorted by ref.

    A subject with no declared direct dependencies depends on every component that no other
    component depends on (the roots of an environment or a lock file).
    """
    refs = {p.ref for p in inventory.packages}
    graph: dict[str, list[str]] = {}
    depended: set[str] = set()
    for package in inventory.packages:
        targets = sorted({r for r in package.depends_on if r in refs and r != package.ref})
        graph[package.ref] = targets
        depended.update(targets)
    direct = {r for r in inventory.direct if r in refs}
    if not direct:
        direct = refs - depended
    graph[inventory.subject.ref] = sorted(direct)
    return [
        {"ref": ref, "dependsOn": targets} if targets else {"ref": ref}
        for ref, targets in sorted(graph.items())
    ]


def document_json(
    inventory: Inventory,
    *,
    spec_version: SpecVersion,
    timestamp: datetime | None,
) -> Json:
    """The CycloneDX document, serial number included, as plain JSON values."""
    metadata: Json = {}
    if timestamp is not None:
        metadata["timestamp"] = rfc3339(timestamp)
    metadata["lifecycles"] = [{"phase": "build"}]
    metadata["tools"] = {
        "components": [
            {
                "type": "application",
                "bom-ref": f"tool:verifier@{__version__}",
                "name": "verifier",
                "version": __version__,
            }
        ]
    }
    metadata["component"] = subject_json(inventory.subject)
    components = sorted(
        (component_json(p) for p in inventory.packages), key=lambda c: str(c["bom-ref"])
    )
    body: Json = {
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies_json(inventory),
    }
    return with_serial(body, spec_version)


def with_serial(body: Json, spec_version: SpecVersion) -> Json:
    """Header + body with ``serialNumber`` = UUIDv5 of the canonical body bytes.

    The serial depends on the content only: the same components, subject and time give the
    same serial on any machine, and any change gives a new one.
    """
    header: Json = {
        "$schema": spec_version.schema_url,
        "bomFormat": "CycloneDX",
        "specVersion": spec_version.value,
    }
    content = {k: v for k, v in body.items() if k not in ("serialNumber", "version")}
    digest = hashlib.sha256(canonical_bytes({**header, **content})).hexdigest()
    header["serialNumber"] = f"urn:uuid:{uuid.uuid5(SERIAL_NAMESPACE, digest)}"
    header["version"] = 1
    return {**header, **content}


def canonical_bytes(doc: Json) -> bytes:
    """Compact, key-sorted UTF-8 JSON: the form the serial number is computed over."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def render(doc: Json) -> bytes:
    """The bytes we write: two-space indented JSON in our fixed key order, newline-terminated."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
