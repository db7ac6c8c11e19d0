"""GitHub Actions workflows and action metadata: ``uses:``, job containers, ``run:`` code.

``uses:`` is pinned by a full 40-hex commit; ``./path`` (an action in this repository) and
``docker://IMAGE@sha256:...`` are pinned too. Job ``container:`` and ``services:`` images need a
digest. Files: ``.github/workflows/*.yml|yaml`` and ``action.yml|yaml`` anywhere (composite,
Docker and JavaScript actions).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins import yaml_nodes as y
from verifier.pins.downloads import scan_shell_text
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

_COMMIT_RE = re.compile(r"@[0-9a-fA-F]{40}$")
_YAML = (".yml", ".yaml")


def _is_workflow(path: PurePosixPath) -> bool:
    parts = path.parts
    return len(parts) >= 3 and parts[-3:-1] == (".github", "workflows") and path.suffix in _YAML


class GitHubActionsScanner:
    """Workflows and ``action.yml`` files."""

    name = "GitHub Actions"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Workflow files and action metadata files."""
        return _is_workflow(path) or path.name in ("action.yml", "action.yaml")

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Every unpinned ``uses:``, container image, and unchecked download in ``run:``."""
        docs = yield from source.yaml_documents()
        for doc in docs:
            for _, _, job in y.items(y.get(doc, "jobs")):
                yield from self._uses(source, y.get(job, "uses"))
                yield from self._container(source, y.get(job, "container"))
                for _, _, service in y.items(y.get(job, "services")):
                    yield from self._container(source, service)
                yield from self._steps(source, y.get(job, "steps"))
            runs = y.get(doc, "runs")
            yield from self._steps(source, y.get(runs, "steps"))
            image = y.get(runs, "image")
            text = y.scalar(image)
            if image is not None and text and text.startswith("docker://"):
                yield from self._uses(source, image)

    def _steps(self, source: SourceFile, steps: y.Node | None) -> Iterator[Finding]:
        for step in y.elements(steps):
            yield from self._uses(source, y.get(step, "uses"))
            run = y.get(step, "run")
            text = y.scalar(run)
            if run is not None and text is not None:
                # A block scalar (run: |) starts on the line after the key.
                block = isinstance(run, y.ScalarNode) and run.style in ("|", ">")
                first = y.line(run) + (1 if block else 0)
                yield from scan_shell_text(source, text, first)

    def _uses(self, source: SourceFile, node: y.Node | None) -> Iterator[Finding]:
        text = y.scalar(node)
        if node is None:
            return
        if text is None:
            # A list, a mapping or nothing: not a reference we can check, so not a pass.
            yield source.unreadable(y.line(node), "uses: is not a string")
            return
        text = text.strip()
        if text.startswith("./"):
            return
        if text.startswith("docker://"):
            if not has_digest(text):
                yield source.finding(
                    y.line(node),
                    FindingKind.GITHUB_ACTION,
                    text,
                    "pin the image by digest: docker://name:tag@sha256:<digest>",
                )
            return
        if not _COMMIT_RE.search(text):
            yield source.finding(y.line(node), FindingKind.GITHUB_ACTION, text)

    def _container(self, source: SourceFile, node: y.Node | None) -> Iterator[Finding]:
        image = y.get(node, "image") if isinstance(node, y.MappingNode) else node
        text = y.scalar(image)
        if image is not None and text and not has_digest(text):
            yield source.finding(y.line(image), FindingKind.CI_IMAGE, text)
