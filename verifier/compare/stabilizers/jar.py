"""Jar stabilizers, named after OSS Rebuild's jar catalogue (applied on top of the zip ones)."""

from __future__ import annotations

import re

from verifier.compare.listing import Entry, Listing
from verifier.compare.stabilizers.interface import Stabilizer

_MANIFEST = "META-INF/MANIFEST.MF"
_LIMIT = 16 << 20

#: manifest attributes that record the build environment rather than the software
BUILD_ATTRIBUTES = frozenset(
    name.lower()
    for name in (
        "Build-Jdk",
        "Build-Jdk-Spec",
        "Built-By",
        "Built-Host",
        "Built-OS",
        "Built-Date",
        "Build-Time",
        "Build-Date",
        "Build-Timestamp",
        "Build-Number",
        "Build-Id",
        "Build-Job",
        "Build-Host",
        "Build-OS",
        "Build-Tool",
        "Build-User",
        "Created-By",
        "Bnd-LastModified",
        "Implementation-Build",
        "Implementation-Build-Date",
        "SCM-Revision",
        "SCM-Branch",
        "SCM-Git-Commit-Id",
        "Git-Commit-Id",
        "Git-Revision",
    )
)
#: attributes whose comma-separated values carry no meaning in their order
ORDERLESS_ATTRIBUTES = frozenset(
    ("export-package", "include-resource", "provide-capability", "private-package")
)
_SPLIT = re.compile(r',(?=(?:[^"]*"[^"]*")*[^"]*$)')  # commas outside double quotes


def _attributes(text: str) -> list[tuple[str, str]]:
    """Manifest lines unwrapped (continuations start with one space) into (name, value)."""
    logical: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith(" ") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    out: list[tuple[str, str]] = []
    for line in logical:
        name, sep, value = line.partition(":")
        out.append((name, value.strip()) if sep else (line, ""))
    return out


def _render(attrs: list[tuple[str, str]]) -> bytes:
    return "\n".join(f"{n}: {v}" if v else n for n, v in attrs).encode("utf-8", "surrogateescape")


def _rewrite_manifest(listing: Listing, entry: Entry, *, drop: bool, order: bool) -> Entry:
    if entry.name != _MANIFEST:
        return entry
    text = listing.read(entry, _LIMIT).decode("utf-8", "surrogateescape")
    attrs = _attributes(text)
    if drop:
        attrs = [(n, v) for n, v in attrs if n.strip().lower() not in BUILD_ATTRIBUTES]
    if order:
        attrs = [
            (n, ",".join(sorted(_SPLIT.split(v))))
            if n.strip().lower() in ORDERLESS_ATTRIBUTES
            else (n, v)
            for n, v in attrs
        ]
    return entry.with_content(_render(attrs))


def _git_properties(listing: Listing, entry: Entry) -> Entry:
    base = entry.name.rsplit("/", 1)[-1]
    if base in ("git.properties", "git.json"):
        return entry.with_content(b"")
    return entry


JAR_STABILIZERS = (
    Stabilizer(
        "jar-build-metadata",
        1,
        frozenset({"zip"}),
        "build-environment attributes of META-INF/MANIFEST.MF (Built-By, Build-Jdk, ...)",
        entry_rule=lambda lst, e: _rewrite_manifest(lst, e, drop=True, order=False),
    ),
    Stabilizer(
        "jar-attribute-value-order",
        1,
        frozenset({"zip"}),
        "the order of comma-separated values in Export-Package, Include-Resource, "
        "Provide-Capability and Private-Package",
        entry_rule=lambda lst, e: _rewrite_manifest(lst, e, drop=False, order=True),
    ),
    Stabilizer(
        "jar-git-properties",
        1,
        frozenset({"zip"}),
        "the content of git.properties and git.json (VCS commit details)",
        entry_rule=_git_properties,
    ),
)
