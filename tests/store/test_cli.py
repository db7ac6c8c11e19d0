"""push, pull, discover and copy through the CLI, between a layout and the real registry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.store.conftest import Registry
from tests.store.helpers import CREATED, dsse_bundle
from verifier.cli import app
from verifier.store.artifacts import attach_bundle
from verifier.store.deadline import Deadline
from verifier.store.layout import LayoutStore

GOLDEN = Path(__file__).parent / "golden"


def assert_one_error(stderr: str) -> None:
    """Exactly one line of error (warnings about --unsafe-... options aside), no traceback."""
    lines = [line for line in stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767323045")  # 2026-01-02T03:04:05Z
    (tmp_path / "app.tar").write_bytes(b"application bytes\n" * 1000)
    (tmp_path / "notes.txt").write_text("release notes\n")
    return tmp_path


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("VERIFIER_REGEN_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def _ok(cli: CliRunner, args: list[str]) -> str:
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_push_pull_discover_in_the_default_layout(cli: CliRunner, work: Path) -> None:
    out = json.loads(_ok(cli, ["push", "app.tar", "notes.txt", "v1", "--json"]))
    assert (work / ".verifier" / "store" / "oci-layout").is_file()
    sbom = work / "sbom.cdx.json"
    sbom.write_text('{"bomFormat":"CycloneDX"}')
    _ok(
        cli,
        [
            "push",
            str(sbom),
            "oci-layout:.verifier/store",
            "--subject",
            "v1",
            "--artifact-type",
            "application/vnd.cyclonedx+json",
        ],
    )
    subject = LayoutStore(work / ".verifier/store", Deadline(10)).get_manifest("v1").descriptor
    attach_bundle(
        LayoutStore(work / ".verifier/store", Deadline(10)),
        subject,
        dsse_bundle("https://cyclonedx.org/bom"),
        created=CREATED,
    )
    assert out["digest"] == str(subject.digest)
    _ok(cli, ["pull", "v1", "-o", "out"])
    assert (work / "out" / "app.tar").read_bytes() == (work / "app.tar").read_bytes()
    assert (work / "out" / "notes.txt").read_text() == "release notes\n"
    _golden("discover.json", _ok(cli, ["discover", "v1", "--json"]))
    text = cli.invoke(app, ["discover", "v1"])
    assert text.exit_code == 0
    _golden("discover.txt", text.stderr)
    only = json.loads(
        _ok(cli, ["discover", "v1", "--json", "--artifact-type", "application/vnd.cyclonedx+json"])
    )
    assert [r["artifactType"] for r in only["referrers"]] == ["application/vnd.cyclonedx+json"]


def test_copy_layout_to_registry_and_back_keeps_digests_and_referrers(
    cli: CliRunner, work: Path, registry: Registry, repo: str
) -> None:
    _ok(cli, ["push", "app.tar", "oci-layout:src:v1"])
    src = LayoutStore(work / "src", Deadline(10))
    subject = src.get_manifest("v1").descriptor
    bundle = attach_bundle(
        src, subject, dsse_bundle("https://slsa.dev/provenance/v1"), created=CREATED
    )
    # A signature of the bundle: a referrer of a referrer.
    attach_bundle(src, bundle, dsse_bundle("https://sigstore.dev/cosign/sign/v1"), created=CREATED)
    remote = f"{registry.host}/{repo}:v1"
    copied = json.loads(
        _ok(cli, ["copy", "oci-layout:src:v1", remote, "--json", *registry.cli_options()])
    )
    assert copied["digest"] == str(subject.digest) and copied["referrers"] == 2
    back = json.loads(
        _ok(cli, ["copy", remote, "oci-layout:back", "--json", *registry.cli_options()])
    )
    assert back["digest"] == str(subject.digest) and back["tag"] == "v1"
    before = json.loads(_ok(cli, ["discover", "oci-layout:src:v1", "--json"]))
    middle = json.loads(_ok(cli, ["discover", remote, "--json", *registry.cli_options()]))
    after = json.loads(_ok(cli, ["discover", "oci-layout:back:v1", "--json"]))
    for tree in (middle, after):
        assert tree["subject"] == before["subject"]
        assert tree["referrers"] == before["referrers"]
    _ok(cli, ["pull", remote, "-o", "pulled", *registry.cli_options()])
    assert (work / "pulled" / "app.tar").read_bytes() == (work / "app.tar").read_bytes()


def test_immutable_push_refuses_to_move_tag(cli: CliRunner, work: Path) -> None:
    _ok(cli, ["push", "app.tar", "v1", "--immutable"])
    result = cli.invoke(app, ["push", "notes.txt", "v1", "--immutable"])
    assert result.exit_code == 1
    assert "refusing to move an immutable tag" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["push", "app.tar"], "at least one FILE and a REF"),
        (["push", "missing.bin", "v1"], "missing.bin: not a readable file"),
        (["pull", "repo/only:v1", "-o", "x"], "not a registry host"),
        (["push", "app.tar", "-a", "novalue", "v1"], "expected KEY=VALUE"),
        (["push", "app.tar", "oci-layout:s"], "name a tag (:TAG) or a --subject"),
        (["push", "app.tar", "@sha256:" + "a" * 64], "push to a tag, not a digest"),
        (["push", "app.tar", "oci-layout:notes.txt:v1"], "is a file, not an OCI layout"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli: CliRunner, work: Path, args: list[str], needle: str
) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr
    assert_one_error(result.stderr)


def test_store_option_names_the_store(
    cli: CliRunner, work: Path, registry: Registry, repo: str
) -> None:
    remote = f"{registry.host}/{repo}"
    opts = ["--store", remote, *registry.cli_options()]
    pushed = json.loads(_ok(cli, ["push", "notes.txt", "v1", "--json", *opts]))
    _ok(cli, ["pull", f"@{pushed['digest']}", "-o", "o", *opts])
    assert (work / "o" / "notes.txt").read_text() == "release notes\n"
    tree = json.loads(_ok(cli, ["discover", "v1", "--json", *opts]))
    assert tree["store"] == remote and tree["subject"]["digest"] == pushed["digest"]
    result = cli.invoke(app, ["pull", "oci-layout:x:v1", "-o", "o", "--store", remote])
    assert result.exit_code == 2
    assert_one_error(result.stderr)
    assert "with --store, name only a tag or @digest" in result.stderr


def test_attach_real_bundles_then_pull_and_verify_them(
    cli: CliRunner, work: Path, registry: Registry, repo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bundles from `verifier sign` / `attest` travel through the registry and still verify."""
    monkeypatch.setenv("VERIFIER_PASSWORD", "store test password")
    (work / "provenance.json").write_text('{"buildType": "https://example/build"}')
    _ok(cli, ["keygen", "--output-prefix", "release"])
    _ok(cli, ["sign", "app.tar", "--key", "release.key"])
    _ok(
        cli,
        [
            "attest",
            "--subject",
            "app.tar",
            "--predicate-type",
            "https://slsa.dev/provenance/v1",
            "--predicate",
            "provenance.json",
            "--key",
            "release.key",
        ],
    )
    remote = f"{registry.host}/{repo}:v1"
    opts = registry.cli_options()
    _ok(cli, ["push", "app.tar", remote, *opts])
    attached = json.loads(
        _ok(
            cli,
            [
                "attach",
                "app.tar.sigstore.json",
                "app.tar.intoto.sigstore.json",
                remote,
                "--json",
                *opts,
            ],
        )
    )
    assert len(attached["referrers"]) == 2
    tree = json.loads(_ok(cli, ["discover", remote, "--json", *opts]))
    kinds = {r["annotations"]["dev.sigstore.bundle.content"]: r for r in tree["referrers"]}
    assert set(kinds) == {"message-signature", "dsse-envelope"}
    assert kinds["dsse-envelope"]["predicateTypes"] == ["https://slsa.dev/provenance/v1"]
    for entry in tree["referrers"]:
        _ok(
            cli,
            [
                "pull",
                f"{registry.host}/{repo}@{entry['digest']}",
                "-o",
                f"back-{entry['digest'][7:19]}",
                *opts,
            ],
        )
    pulled = sorted(work.glob("back-*/*"))
    assert sorted(p.read_bytes() for p in pulled) == sorted(
        (work / name).read_bytes()
        for name in ("app.tar.sigstore.json", "app.tar.intoto.sigstore.json")
    )
    for path in pulled:
        if "dsseEnvelope" in json.loads(path.read_bytes()):
            check = ["verify-attestation", "--predicate-type", "https://slsa.dev/provenance/v1"]
        else:
            check = ["verify"]
        _ok(cli, [*check, "app.tar", "--bundle", str(path), "--key", "release.pub"])


