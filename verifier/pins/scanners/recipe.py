"""``repro.toml`` recipes: every input needs its sha256 (and a git input its commit).

The recipe is parsed by :func:`verifier.recipe.load_recipe`, the same parser ``verifier
rebuild`` uses; a recipe it refuses is an ``unreadable`` finding carrying its message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from verifier.errors import InputError
from verifier.pins.finding import Finding, FindingKind
from verifier.pins.interface import SourceFile
from verifier.recipe import InputKind, load_recipe

_LINE_RE = re.compile(r"^[^:]+:(\d+): ")


class RecipeScanner:
    """``repro.toml``."""

    name = "repro.toml"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """Recipe file name."""
        return path.name == "repro.toml"

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Inputs without a digest."""
        try:
            recipe = load_recipe(source.path)
        except InputError as exc:
            # The message starts with the path (and line) as load_recipe saw it; keep the rest.
            message = str(exc)
            match = _LINE_RE.match(message)
            problem = message[match.end() :] if match else message.split(": ", 1)[-1]
            yield source.unreadable(int(match.group(1)) if match else 1, problem)
            return
        for spec in recipe.inputs:
            if spec.pinned:
                continue
            hint = ""
            if spec.kind is InputKind.GIT and not spec.commit:
                hint = 'add commit = "<40-hex commit>", then run verifier pin for its sha256'
            yield source.finding(
                spec.line,
                FindingKind.RECIPE_INPUT,
                f"{spec.name} ({spec.kind.value}: {spec.location})",
                hint,
            )
