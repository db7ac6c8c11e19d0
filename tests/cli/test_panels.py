from __future__ import annotations

from typer.testing import CliRunner

from verifier.cli import app
from verifier.cli.panels import PANELS, _name


def test_every_command_has_a_help_panel() -> None:
    listed = {c for commands in PANELS.values() for c in commands}
    registered = {_name(i) for i in [*app.registered_commands, *app.registered_groups]}
    assert registered == listed


def test_help_lists_the_release_panel_first() -> None:
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "120"}).stdout
    panels = [line for line in out.splitlines() if line.startswith("╭─")]
    assert [p.split("─ ")[1].split(" ─")[0] for p in panels[1:]] == list(PANELS)
