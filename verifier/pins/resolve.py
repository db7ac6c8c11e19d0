"""``verifier pins --resolve``: rewrite image tags to the digests a registry serves now.

Rewritable findings, each on the line the finding names:

* a literal reference (Dockerfile ``FROM``/``COPY --from``, CI images, Kubernetes images,
  ``docker://`` actions, Helm ``image: "name:tag"``): ``name:tag`` becomes
  ``name:tag@sha256:...``;
* a Kustomize ``images:`` entry or a Helm ``image:`` mapping: its ``digest:`` key is set (or
  added after ``newTag:`` / ``tag:``).

Everything else (ARG-substituted Dockerfile images, references holding variables, flow-style
mappings, packages, downloads) is left alone and reported with the reason. All lookups happen
before any file is written; a registry failure writes nothing. Pinning trusts what the registry
serves at this moment: review the change before committing it.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from verifier.errors import InputError
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import ImageRef
from verifier.pins.scan import PinsReport

_LITERAL_KINDS = {
    FindingKind.DOCKERFILE_FROM,
    FindingKind.CI_IMAGE,
    FindingKind.COMPOSE_IMAGE,
    FindingKind.KUBERNETES_IMAGE,
    FindingKind.GITHUB_ACTION,
    FindingKind.HELM_IMAGE,
}
# A Helm image mapping's repository line holds the name but is not where a digest goes.
_MAPPING_PART = re.compile(r"^\s*(?:- )?(?:repository|registry|name)\s*:")
_DIGEST_KEY_KINDS = {FindingKind.KUSTOMIZE_IMAGE, FindingKind.HELM_IMAGE}
_REFERENCE_CHAR = r"[\w./:@-]"


class TagResolver(Protocol):
    """Finds the manifest digest an image's tag points at now."""

    def digest(self, image: ImageRef) -> str | None:
        """``sha256:<hex>`` of the manifest (or index) the tag names; None when no such tag."""
        ...


@dataclass(frozen=True)
class Rewrite:
    """One change to one line (or a ``digest:`` line added after it)."""

    path: Path
    display: str
    line: int
    old: str
    new: str
    #: True when ``new`` is a whole line inserted after ``line`` (``old`` is then empty).
    insert: bool = False


