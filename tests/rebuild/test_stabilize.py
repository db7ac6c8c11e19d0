"""`verifier rebuild --stabilize`: EQUIVALENT is opt-in, named, and listed member by member."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.rebuild.conftest import rebuild, require_bwrap

NAIVE = FIXTURES / "tarball-naive" / "repro.toml"


def _vsa(out: Path) -> dict:  # type: ignore[type-arg]
    return json.loads((out / "rebuild.vsa.json").read_text())["predicate"]  # type: ignore[no-any-return]


def test_equivalent_only_with_the_stabilizers_opted_into(tmp_path: Path) -> None:
    require_bwrap()
    plain = rebuild(NAIVE, tmp_path / "plain")
    assert plain.exit_code == 1 and plain.report["verdict"] == "MISMATCH"
    stabilized = rebuild(NAIVE, tmp_path / "tar", "--stabilize", "tar")
    assert stabilized.exit_code == 0, stabilized.stderr
    (output,) = stabilized.report["outputs"]
    assert output["verdict"] == "EQUIVALENT"
    assert output["digests"][0] != output["digests"][1]
    applied = output["stabilizers"]
    assert set(applied) == {"tar-file-order@1", "tar-time@1", "tar-owners@1", "tar-file-mode@1"}
    assert applied["tar-file-mode@1"] == ["payload/VERSION_DATE"]
    assert "payload/hello.txt" in applied["tar-owners@1"]
    # The statement carries the same evidence, and the policy names the stabilizer set.
    vsa, plain_vsa = _vsa(tmp_path / "tar"), _vsa(tmp_path / "plain")
    assert vsa["verificationResult"] == "PASSED"
    (statement_output,) = vsa["rebuild"]["outputs"]
    assert statement_output["verdict"] == "EQUIVALENT"
    assert statement_output["stabilizers"] == applied
    assert vsa["rebuild"]["stabilizersRequested"] == [
        "tar-file-order@1",
        "tar-time@1",
        "tar-file-mode@1",
        "tar-owners@1",
        "tar-xattrs@1",
        "tar-device-number@1",
    ]
    assert vsa["policy"]["digest"] != plain_vsa["policy"]["digest"]
    # People see EQUIVALENT and the stabilizers, not REPRODUCED.
    assert "EQUIVALENT tarball-naive (after stabilizers tar-file-mode@1" in stabilized.stderr
    assert "REPRODUCED" not in stabilized.stderr


def test_too_few_stabilizers_still_mismatch(tmp_path: Path) -> None:
    """Time alone does not explain the naive tarball: owners and order remain, named."""
    require_bwrap()
    outcome = rebuild(NAIVE, tmp_path / "out", "-s", "tar-time")
    assert outcome.exit_code == 1
    (output,) = outcome.report["outputs"]
    assert output["verdict"] == "MISMATCH"
    assert "tar-time@1" in output["stabilizers"]
    causes = {c["cause"] for c in output["causes"]}
    assert "user" in causes and "timestamps" not in causes


def test_unknown_stabilizer_is_a_usage_error(tmp_path: Path) -> None:
    outcome = rebuild(NAIVE, tmp_path / "out", "--stabilize", "zip-everything")
    assert outcome.exit_code == 2
    assert "unknown stabilizer 'zip-everything'" in outcome.stderr


BUILD_SH = """\
set -eu
# os.stat, as backends read file times
STAT='import os; s = os.stat("data/f.txt"); print(int(s.st_mtime), oct(s.st_mode & 0o777)[2:])'
mkdir -p out
{ echo "sde=${SOURCE_DATE_EPOCH-unset}"; umask; python3 -c "$STAT"; } > out/env.txt
"""


@pytest.fixture
def settings_project(tmp_path: Path) -> Path:
    """A project whose output records what the build saw: SOURCE_DATE_EPOCH, umask, mtimes."""
    import tarfile

    project = tmp_path / "project"
    project.mkdir()
    (project / "build.sh").write_text(BUILD_SH)
    payload = tmp_path / "f.txt"
    payload.write_text("x\n")
    with tarfile.open(project / "data.tar.gz", "w:gz") as tar:
        info = tar.gettarinfo(payload, "data-1.0/f.txt")
        info.mtime, info.mode = 1234567890, 0o664
        with payload.open("rb") as f:
            tar.addfile(info, f)
    return project


def test_no_source_date_epoch_and_recipe_umask(settings_project: Path, tmp_path: Path) -> None:
    require_bwrap()
    from verifier.digest import hash_file

    digest = hash_file(settings_project / "data.tar.gz").hex
    (settings_project / "repro.toml").write_text(
        f"""version = 1
name = "settings"

[[input]]
name = "script"
path = "build.sh"
sha256 = "{hash_file(settings_project / "build.sh").hex}"

[[input]]
name = "data"
path = "data.tar.gz"
sha256 = "{digest}"
unpack = true
strip = 1
dest = "data"

[build]
command = ["sh", "build.sh"]
outputs = ["out/env.txt"]
source_date_epoch = "none"
umask = "0002"
"""
    )
    outcome = rebuild(settings_project / "repro.toml", tmp_path / "out")
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.report["verdict"] == "REPRODUCED"
    # No SOURCE_DATE_EPOCH; the recipe's umask; the archive's mtime and mode less the umask,
    # in every build (the wall-clock variation does not move input file times here).
    env = (tmp_path / "out" / "build-2" / "outputs" / "out" / "env.txt").read_text()
    assert env == "sde=unset\n0002\n1234567890 664\n"
    builds = outcome.report["builds"]
    assert builds[1]["variations"]["status"]["umask"] == "set by recipe (umask)"
    assert builds[1]["variations"]["umask"] == "0002"
    assert outcome.report["sourceDateEpoch"] == "none"
    provenance = json.loads((tmp_path / "out" / "build-1" / "provenance.json").read_text())
    predicate = provenance["predicate"]
    build = predicate["buildDefinition"]["externalParameters"]["recipe"]["build"]
    assert build["sourceDateEpoch"] == "none" and build["umask"] == "0002"
    assert predicate["buildDefinition"]["internalParameters"]["sourceDateEpoch"] == "none"
