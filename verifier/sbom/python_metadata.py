"""Python core metadata (METADATA, PKG-INFO) read statically into components.

Nothing here imports or runs a distribution: the email-header format is parsed as text, and
``Requires-Dist`` markers are evaluated against a marker environment we are given.
"""

from __future__ import annotations

import base64
import csv
import email.parser
import email.policy
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

from packaging.markers import InvalidMarker, UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom.licenses import licenses_from_python_metadata
from verifier.sbom.model import License, Package
from verifier.sbom.names import normalize, pep503_name, pypi_purl

_EMAIL_NAME = re.compile(r"^\s*\"?([^\"<]+?)\"?\s*<[^>]*>\s*$")


@dataclass(frozen=True)
class PythonMetadata:
    """The fields of one distribution's core metadata that an SBOM needs."""

    name: str  # PEP 503 normalized
    raw_name: str
    version: str
    summary: str | None
    licenses: tuple[License, ...]
    author: str | None
    supplier: str | None
    requires: tuple[Requirement, ...]
    homepage: str | None
    findings: tuple[str, ...]

    def dependencies(self, environment: Mapping[str, str]) -> tuple[str, ...]:
        """Normalized names of the requirements whose markers hold in ``environment``.

        Extras are not active: a plain install of this distribution does not request any.
        """
        names = set()
        for req in self.requires:
            if req.marker is not None:
                try:
                    if not req.marker.evaluate({**environment, "extra": ""}):
                        continue
                except (UndefinedComparison, UndefinedEnvironmentName):
                    continue
            names.add(normalize(req.name))
        return tuple(sorted(names))


def _person(name: str | None, email_field: str | None) -> str | None:
    if name and name.strip() and name.strip().upper() != "UNKNOWN":
        return name.strip().splitlines()[0]
    if email_field:
        people = []
        for part in email_field.split(","):
            match = _EMAIL_NAME.match(part)
            if match:
                people.append(match.group(1).strip())
        if people:
            return ", ".join(people)
        return email_field.strip().splitlines()[0] or None
    return None


