"""The scanner interface: one implementation per kind of build file."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

from verifier.pins import yaml_nodes as y
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.yaml_nodes import Node


@dataclass(frozen=True)
class SourceFile:
    """A file handed to scanners: where it is on disk, how reports name it, and its text."""

    path: Path
    #: POSIX path relative to the scanned root; what findings report.
    display: PurePosixPath
    text: str

    def finding(self, line: int, kind: FindingKind, reference: str, hint: str = "") -> Finding:
        """A finding in this file."""
        return Finding(self.display.as_posix(), max(line, 1), kind, reference, hint)

    def unreadable(self, line: int, problem: str) -> Finding:
        """The file could not be parsed: a finding, so the scan fails closed but goes on."""
        return self.finding(line, FindingKind.UNREADABLE, problem)

    def yaml_documents(self) -> Generator[Finding, None, list[Node]]:
        """The file's YAML documents (``docs = yield from source.yaml_documents()``).

        Text that is not YAML yields one ``unreadable`` finding and gives no documents.
        """
        try:
            return y.documents(self.text)
        except y.YamlProblem as problem:
            yield self.unreadable(problem.line, problem.message)
            return []


class PinScanner(Protocol):
    """Finds unpinned inputs in one kind of file."""

    @property
    def name(self) -> str:
        """Short name of the file kind, for messages and docs."""
        ...

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """True when this scanner reads the file at ``path`` (absolute).

        ``head`` is the file's first bytes, for files recognised by a ``#!`` line.
        """
        ...

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Every unpinned input in ``source``; malformed content is an ``unreadable`` finding."""
        ...
