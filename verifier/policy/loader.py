"""Reading policy files: YAML with node marks, the shipped JSON Schema, then the typed model.

Every problem is one :class:`~verifier.errors.InputError` line that names the file, the line
and column, and the field: ``policy.yaml:12:7: spec.require.signatures.threshold: 0 is less
than the minimum of 1``. Line numbers come from the YAML node marks of the exact field (or
its closest present parent). A file may hold several policies separated by ``---``; a
directory means every ``*.yaml`` / ``*.yml`` file in it, sorted by name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from verifier.errors import InputError
from verifier.policy.cel import CompiledCondition
from verifier.policy.model import (
    Authority,
    KeyAuthority,
    KeylessAuthority,
    MatchSpec,
    Mode,
    Policy,
    PolicySet,
)
from verifier.policy.requirements import (
    DeniedComponent,
    Duration,
    ProvenanceRule,
    ReproducibleRule,
    Requirements,
    SbomRule,
    Severity,
    SignaturesRule,
    VulnerabilitiesRule,
)
from verifier.policy.versions import VersionRange
from verifier.sign.identity import Match
from verifier.sign.keyless_verify import verifier_for
from verifier.sign.keys import PublicKey, read_small_file

MAX_POLICY_BYTES = 1024 * 1024
#: More nodes than any real policy has; a bound on what YAML aliases can expand into.
MAX_NODES = 100_000
SCHEMA_FILE = "policy-v1.schema.json"
Path_ = tuple[str | int, ...]


@cache
def policy_schema() -> dict[str, Any]:
    """The JSON Schema shipped in the package (``verifier/policy/policy-v1.schema.json``)."""
    text: str = resources.files("verifier.policy").joinpath(SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(policy_schema())
    validator: jsonschema.protocols.Validator = cls(policy_schema())
    return validator


@dataclass(frozen=True)
class _Document:
    data: Any
    marks: Mapping[Path_, tuple[int, int]]  # path -> (line, column), 1-based
    start: tuple[int, int]


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def _walk(
    node: yaml.Node,
    path: Path_,
    marks: dict[Path_, tuple[int, int]],
    source: str,
    budget: list[int],
) -> Any:
    # YAML aliases can make a small file expand into billions of nodes; count what we build.
    budget[0] -= 1
    if budget[0] < 0:
        raise InputError(f"{source}: more than {MAX_NODES} YAML nodes (aliases expanding?)")
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line = key_node.start_mark.line + 1
                raise InputError(f"{source}:{line}: mapping keys must be plain strings")
            key = str(key_node.value)
            if key in out:
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                raise InputError(f"{source}:{line}:{col}: {_dotted((*path, key))}: duplicate key")
            out[key] = _walk(value_node, (*path, key), marks, source, budget)
            # Point at the key, where a person looks for the field.
            marks[(*path, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _walk(child, (*path, i), marks, source, budget) for i, child in enumerate(node.value)
        ]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        line = node.start_mark.line + 1
        raise InputError(f"{source}:{line}: {_dotted(path)}: {exc}") from None


def _documents(text: str, source: str) -> list[_Document]:
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(f"{where}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{source}: invalid YAML: nested too deeply") from None
    docs = []
    for node in nodes:
        if node is None:
            continue
        marks: dict[Path_, tuple[int, int]] = {}
        try:
            data = _walk(node, (), marks, source, [MAX_NODES])
        except RecursionError:
            raise InputError(f"{source}: invalid YAML: nested too deeply") from None
        docs.append(_Document(data, marks, marks[()]))
    return docs


def load_yaml_documents(text: str, source: str) -> list[Any]:
    """The documents of a YAML text as plain data, with the policy files' strictness.

    A duplicate key, a non-string key or an alias bomb is an InputError naming ``source``
    and the line, never a silent choice of one of the values.
    """
    return [doc.data for doc in _documents(text, source)]


class _Located:
    """Turns an error at a field path into a ``file:line:col: path: message`` InputError."""

    def __init__(self, source: str, doc: _Document) -> None:
        self.source = source
        self.doc = doc

    def where(self, path: Path_) -> str:
        probe = path
        while probe not in self.doc.marks and probe:
            probe = probe[:-1]
        line, col = self.doc.marks.get(probe, self.doc.start)
        return f"{self.source}:{line}:{col}"

    def error(self, path: Path_, message: str) -> InputError:
        return InputError(f"{self.where(path)}: {_dotted(path)}: {message}")

    @contextmanager
    def at(self, path: Path_) -> Iterator[None]:
        try:
            yield
        except InputError as exc:
            raise self.error(path, exc.message) from None


def _schema_message(error: jsonschema.ValidationError) -> str:
    if error.validator == "oneOf" and isinstance(error.validator_value, list):
        wanted = []
        for option in error.validator_value:
            wanted.extend(option.get("required", []))
        if wanted:
            return "exactly one of " + ", ".join(repr(w) for w in wanted) + " is required"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "const":
        return f"{error.instance!r}: expected {error.validator_value!r}"
    return str(error.message)


def _check_schema(located: _Located, data: Any) -> None:
    # The version and kind first: a document of another version fails everywhere else too.
    for key, want in (("apiVersion", "verifier/v1"), ("kind", "Policy")):
        if data.get(key) != want:
            got = data.get(key)
            raise located.error((key,), f"{got!r}: expected {want!r}")
    errors = sorted(
        _validator().iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.path)))
    )
    if errors:
        first = errors[0]
        path = tuple(first.absolute_path)
        if first.validator == "additionalProperties" and isinstance(first.instance, dict):
            known = set(first.schema.get("properties", {}))
            extra = sorted(k for k in first.instance if k not in known)
            if extra:
                raise located.error((*path, extra[0]), f"unknown field {extra[0]!r}")
        raise located.error(path, _schema_message(first))


def _match_of(data: Mapping[str, Any], key: str, regexp_key: str) -> Match:
    if key in data:
        return Match(data[key])
    return Match(data[regexp_key], regexp=True)


def _authority(raw: Mapping[str, Any], base: Path, located: _Located, path: Path_) -> Authority:
    name = raw["name"]
    if "key" in raw:
        key = raw["key"]
        if "file" in key:
            file = base / key["file"]
            with located.at((*path, "key", "file")):
                data = read_small_file(file, 64 * 1024)
                return KeyAuthority(name, PublicKey.from_pem(data, key["file"]), key["file"])
        with located.at((*path, "key", "pem")):
            return KeyAuthority(name, PublicKey.from_pem(key["pem"].encode(), "inline"), "inline")
    keyless = raw["keyless"]
    with located.at((*path, "keyless")):
        root = keyless.get("trustedRoot")
        if root is not None:
            root_path = base / root
            if not root_path.is_file():
                raise InputError(f"trusted root {root} is not a readable file")
            # Loaded now, so `policy lint` and start-up refuse a bad root, not each decision.
            verifier_for(root_path)
            root = str(root_path)
        return KeylessAuthority(
            name,
            issuer=_match_of(keyless, "issuer", "issuerRegExp"),
            subject=_match_of(keyless, "subject", "subjectRegExp"),
            trusted_root=root,
        )


def _age(raw: Mapping[str, Any]) -> Duration | None:
    return Duration(raw["maxAge"]) if "maxAge" in raw else None


def _requirements(raw: Mapping[str, Any], located: _Located) -> Requirements:
    base: Path_ = ("spec", "require")
    signatures = reproducible = sbom = provenance = vulns = None
    if "signatures" in raw:
        r = raw["signatures"]
        with located.at((*base, "signatures")):
            signatures = SignaturesRule(
                tuple(r["authorities"]), r.get("threshold", 1), tuple(r.get("required", ()))
            )
    if "reproducible" in raw:
        r = raw["reproducible"]
        with located.at((*base, "reproducible")):
            reproducible = ReproducibleRule(
                tuple(r["authorities"]),
                r.get("minBuilders", 1),
                tuple(r.get("verdicts", ("REPRODUCED",))),
                tuple(r.get("stabilizers", ())),
                _age(r),
            )
    if "sbom" in raw:
        r = raw["sbom"]
        denied = []
        for i, item in enumerate(r.get("deniedComponents", ())):
            with located.at((*base, "sbom", "deniedComponents", i)):
                versions = VersionRange(item["versions"]) if "versions" in item else None
                denied.append(DeniedComponent(item["purl"], versions, item.get("reason", "")))
        with located.at((*base, "sbom")):
            sbom = SbomRule(
                tuple(r["authorities"]),
                r.get("minSpecVersion"),
                r.get("requireHashes", False),
                tuple(r.get("deniedLicenses", ())),
                tuple(denied),
                r.get("maxUnlicensed"),
                _age(r),
            )
    if "provenance" in raw:
        r = raw["provenance"]
        with located.at((*base, "provenance")):
            provenance = ProvenanceRule(
                tuple(r["authorities"]),
                tuple(r.get("builderIds", ())),
                tuple(r.get("sourceRepositories", ())),
                tuple(r.get("refs", ())),
                _age(r),
            )
    if "vulnerabilities" in raw:
        r = raw["vulnerabilities"]
        with located.at((*base, "vulnerabilities")):
            vulns = VulnerabilitiesRule(
                tuple(r["authorities"]),
                Severity(r["severity"]),
                tuple(r.get("ignore", ())),
                _age(r),
            )
    return Requirements(
        signatures, reproducible, sbom, provenance, vulns, bool(raw.get("digestPinned", False))
    )


def _policy(doc: _Document, source: str, base: Path) -> Policy:
    located = _Located(source, doc)
    if not isinstance(doc.data, dict):
        raise located.error((), "a policy document must be a mapping")
    _check_schema(located, doc.data)
    spec = doc.data["spec"]
    authorities: dict[str, Authority] = {}
    for i, raw in enumerate(spec.get("authorities", ())):
        if raw["name"] in authorities:
            raise located.error(
                ("spec", "authorities", i, "name"), f"authority {raw['name']!r} defined twice"
            )
        authorities[raw["name"]] = _authority(raw, base, located, ("spec", "authorities", i))
    conditions = []
    for i, raw in enumerate(spec.get("conditions", ())):
        with located.at(("spec", "conditions", i, "expression")):
            conditions.append(CompiledCondition(raw["name"], raw["expression"], raw["message"]))
    match = spec.get("match", {})
    require = _requirements(spec.get("require", {}), located)
    with located.at(("spec", "require") if "require" in spec else ("spec",)):
        return Policy(
            name=doc.data["metadata"]["name"],
            source=source,
            mode=Mode(spec.get("mode", "enforce")),
            match=MatchSpec(tuple(match.get("names", ("*",))), tuple(match.get("namespaces", ()))),
            authorities=authorities,
            require=require,
            conditions=tuple(conditions),
            description=doc.data["metadata"].get("description", ""),
        )


def parse_policies(text: str, source: str, base: Path) -> list[Policy]:
    """Every policy in one YAML text; key files are resolved against ``base``."""
    docs = _documents(text, source)
    if not docs:
        raise InputError(f"{source}: no policy document found")
    return [_policy(doc, source, base) for doc in docs]


def load_policy_file(path: Path) -> list[Policy]:
    """Read one policy file (at most 1 MiB)."""
    data = read_small_file(path, MAX_POLICY_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None
    return parse_policies(text, str(path), path.parent)


def load_policies(path: Path) -> PolicySet:
    """A policy file, or every ``*.yaml``/``*.yml`` file of a directory, as one PolicySet."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
        if not files:
            raise InputError(f"{path}: no *.yaml policy file in this directory")
    elif path.exists():  # a file, or a pipe: --policy <(kustomize cfg cat ...)
        files = [path]
    else:
        raise InputError(f"{path}: no such policy file or directory")
    policies = [policy for file in files for policy in load_policy_file(file)]
    return PolicySet(tuple(policies), str(path))
