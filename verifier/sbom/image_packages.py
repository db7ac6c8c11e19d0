"""Packages found in an image's final filesystem: OS packages, Python and npm."""

from __future__ import annotations

import json
import posixpath

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom.layers import ImageFiles
from verifier.sbom.licenses import parse_license_text
from verifier.sbom.model import Package
from verifier.sbom.names import npm_purl
from verifier.sbom.node_modules import resolve
from verifier.sbom.os_packages import (
    Distro,
    apk_packages,
    dpkg_packages,
    os_component,
    parse_os_release,
)
from verifier.sbom.python_metadata import (
    PythonMetadata,
    installed_package,
    link_dependencies,
    parse_metadata,
)


def image_packages(image: ImageFiles, label: str) -> tuple[list[Package], list[str]]:
    """Every package we recognise in ``image``, and findings."""
    packages: list[Package] = []
    findings: list[str] = list(image.unfollowed)
    files = image.files
    distro: Distro | None = None
    for release in ("etc/os-release", "usr/lib/os-release"):
        if release in files:
            distro = parse_os_release(files[release])
            if distro is not None:
                packages.append(os_component(distro, files[release]))
                break
    md5sums = {
        posixpath.basename(p)[: -len(".md5sums")]: data
        for p, data in files.items()
        if p.startswith("var/lib/dpkg/info/")
    }
    status = [p for p in sorted(files) if p == "var/lib/dpkg/status"] + [
        p for p in sorted(files) if p.startswith("var/lib/dpkg/status.d/") and "." not in p[23:]
    ]
    copyrights = {
        p.split("/")[3]: data for p, data in files.items() if p.startswith("usr/share/doc/")
    }
    for path in status:
        found, notes = dpkg_packages(
            files[path], md5sums, distro, where=path, copyrights=copyrights
        )
        packages += found
        findings += notes
    if "lib/apk/db/installed" in files:
        found, notes = apk_packages(
            files["lib/apk/db/installed"], distro, where="lib/apk/db/installed"
        )
        packages += found
        findings += notes
    python, notes = _python(files, label)
    packages += python
    findings += notes
    npm, notes = _npm(files, label)
    return packages + npm, findings + notes


def _python(files: dict[str, bytes], label: str) -> tuple[list[Package], list[str]]:
    found: list[tuple[PythonMetadata, Package]] = []
    findings: list[str] = []
    for path in sorted(p for p in files if p.endswith(".dist-info/METADATA")):
        where = f"{label}!{path}"
        try:
            meta = parse_metadata(files[path], where=where)
        except InputError as exc:
            findings.append(str(exc))
            continue
        findings.extend(meta.findings)
        record = files.get(posixpath.join(posixpath.dirname(path), "RECORD"))
        found.append((meta, installed_package(meta, record, found_in=posixpath.dirname(path))))
    linked, _ = link_dependencies(found, None)
    return linked, findings


def _npm(files: dict[str, bytes], label: str) -> tuple[list[Package], list[str]]:
    manifests: dict[str, dict[str, object]] = {}
    findings = []
    for path in sorted(p for p in files if p.endswith("/package.json") and "node_modules/" in p):
        try:
            doc = json.loads(files[path])
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            findings.append(f"{label}!{path}: not valid JSON: {exc}")
            continue
        if (
            isinstance(doc, dict)
            and isinstance(doc.get("name"), str)
            and doc["name"]
            and doc.get("version")
        ):
            manifests[posixpath.dirname(path)] = doc
    refs = {d: npm_purl(str(doc["name"]), str(doc["version"])) for d, doc in manifests.items()}
    packages = []
    for directory, doc in sorted(manifests.items()):
        deps = set()
        declared = doc.get("dependencies")
        for dep in declared if isinstance(declared, dict) else {}:
            target = resolve(directory, dep, set(manifests))
            if target is not None:
                deps.add(refs[target])
        lic = doc.get("license")
        if isinstance(lic, dict):
            lic = lic.get("type")
        license_value = parse_license_text(lic) if isinstance(lic, str) else None
        author = doc.get("author")
        if isinstance(author, dict):
            author = author.get("name")
        packages.append(
            Package(
                name=str(doc["name"]),
                version=str(doc["version"]),
                purl=refs[directory],
                hashes=(Digest.of_bytes(files[f"{directory}/package.json"]),),
                licenses=(license_value,) if license_value else (),
                author=author if isinstance(author, str) else None,
                supplier=author if isinstance(author, str) else None,
                depends_on=tuple(sorted(deps)),
                properties=(("verifier:hash-of", "package.json"),),
                found_in=directory,
            )
        )
    return packages, findings
