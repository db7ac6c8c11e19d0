"""Policy files: the shipped schema, line-precise errors, the model's own checks, digests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import REPO
from verifier.errors import InputError
from verifier.policy.loader import load_policies, policy_schema
from verifier.sign.keys import KeyAlgorithm

HEAD = "apiVersion: verifier/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n"


def write(tmp_path: Path, body: str, name: str = "p.yaml") -> Path:
    (tmp_path / "k.pub").write_bytes(KeyAlgorithm.ECDSA_P256.generate().public_key.pem)
    path = tmp_path / name
    path.write_text(body)
    return path


def error_of(tmp_path: Path, body: str) -> str:
    path = write(tmp_path, body)
    with pytest.raises(InputError) as err:
        load_policies(path)
    return str(err.value).replace(str(path), "p.yaml")


def test_schema_is_shipped_and_valid() -> None:
    schema = policy_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["apiVersion"] == {"const": "verifier/v1"}
    packaged = REPO / "verifier" / "policy" / "policy-v1.schema.json"
    assert json.loads(packaged.read_text()) == schema


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "apiVersion: verifier/v2\nkind: Policy\n",
            "p.yaml:1:1: apiVersion: 'verifier/v2': expected 'verifier/v1'",
        ),
        (
            HEAD + "  mode: audit\n  require: {digestPinned: true}\n",
            "p.yaml:5:3: spec.mode: 'audit' is not one of enforce, warn",
        ),
        (
            HEAD + "  require:\n    digestPinned: true\n    signatres: {authorities: [a]}\n",
            "p.yaml:7:5: spec.require.signatres: unknown field 'signatres'",
        ),
        (
            HEAD + "  authorities:\n    - name: a\n      key: {file: k.pub, pem: x}\n"
            "  require: {signatures: {authorities: [a]}}\n",
            "p.yaml:7:7: spec.authorities[0].key: exactly one of 'file', 'pem' is required",
        ),
        (
            HEAD + "  require:\n    signatures: {authorities: [ghost]}\n",
            "p.yaml:5:3: spec.require: unknown authority 'ghost'",
        ),
        (
            HEAD + "  authorities:\n    - {name: a, key: {file: k.pub}}\n"
            "  require:\n    signatures: {authorities: [a], threshold: 2}\n",
            "p.yaml:8:5: spec.require.signatures: threshold 2 must be between 1 and the "
            "1 authorities listed",
        ),
        (
            HEAD + "  authorities:\n    - {name: a, key: {file: missing.pub}}\n"
            "  require: {signatures: {authorities: [a]}}\n",
            "p.yaml:6:23: spec.authorities[0].key.file: {dir}/missing.pub: cannot read: "
            "No such file or directory",
        ),
        (
            HEAD + "  require: {digestPinned: false}\n",
            "p.yaml:5:3: spec.require: policy 'p' requires nothing: an empty policy would "
            "allow everything",
        ),
        (
            HEAD + "  require: {digestPinned: true}\n  conditions:\n"
            "    - {name: c, expression: 'size(evidence.', message: m}\n",
            "p.yaml:7:17: spec.conditions[0].expression: condition 'c': invalid CEL "
            "expression: size(evidence.",
        ),
        (
            HEAD + "  require:\n    sbom:\n      authorities: [a]\n      deniedComponents:\n"
            "        - {purl: 'pkg:pypi/x', versions: '<<1'}\n",
            "p.yaml:9:11: spec.require.sbom.deniedComponents[0]: invalid version range '<<1': "
            "expected comparators like '<2.31.0' or '>=1.0,<1.4.2'",
        ),
        (
            HEAD + "  require: {digestPinned: true}\n  require: {digestPinned: true}\n",
            "p.yaml:6:3: spec.require: duplicate key",
        ),
        (
            HEAD + "  require: {digestPinned: true\n",
            "p.yaml:6:1: invalid YAML: expected ',' or '}', but got '<stream end>'",
        ),
        (
            HEAD
            + "  authorities:\n    - name: gh\n      keyless: {issuer: x, subjectRegExp: '('}\n"
            "  require: {signatures: {authorities: [gh]}}\n",
            "p.yaml:7:7: spec.authorities[0].keyless: invalid regular expression '(': "
            "missing ), unterminated subpattern at position 0",
        ),
    ],
)
def test_errors_name_file_line_and_field(tmp_path: Path, body: str, message: str) -> None:
    assert error_of(tmp_path, body) == message.replace("{dir}", str(tmp_path))


def test_empty_directory_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no \*\.yaml policy file"):
        load_policies(tmp_path)
    with pytest.raises(InputError, match="no such policy file or directory"):
        load_policies(tmp_path / "nope.yaml")


def test_duplicate_policy_names_across_files(tmp_path: Path) -> None:
    write(tmp_path, HEAD + "  require: {digestPinned: true}\n", "a.yaml")
    write(tmp_path, HEAD + "  require: {digestPinned: true}\n", "b.yaml")
    with pytest.raises(InputError, match="policy name 'p' is used twice"):
        load_policies(tmp_path)


def test_several_documents_in_one_file(tmp_path: Path) -> None:
    two = (
        HEAD
        + "  require: {digestPinned: true}\n---\n"
        + HEAD.replace("{name: p}", "{name: q}")
        + "  mode: warn\n  require: {digestPinned: true}\n"
    )
    policy_set = load_policies(write(tmp_path, two))
    assert [(p.name, p.mode.value) for p in policy_set.policies] == [
        ("p", "enforce"),
        ("q", "warn"),
    ]


def test_digest_ignores_formatting_but_not_meaning(tmp_path: Path) -> None:
    key = "  authorities:\n    - {name: a, key: {file: k.pub}}\n"
    compact = HEAD + key + "  require: {signatures: {authorities: [a]}}\n"
    spaced = HEAD + key + "  # a comment\n  require:\n    signatures:\n      authorities: [a]\n"
    first = load_policies(write(tmp_path, compact, "a.yaml")).policies[0]
    (tmp_path / "b.yaml").write_text(spaced)
    second = load_policies(tmp_path / "b.yaml").policies[0]
    assert first.digest == second.digest
    # Another key behind the same file name makes another policy.
    (tmp_path / "k.pub").write_bytes(KeyAlgorithm.ECDSA_P256.generate().public_key.pem)
    assert load_policies(tmp_path / "b.yaml").policies[0].digest != second.digest


def test_inline_pem_key(tmp_path: Path) -> None:
    pem = KeyAlgorithm.ECDSA_P256.generate().public_key.pem.decode()
    indented = "\n".join("          " + line for line in pem.strip().splitlines())
    body = (
        HEAD + f"  authorities:\n    - name: a\n      key:\n        pem: |\n{indented}\n"
        "  require: {signatures: {authorities: [a]}}\n"
    )
    policy = load_policies(write(tmp_path, body)).policies[0]
    assert policy.authorities["a"].to_dict()["name"] == "a"


@pytest.mark.parametrize("name", ["release-strict", "keyless-github", "warn-only"])
def test_shipped_policies_lint(tmp_path: Path, name: str) -> None:
    (tmp_path / "keys").mkdir()
    for key in ("release", "rebuilder-a", "rebuilder-b"):
        pem = KeyAlgorithm.ECDSA_P256.generate().public_key.pem
        (tmp_path / "keys" / f"{key}.pub").write_bytes(pem)
    text = (REPO / "policies" / f"{name}.yaml").read_text()
    (tmp_path / f"{name}.yaml").write_text(text)
    [policy] = load_policies(tmp_path / f"{name}.yaml").policies
    assert policy.name == name


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    path = write(tmp_path, HEAD + "  require: {digestPinned: true}\n" + "\n".join(lines) + "\n")
    with pytest.raises(InputError, match="more than 100000 YAML nodes"):
        load_policies(path)


def test_a_policy_from_a_pipe(tmp_path: Path) -> None:
    # --policy <(kustomize cfg cat ...) names /dev/fd/N, a pipe: read it like a file.
    read_end, write_end = os.pipe()
    os.write(write_end, (HEAD + "  require: {digestPinned: true}\n").encode())
    os.close(write_end)
    try:
        policies = load_policies(Path(f"/dev/fd/{read_end}"))
    finally:
        os.close(read_end)
    assert [p.name for p in policies.policies] == ["p"]


def test_yaml_nested_too_deeply_is_bad_input(tmp_path: Path) -> None:
    # PyYAML's composer and our walk recurse: RecursionError ended in 'internal error'.
    path = write(tmp_path, "[" * 50_000 + "]" * 50_000)
    with pytest.raises(InputError) as err:
        load_policies(path)
    assert str(err.value) == f"{path}: invalid YAML: nested too deeply"
    path = write(tmp_path, HEAD + "  require: " + "[" * 3000 + "]" * 3000 + "\n")
    with pytest.raises(InputError) as err:
        load_policies(path)
    assert str(err.value) == f"{path}: invalid YAML: nested too deeply"


def test_a_trusted_root_that_is_not_one_fails_lint(tmp_path: Path) -> None:
    # It used to pass lint and make every decision under the policy undecided instead.
    (tmp_path / "root.json").write_text('{"mediaType": "nope"}')
    body = (
        HEAD
        + "  authorities:\n"
        + "    - name: ci\n"
        + "      keyless: {issuer: https://i.example, subject: s, trustedRoot: root.json}\n"
        + "  require: {signatures: {authorities: [ci]}}\n"
    )
    message = error_of(tmp_path, body)
    assert message.startswith("p.yaml:7:7: spec.authorities[0].keyless: ")
    assert "root.json: not a usable trusted root" in message
