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
            r"repro.toml:11: input.url: .*only https://, file:// and http:// to a loopback",
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
        (
            ("source_date_epoch = 1700000000", 'source_date_epoch = "none"\numask = "22"'),
            r"repro.toml:24: build.umask: '22' must be an octal string",
        ),
        (
            ("source_date_epoch = 1700000000", 'source_date_epoch = "none"\numask = 18'),
            r"build.umask: 18 must be an octal string",
        ),
        (
            (
                'source_date_epoch = 1700000000\nenv = { LC_ALL = "C.UTF-8" }',
                'source_date_epoch = "none"\nenv = { SOURCE_DATE_EPOCH = "1" }',
            ),
            r"build.env: sets SOURCE_DATE_EPOCH although source_date_epoch = 'none'",
        ),
        (
            ("source_date_epoch = 1700000000", 'source_date_epoch = "None"'),
            r"build.source_date_epoch: must be seconds since 1970, 'git:<input name>' or 'none'",
        ),
        (
            ("requirements = [", 'index_url = "http://pypi.example/simple"\nrequirements = ['),
            r"toolchain.index_url: 'http://pypi.example/simple': only https://",
        ),
        (
            ("requirements = [", "find_links = [1]\nrequirements = ["),
            r"toolchain.find_links: must be a path or URL",
        ),
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


def test_no_source_date_epoch_and_umask(tmp_path: Path) -> None:
    text = GOOD.format(hex=HEX).replace(
        "source_date_epoch = 1700000000", 'source_date_epoch = "none"\numask = "0002"'
    )
    build = load_recipe(_write(tmp_path, text)).build
    assert build.no_source_date_epoch and build.source_date_epoch is None
    assert build.source_date_epoch_text == "none"
    assert build.umask == 0o002
    plain = load_recipe(_write(tmp_path, GOOD.format(hex=HEX))).build
    assert not plain.no_source_date_epoch and plain.umask is None
    assert plain.source_date_epoch_text == 1700000000


def test_toolchain_sources(tmp_path: Path) -> None:
    text = GOOD.format(hex=HEX).replace(
        "requirements = [",
        'find_links = ["wheels", "https://example.invalid/wheels/"]\n'
        'index_url = "http://127.0.0.1:8080/simple"\nrequirements = [',
    )
    toolchain = load_recipe(_write(tmp_path, text)).toolchain
    assert toolchain is not None
    assert toolchain.find_links == (
        str((tmp_path / "wheels").resolve()),
        "https://example.invalid/wheels/",
    )
    assert toolchain.index_url == "http://127.0.0.1:8080/simple"
    single = GOOD.format(hex=HEX).replace("requirements = [", 'find_links = "w"\nrequirements = [')
    loaded = load_recipe(_write(tmp_path, single)).toolchain
    assert loaded is not None and loaded.find_links == (str((tmp_path / "w").resolve()),)
    assert loaded.digest == load_recipe(_write(tmp_path, GOOD.format(hex=HEX))).toolchain.digest  # type: ignore[union-attr]


def test_http_only_to_loopback(tmp_path: Path) -> None:
    for url, ok in [
        ("http://127.0.0.1:8000/f.tar.gz", True),
        ("http://localhost/f.tar.gz", True),
        ("http://[::1]:9/f.tar.gz", True),
        ("http://127.0.0.1.evil.example/f.tar.gz", False),
        ("http://example.invalid/f.tar.gz", False),
    ]:
        text = GOOD.format(hex=HEX).replace("https://example.invalid/v.tar.gz", url)
        if ok:
            assert load_recipe(_write(tmp_path, text)).inputs[1].location == url
        else:
            with pytest.raises(InputError, match="only https://"):
                load_recipe(_write(tmp_path, text))