@dataclass(frozen=True)
class Skipped:
    """A finding --resolve did not rewrite, and why."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class ResolvePlan:
    """The rewrites to make and the findings left as they are."""

    rewrites: tuple[Rewrite, ...]
    skipped: tuple[Skipped, ...]


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _block(lines: list[str], start: int) -> tuple[list[int], int]:
    """Lines of the block mapping whose first key is on ``lines[start]``, and its key indent.

    That line is ``key: value`` (a Helm ``image:`` mapping's first key) or ``- key: value``
    (a Kustomize ``images:`` entry).
    """
    head = lines[start]
    key_indent = _indent(head) + (2 if head.lstrip(" ").startswith("- ") else 0)
    body = [start]
    for index in range(start + 1, len(lines)):
        text = lines[index]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if _indent(text) < key_indent:
            break
        if _indent(text) == key_indent:
            body.append(index)
    return body, key_indent


def _key_line(lines: list[str], body: list[int], key: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:- )?{re.escape(key)}\s*:")
    return next((i for i in body if pattern.match(lines[i])), None)


class _Planner:
    def __init__(self, resolver: TagResolver, root: Path) -> None:
        self.resolver = resolver
        self.root = root
        self.lines: dict[str, list[str]] = {}

    def _path(self, finding: Finding) -> Path:
        return self.root if self.root.is_file() else self.root / finding.path

    def _file_lines(self, finding: Finding) -> list[str]:
        if finding.path not in self.lines:
            try:
                text = self._path(finding).read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{self._path(finding)}: cannot read: {exc}") from exc
            self.lines[finding.path] = text.splitlines()
        return self.lines[finding.path]

    def plan(self, finding: Finding) -> Rewrite | str:
        reference = finding.reference.removeprefix("docker://").removeprefix("# syntax=")
        if finding.kind not in _LITERAL_KINDS | _DIGEST_KEY_KINDS:
            return "only image references are resolved"
        if finding.kind is FindingKind.GITHUB_ACTION and reference == finding.reference:
            return "actions are pinned to commits: resolve the tag on GitHub"
        if " (= " in reference:
            return "the image comes from an ARG default: pin it in the ARG line"
        image = ImageRef.parse(reference)
        if image is None:
            return "not a literal image reference (variables are not expanded)"
        lines = self._file_lines(finding)
        index = finding.line - 1
        if index >= len(lines):
            return "the file changed since the scan"
        written = re.escape(finding.reference)
        literal = re.compile(rf"(?<!{_REFERENCE_CHAR}){written}(?!{_REFERENCE_CHAR})")
        if (
            finding.kind in _LITERAL_KINDS
            and literal.search(lines[index])
            and not (finding.kind is FindingKind.HELM_IMAGE and _MAPPING_PART.match(lines[index]))
        ):
            digest = self.resolver.digest(image)
            if digest is None:
                return _not_found(image)
            old = lines[index]
            new = literal.sub(f"{finding.reference}@{digest}", old, count=1)
            # A second finding on this line (``services: [a:1, b:2]``) rewrites this result.
            lines[index] = new
            return Rewrite(self._path(finding), finding.path, finding.line, old, new)
        if finding.kind not in _DIGEST_KEY_KINDS:
            return "the reference is not on its line as written (the file changed?)"
        return self._digest_key(finding, image, lines, index)

    def _digest_key(
        self, finding: Finding, image: ImageRef, lines: list[str], index: int
    ) -> Rewrite | str:
        if image.tag is None:
            return "no tag to resolve: set the tag (or newTag) first"
        if not re.match(r"^\s*(?:- )?[\w.-]+\s*:", lines[index]) or "{" in lines[index]:
            return "not a block mapping this tool can edit"
        body, key_indent = _block(lines, index)
        digest = self.resolver.digest(image)
        if digest is None:
            return _not_found(image)
        existing = _key_line(lines, body, "digest")
        if existing is not None:
            old = lines[existing]
            prefix = old[: old.index("digest")]
            new = f"{prefix}digest: {digest}"
            return Rewrite(self._path(finding), finding.path, existing + 1, old, new)
        after = next(
            (i for key in ("newTag", "tag") if (i := _key_line(lines, body, key)) is not None),
            body[-1],
        )
        new = " " * key_indent + f"digest: {digest}"
        return Rewrite(self._path(finding), finding.path, after + 1, "", new, insert=True)


def _not_found(image: ImageRef) -> str:
    return f"tag {image.effective_tag} not found in {image.registry}/{image.repository}"


def plan_resolve(report: PinsReport, resolver: TagResolver) -> ResolvePlan:
    """Look up every rewritable finding; nothing is written yet."""
    planner = _Planner(resolver, report.root)
    rewrites: list[Rewrite] = []
    skipped: list[Skipped] = []
    for finding in report.findings:
        outcome = planner.plan(finding)
        if isinstance(outcome, Rewrite):
            rewrites.append(outcome)
        else:
            skipped.append(Skipped(finding, outcome))
    return ResolvePlan(tuple(rewrites), tuple(skipped))


def _rewritten(path: Path, changes: list[Rewrite]) -> str:
    """The new text of ``path``; InputError when it no longer holds what the plan saw."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines = text.removeprefix("\ufeff").splitlines(keepends=True)
    # Bottom-up, so inserted lines do not move the lines still to change.
    for change in sorted(changes, key=lambda c: c.line, reverse=True):
        current = lines[change.line - 1] if change.line <= len(lines) else ""
        ending = current[len(current.rstrip("\r\n")) :] or "\n"
        if change.insert and change.line <= len(lines):
            lines.insert(change.line, change.new + ending)
        elif not change.insert and current and current.rstrip("\r\n") == change.old:
            lines[change.line - 1] = change.new + ending
        else:
            raise InputError(f"{path}:{change.line}: changed while resolving; run again")
    return bom + "".join(lines)


def apply_rewrites(rewrites: Iterable[Rewrite]) -> None:
    """Write every rewrite, each file replaced atomically with its mode kept.

    Every file is checked against the plan before the first one is written, so a file edited
    meanwhile stops the command with nothing changed.
    """
    by_file: dict[Path, list[Rewrite]] = {}
    for rewrite in rewrites:
        by_file.setdefault(rewrite.path, []).append(rewrite)
    texts = {path: _rewritten(path, changes) for path, changes in sorted(by_file.items())}
    for path, text in texts.items():
        _replace(path, text)


def _replace(path: Path, text: str) -> None:
    temporary: Path | None = None
    try:
        mode = path.stat().st_mode & 0o7777
        descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        temporary = Path(name)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        temporary.chmod(mode)
        temporary.replace(path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from exc
