"""One :class:`~verifier.pins.interface.PinScanner` per kind of build file."""

from __future__ import annotations

from verifier.pins.interface import PinScanner
from verifier.pins.scanners.compose import ComposeScanner
from verifier.pins.scanners.dockerfile import DockerfileScanner
from verifier.pins.scanners.github_actions import GitHubActionsScanner
from verifier.pins.scanners.gitlab_ci import GitLabCIScanner
from verifier.pins.scanners.helm_values import HelmValuesScanner
from verifier.pins.scanners.kubernetes import KubernetesScanner
from verifier.pins.scanners.kustomize import KustomizeScanner
from verifier.pins.scanners.npm import NpmScanner
from verifier.pins.scanners.recipe import RecipeScanner
from verifier.pins.scanners.requirements import RequirementsScanner
from verifier.pins.scanners.shell_scripts import ShellScriptScanner


def all_scanners() -> tuple[PinScanner, ...]:
    """Every scanner, in a fixed order."""
    return (
        DockerfileScanner(),
        GitHubActionsScanner(),
        GitLabCIScanner(),
        ComposeScanner(),
        KubernetesScanner(),
        KustomizeScanner(),
        HelmValuesScanner(),
        RequirementsScanner(),
        NpmScanner(),
        ShellScriptScanner(),
        RecipeScanner(),
    )
