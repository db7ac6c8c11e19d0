"""``verifier pin``: compute the digests of a recipe's inputs and write them into the recipe."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verifier.digest import Digest
from verifier.rebuild.inputs import compute_pin
from verifier.recipe import Recipe, load_recipe


@dataclass(frozen=True)
class PinChange:
    """One input whose pin was added or changed."""

    name: str
    old: Digest | None
    new: Digest


_HEADER = re.compile(r"^\s*\[\[\s*input\s*\]\]\s*(#.*)?$")
_TABLE = re.compile(r"^\s*\[")
_SHA = re.compile(r'^(\s*)sha256\s*=\s*"[^"]*"(.*)$')


def _rewrite(text: str, pins: dict[int, Digest]) -> str:
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    index = -1
    pending: Digest | None = None

    def flush() -> None:
        # Insert after the table's last key, before the blank lines that separate tables.
        nonlocal pending
        if pending is not None:
            at = len(out)
            while at > 0 and not out[at - 1].strip():
                at -= 1
            out.insert(at, f'sha256 = "{pending.hex}"\n')
            pending = None

    for line in lines:
        if _HEADER.match(line):
            flush()
            index += 1
            out.append(line)
            pending = pins.get(index)
            continue
        if _TABLE.match(line):
            flush()
        match = _SHA.match(line)
        if match and pending is not None:
            out.append(f'{match.group(1)}sha256 = "{pending.hex}"{match.group(2)}\n')
            pending = None
            continue
        out.append(line)
    if out and not out[-1].endswith("\n"):
        out[-1] += "\n"
    flush()
    return "".join(out)


def pin_recipe(
    path: Path, *, update: bool = False, on_progress: Callable[[str], None] = lambda _: None
) -> tuple[Recipe, list[PinChange]]:
    """Fill in missing pins (all pins with ``update``); the recipe file is replaced atomically."""
    recipe = load_recipe(path)
    pins: dict[int, Digest] = {}
    changes: list[PinChange] = []
    for index, spec in enumerate(recipe.inputs):
        if spec.sha256 is not None and not update:
            continue
        on_progress(f"pinning {spec.name}")
        digest = compute_pin(recipe, spec)
        if digest != spec.sha256:
            pins[index] = digest
            changes.append(PinChange(spec.name, spec.sha256, digest))
    if pins:
        text = _rewrite(recipe.text, pins)
        fd, tmp = tempfile.mkstemp(dir=recipe.path.parent, prefix=".repro-", suffix=".toml")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, recipe.path.stat().st_mode & 0o777)  # noqa: PTH101
        Path(tmp).replace(recipe.path)
        recipe = load_recipe(recipe.path)
    return recipe, changes
