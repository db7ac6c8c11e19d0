"""The error edge of every command: messages print exactly as the library wrote them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from verifier.cli import app


def test_emoji_codes_in_messages_are_printed_as_written(tmp_path: Path) -> None:
    missing = tmp_path / "x:thumbs_up:y"
    result = CliRunner().invoke(app, ["policy", "lint", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {missing}: no such policy file or directory"
