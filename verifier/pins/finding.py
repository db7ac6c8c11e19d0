"""What an unpinned input is: a kind, a place, the reference, and how to pin it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from verifier.errors import InputError


class FindingKind(StrEnum):
    """Every kind of unpinned input ``verifier pins`` reports; each has one fix hint."""

    DOCKERFILE_FROM = "dockerfile-from"
    GITHUB_ACTION = "github-action"
    CI_IMAGE = "ci-image"
    CI_INCLUDE = "ci-include"
    COMPOSE_IMAGE = "compose-image"
    KUBERNETES_IMAGE = "kubernetes-image"
    KUSTOMIZE_IMAGE = "kustomize-image"
    HELM_IMAGE = "helm-image"
    PYTHON_REQUIREMENT = "python-requirement"
    NPM_DEPENDENCY = "npm-dependency"
    DOWNLOAD_TO_SHELL = "download-to-shell"
    DOWNLOAD_UNCHECKED = "download-unchecked"
    RECIPE_INPUT = "recipe-input"
    UNREADABLE = "unreadable"

    @property
    def description(self) -> str:
        """A short description of the problem, for rule names and headings."""
        return _DESCRIPTIONS[self]

    @property
    def hint(self) -> str:
        """The default one-line fix."""
        return _HINTS[self]


_DESCRIPTIONS = {
    FindingKind.DOCKERFILE_FROM: "Dockerfile base image not pinned by digest",
    FindingKind.GITHUB_ACTION: "GitHub Action not pinned to a commit",
    FindingKind.CI_IMAGE: "CI job image not pinned by digest",
    FindingKind.CI_INCLUDE: "GitLab CI include not pinned to a commit or checksum",
    FindingKind.COMPOSE_IMAGE: "Compose service image not pinned by digest",
    FindingKind.KUBERNETES_IMAGE: "Kubernetes container image not pinned by digest",
    FindingKind.KUSTOMIZE_IMAGE: "Kustomize image override without a digest",
    FindingKind.HELM_IMAGE: "Helm values image without a digest",
    FindingKind.PYTHON_REQUIREMENT: "Python requirement without --hash",
    FindingKind.NPM_DEPENDENCY: "npm dependency without lock file integrity",
    FindingKind.DOWNLOAD_TO_SHELL: "Download piped into an interpreter",
    FindingKind.DOWNLOAD_UNCHECKED: "Download used without a checksum check",
    FindingKind.RECIPE_INPUT: "repro.toml input without a digest",
    FindingKind.UNREADABLE: "File could not be parsed, so its inputs were not checked",
}

_HINTS = {
    FindingKind.DOCKERFILE_FROM: "pin the base image: FROM name:tag@sha256:<digest>",
    FindingKind.GITHUB_ACTION: "pin to a full commit: uses: owner/repo@<40-hex commit> # tag",
    FindingKind.CI_IMAGE: "add the digest: image: name:tag@sha256:<digest>",
    FindingKind.CI_INCLUDE: "set ref: to a full 40-hex commit",
    FindingKind.COMPOSE_IMAGE: "add the digest: image: name:tag@sha256:<digest>",
    FindingKind.KUBERNETES_IMAGE: "add the digest: image: name:tag@sha256:<digest>",
    FindingKind.KUSTOMIZE_IMAGE: "add digest: sha256:<digest> to this images entry",
    FindingKind.HELM_IMAGE: "set the image's digest: sha256:<digest> in the values",
    FindingKind.PYTHON_REQUIREMENT: (
        "pin name==version with --hash=sha256:<digest> (pip-compile --generate-hashes)"
    ),
    FindingKind.NPM_DEPENDENCY: (
        "run npm install and commit package-lock.json with an integrity for this package"
    ),
    FindingKind.DOWNLOAD_TO_SHELL: (
        "download to a file, check it with sha256sum -c against a known digest, then run it"
    ),
    FindingKind.DOWNLOAD_UNCHECKED: (
        "check the file with sha256sum -c against a known digest before using it"
    ),
    FindingKind.RECIPE_INPUT: "run verifier pin on the recipe to record its sha256",
    FindingKind.UNREADABLE: "fix the file so it parses; nothing in it was checked",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One unpinned input: where it is, what kind, the reference as written, how to pin it.

    ``path`` is POSIX, relative to the scanned root (or the file's own name when a single file
    was scanned); ``line`` counts from 1. Ordering is by path, then line, kind and reference,
    which is the order every report uses.
    """

    path: str
    line: int
    kind: FindingKind
    reference: str
    hint: str = ""

    def __post_init__(self) -> None:
        if not self.path:
            raise InputError("a finding needs a file path")
        if self.line < 1:
            raise InputError(f"{self.path}: finding line must be 1 or more (got {self.line})")
        if not self.reference:
            raise InputError(f"{self.path}:{self.line}: finding needs the reference")
        if not self.hint:
            object.__setattr__(self, "hint", self.kind.hint)