def parse_metadata(raw: bytes, *, where: str) -> PythonMetadata:
    """Parse METADATA/PKG-INFO bytes; InputError naming ``where`` when name or version is bad."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    message = email.parser.Parser(policy=email.policy.compat32).parsestr(text, headersonly=True)
    raw_name = (message.get("Name") or "").strip()
    version = (message.get("Version") or "").strip()
    if not raw_name:
        raise InputError(f"{where}: metadata has no Name")
    if not version:
        raise InputError(f"{where}: metadata of {raw_name!r} has no Version")
    name = pep503_name(raw_name, where=where)
    findings: list[str] = []
    try:
        Version(version)
    except InvalidVersion:
        findings.append(f"{where}: {raw_name} has a version that is not PEP 440: {version!r}")
    requires: list[Requirement] = []
    for line in message.get_all("Requires-Dist") or []:
        try:
            requires.append(Requirement(str(line)))
        except (InvalidRequirement, InvalidMarker) as exc:
            findings.append(
                f"{where}: unparsable Requires-Dist {str(line)!r}: {str(exc).splitlines()[0]}"
            )
    license_field = message.get("License")
    author = _person(message.get("Author"), message.get("Author-email"))
    maintainer = _person(message.get("Maintainer"), message.get("Maintainer-email"))
    homepage = message.get("Home-page")
    for url in message.get_all("Project-URL") or []:
        label, _, value = str(url).partition(",")
        if label.strip().lower() in ("homepage", "home", "source") and not homepage:
            homepage = value.strip()
    summary = message.get("Summary")
    return PythonMetadata(
        name=name,
        raw_name=raw_name,
        version=version,
        summary=str(summary).strip() if summary and str(summary).strip() != "UNKNOWN" else None,
        licenses=licenses_from_python_metadata(
            message.get("License-Expression"),
            str(license_field) if license_field is not None else None,
            [str(c) for c in message.get_all("Classifier") or []],
        ),
        author=author,
        supplier=maintainer or author,
        requires=tuple(requires),
        homepage=str(homepage).strip() if homepage else None,
        findings=tuple(findings),
    )


def record_digest(value: str) -> Digest | None:
    """A RECORD hash field (``sha256=<urlsafe base64, no padding>``) as a Digest, or None."""
    alg, _, encoded = value.partition("=")
    if alg not in ("sha256", "sha512") or not encoded:
        return None
    try:
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return None
    try:
        return Digest(Algorithm(alg), raw.hex())
    except InputError:
        return None


def record_rows(text: str, *, where: str) -> tuple[list[tuple[str, Digest]], list[str]]:
    """(path, digest) for every RECORD row that carries a usable sha256/sha512, and findings.

    A row whose hash field is there but unusable (another algorithm, bad base64, wrong
    length) is a finding: its file cannot be checked. InputError when RECORD is not CSV.
    """
    rows, findings = [], []
    try:
        for row in csv.reader(io.StringIO(text)):
            if len(row) >= 2 and row[1]:
                digest = record_digest(row[1])
                if digest is not None:
                    rows.append((row[0], digest))
                else:
                    findings.append(
                        f"{where}: RECORD hash of {row[0]!r} cannot be checked: {row[1][:80]!r}"
                    )
    except csv.Error as exc:
        raise InputError(f"{where}: RECORD is not readable CSV: {exc}") from exc
    return rows, findings


def declared_requirements(meta: PythonMetadata) -> tuple[Package, ...]:
    """Requirements of a plain install as unversioned components; markers kept, not evaluated.

    A wheel or sdist is installed into environments we cannot know here, so evaluating
    markers would make the SBOM depend on the machine that wrote it.
    """
    by_name: dict[str, list[str]] = {}
    for req in meta.requires:
        name = normalize(req.name)
        if name == meta.name or (req.marker is not None and "extra" in str(req.marker)):
            continue  # a self-reference for extras, or needed only when an extra is asked for
        by_name.setdefault(name, []).append(str(req))
    return tuple(
        Package(
            name=name,
            version=None,
            purl=pypi_purl(name, None),
            properties=tuple(("verifier:requirement", spec) for spec in sorted(specs)),
        )
        for name, specs in sorted(by_name.items())
    )


def installed_package(
    meta: PythonMetadata, record: bytes | None, *, found_in: str, depends_on: tuple[str, ...] = ()
) -> Package:
    """An installed distribution as a component.

    Its sha256 is that of the distribution's RECORD file, which itself lists the sha256 of every
    installed file: one digest that pins the whole installed distribution and that anyone can
    recompute from the environment (``verifier:hash-of`` says so).
    """
    hashes = (Digest.of_bytes(record),) if record is not None else ()
    properties = (("verifier:hash-of", "RECORD"),) if record is not None else ()
    url = (("website", meta.homepage),) if meta.homepage else ()
    return Package(
        name=meta.name,
        version=meta.version,
        purl=pypi_purl(meta.name, meta.version),
        hashes=hashes,
        licenses=meta.licenses,
        supplier=meta.supplier,
        author=meta.author,
        description=meta.summary,
        depends_on=depends_on,
        properties=properties,
        found_in=found_in,
        external_urls=url,
    )


def link_dependencies(
    found: list[tuple[PythonMetadata, Package]], environment: Mapping[str, str] | None
) -> tuple[list[Package], list[str]]:
    """Packages with ``depends_on`` set from Requires-Dist evaluated in ``environment``.

    ``environment`` None (an image whose interpreter we cannot ask) keeps every requirement
    without an ``extra`` marker whose target is installed.
    """
    by_name: dict[str, list[str]] = {}
    for meta, package in found:
        by_name.setdefault(meta.name, []).append(package.ref)
    linked, findings = [], []
    for meta, package in found:
        if environment is not None:
            wanted = meta.dependencies(environment)
        else:
            wanted = tuple(
                sorted(
                    {
                        normalize(r.name)
                        for r in meta.requires
                        if r.marker is None or "extra" not in str(r.marker)
                    }
                )
            )
        refs = []
        for name in wanted:
            if name in by_name:
                refs.extend(by_name[name])
            elif environment is not None:
                findings.append(f"{package.found_in}: {meta.name} requires {name}, not installed")
        linked.append(replace(package, depends_on=tuple(sorted(set(refs)))))
    return linked, findings
