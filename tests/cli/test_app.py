"""The error edge of every command: messages print exactly as the library wrote them."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from typer.testing import CliRunner

from verifier.cli import app
from verifier.cli.app import run_command


def test_emoji_codes_in_messages_are_printed_as_written(tmp_path: Path) -> None:
    missing = tmp_path / "x:thumbs_up:y"
    result = CliRunner().invoke(app, ["policy", "lint", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {missing}: no such policy file or directory"


def test_a_library_warning_is_one_prefixed_line() -> None:
    def body() -> int:
        logging.getLogger("sigstore.models").warning("this bundle contains a root CA")
        return 0

    command = typer.Typer()
    command.command()(lambda: run_command(body))
    result = CliRunner().invoke(command, [])
    assert result.exit_code == 0
    assert result.stderr == "warning: this bundle contains a root CA\n"