def test_attach_refuses_what_is_not_a_bundle(cli: CliRunner, work: Path) -> None:
    _ok(cli, ["push", "app.tar", "v1"])
    result = cli.invoke(app, ["attach", "notes.txt", "v1"])
    assert result.exit_code == 2
    assert_one_error(result.stderr)
    assert "notes.txt: bundle is not JSON" in result.stderr


def test_copy_without_referrers_and_immutable_destination(cli: CliRunner, work: Path) -> None:
    _ok(cli, ["push", "app.tar", "oci-layout:src:v1"])
    _ok(cli, ["push", "notes.txt", "oci-layout:src", "--subject", "v1"])
    _ok(cli, ["copy", "oci-layout:src:v1", "oci-layout:dst", "--no-referrers"])
    tree = json.loads(_ok(cli, ["discover", "oci-layout:dst:v1", "--json"]))
    assert tree["referrers"] == []
    _ok(cli, ["push", "notes.txt", "oci-layout:other:v1"])
    result = cli.invoke(app, ["copy", "oci-layout:other:v1", "oci-layout:dst", "--immutable"])
    assert result.exit_code == 1
    assert_one_error(result.stderr)
    assert "refusing to move an immutable tag" in result.stderr
    same = json.loads(_ok(cli, ["discover", "oci-layout:dst:v1", "--json"]))
    assert same["subject"] == tree["subject"]


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


