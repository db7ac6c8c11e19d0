"""repro.toml inputs, read with the recipe parser rebuild uses."""

from __future__ import annotations

from collections.abc import Callable

from verifier.pins.finding import Finding

Scan = Callable[[str, str], tuple[Finding, ...]]
HEX = "f" * 64

RECIPE = f"""\
version = 1
name = "r"

[[input]]
name = "pinned"
url = "https://example.com/a.tgz"
sha256 = "{HEX}"

[[input]]
name = "nohash"
path = "src"

[[input]]
name = "nocommit"
git = "https://example.com/r.git"
sha256 = "{HEX}"

[build]
command = ["make"]
outputs = ["out"]
source_date_epoch = 0
"""


def test_unpinned_recipe_inputs(scan_text: Scan) -> None:
    findings = scan_text("sub/repro.toml", RECIPE)
    assert [(f.path, f.line, f.kind.value, f.reference) for f in findings] == [
        ("sub/repro.toml", 9, "recipe-input", "nohash (path: src)"),
        ("sub/repro.toml", 13, "recipe-input", "nocommit (git: https://example.com/r.git)"),
    ]
    assert "commit" in findings[1].hint


def test_a_recipe_the_parser_refuses_is_unreadable(scan_text: Scan) -> None:
    findings = scan_text("repro.toml", RECIPE.replace('name = "nohash"', 'name = "no hash"'))
    assert [(f.line, f.kind.value) for f in findings] == [(10, "unreadable")]
    assert "must be letters" in findings[0].reference
    findings = scan_text("repro.toml", "version = [\n")
    assert [f.kind.value for f in findings] == ["unreadable"]
    assert findings[0].reference.startswith("invalid TOML")
