"""Every `verifier` command line in the CI examples parses with the current CLI."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import pytest
import typer
import yaml

from tests.conftest import REPO
from verifier.cli import app

# typer 0.29 vendors click as typer._click: its Group and UsageError are the ones typer uses.
UsageError = importlib.import_module("typer._click.exceptions").UsageError

EXAMPLES = sorted((REPO / "examples" / "ci").glob("*.yml"))


def _scripts(node: object) -> list[str]:
    """Every shell script in a workflow or pipeline: `run:` values and `script:` items."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "run" and isinstance(value, str):
                found.append(value)
            elif key in ("script", "before_script", "after_script") and isinstance(value, list):
                found.extend(v for v in value if isinstance(v, str))
            else:
                found.extend(_scripts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_scripts(item))
    return found


def _invocations(script: str) -> list[list[str]]:
    """The argv of each `verifier ...` command, shell redirections dropped."""
    joined = script.replace("\\\n", " ")
    commands = []
    for line in joined.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = shlex.split(part.strip(), comments=True)
            if words[:1] == ["verifier"]:
                argv = []
                skip = False
                for word in words[1:]:
                    if skip:
                        skip = False
                        continue
                    if word in (">", ">>", "2>", "<"):
                        skip = True
                        continue
                    argv.append(word)
                commands.append(argv)
    return commands


def _parse(argv: list[str]) -> None:
    """Resolve the command chain and parse every level's options, as click would run it."""
    command = typer.main.get_command(app)
    ctx = command.make_context("verifier", list(argv), resilient_parsing=False)
    while hasattr(command, "resolve_command"):  # a group: descend into the subcommand
        name, sub, rest = command.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
        assert sub is not None, f"unknown command {name!r}"
        ctx = sub.make_context(name or "", list(rest), parent=ctx)
        command = sub


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} == {"github-actions.yml", "gitlab-ci.yml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_every_verifier_invocation_is_valid(example: Path) -> None:
    document = yaml.safe_load(example.read_text())
    invocations = [argv for s in _scripts(document) for argv in _invocations(s)]
    assert len(invocations) >= 4, "the example should exercise the CLI"
    for argv in invocations:
        try:
            _parse(argv)
        except UsageError as exc:
            pytest.fail(f"{example.name}: verifier {' '.join(argv)}: {exc.format_message()}")


def test_an_invalid_invocation_is_caught() -> None:
    with pytest.raises(UsageError):
        _parse(["release", "repro.toml", "--versoin", "1.0.0"])