def test_deeply_nested_json_is_one_error_line(cli: CliRunner, work: Path) -> None:
    # json.loads raises RecursionError, not ValueError, on deep nesting.
    _ok(cli, ["push", "app.tar", "v1"])
    (work / "deep.sigstore.json").write_bytes(DEEP_JSON)
    attached = cli.invoke(app, ["attach", "deep.sigstore.json", "v1"])
    assert attached.exit_code == 2
    assert_one_error(attached.stderr)
    assert "deep.sigstore.json: bundle is not JSON: maximum recursion depth" in attached.stderr
    store = work / ".verifier" / "store"
    (store / "index.json").write_bytes(DEEP_JSON)
    discovered = cli.invoke(app, ["discover", "v1"])
    assert discovered.exit_code == 3
    assert_one_error(discovered.stderr)
    assert "index.json is unreadable: maximum recursion depth" in discovered.stderr


@pytest.mark.parametrize("timeout", ["inf", "1e308", "nan"])
def test_a_timeout_that_is_no_time_limit_is_bad_input(
    cli: CliRunner, work: Path, timeout: str
) -> None:
    # inf and 1e308 overflowed time_t (internal error); nan reached admit's decisions (exit 3).
    _ok(cli, ["push", "app.tar", "v1"])
    (work / "p.yaml").write_text(
        "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: p}\n"
        "spec:\n  match: {names: ['*']}\n  require: {digestPinned: true}\n"
    )
    runs = [["admit", "oci-layout:.verifier/store:v1", "--policy", "p.yaml"]]
    if timeout != "nan":  # discover's option parser already refuses nan
        runs.append(["discover", "v1"])
    for argv in runs:
        result = cli.invoke(app, [*argv, "--timeout", timeout])
        assert result.exit_code == 2, result.stderr
        assert_one_error(result.stderr)
        assert "timeout must be a positive number of seconds up to 604800" in result.stderr
