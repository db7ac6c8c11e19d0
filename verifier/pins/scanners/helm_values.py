"""Helm values files: ``image`` values without a digest.

Shapes understood, anywhere in the values tree: ``image: name:tag`` (a string), and
``image: {registry?, repository | name, tag?, digest?}`` (the common chart layout, Bitnami's
included). A mapping is pinned by a non-empty ``sha256:`` ``digest`` or by a reference that
already ends in ``@sha256:...``. Files: ``values.yaml``, ``values-*.yaml``, ``values.*.yaml`` and
``*-values.yaml`` (``.yml`` too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins import yaml_nodes as y
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

_NAME_RE = re.compile(r"^(values([-.].+)?|.+-values)\.ya?ml$")
_DIGEST_RE = re.compile(r"^sha(256:[0-9a-f]{64}|512:[0-9a-f]{128})$")
_MAX_DEPTH = 32


def _mapping_image(node: y.MappingNode) -> tuple[str, bool] | None:
    repository = y.scalar(y.get(node, "repository")) or y.scalar(y.get(node, "name"))
    if not repository:
        return None
    registry = y.scalar(y.get(node, "registry"))
    tag = y.scalar(y.get(node, "tag"))
    digest = y.scalar(y.get(node, "digest"))
    reference = f"{registry}/{repository}" if registry else repository
    if tag:
        reference += f":{tag}"
    pinned = bool(digest and _DIGEST_RE.match(digest)) or has_digest(reference)
    if digest and not pinned:
        reference += f"@{digest}"
    return reference, pinned


class HelmValuesScanner:
    """Chart and deployment values files."""

    name = "Helm values"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Values file names."""
        return bool(_NAME_RE.match(path.name))

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Every ``image`` value without a digest."""
        docs = yield from source.yaml_documents()
        seen: set[int] = set()
        for doc in docs:
            yield from self._walk(source, doc, seen, 0)

    def _walk(
        self, source: SourceFile, node: y.Node, seen: set[int], depth: int
    ) -> Iterator[Finding]:
        # Aliases share nodes: visit each once, so anchors cannot make the walk explode.
        if id(node) in seen or depth > _MAX_DEPTH:
            return
        seen.add(id(node))
        if isinstance(node, y.SequenceNode):
            for element in y.elements(node):
                yield from self._walk(source, element, seen, depth + 1)
            return
        for key, _, value in y.items(node):
            if key == "image" or key.endswith("Image"):
                yield from self._image(source, value)
            if isinstance(value, y.MappingNode | y.SequenceNode):
                yield from self._walk(source, value, seen, depth + 1)

    def _image(self, source: SourceFile, node: y.Node) -> Iterator[Finding]:
        text = y.scalar(node)
        if text:
            if not has_digest(text):
                yield source.finding(y.line(node), FindingKind.HELM_IMAGE, text)
            return
        if isinstance(node, y.MappingNode):
            found = _mapping_image(node)
            if found is not None and not found[1]:
                yield source.finding(y.line(node), FindingKind.HELM_IMAGE, found[0])
