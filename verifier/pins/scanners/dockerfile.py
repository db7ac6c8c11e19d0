"""Dockerfiles and Containerfiles: ``FROM``, ``COPY --from``, ``ADD URL`` and ``RUN`` downloads.

The ``# syntax=`` parser directive names the BuildKit frontend image that parses the file; it
is pulled like a base image and needs a digest too.

``FROM`` flags (``--platform=...``) and ``AS name`` are understood; ``scratch`` and references
to earlier stages are not images; ``$VAR`` / ``${VAR}`` / ``${VAR:-default}`` are replaced by
the defaults of ``ARG`` lines before the first ``FROM`` (what ``docker build`` does when no
``--build-arg`` is given), so ``ARG BASE=python:3.12@sha256:...`` + ``FROM $BASE`` is pinned.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from verifier.pins.downloads import download_findings, logical_lines
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.images import has_digest
from verifier.pins.interface import SourceFile

_NAME_RE = re.compile(r"^(Dockerfile|Containerfile)(\..+)?$|^.+\.(Dockerfile|dockerfile)$")
_VAR_RE = re.compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)"
)
_HEREDOC_RE = re.compile(r"<<-?\s*[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?")
_DIRECTIVE_RE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")
_CHECKSUM_FLAG = re.compile(r"--checksum=sha(256|384|512):[0-9a-f]+")
_COPY_FROM_HINT = "pin the image: COPY --from=name:tag@sha256:<digest>"
_GIT_COMMIT_RE = re.compile(r"#[0-9a-f]{40}$")


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction: keyword, the rest (continuations joined), start line."""

    keyword: str
    arguments: str
    line: int
    body: str = ""  # heredoc body, if any
    body_line: int = 0


def directives(text: str) -> dict[str, tuple[str, int]]:
    """Parser directives (``# syntax=...``, ``# escape=...``): lower-cased name to value, line.

    Directives are only read at the very top: the first line that is not one ends them.
    """
    found: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _DIRECTIVE_RE.match(raw.strip())
        if match is None:
            break
        found.setdefault(match.group(1).lower(), (match.group(2), number))
    return found


def instructions(text: str) -> list[Instruction]:
    """Split a Dockerfile into instructions (comments dropped, continuations joined)."""
    lines = text.splitlines()
    escape = directives(text).get("escape", ("\\", 0))[0][:1]
    result: list[Instruction] = []
    index = 0
    while index < len(lines):
        raw = lines[index].strip()
        start = index + 1
        index += 1
        if not raw or raw.startswith("#"):
            continue
        parts = [raw]
        continued = raw.endswith(escape)
        while continued and index < len(lines):
            if parts[-1].endswith(escape):
                parts[-1] = parts[-1][:-1]
            nxt = lines[index].strip()
            index += 1
            if not nxt or nxt.startswith("#"):
                continue  # comments and blank lines inside a continuation are dropped
            parts.append(nxt)
            continued = nxt.endswith(escape)
        joined = " ".join(p.strip() for p in parts).strip()
        keyword, _, arguments = joined.partition(" ")
        body, body_line = "", 0
        heredoc = _HEREDOC_RE.search(arguments)
        if heredoc:
            end = heredoc.group(1)
            body_line = index + 1
            collected: list[str] = []
            while index < len(lines) and lines[index].strip() != end:
                collected.append(lines[index])
                index += 1
            index += 1
            body = "\n".join(collected)
        result.append(Instruction(keyword.upper(), arguments.strip(), start, body, body_line))
    return result


