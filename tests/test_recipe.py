from __future__ import annotations

from pathlib import Path

import pytest

from verifier.errors import InputError
from verifier.recipe import InputKind, load_recipe

GOOD = """\
version = 1
name = "demo"

[[input]]
name = "source"
path = "src"
sha256 = "{hex}"

[[input]]
name = "vendor"
url = "https://example.invalid/v.tar.gz"
sha256 = "{hex}"
unpack = true
strip = 1
dest = "vendor"

[toolchain]
requirements = ["flit_core==3.9.0 --hash=sha256:{hex}"]

[build]
command = ["python", "build.py"]
outputs = ["dist/*.whl"]
source_date_epoch = 1700000000
env = {{ LC_ALL = "C.UTF-8" }}
"""
HEX = "ab" * 32


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "repro.toml"
    path.write_text(text)
    return path


def test_valid_recipe_parses(tmp_path: Path) -> None:
    recipe = load_recipe(_write(tmp_path, GOOD.format(hex=HEX)))
    assert recipe.name == "demo"
    assert [i.kind for i in recipe.inputs] == [InputKind.PATH, InputKind.URL]
    assert recipe.inputs[1].dest == "vendor" and recipe.inputs[1].strip == 1
    assert recipe.inputs[0].line == 4
    assert recipe.build.command == ("python", "build.py")
    assert recipe.build.env == {"LC_ALL": "C.UTF-8"}
    assert recipe.toolchain is not None
    assert recipe.build.timeout == 900.0


def test_directory_argument_finds_repro_toml(tmp_path: Path) -> None:
    _write(tmp_path, GOOD.format(hex=HEX))
    assert load_recipe(tmp_path).name == "demo"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("version = 1", "version = 7"), r"repro.toml:1: version: must be 1 \(got 7\)"),
        (('name = "demo"', 'name = "bad name"'), r"repro.toml:2: name: 'bad name' must be"),
        (
            ('path = "src"', 'path = "../outside"\ndest = "../x"'),
            r"repro.toml:\d+: input.dest: '../x' must be a relative path",
        ),
        (
            ('url = "https://example.invalid/v.tar.gz"', 'url = "http://plain.invalid/x"'),
            r"repro.toml:11: input.url: .*only https:// and file://",
        ),
        (
            (
                f'sha256 = "{HEX}"\n\n[[input]]\nname = "vendor"',
                'sha256 = "xyz"\n\n[[input]]\nname = "vendor"',
            ),
            r"repro.toml:7: input.sha256: 'xyz' is not 64 lowercase hex",
        ),
        (
            ("flit_core==3.9.0 --hash", "flit_core>=3.9 --hash"),
            r"repro.toml:\d+: toolchain.requirements: .*pinned with its hash",
        ),
        (
            ('command = ["python", "build.py"]', 'command = "python build.py"'),
            r"repro.toml:21: build.command: must be a list",
        ),
        (
            ("source_date_epoch = 1700000000", "source_date_epoch = 'yesterday'"),
            r"repro.toml:23: build.source_date_epoch: must be seconds",
        ),
        (("source_date_epoch = 1700000000", ""), r"build.source_date_epoch: is required"),
        (("outputs = [", "outputz = ["), r"build.outputz: unknown field"),
        (("[build]", "[biuld]"), r"repro.toml:\d+: biuld: unknown field"),
        (('name = "vendor"', 'name = "source"'), r"input name 'source' is used more than once"),
        (("strip = 1", "strip = -1"), r"input.strip: must be a non-negative integer"),
    ],
)
def test_malformed_recipes_name_file_line_and_field(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = GOOD.format(hex=HEX).replace(*change, 1)
    with pytest.raises(InputError, match=message):
        load_recipe(_write(tmp_path, text))


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"repro.toml: invalid TOML: .*line 2"):
        load_recipe(_write(tmp_path, 'version = 1\nname = "x\n'))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read recipe"):
        load_recipe(tmp_path / "nope.toml")


def test_git_input_requires_full_commit(tmp_path: Path) -> None:
    text = GOOD.format(hex=HEX).replace(
        'path = "src"', 'git = "https://example.invalid/r.git"\ncommit = "abc123"'
    )
    with pytest.raises(InputError, match=r"input.commit: 'abc123' must be a full"):
        load_recipe(_write(tmp_path, text))


def test_toolchain_digest_ignores_order_and_spacing(tmp_path: Path) -> None:
    a = GOOD.format(hex=HEX).replace(
        f'requirements = ["flit_core==3.9.0 --hash=sha256:{HEX}"]',
        f'requirements = ["a==1 --hash=sha256:{HEX}", "b==2  --hash=sha256:{HEX}"]',
    )
    b = a.replace(
        f'["a==1 --hash=sha256:{HEX}", "b==2  --hash=sha256:{HEX}"]',
        f'["b==2 --hash=sha256:{HEX}", "a==1 --hash=sha256:{HEX}"]',
    )
    ra = load_recipe(_write(tmp_path, a))
    rb = load_recipe(_write(tmp_path, b))
    assert ra.toolchain and rb.toolchain
    assert ra.toolchain.digest == rb.toolchain.digest
