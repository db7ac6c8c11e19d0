"""Pins, tampering, failing and hanging builds, and a missing sandbox."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.rebuild.conftest import rebuild, require_bwrap, run_cli
from verifier.digest import tree_digest


def _script_recipe(tmp_path: Path, script: str, *, timeout: int = 60, pin: bool = True) -> Path:
    src = tmp_path / "proj" / "src"
    src.mkdir(parents=True)
    (src / "build.sh").write_text("#!/bin/sh\nset -eu\nmkdir -p out\n" + script + "\n")
    sha = f'sha256 = "{tree_digest(src).hex}"\n' if pin else ""
    recipe = tmp_path / "proj" / "repro.toml"
    recipe.write_text(
        'version = 1\nname = "scripted"\n\n[[input]]\nname = "source"\npath = "src"\n'
        f'dest = "."\n{sha}\n[build]\ncommand = ["sh", "build.sh"]\noutputs = ["out/*"]\n'
        f"source_date_epoch = 1700000000\ntimeout = {timeout}\n"
    )
    return recipe


def test_unpinned_inputs_are_listed_with_the_line_to_add(tmp_path: Path) -> None:
    recipe = _script_recipe(tmp_path, "echo hi > out/a", pin=False)
    with recipe.open("a") as f:
        f.write('\n[[input]]\nname = "extra"\nurl = "https://example.invalid/x.tgz"\n')
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 2
    expected = tree_digest(recipe.parent / "src").hex
    assert f"input 'source': add sha256 = \"{expected}\"" in outcome.stderr
    assert "input 'extra': add sha256" in outcome.stderr
    assert "2 unpinned input(s)" in outcome.stderr
    assert "Traceback" not in outcome.stderr
    assert not (tmp_path / "out").exists()


def test_tampered_input_is_refused_before_building(tmp_path: Path) -> None:
    recipe = _script_recipe(tmp_path, "echo hi > out/a")
    before = tree_digest(recipe.parent / "src")
    (recipe.parent / "src" / "build.sh").write_text("#!/bin/sh\necho evil\n")
    after = tree_digest(recipe.parent / "src")
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 1
    assert "input 'source' does not match its pin" in outcome.stderr
    assert f"expected {before}, got {after}; nothing was built" in outcome.stderr
    assert not (tmp_path / "out").exists()


def test_failing_build_is_build_failed_with_log_path(tmp_path: Path) -> None:
    require_bwrap()
    recipe = _script_recipe(tmp_path, "echo compiling; echo 'error: boom' >&2; exit 3")
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 1
    report = outcome.report
    assert report["verdict"] == "BUILD_FAILED"
    assert {b["exitCode"] for b in report["builds"]} == {3}
    log = Path(report["builds"][0]["log"])
    assert "error: boom" in log.read_text()
    assert re.search(
        r"build 1 failed: build command exited with status 3; log: .*build.log", outcome.stderr
    )


def test_hanging_build_is_killed_at_the_time_limit(tmp_path: Path) -> None:
    require_bwrap()
    recipe = _script_recipe(tmp_path, "sleep 600 & wait")
    outcome = rebuild(recipe, tmp_path / "out", "--timeout", "2", "--builds", "2")
    assert outcome.exit_code == 3, outcome.stderr
    report = outcome.report
    assert report["verdict"] == "BUILD_FAILED"
    assert {b["status"] for b in report["builds"]} == {"timed out"}
    assert "killed after the 2s time limit" in outcome.stderr


def test_output_glob_matching_nothing_is_missing(tmp_path: Path) -> None:
    require_bwrap()
    recipe = _script_recipe(tmp_path, "echo hi > out/a")
    recipe.write_text(
        recipe.read_text().replace('outputs = ["out/*"]', 'outputs = ["out/*", "dist/*.whl"]')
    )
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 1
    verdicts = {o["name"]: o["verdict"] for o in outcome.report["outputs"]}
    assert verdicts == {"dist/*.whl": "MISSING", "out/a": "REPRODUCED"}


def test_output_present_in_only_one_build_is_missing(tmp_path: Path) -> None:
    require_bwrap()
    recipe = _script_recipe(
        tmp_path, 'echo a > out/a\nif [ "$(hostname)" != builder ]; then echo b > out/b; fi'
    )
    outcome = rebuild(recipe, tmp_path / "out")
    verdicts = {o["name"]: (o["verdict"], o["reason"]) for o in outcome.report["outputs"]}
    assert verdicts["out/b"] == ("MISSING", "absent from build(s) 1")
    assert outcome.exit_code == 1


def test_missing_sandbox_refuses_unless_unsafe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipe = _script_recipe(tmp_path, "echo hi > out/a")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    for tool in ("sh", "git"):
        found = shutil.which(tool)
        if found:
            (empty / tool).symlink_to(found)
    monkeypatch.setenv("PATH", str(empty))
    refused = rebuild(recipe, tmp_path / "out")
    assert refused.exit_code == 3
    assert "bwrap (bubblewrap) is not installed" in refused.stderr
    assert "--unsafe-no-sandbox" in refused.stderr
    allowed = rebuild(recipe, tmp_path / "out", "--unsafe-no-sandbox")
    assert allowed.exit_code == 0, allowed.stderr
    report = allowed.report
    assert report["sandbox"] == "none (--unsafe-no-sandbox)"
    statuses = report["builds"][1]["variations"]["status"]
    assert statuses["hostname"].startswith("unavailable: needs the bwrap sandbox")
    assert statuses["wall_clock"].startswith("unavailable: faketime is not installed")
    assert "variations not applied" in allowed.stderr
    vsa = (tmp_path / "out" / "rebuild.vsa.json").read_text()
    assert '"sandbox": "none (--unsafe-no-sandbox)"' in vsa


def test_builds_run_concurrently(tmp_path: Path) -> None:
    """Each build waits until both exist; run one after the other, the first would time out."""
    rendezvous = tmp_path / "rendezvous"
    rendezvous.mkdir()
    recipe = _script_recipe(
        tmp_path,
        f'touch {rendezvous}/"$(basename "$HOME")-$$"\n'
        f'while [ "$(ls {rendezvous} | wc -l)" -lt 2 ]; do sleep 0.1; done\necho ok > out/a',
        timeout=20,
    )
    outcome = rebuild(recipe, tmp_path / "out", "--unsafe-no-sandbox", "--jobs", "2")
    assert outcome.exit_code == 0, outcome.stderr
    assert len(list(rendezvous.iterdir())) == 2


def test_bad_usage_is_exit_2(tmp_path: Path) -> None:
    recipe = _script_recipe(tmp_path, "echo hi > out/a")
    assert run_cli("rebuild", str(recipe), "--builds", "0").exit_code == 2
    unknown = run_cli("rebuild", str(recipe), "--no-vary", "colour")
    assert unknown.exit_code == 2
    assert "unknown variation 'colour'" in unknown.stderr
    assert run_cli("rebuild", str(tmp_path / "nope.toml")).exit_code == 2


def test_outputs_behind_a_symlinked_directory_outside_the_build_are_not_read(
    tmp_path: Path,
) -> None:
    # The build runs sandboxed, but outputs are collected on the host afterwards: a directory
    # symlink the build made (out/host -> a host directory) used to be followed, copying host
    # files into the evidence as REPRODUCED outputs.
    require_bwrap()
    host = tmp_path / "host"
    host.mkdir()
    (host / "secret").write_text("host only\n")
    recipe = _script_recipe(tmp_path, f"echo a > out/a\nln -s {host} out/host")
    outcome = rebuild(recipe, tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    assert [o["name"] for o in outcome.report["outputs"]] == ["out/a"]
    assert not list((tmp_path / "out").rglob("secret"))
