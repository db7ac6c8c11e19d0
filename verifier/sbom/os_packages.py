"""Operating-system package databases: Debian's dpkg status and Alpine's apk installed DB."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cyclonedx.spdx import fixup_id

from verifier.digest import Digest
from verifier.sbom.licenses import parse_license_text
from verifier.sbom.model import ComponentKind, License, Package
from verifier.sbom.names import os_purl


@dataclass(frozen=True)
class Distro:
    """From os-release: ``ID`` (debian, ubuntu, alpine) and ``VERSION_ID``."""

    id: str
    version_id: str | None
    pretty_name: str | None

    @property
    def qualifier(self) -> str:
        """``debian-12``: the purl ``distro`` qualifier."""
        return f"{self.id}-{self.version_id}" if self.version_id else self.id


def parse_os_release(data: bytes) -> Distro | None:
    """ID, VERSION_ID and PRETTY_NAME from an os-release file (shell-style ``KEY=value``)."""
    values: dict[str, str] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            values[key.strip()] = value.strip().strip("\"'")
    if not values.get("ID"):
        return None
    return Distro(values["ID"].lower(), values.get("VERSION_ID"), values.get("PRETTY_NAME"))


def os_component(distro: Distro, data: bytes) -> Package:
    """The operating system itself as a component, hashed by its os-release file."""
    return Package(
        name=distro.id,
        version=distro.version_id,
        kind=ComponentKind.OPERATING_SYSTEM,
        ref_override=f"os:{distro.qualifier}",
        hashes=(Digest.of_bytes(data),),
        description=distro.pretty_name,
        properties=(("verifier:hash-of", "os-release"),),
    )


def stanzas(text: str) -> list[str]:
    """Blank-line separated records."""
    return [s for s in re.split(r"\n\s*\n", text) if s.strip()]


def _dpkg_fields(stanza: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in stanza.splitlines():
        if line[:1] in (" ", "\t") and key is not None:
            fields[key] += "\n" + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip()
            fields[key] = value.strip()
    return fields


def _dep_names(field: str) -> list[list[str]]:
    # "libc6 (>= 2.34), foo | bar:any" -> [["libc6"], ["foo", "bar"]]
    groups = []
    for group in field.split(","):
        names = [re.split(r"[\s(:]", alt.strip(), maxsplit=1)[0] for alt in group.split("|")]
        names = [n for n in names if n]
        if names:
            groups.append(names)
    return groups


# Debian's short license names (DEP-5, copyright-format 1.0) that differ from SPDX ids.
_DEBIAN_LICENSES = {
    "expat": "MIT",
    "gpl-1": "GPL-1.0-only",
    "gpl-1+": "GPL-1.0-or-later",
    "gpl-2": "GPL-2.0-only",
    "gpl-2+": "GPL-2.0-or-later",
    "gpl-3": "GPL-3.0-only",
    "gpl-3+": "GPL-3.0-or-later",
    "lgpl-2": "LGPL-2.0-only",
    "lgpl-2+": "LGPL-2.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgpl-2.1+": "LGPL-2.1-or-later",
    "lgpl-3": "LGPL-3.0-only",
    "lgpl-3+": "LGPL-3.0-or-later",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "apache-2.0": "Apache-2.0",
    "zlib": "Zlib",
    "isc": "ISC",
    "artistic": "Artistic-1.0-Perl",
    "mpl-2.0": "MPL-2.0",
    "cc0-1.0": "CC0-1.0",
}


def debian_copyright_licenses(data: bytes) -> tuple[License, ...]:
    """SPDX ids named by a machine-readable ``debian/copyright`` (DEP-5); () when free-form.

    Every ``License:`` field's short name counts (each may be ``A or B``); names we cannot map
    to an SPDX id are left out rather than guessed.
    """
    text = data.decode("utf-8", "replace")
    if not text.startswith("Format:"):
        return ()
    found: set[str] = set()
    for line in text.splitlines():
        if not line.startswith("License:"):
            continue
        for name in re.split(r"\s+(?:or|and)\s+|,\s*", line[len("License:") :].strip()):
            key = name.strip().lower()
            if not key:
                continue
            spdx = _DEBIAN_LICENSES.get(key) or fixup_id(name.strip())
            if spdx:
                found.add(spdx)
    return tuple(License("id", i) for i in sorted(found))


#: Debian policy 5.6.7 allows lower case letters, digits and + - . (at least two, starting
#: alphanumeric); taken more loosely here (upper case, _ , one character) so that no database
#: a real dpkg wrote loses a package; spaces, slashes and the like never occur.
_DEB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]*")


def dpkg_packages(
    status: bytes,
    md5sums: dict[str, bytes],
    distro: Distro | None,
    *,
    where: str,
    copyrights: dict[str, bytes] | None = None,
) -> tuple[list[Package], list[str]]:
    """Installed packages of a dpkg status file (or status.d stanzas) with their graph.

    A package's sha256 is that of its ``info/<name>.md5sums`` (the per-file checksums dpkg
    recorded) when present, else of its status stanza.
    """
    namespace = distro.id if distro else "debian"
    records = []
    refused: list[str] = []
    for stanza in stanzas(status.decode("utf-8", "replace")):
        fields = _dpkg_fields(stanza)
        if "Package" not in fields or "Version" not in fields:
            continue
        if "Status" in fields and not fields["Status"].endswith(" installed"):
            continue
        if not _DEB_NAME.fullmatch(fields["Package"]):
            # dpkg itself refuses such a name: the database was not written by dpkg
            refused.append(f"{where}: Package {fields['Package']!r} is not a Debian package name")
            continue
        records.append((fields, stanza))
    by_name: dict[str, str] = {}
    built = []
    for fields, stanza in records:
        name, arch = fields["Package"], fields.get("Architecture")
        qualifier = distro.qualifier if distro else None
        purl = os_purl("deb", namespace, name, fields["Version"], arch, qualifier)
        by_name[name] = purl
        for provided in _dep_names(fields.get("Provides", "")):
            by_name.setdefault(provided[0], purl)
        info = md5sums.get(f"{name}:{arch}") or md5sums.get(name)
        digest = Digest.of_bytes(info if info is not None else stanza.encode())
        built.append((fields, purl, digest, "md5sums" if info is not None else "dpkg-status"))
    packages: list[Package] = []
    findings: list[str] = refused
    for fields, purl, digest, hash_of in built:
        deps = set()
        for group in _dep_names(fields.get("Depends", "")) + _dep_names(
            fields.get("Pre-Depends", "")
        ):
            target = next((by_name[n] for n in group if n in by_name), None)
            if target is not None and target != purl:
                deps.add(target)
        copyright_file = (copyrights or {}).get(fields["Package"])
        packages.append(
            Package(
                name=fields["Package"],
                version=fields["Version"],
                purl=purl,
                hashes=(digest,),
                licenses=debian_copyright_licenses(copyright_file) if copyright_file else (),
                supplier=fields.get("Maintainer"),
                description=fields.get("Description", "").split("\n")[0] or None,
                depends_on=tuple(sorted(deps)),
                properties=(("verifier:hash-of", hash_of),),
                found_in=where,
            )
        )
    return packages, findings


def apk_packages(
    installed: bytes, distro: Distro | None, *, where: str
) -> tuple[list[Package], list[str]]:
    """Installed packages of Alpine's ``lib/apk/db/installed`` with their graph.

    A package's sha256 is that of its installed-database record, which holds the package
    checksum (``C:``) and a checksum per installed file (``Z:``).
    """
    namespace = distro.id if distro else "alpine"
    records = []
    for stanza in stanzas(installed.decode("utf-8", "replace")):
        fields: dict[str, list[str]] = {}
        for line in stanza.splitlines():
            if len(line) > 2 and line[1] == ":":
                fields.setdefault(line[0], []).append(line[2:])
        if "P" in fields and "V" in fields:
            records.append((fields, stanza))
    provides: dict[str, str] = {}
    for fields, _ in records:
        arch = fields.get("A", [""])[0]
        qualifier = distro.qualifier if distro else None
        purl = os_purl("apk", namespace, fields["P"][0], fields["V"][0], arch, qualifier)
        provides[fields["P"][0]] = purl
        for token in " ".join(fields.get("p", [])).split():
            provides.setdefault(re.split(r"[=<>~]", token, maxsplit=1)[0], purl)
        fields["purl"] = [purl]
    packages = []
    for fields, stanza in records:
        purl = fields["purl"][0]
        deps = set()
        for token in " ".join(fields.get("D", [])).split():
            if token.startswith("!"):
                continue
            target = provides.get(re.split(r"[=<>~]", token, maxsplit=1)[0])
            if target is not None and target != purl:
                deps.add(target)
        lic = parse_license_text(fields["L"][0]) if "L" in fields else None
        packages.append(
            Package(
                name=fields["P"][0],
                version=fields["V"][0],
                purl=purl,
                hashes=(Digest.of_bytes(stanza.encode()),),
                licenses=(lic,) if lic else (),
                supplier=fields.get("m", [None])[0],
                description=fields.get("T", [None])[0],
                depends_on=tuple(sorted(deps)),
                properties=(("verifier:hash-of", "apk-installed-record"),),
                found_in=where,
            )
        )
    return packages, []
