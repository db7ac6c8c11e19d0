"""pip requirements files: every requirement needs ``--hash`` and an exact pin.

pip's hash-checking mode installs a requirement only when it is ``name==version`` (or a direct
archive URL) with at least one ``--hash=ALGO:HEX``; editable installs (``-e``), VCS URLs and
local directories cannot be hash-checked at all. Continuation lines (``\\``) are joined and
``#`` comments dropped. ``-r``/``--requirement`` and ``-c``/``--constraint`` includes are
followed (relative to the including file) and their findings reported against the included
file; an include that cannot be read is an ``unreadable`` finding on the ``-r`` line. Files:
``requirements*.txt`` (and ``requirements/*.txt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from verifier.errors import InputError
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.interface import SourceFile
from verifier.pins.walker import MAX_FILE_BYTES, read_bounded

_NAME_RE = re.compile(r"^requirements.*\.txt$")
_INCLUDE_RE = re.compile(r"^(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)")
_EDITABLE_RE = re.compile(r"^(?:-e|--editable)(?:\s*=\s*|\s+)(\S+)")
_HASH_RE = re.compile(r"--hash[=\s]+(?:sha256|sha384|sha512):[0-9a-f]+")
_EXACT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*===?\s*[^\s;,]+(?:\s*;.*)?$")
_VCS_RE = re.compile(r"(?:^|@\s*)(?:git|hg|svn|bzr)\+")
_ARCHIVE_URL_RE = re.compile(r"(?:^|@\s*)(?:https?|file)://")
# Global options that carry no requirement (pip's "Requirements File Format").
_OPTIONS = (
    "-i", "--index-url", "--extra-index-url", "--no-index", "-f", "--find-links",
    "--pre", "--prefer-binary", "--require-hashes", "--only-binary", "--no-binary",
    "--trusted-host", "--use-feature", "--config-settings", "--global-option",
)  # fmt: skip
_MAX_INCLUDE_DEPTH = 16


def requirement_lines(text: str) -> Iterator[tuple[int, str]]:
    """``(line, text)`` of each logical line: continuations joined, comments dropped."""
    pending: list[str] = []
    start = 1
    for number, raw in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        stripped = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if stripped.endswith("\\"):
            pending.append(stripped[:-1])
            continue
        pending.append(stripped)
        joined = " ".join(p.strip() for p in pending).strip()
        pending = []
        if joined:
            yield start, joined
    if pending and " ".join(pending).strip():
        yield start, " ".join(p.strip() for p in pending).strip()


def _problem(requirement: str) -> str | None:
    """Why this requirement line is not pinned, or None when it is."""
    body = _HASH_RE.sub("", requirement).strip()
    if _VCS_RE.search(body):
        return "a VCS requirement cannot be hash-checked: depend on a released archive with --hash"
    if not _HASH_RE.search(requirement):
        if _ARCHIVE_URL_RE.search(body):
            return "add --hash=sha256:<digest of the archive> to the URL requirement"
        return ""  # the kind's own hint says it
    if _ARCHIVE_URL_RE.search(body) or _EXACT_RE.match(body):
        return None
    return "pin the exact version (name==version) next to its --hash"


class RequirementsScanner:
    """``requirements*.txt``."""

    name = "pip requirements"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Requirements file names."""
        return bool(_NAME_RE.match(path.name)) or (
            path.suffix == ".txt" and len(path.parts) >= 2 and path.parts[-2] == "requirements"
        )

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Requirements without hashes here and in every file this one includes."""
        yield from self._scan(source, source.path, source.display, set(), 0)

    def _scan(
        self,
        source: SourceFile,
        path: Path,
        display: PurePosixPath,
        seen: set[Path],
        depth: int,
    ) -> Iterator[Finding]:
        resolved = path.resolve()
        if resolved in seen or depth > _MAX_INCLUDE_DEPTH:
            return
        seen.add(resolved)
        if path == source.path:
            here, text = source, source.text
        else:
            here = SourceFile(path, display, "")
            try:
                data = read_bounded(path)
                text = "" if data is None else data.decode("utf-8")
            except (InputError, UnicodeDecodeError) as exc:
                yield here.unreadable(1, f"cannot read: {exc}")
                return
            if data is None:
                yield here.unreadable(1, f"larger than {MAX_FILE_BYTES} bytes")
                return
        for line, requirement in requirement_lines(text):
            include = _INCLUDE_RE.match(requirement)
            if include:
                target = include.group(1)
                child = path.parent / target
                child_display = PurePosixPath(display.parent / target)
                if not child.is_file():
                    yield here.unreadable(line, f"{requirement}: included file not found")
                    continue
                yield from self._scan(source, child, _normalize(child_display), seen, depth + 1)
                continue
            editable = _EDITABLE_RE.match(requirement)
            if editable:
                yield here.finding(
                    line,
                    FindingKind.PYTHON_REQUIREMENT,
                    requirement,
                    "an editable install cannot be hash-checked: install a built archive "
                    "with --hash",
                )
                continue
            if requirement.startswith("-") and requirement.split()[0].split("=")[0] in _OPTIONS:
                continue
            problem = _problem(requirement)
            if problem is not None:
                yield here.finding(
                    line,
                    FindingKind.PYTHON_REQUIREMENT,
                    _HASH_RE.sub("", requirement).strip() or requirement,
                    problem,
                )


def _normalize(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts) if parts else PurePosixPath(".")
