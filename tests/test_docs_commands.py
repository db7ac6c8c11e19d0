"""Every `verifier ...` command line shown in README.md and docs/ parses with the current CLI."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.examples.test_ci_examples import UsageError, _parse

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def _commands(page: Path) -> list[tuple[int, list[str]]]:
    """(line, argv) of each `verifier` command in the page's code blocks."""
    found = []
    in_block = False
    for number, line in enumerate(page.read_text().splitlines(), start=1):
        if line.startswith("```"):
            in_block = not in_block
            continue
        text = line.strip().removeprefix("$ ")
        if not in_block or not text.startswith("verifier "):
            continue
        try:
            words = shlex.split(text, comments=True)
        except ValueError:
            continue  # an unbalanced quote in prose, not a command
        argv = []
        for word in words[1:]:
            if word in ("|", ">", ">>") or word.startswith(("2>", ">")):
                break  # shell plumbing after the command
            if word not in ("...", "…"):  # elided arguments in examples
                argv.append(word)
        found.append((number, argv))
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_documented_commands_parse(page: Path) -> None:
    problems = []
    for number, argv in _commands(page):
        try:
            _parse(argv)
        except UsageError as exc:
            problems.append(f"{page.name}:{number}: verifier {' '.join(argv)}: {exc}")
    assert not problems, "\n".join(problems)


def test_the_pages_show_commands() -> None:
    assert sum(len(_commands(p)) for p in PAGES) >= 50
