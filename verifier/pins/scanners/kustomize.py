"""Kustomize ``images:`` overrides that set a tag without a digest.

An entry ``{name, newName, newTag, digest}`` rewrites an image of the base manifests. With
``newTag`` and no ``digest`` it pins nothing: that is the finding. An entry with neither (a
rename only) leaves the manifests' own reference, which the Kubernetes scanner checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins import yaml_nodes as y
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.interface import SourceFile

_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
_DIGEST_RE = re.compile(r"^sha(256:[0-9a-f]{64}|512:[0-9a-f]{128})$")


class KustomizeScanner:
    """``kustomization.yaml`` files."""

    name = "Kustomize"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Kustomization file names."""
        return path.name in _NAMES

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """``images:`` entries with ``newTag`` and no valid ``digest``."""
        docs = yield from source.yaml_documents()
        for doc in docs:
            for entry in y.elements(y.get(doc, "images")):
                digest = y.scalar(y.get(entry, "digest"))
                tag = y.scalar(y.get(entry, "newTag"))
                if digest is not None and _DIGEST_RE.match(digest):
                    continue
                if tag is None and digest is None:
                    continue
                name = y.scalar(y.get(entry, "newName")) or y.scalar(y.get(entry, "name")) or "?"
                reference = f"{name}:{tag}" if tag is not None else f"{name}@{digest}"
                hint = "" if digest is None else "digest must be sha256:<64 hex>"
                yield source.finding(y.line(entry), FindingKind.KUSTOMIZE_IMAGE, reference, hint)
