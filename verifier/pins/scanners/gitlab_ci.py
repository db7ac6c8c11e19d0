"""GitLab CI: ``image:`` and ``services:`` without a digest, and downloads in job scripts.

``image`` and each service may be a string or a mapping with ``name:``; they appear at the top
level, under ``default:``, and in every job (hidden ``.template`` jobs too, since jobs extend
them). Scripts are ``before_script``, ``script`` and ``after_script``; a job's scripts are one
unit for the checksum rule. Files: ``.gitlab-ci.yml``, ``*.gitlab-ci.yml`` and YAML files
under ``.gitlab/ci/`` (the usual ``include: local:`` place).

``include:`` brings in configuration from elsewhere, which runs as if written here: a
``project:`` include needs ``ref:`` at a full commit, a ``component:`` a full commit after
``@``, and a ``remote:`` URL an ``integrity:`` hash. ``local:`` includes are this repository;
``template:`` includes ship with the GitLab instance and are not checked.
"""

from __future__ import annotations

import re
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
_COMMIT_RE = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_INTEGRITY_RE = re.compile(r"^sha(?:256|384|512)-[A-Za-z0-9+/]+=*$")


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
        docs = yield from source.yaml_documents()
        for doc in docs:
            yield from self._includes(source, y.get(doc, "include"))
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

    def _includes(self, source: SourceFile, node: y.Node | None) -> Iterator[Finding]:
        entries = list(y.elements(node)) if isinstance(node, y.SequenceNode) else [node]
        for entry in entries:
            if entry is None:
                continue
            problem = _include_problem(entry)
            if problem is not None:
                reference, hint = problem
                yield source.finding(y.line(entry), FindingKind.CI_INCLUDE, reference, hint)

    def _image(self, source: SourceFile, node: y.Node | None) -> Iterator[Finding]:
        image = y.get(node, "name") if isinstance(node, y.MappingNode) else node
        text = y.scalar(image)
        if image is not None and text and not has_digest(text):
            yield source.finding(y.line(image), FindingKind.CI_IMAGE, text)


def _include_problem(entry: y.Node) -> tuple[str, str] | None:
    """``(reference, hint)`` when an ``include:`` entry is not pinned, else None."""
    text = y.scalar(entry)
    if text is not None:
        if text.startswith(("https://", "http://")):
            return text, "use remote: with integrity: sha256-<base64 digest>"
        return None
    remote = y.scalar(y.get(entry, "remote"))
    if remote is not None:
        integrity = y.scalar(y.get(entry, "integrity")) or ""
        if _INTEGRITY_RE.match(integrity):
            return None
        return remote, "add integrity: sha256-<base64 digest> to the remote include"
    project = y.scalar(y.get(entry, "project"))
    if project is not None:
        ref = y.scalar(y.get(entry, "ref"))
        if ref is not None and _COMMIT_RE.match(ref):
            return None
        return f"{project}@{ref or '(default branch)'}", "set ref: to a full 40-hex commit"
    component = y.scalar(y.get(entry, "component"))
    if component is not None:
        _, _, version = component.rpartition("@")
        if _COMMIT_RE.match(version):
            return None
        return component, "pin the component to a full commit: path/name@<40-hex commit>"
    return None
