"""Compose files: service images without a digest.

A service's ``image:`` is pulled unless the service also has ``build:``; then ``image:`` only
names what the build produces, and the Dockerfile scanner checks that build's base images.
Files: ``compose.yaml``, ``docker-compose.yml`` and their ``.yml``/``.yaml`` and
``*.override``-style variants (``docker-compose.prod.yml``, ``compose.dev.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins import yaml_nodes as y
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

_NAME_RE = re.compile(r"^(docker-)?compose(\.[^.]+)*\.ya?ml$")


class ComposeScanner:
    """Docker Compose / Compose Specification files."""

    name = "Compose"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Compose file names."""
        return bool(_NAME_RE.match(path.name))

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Pulled service images without a digest."""
        docs = yield from source.yaml_documents()
        for doc in docs:
            for _, _, service in y.items(y.get(doc, "services")):
                image = y.get(service, "image")
                text = y.scalar(image)
                if image is None or not text or y.get(service, "build") is not None:
                    continue
                if not has_digest(text):
                    yield source.finding(y.line(image), FindingKind.COMPOSE_IMAGE, text)
