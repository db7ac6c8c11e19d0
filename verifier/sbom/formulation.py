"""CycloneDX ``formulation``: how the subject was (re)built, from a recipe and its pinned inputs.

cyclonedx-python-lib has no formulation model, so the formula is added to the serialized JSON
and the whole document is validated afterwards (``build_sbom`` does that).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sbom.document import Json, with_serial
from verifier.sbom.spec import SpecVersion


@dataclass(frozen=True)
class PinnedInput:
    """One input of a rebuild, pinned by its sha256 (a source archive, a lock file, a toolchain)."""

    name: str
    uri: str
    sha256: Digest

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("pinned input without a name")
        if self.sha256.algorithm is not Algorithm.SHA256:
            raise InputError(f"pinned input {self.name!r}: digest must be sha256")


@dataclass(frozen=True)
class RebuildRecipe:
    """What a rebuild ran: the recipe (by name and digest), its inputs, command and environment."""

    name: str
    digest: Digest
    inputs: tuple[PinnedInput, ...]
    command: tuple[str, ...]
    environment: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("recipe without a name")
        if not self.command:
            raise InputError(f"recipe {self.name!r} has an empty build command")
        names = [i.name for i in self.inputs]
        if len(names) != len(set(names)):
            raise InputError(f"recipe {self.name!r} names an input twice")


def formula_json(recipe: RebuildRecipe) -> Json:
    """The ``formulation[0]`` object for ``recipe``."""
    recipe_ref = f"formulation:recipe:{recipe.digest}"
    components: list[Json] = [
        {
            "type": "file",
            "bom-ref": recipe_ref,
            "name": recipe.name,
            "hashes": [{"alg": _alg(recipe.digest), "content": recipe.digest.hex}],
        }
    ]
    inputs: list[Json] = []
    for pinned in sorted(recipe.inputs, key=lambda i: i.name):
        ref = f"formulation:input:{pinned.name}"
        components.append(
            {
                "type": "file",
                "bom-ref": ref,
                "name": pinned.name,
                "hashes": [{"alg": "SHA-256", "content": pinned.sha256.hex}],
                "externalReferences": [{"type": "distribution", "url": pinned.uri}],
            }
        )
        inputs.append({"resource": {"ref": ref}})
    if recipe.environment:
        inputs.append(
            {"environmentVars": [{"name": k, "value": v} for k, v in sorted(recipe.environment)]}
        )
    workflow: Json = {
        "bom-ref": f"formulation:workflow:{recipe.digest}",
        "uid": str(recipe.digest),
        "name": f"rebuild {recipe.name}",
        "resourceReferences": [{"ref": recipe_ref}],
        "taskTypes": ["build"],
        "steps": [{"name": "build", "commands": [{"executed": shlex.join(recipe.command)}]}],
    }
    if inputs:
        workflow["inputs"] = inputs
    return {
        "bom-ref": f"formulation:{recipe.digest}",
        "components": components,
        "workflows": [workflow],
    }


def _alg(digest: Digest) -> str:
    return "SHA-256" if digest.algorithm is Algorithm.SHA256 else "SHA-512"


def add_formulation(document: Json, recipe: RebuildRecipe, spec_version: SpecVersion) -> Json:
    """A copy of ``document`` with ``formulation`` set and its serial number recomputed."""
    body: dict[str, Any] = {
        k: v
        for k, v in document.items()
        if k not in ("$schema", "bomFormat", "specVersion", "serialNumber", "version")
    }
    body["formulation"] = [formula_json(recipe)]
    return with_serial(body, spec_version)
