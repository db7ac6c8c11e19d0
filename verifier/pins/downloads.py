"""Downloads in shell code that nothing checks: ``curl | sh`` and friends.

A *unit* is code that runs together: a shell script, one Dockerfile ``RUN``, one CI job's
scripts, one workflow step's ``run:``. In a unit we report:

* ``download-to-shell``: ``curl``/``wget`` output piped into an interpreter (``sh``, ``bash``,
  ``python``, ...), or run through ``sh <(curl ...)`` / ``sh -c "$(curl ...)"``: nothing can
  check a digest of what a pipe runs;
* ``download-unchecked``: ``curl``/``wget`` saving to a file (``-o``, ``-O``, ``> file``,
  ``wget`` without ``-O -``) or piping into an extractor (``tar``, ``unzip``, ``gpg``, ...)
  with no checksum check later in the same unit.

A checksum check is ``sha256sum -c`` / ``--check`` (also sha224/384/512, ``shasum -a N -c``,
``b2sum -c``), ``gpg --verify``, ``cosign verify-blob`` or ``minisign -V``. We do not prove the
check covers that very file; a unit that checks something is given the benefit of the doubt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from verifier.pins.finding import Finding, FindingKind
from verifier.pins.interface import SourceFile

_FETCH = r"\b(?:curl|wget)\b"
_INTERPRETER = (
    r"(?:sudo\s+(?:-\S+\s+)*)?(?:env\s+(?:\S+=\S*\s+)*)?(?:/usr)?(?:/local)?(?:/bin/)?"
    r"(?:sh|bash|zsh|dash|ksh|fish|python[0-9.]*|perl|ruby|node|php)\b"
)
_PIPED_TO_SHELL = re.compile(rf"{_FETCH}[^;&|\n]*\|\s*{_INTERPRETER}")
_SUBSTITUTED = re.compile(
    rf"(?:\b(?:sh|bash|zsh|dash|ksh|source)\b|(?:^|[\s;&|])\.)\s+(?:-\S+\s+)*"
    rf"(?:<\(\s*|[\"']?\$\(\s*){_FETCH}"
)
_EXTRACTOR = re.compile(
    rf"{_FETCH}[^;&|\n]*\|\s*(?:sudo\s+)?(?:tar|unzip|bsdtar|gunzip|gzip|xz|zstd|gpg|"
    r"apt-key|dpkg|rpm|install|tee)\b"
)
_CURL_TO_FILE = re.compile(
    r"\bcurl\b[^;&|\n]*(?:\s-[A-Za-z]*[oO]\b|\s--output\b|\s--remote-name\b|\s--output-dir\b"
    r"|>\s*\S)"
)
_WGET = re.compile(r"\bwget\b([^;&|\n]*)")
_WGET_TO_STDOUT = re.compile(r"(?:\s-[A-Za-z]*O\s*-(?:\s|$)|\s--output-document[= ]-(?:\s|$))")
_CHECK = re.compile(
    r"\b(?:sha(?:224|256|384|512)sum|b2sum|shasum\b[^;&|\n]*-a\s*(?:224|256|384|512))\b"
    r"[^;&|\n]*(?:\s-[A-Za-z]*c\b|\s--check\b)"
    r"|\bgpg[^;&|\n]*\s--verify\b|\bcosign\s+verify-blob\b|\bminisign\b[^;&|\n]*\s-[A-Za-z]*V"
)
_MAX_REFERENCE = 160


@dataclass(frozen=True)
class ShellLine:
    """One logical line of shell: continuations joined, with the line it starts on."""

    text: str
    line: int


def logical_lines(text: str, first_line: int = 1) -> list[ShellLine]:
    """Split shell text into logical lines, joining ``\\``-continued lines, dropping comments."""
    result: list[ShellLine] = []
    pending: list[str] = []
    start = first_line
    for number, raw in enumerate(text.splitlines(), start=first_line):
        if not pending:
            start = number
            if raw.lstrip().startswith("#"):
                continue
        if raw.endswith("\\"):
            pending.append(raw[:-1])
            continue
        pending.append(raw)
        joined = " ".join(part.strip() for part in pending).strip()
        pending = []
        if joined:
            result.append(ShellLine(joined, start))
    if pending:
        result.append(ShellLine(" ".join(p.strip() for p in pending), start))
    return result


_SEPARATOR = re.compile(r"&&|\|\||;")
_FETCH_RE = re.compile(_FETCH)


def _command(text: str) -> str:
    """The download command itself: from ``curl``/``wget`` to the next ``&&``, ``||`` or ``;``.

    Process substitution (``sh <(curl ...)``) keeps the whole line: the interpreter is the point.
    """
    match = _FETCH_RE.search(text)
    if match is None or "<(" in text[: match.start()] or "$(" in text[: match.start()]:
        segment = text
    else:
        end = _SEPARATOR.search(text, match.start())
        segment = text[match.start() : end.start() if end else len(text)].strip()
    if len(segment) <= _MAX_REFERENCE:
        return segment
    return segment[: _MAX_REFERENCE - 3] + "..."


def _saves_or_extracts(text: str) -> bool:
    if _EXTRACTOR.search(text) or _CURL_TO_FILE.search(text):
        return True
    return any(not _WGET_TO_STDOUT.search(m.group(1)) for m in _WGET.finditer(text))


def download_findings(source: SourceFile, unit: list[ShellLine]) -> Iterator[Finding]:
    """Findings for the downloads of one unit (see the module docstring)."""
    for index, shell in enumerate(unit):
        if _PIPED_TO_SHELL.search(shell.text) or _SUBSTITUTED.search(shell.text):
            yield source.finding(shell.line, FindingKind.DOWNLOAD_TO_SHELL, _command(shell.text))
            continue
        if not _saves_or_extracts(shell.text):
            continue
        later = [shell.text, *(s.text for s in unit[index + 1 :])]
        if not any(_CHECK.search(text) for text in later):
            yield source.finding(shell.line, FindingKind.DOWNLOAD_UNCHECKED, _command(shell.text))


def scan_shell_text(source: SourceFile, text: str, first_line: int = 1) -> Iterator[Finding]:
    """Findings for shell ``text`` forming one unit and starting at ``first_line``."""
    yield from download_findings(source, logical_lines(text, first_line))
