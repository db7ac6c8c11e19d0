"""Groups `verifier --help` lists commands in, in the order a user meets them."""

from __future__ import annotations

import typer
from typer.models import CommandInfo, DefaultPlaceholder, TyperInfo

_SBOM_SIGN_STORE = (
    "sbom", "keygen", "sign", "attest", "verify", "verify-attestation",
    "push", "attach", "pull", "discover", "copy",
)  # fmt: skip

PANELS: dict[str, tuple[str, ...]] = {
    "Release and admit": ("release", "releases", "rollback-check", "admit", "policy", "serve"),
    "Rebuild and compare": ("rebuild", "pin", "diff", "stabilizers", "infer-recipe"),
    "SBOMs, signatures, evidence": _SBOM_SIGN_STORE,
    "Audit": ("audit", "pins"),
    "Peers": ("conformance",),
}


def _text(value: object) -> str | None:
    if isinstance(value, DefaultPlaceholder):
        value = value.value
    return value if isinstance(value, str) and value else None


def _name(info: CommandInfo | TyperInfo) -> str:
    """The name the command is invoked by (typer derives it when it was not given)."""
    name = _text(info.name)
    if name is not None:
        return name
    if isinstance(info, TyperInfo):
        instance = info.typer_instance
        return (_text(instance.info.name) if instance is not None else None) or ""
    callback = info.callback
    return callback.__name__.replace("_", "-") if callback is not None else ""


def assign_panels(app: typer.Typer) -> None:
    """Put every command and group in its help panel, in PANELS order; unlisted ones last."""
    order = [command for commands in PANELS.values() for command in commands]
    panel_of = {command: panel for panel, commands in PANELS.items() for command in commands}

    def rank(info: CommandInfo | TyperInfo) -> int:
        name = _name(info)
        return order.index(name) if name in panel_of else len(order)

    # typer lists commands (and panels) in registration order: sort the registrations.
    app.registered_commands.sort(key=rank)
    app.registered_groups.sort(key=rank)
    infos: list[CommandInfo | TyperInfo] = [*app.registered_commands, *app.registered_groups]
    for info in infos:
        panel = panel_of.get(_name(info))
        if panel is not None:
            info.rich_help_panel = panel
