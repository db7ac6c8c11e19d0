"""``requirements.txt`` in pip's hash-checking form: pins with ``--hash`` become components.

Parsed as text (the pip file format: comments, ``\\`` continuations, ``-r`` includes); pip is
never run. Requirements that are not ``==`` pins cannot be named exactly and become findings.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.sbom.model import Inventory, Package
from verifier.sbom.names import normalize, pypi_purl
from verifier.sbom.sources.lockfile import (
    DEFAULT_PYPI_INDEX,
    SUPPLIER_FROM_INDEX,
    index_supplier,
    lock_findings,
    lock_subject,
    read_bytes,
)

_COMMENT = re.compile(r"(^|\s+)#.*$")
_IGNORED_OPTIONS = (
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--no-index",
    "--trusted-host",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
    "--require-hashes",
    "-c",
    "--constraint",
)
MAX_INCLUDE_DEPTH = 8


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) after joining ``\\`` continuations and dropping comments."""
    out: list[tuple[int, str]] = []
    buffer: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = _COMMENT.sub("", raw)
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer.append(line[:-1])
            continue
        buffer.append(line)
        joined = " ".join(part.strip() for part in buffer).strip()
        buffer = []
        if joined:
            out.append((start, joined))
    if buffer:
        out.append((start, " ".join(buffer).strip()))
    return out


_ARCHIVE_SUFFIXES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".zip")


def _names_a_location(spec: str) -> bool:
    """A requirement line that pip reads as a path or URL rather than as ``name[...]``."""
    first = spec.split(";")[0].strip()
    return (
        "://" in first
        or first.startswith(("git+", "hg+", "svn+", "bzr+", ".", "/", "~"))
        or first.split("#")[0].endswith(_ARCHIVE_SUFFIXES)
    )


@dataclass
class RequirementsSource:
    """A pip requirements file, ideally fully pinned with ``--hash`` (``pip-compile`` output)."""

    path: Path
    _seen: set[Path] = field(default_factory=set)
    _index: str = DEFAULT_PYPI_INDEX

    @property
    def location(self) -> str:
        """The requirements file path."""
        return str(self.path)

    def inventory(self) -> Inventory:
        """Pinned requirements as components (no graph: the file has none)."""
        findings: list[str] = []
        packages = self._read(self.path, 0, findings)
        findings.extend(lock_findings(packages, where=str(self.path)))
        return Inventory(
            lock_subject(self.path, None, None),
            tuple(packages),
            tuple(p.ref for p in packages),
            tuple(findings),
        )

    def _read(self, path: Path, depth: int, findings: list[str]) -> list[Package]:
        if depth > MAX_INCLUDE_DEPTH:
            raise InputError(f"{path}: -r includes nest deeper than {MAX_INCLUDE_DEPTH}")
        resolved = path.resolve()
        if resolved in self._seen:
            return []
        self._seen.add(resolved)
        try:
            text = read_bytes(path).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 text: {exc}") from exc
        packages: list[Package] = []
        for number, line in logical_lines(text):
            where = f"{path}:{number}"
            try:
                words = shlex.split(line, posix=False)
            except ValueError as exc:
                raise InputError(f"{where}: cannot split line: {exc}") from exc
            first = words[0]
            if first in ("-r", "--requirement") or first.startswith("--requirement="):
                target = words[1] if len(words) > 1 else first.partition("=")[2]
                packages.extend(self._read(path.parent / target, depth + 1, findings))
                continue
            if first in ("-e", "--editable"):
                findings.append(f"{where}: editable requirement {line!r} has no pinned artifact")
                continue
            if first in ("-i", "--index-url") or first.startswith("--index-url="):
                self._index = words[1] if len(words) > 1 else first.partition("=")[2]
                continue
            if first.startswith("-"):
                if first.split("=")[0] not in _IGNORED_OPTIONS:
                    findings.append(f"{where}: option {first!r} ignored")
                continue
            package = self._requirement(words, where, findings)
            if package is None:
                continue
            supplier = index_supplier(self._index)
            if supplier and package.version is not None:
                package = replace(
                    package,
                    supplier=supplier,
                    properties=(*package.properties, SUPPLIER_FROM_INDEX),
                )
            packages.append(package)
        return packages

    @staticmethod
    def _requirement(words: list[str], where: str, findings: list[str]) -> Package | None:
        spec_words: list[str] = []
        hashes: set[Digest] = set()
        i = 0
        while i < len(words):
            word = words[i]
            if word == "--hash" or word.startswith("--hash="):
                if word == "--hash":
                    i += 1
                    value = words[i] if i < len(words) else ""
                else:
                    value = word.removeprefix("--hash=")
                try:
                    hashes.add(Digest.parse(value.lower()))
                except InputError:
                    raise InputError(f"{where}: invalid --hash value {value!r}") from None
            elif word.startswith("-"):
                findings.append(f"{where}: per-requirement option {word!r} ignored")
            else:
                spec_words.append(word)
            i += 1
        spec = " ".join(spec_words)
        try:
            req = Requirement(spec)
        except InvalidRequirement as exc:
            if _names_a_location(spec):
                # pip installs these (a local project or archive, a URL, a VCS checkout); what
                # they hold is known only once built: no component, said so.
                findings.append(
                    f"{where}: {spec!r} is a path or URL, not a pinned package: no component"
                )
                return None
            reason = str(exc).splitlines()[0]
            raise InputError(f"{where}: invalid requirement {spec!r}: {reason}") from exc
        name = normalize(req.name)
        pins = [s.version for s in req.specifier if s.operator in ("==", "===")]
        version = pins[0] if len(pins) == 1 and "*" not in pins[0] else None
        if version is None:
            findings.append(f"{where}: {req.name} is not pinned with == ({spec!r})")
        elif not hashes:
            findings.append(f"{where}: {req.name}=={version} has no --hash")
        properties = (("verifier:marker", str(req.marker)),) if req.marker else ()
        return Package(
            name=name,
            version=version,
            purl=pypi_purl(name, version),
            hashes=tuple(sorted(hashes)),
            properties=properties,
        )
