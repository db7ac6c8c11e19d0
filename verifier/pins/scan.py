"""Scanning a path: walk it, hand each file to the scanners that read it, collect findings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from verifier.errors import InputError
from verifier.pins.finding import Finding
from verifier.pins.interface import PinScanner, SourceFile
from verifier.pins.scanners import all_scanners
from verifier.pins.walker import MAX_FILE_BYTES, read_bounded, read_head, walk


@dataclass(frozen=True)
class PinsReport:
    """What a scan found: findings sorted by file then line, and how many files were read."""

    root: Path
    findings: tuple[Finding, ...]
    files_scanned: int

    @property
    def clean(self) -> bool:
        """True when every input found is pinned."""
        return not self.findings


def scan_path(
    root: Path,
    scanners: Sequence[PinScanner] | None = None,
    *,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> PinsReport:
    """Scan ``root`` (a directory or one file) with ``scanners`` (default: all of them).

    Content that does not parse is a finding (kind ``unreadable``); a path that cannot be
    read at all is an InputError (exit 2) naming it.
    """
    scanners = all_scanners() if scanners is None else scanners
    findings: set[Finding] = set()
    scanned = 0
    for walked in walk(root):
        # Scanners match on the whole path, so scanning .github/ alone still finds workflows.
        where = PurePosixPath(walked.path.absolute().as_posix())
        readers = [s for s in scanners if s.matches(where, b"")]
        if not readers and not where.suffix:
            # Only files without a suffix are opened to look for a "#!" line.
            head = read_head(walked.path)
            readers = [s for s in scanners if s.matches(where, head)]
        if not readers:
            if walked.path == root:
                raise InputError(
                    f"{root}: not a kind of file verifier pins reads "
                    "(Dockerfile, workflow, CI, manifest, values, requirements, package.json, "
                    "shell script, repro.toml)"
                )
            continue
        scanned += 1
        data = read_bounded(walked.path, max_file_bytes)
        placeholder = SourceFile(walked.path, walked.display, "")
        if data is None:
            findings.add(placeholder.unreadable(1, f"larger than {max_file_bytes} bytes"))
            continue
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            findings.add(placeholder.unreadable(line, "not UTF-8 text"))
            continue
        source = SourceFile(walked.path, walked.display, text)
        for scanner in readers:
            try:
                findings.update(scanner.scan(source))
            except RecursionError:
                # The YAML and JSON parsers recurse per nesting level; hostile nesting is
                # malformed input, not a crash.
                findings.add(source.unreadable(1, "nested too deeply to parse"))
    return PinsReport(root, tuple(sorted(findings)), scanned)
