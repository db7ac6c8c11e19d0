"""GitLab CI: ``image:`` and ``services:`` without a digest, and downloads in job scripts.

``image`` and each service may be a string or a mapping with ``name:``; they appear at the top
level, under ``default:``, and in every job (hidden ``.template`` jobs too, since jobs extend
them). Scripts are ``before_script``, ``script`` and ``after_script``; a job's scripts are one
unit for the checksum rule. Files: ``.gitlab-ci.yml``, ``*.gitlab-ci.yml`` and YAML files
under ``.gitlab/ci/`` (the usual ``include: local:`` place).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.pins import yaml_nodes as y
from verifier.pins.downloads import ShellLine, download_findings, logical_lines
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

# Top-level keys that are not jobs (GitLab CI YAML reference, "Global keywords").
_GLOBAL_KEYS = {"default", "include", "stages", "variables", "workflow", "spec"}
_SCRIPT_KEYS = ("before_script", "script", "after_script")


class GitLabCIScanner:
    """``.gitlab-ci.yml`` and included CI files."""

    name = "GitLab CI"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """GitLab CI file names."""
        if path.name == ".gitlab-ci.yml" or path.name.endswith(".gitlab-ci.yml"):
            return True
        parts = path.parts
        return (
            len(parts) >= 3
            and parts[-3:-1] == (".gitlab", "ci")
            and path.suffix
            in (
                ".yml",
                ".yaml",
            )
        )

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Images and services of the defaults and every job; job script downloads."""
        try:
            docs = y.documents(source.text)
        except y.YamlProblem as problem:
            yield source.unreadable(problem.line, problem.message)
            return
        for doc in docs:
            yield from self._job(source, doc)
            for key, _, value in y.items(doc):
                is_job = key not in _GLOBAL_KEYS and isinstance(value, y.MappingNode)
                if key == "default" or is_job:
                    yield from self._job(source, value)

    def _job(self, source: SourceFile, job: y.Node) -> Iterator[Finding]:
        yield from self._image(source, y.get(job, "image"))
        for service in y.elements(y.get(job, "services")):
            yield from self._image(source, service)
        unit: list[ShellLine] = []
        for key in _SCRIPT_KEYS:
            for text, first in y.strings(y.get(job, key)):
                unit += logical_lines(text, first)
        yield from download_findings(source, unit)

    def _image(self, source: SourceFile, node: y.Node | None) -> Iterator[Finding]:
        image = y.get(node, "name") if isinstance(node, y.MappingNode) else node
        text = y.scalar(image)
        if image is not None and text and not has_digest(text):
            yield source.finding(y.line(image), FindingKind.CI_IMAGE, text)
