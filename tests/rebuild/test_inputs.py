"""Inputs from git and URLs, `verifier pin`, and comparing against a published artifact."""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.rebuild.conftest import rebuild, require_bwrap, run_cli
from verifier.digest import hash_file
from verifier.recipe import load_recipe

BUILD = '[build]\ncommand = ["sh", "build.sh"]\noutputs = ["out/*"]\n'


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_DATE": "@1650000000 +0000",
        "GIT_COMMITTER_DATE": "@1650000000 +0000",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, env=env, text=True
    )
    return done.stdout.strip()


def test_git_input_pinned_by_commit_and_tree(tmp_path: Path) -> None:
    require_bwrap()
    repo = tmp_path / "upstream"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "build.sh").write_text('mkdir -p out && echo "$SOURCE_DATE_EPOCH" > out/sde.txt\n')
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one")
    commit = _git(repo, "rev-parse", "HEAD")
    recipe = tmp_path / "repro.toml"
    recipe.write_text(
        f'version = 1\nname = "fromgit"\n\n[[input]]\nname = "src"\ngit = "upstream"\n'
        f'commit = "{commit}"\n\n{BUILD}source_date_epoch = "git:src"\n'
    )
    pinned = run_cli("pin", str(recipe))
    assert pinned.exit_code == 0, pinned.stderr
    assert load_recipe(recipe).inputs[0].sha256 is not None
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.report["sourceDateEpoch"] == 1650000000
    assert (
        tmp_path / "out" / "build-1" / "outputs" / "out" / "sde.txt"
    ).read_text() == "1650000000\n"
    assert outcome.report["inputs"][0]["uri"] == f"git+upstream@{commit}"
    # A new commit on the branch does not change what the pinned commit builds...
    (repo / "build.sh").write_text("echo changed\n")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "two")
    assert rebuild(recipe, tmp_path / "out2").exit_code == 0
    # ...and a pin that does not match the checked-out tree is refused.
    text = recipe.read_text()
    pin = load_recipe(recipe).inputs[0].sha256
    assert pin is not None
    recipe.write_text(text.replace(pin.hex, "0" * 64))
    refused = rebuild(recipe, tmp_path / "out3")
    assert refused.exit_code == 1
    assert "input 'src' does not match its pin" in refused.stderr


def test_url_input_downloaded_checked_and_unpacked(tmp_path: Path) -> None:
    require_bwrap()
    payload = tmp_path / "payload"
    (payload / "pkg-1.0").mkdir(parents=True)
    (payload / "pkg-1.0" / "build.sh").write_text("mkdir -p out && cp data.txt out/\n")
    (payload / "pkg-1.0" / "data.txt").write_text("data\n")
    archive = tmp_path / "pkg-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(payload / "pkg-1.0", arcname="pkg-1.0")
    recipe = tmp_path / "repro.toml"
    recipe.write_text(
        f'version = 1\nname = "fromurl"\n\n[[input]]\nname = "sdist"\nurl = "{archive.as_uri()}"\n'
        f"unpack = true\nstrip = 1\n\n{BUILD}source_date_epoch = 1\n"
    )
    assert run_cli("pin", str(recipe)).exit_code == 0
    assert load_recipe(recipe).inputs[0].sha256 == hash_file(archive)
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.report["outputs"][0]["name"] == "out/data.txt"


def test_pin_fills_missing_pins_and_then_has_nothing_to_do(tmp_path: Path) -> None:
    project = tmp_path / "tarball"
    shutil.copytree(FIXTURES / "tarball", project)
    recipe = project / "repro.toml"
    original = recipe.read_text()
    recipe.write_text(
        "\n".join(ln for ln in original.splitlines() if not ln.startswith("sha256")) + "\n"
    )
    first = run_cli("pin", str(recipe))
    assert first.exit_code == 0
    assert "1 pin(s) written" in first.stderr
    assert recipe.read_text() == original
    second = run_cli("pin", str(recipe))
    assert "every input already pinned" in second.stderr


@pytest.mark.parametrize("kind", ["symlink-loop", "fifo-in-tree"])
def test_pin_refuses_an_input_that_cannot_be_copied(tmp_path: Path, kind: str) -> None:
    # A symlink loop or a named pipe in an input tree is bad input (exit 2, one line naming
    # the recipe, the input and the file), not an internal error.
    if kind == "symlink-loop":
        (tmp_path / "src").symlink_to("src")
        bad = tmp_path / "src"
    else:
        (tmp_path / "src").mkdir()
        bad = tmp_path / "src" / "pipe"
        os.mkfifo(bad)
    recipe = tmp_path / "repro.toml"
    recipe.write_text(
        'version = 1\nname = "x"\n\n[[input]]\nname = "src"\npath = "src"\n\n'
        f"{BUILD}source_date_epoch = 1\n"
    )
    pinned = run_cli("pin", str(recipe))
    assert pinned.exit_code == 2, pinned.stderr
    error = [line for line in pinned.stderr.splitlines() if line.startswith("error:")]
    assert error == [error[0]]
    assert f"{recipe}:4: input 'src': cannot copy {bad}:" in error[0]
    rebuilt = rebuild(recipe, tmp_path / "out")
    assert rebuilt.exit_code == 2
    assert f"input 'src': cannot copy {bad}:" in rebuilt.stderr


def test_against_reference_artifact(tmp_path: Path) -> None:
    require_bwrap()
    recipe = FIXTURES / "tarball" / "repro.toml"
    first = rebuild(recipe, tmp_path / "first")
    published = tmp_path / "published" / "payload.tar.gz"
    published.parent.mkdir()
    shutil.copy(tmp_path / "first" / "build-1" / "outputs" / "out" / "payload.tar.gz", published)
    same = rebuild(recipe, tmp_path / "second", "--against", str(published))
    assert same.exit_code == 0, same.stderr
    assert same.report["outputs"][0]["reference"] == first.report["outputs"][0]["digests"][0]
    assert "and the reference" in same.report["outputs"][0]["reason"]
    published.write_bytes(published.read_bytes() + b"\0")
    different = rebuild(recipe, tmp_path / "third", "--against", str(published))
    assert different.exit_code == 1
    output = different.report["outputs"][0]
    assert output["verdict"] == "MISMATCH"
    assert output["reason"] == "build 1 differs from the reference"
    unrelated = tmp_path / "other.bin"
    unrelated.write_bytes(b"x")
    assert rebuild(recipe, tmp_path / "fourth", "--against", str(unrelated)).exit_code == 2