def substitute(text: str, args: dict[str, str | None]) -> tuple[str, list[str]]:
    """Replace ARG variables; returns the text and the names that have no value."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        value = args.get(name)
        operator, word = match.group(2), match.group(3) or ""
        if operator == "-":
            return value if value else word
        if operator == "+":
            return word if value else ""
        if value is None:
            missing.append(name)
            return match.group(0)
        return value

    return _VAR_RE.sub(replace, text), missing


def _parse_arg(arguments: str, args: dict[str, str | None]) -> None:
    for word in arguments.split():
        name, eq, value = word.partition("=")
        args[name] = value.strip("\"'") if eq else args.get(name)


class DockerfileScanner:
    """``Dockerfile``, ``Containerfile``, ``Dockerfile.*``, ``*.Dockerfile``."""

    name = "Dockerfile"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Dockerfile names."""
        return bool(_NAME_RE.match(path.name))

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """FROM / COPY --from images without a digest, ADD URLs without --checksum, RUN code."""
        syntax = directives(source.text).get("syntax")
        if syntax is not None and not has_digest(syntax[0]):
            yield source.finding(
                syntax[1],
                FindingKind.DOCKERFILE_FROM,
                f"# syntax={syntax[0]}",
                "pin the BuildKit frontend: # syntax=name:tag@sha256:<digest>",
            )
        global_args: dict[str, str | None] = {}
        stages: set[str] = set()
        seen_from = False
        for instruction in instructions(source.text):
            match instruction.keyword:
                case "ARG" if not seen_from:
                    _parse_arg(instruction.arguments, global_args)
                case "FROM":
                    seen_from = True
                    yield from self._from(source, instruction, global_args, stages)
                case "COPY":
                    yield from self._copy_from(source, instruction, global_args, stages)
                case "ADD":
                    yield from self._add(source, instruction)
                case "RUN":
                    yield from self._run(source, instruction)
                case _:
                    pass

    def _image(
        self,
        source: SourceFile,
        instruction: Instruction,
        written: str,
        args: dict[str, str | None],
        stages: set[str],
        hint: str = "",
    ) -> Iterator[Finding]:
        image, missing = substitute(written, args)
        if image.lower() == "scratch" or image.lower() in stages or has_digest(image):
            # A digest names the content wherever it is pulled from, variables or not.
            return
        if missing:
            names = ", ".join(sorted(set(missing)))
            yield source.finding(
                instruction.line,
                FindingKind.DOCKERFILE_FROM,
                written,
                f"give ARG {names} a default pinned by digest (name:tag@sha256:<digest>)",
            )
            return
        reference = written if image == written else f"{written} (= {image})"
        yield source.finding(instruction.line, FindingKind.DOCKERFILE_FROM, reference, hint)

    def _from(
        self,
        source: SourceFile,
        instruction: Instruction,
        args: dict[str, str | None],
        stages: set[str],
    ) -> Iterator[Finding]:
        words = [w for w in instruction.arguments.split() if not w.startswith("--")]
        if not words:
            yield source.unreadable(instruction.line, "FROM without an image")
            return
        yield from self._image(source, instruction, words[0], args, stages)
        if len(words) >= 3 and words[1].lower() == "as":
            stages.add(words[2].lower())

    def _copy_from(
        self,
        source: SourceFile,
        instruction: Instruction,
        args: dict[str, str | None],
        stages: set[str],
    ) -> Iterator[Finding]:
        for word in instruction.arguments.split():
            if word.startswith("--from="):
                image = word.removeprefix("--from=")
                # NOTE: a number names a stage by index.
                if not image.isdigit():
                    yield from self._image(
                        source, instruction, image, args, stages, _COPY_FROM_HINT
                    )

    def _add(self, source: SourceFile, instruction: Instruction) -> Iterator[Finding]:
        words = instruction.arguments.split()
        if any(_CHECKSUM_FLAG.match(w) for w in words):
            return
        for word in (w for w in words if not w.startswith("--")):
            if word.startswith(("http://", "https://", "git@")):
                if _GIT_COMMIT_RE.search(word):
                    continue
                yield source.finding(
                    instruction.line,
                    FindingKind.DOWNLOAD_UNCHECKED,
                    f"ADD {word}",
                    "add --checksum=sha256:<digest> to the ADD (or pin a git URL with #<commit>)",
                )

    def _run(self, source: SourceFile, instruction: Instruction) -> Iterator[Finding]:
        unit = logical_lines(instruction.arguments, instruction.line)
        if instruction.body:
            unit += logical_lines(instruction.body, instruction.body_line)
        yield from download_findings(source, unit)
