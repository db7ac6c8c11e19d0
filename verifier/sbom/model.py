"""The values every SBOM source produces and the assembler consumes.

Sources never hand raw dicts to the assembler: they build :class:`Package` and :class:`Subject`
values, which validate on construction, so a malformed component is refused where it is read
(with the file named) rather than when the document fails its schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError


class ComponentKind(StrEnum):
    """CycloneDX component types we emit."""

    LIBRARY = "library"
    APPLICATION = "application"
    FILE = "file"
    CONTAINER = "container"
    OPERATING_SYSTEM = "operating-system"
    DATA = "data"


@dataclass(frozen=True, order=True)
class License:
    """One license statement: an SPDX expression (``MIT OR Apache-2.0``), an SPDX id, or a name."""

    #: "expression", "id" or "name"
    form: str
    value: str

    def __post_init__(self) -> None:
        if self.form not in ("expression", "id", "name"):
            raise ValueError(f"unknown license form {self.form!r}")
        if not self.value.strip():
            raise ValueError("empty license value")


@dataclass(frozen=True)
class Package:
    """One component: a package, a file or a data blob.

    ``ref`` is the bom-ref: the purl when there is one (unique per document), else a stable
    ``file:``/``name:`` form. ``depends_on`` holds refs of other packages of the same source.
    """

    name: str
    version: str | None
    kind: ComponentKind = ComponentKind.LIBRARY
    purl: str | None = None
    ref_override: str | None = None
    group: str | None = None
    hashes: tuple[Digest, ...] = ()
    licenses: tuple[License, ...] = ()
    supplier: str | None = None
    author: str | None = None
    description: str | None = None
    depends_on: tuple[str, ...] = ()
    #: extra facts kept as CycloneDX properties, ``verifier:``-prefixed names
    properties: tuple[tuple[str, str], ...] = ()
    #: where the component was found (a path inside the target), kept as a property
    found_in: str | None = None
    external_urls: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.name or not self.name.strip():
            raise InputError("component without a name")
        if self.version is not None and not self.version.strip():
            object.__setattr__(self, "version", None)
        if self.purl is None and self.ref_override is None:
            raise InputError(f"component {self.name!r} has neither a purl nor a bom-ref")

    @property
    def ref(self) -> str:
        """The bom-ref: explicit when given, else the purl."""
        return self.ref_override or self.purl or ""

    def digest(self, algorithm: Algorithm) -> Digest | None:
        """The first hash of that algorithm, or None."""
        for d in self.hashes:
            if d.algorithm is algorithm:
                return d
        return None


@dataclass(frozen=True)
class Subject:
    """What the SBOM describes (``metadata.component``): an artifact with its sha256 and sha512."""

    name: str
    version: str | None
    kind: ComponentKind
    hashes: tuple[Digest, ...]
    purl: str | None = None
    licenses: tuple[License, ...] = ()
    supplier: str | None = None
    author: str | None = None
    description: str | None = None
    properties: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        algorithms = {d.algorithm for d in self.hashes}
        if Algorithm.SHA256 not in algorithms or Algorithm.SHA512 not in algorithms:
            raise InputError(f"subject {self.name!r} needs both a sha256 and a sha512 digest")

    @property
    def ref(self) -> str:
        """The subject's bom-ref: its purl, else a name/digest form."""
        if self.purl:
            return self.purl
        sha = next(d for d in self.hashes if d.algorithm is Algorithm.SHA256)
        return f"subject:{self.name}@{sha}"


@dataclass(frozen=True)
class Inventory:
    """Everything one source found: the subject, its components, and the subject's direct deps.

    ``direct`` lists refs the subject depends on directly; empty means "every component nobody
    else depends on" (an environment or a lock file without a root entry). ``findings`` are
    problems worth a person's attention that did not stop the run (duplicates, bad records).
    """

    subject: Subject
    packages: tuple[Package, ...]
    direct: tuple[str, ...] = ()
    findings: tuple[str, ...] = ()
