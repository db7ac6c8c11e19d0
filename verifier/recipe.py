"""``repro.toml``: how an artifact is built, with every input pinned by digest.

Parsing validates everything up front and names the file, line and field of each problem.
The pin check is separate (:func:`unpinned_inputs`) so ``verifier pin`` can fill pins in.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from verifier.digest import Digest
from verifier.errors import InputError

RECIPE_VERSION = 1
DEFAULT_TIMEOUT = 900.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_COMMIT_RE = re.compile(r"^[0-9a-f]{40}$|^[0-9a-f]{64}$")
_HEX_RE = re.compile(r"^[0-9a-f]{64}$")
_UMASK_RE = re.compile(r"^0?[0-7]{3}$")
#: http:// is accepted only for these hosts (a local mirror); the pin protects the bytes
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
_REQUIREMENT_RE = re.compile(
    r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(?P<version>[^\s;]+)"
    r"(?P<hashes>(\s+--hash=sha256:[0-9a-f]{64})+)\s*$"
)


class InputKind(StrEnum):
    """Where an input comes from."""

    PATH = "path"  # a local file or directory, relative to the recipe
    URL = "url"  # https:// or file://, downloaded and checked before use
    GIT = "git"  # a repository at a commit; the checked-out tree is verified


@dataclass(frozen=True)
class InputSpec:
    """One pinned build input and where it lands in the build directory."""

    name: str
    kind: InputKind
    location: str
    dest: str
    sha256: Digest | None
    line: int
    commit: str | None = None
    unpack: bool = False
    strip: int = 0

    @property
    def pinned(self) -> bool:
        """True when the input has a digest (and, for git, a commit)."""
        return self.sha256 is not None and (self.kind is not InputKind.GIT or bool(self.commit))


@dataclass(frozen=True)
class Toolchain:
    """Python build requirements, each ``name==version --hash=sha256:...``, installed per digest.

    ``index_url`` and ``find_links`` say where pip looks for them (default: pip's default
    index). They are not part of the digest: the hashes alone decide what gets installed.
    """

    requirements: tuple[str, ...]
    line: int
    index_url: str | None = None
    #: directories (absolute, resolved against the recipe) or URLs of wheels
    find_links: tuple[str, ...] = ()

    @property
    def digest(self) -> Digest:
        """Identity of the toolchain: the sorted, whitespace-normalized requirement lines."""
        text = "\n".join(sorted(" ".join(r.split()) for r in self.requirements))
        return Digest.of_bytes(text.encode())


@dataclass(frozen=True)
class BuildSpec:
    """The build command and what it may see."""

    command: tuple[str, ...]
    workdir: str
    env: Mapping[str, str]
    outputs: tuple[str, ...]
    source_date_epoch: int | None
    source_date_epoch_from: str | None  # name of a git input whose commit time is used
    network: bool
    timeout: float
    #: ``source_date_epoch = "none"``: the build sees no SOURCE_DATE_EPOCH at all
    no_source_date_epoch: bool = False
    #: ``umask = "0002"``: every build runs with it (the umask variation is off)
    umask: int | None = None

    @property
    def source_date_epoch_text(self) -> int | str:
        """How the recipe spells it: seconds, ``git:<input>`` or ``none``."""
        if self.no_source_date_epoch:
            return "none"
        if self.source_date_epoch is not None:
            return self.source_date_epoch
        return f"git:{self.source_date_epoch_from}"


@dataclass(frozen=True)
class Recipe:
    """A parsed ``repro.toml``."""

    path: Path
    name: str
    digest: Digest
    inputs: tuple[InputSpec, ...]
    toolchain: Toolchain | None
    build: BuildSpec
    text: str = field(repr=False)

    @property
    def directory(self) -> Path:
        """The directory relative paths in the recipe are resolved against."""
        return self.path.absolute().parent

    def input(self, name: str) -> InputSpec:
        """The input called ``name``."""
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def line_of(self, table: str, key: str | None = None, index: int | None = None) -> int:
        """Line number of ``[table]`` (or its ``key``), for error messages."""
        return _locate(self.text, table, key, index)


def _locate(text: str, table: str, key: str | None, index: int | None) -> int:
    """Best-effort line of a key in a table (tomllib keeps no positions)."""
    current, seen, table_line = "", -1, 0
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1)
            if current == table:
                seen += 1
                if index is None or seen == index:
                    table_line = number
            continue
        if key is None or current != table or (index is not None and seen != index):
            continue
        if re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return number
    if key is not None and "." not in table and table != "":
        # inline tables such as env = { ... } under [build]
        return table_line or 1
    return table_line or 1


class _Reader:
    """Typed access to one table with errors that name file, line and field."""

    def __init__(self, path: Path, text: str, table: str, data: Any, index: int | None = None):
        self.path, self.text, self.table, self.index = path, text, table, index
        if not isinstance(data, dict):
            raise self.error(None, "must be a table")
        self.data: dict[str, Any] = data

    def error(self, key: str | None, problem: str) -> InputError:
        line = _locate(self.text, self.table, key, self.index)
        where = f"[{self.table}]" if key is None else f"{self.table}.{key}" if self.table else key
        return InputError(f"{self.path}:{line}: {where}: {problem}")

    def check_keys(self, allowed: set[str]) -> None:
        for key in sorted(set(self.data) - allowed):
            raise self.error(key, f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def str_(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.error(key, "is required")
        if not isinstance(value, str) or not value:
            raise self.error(key, "must be a non-empty string")
        return value

    def opt_str(self, key: str) -> str | None:
        return self.str_(key) if key in self.data else None

    def bool_(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false")
        return value

    def int_(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(key, "must be a non-negative integer")
        return value

    def str_list(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        if key not in self.data:
            if required:
                raise self.error(key, "is required")
            return ()
        value = self.data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of non-empty strings")
        if required and not value:
            raise self.error(key, "must not be empty")
        return tuple(value)


def _relative(reader: _Reader, key: str, value: str) -> str:
    posix = PurePosixPath(value)
    if posix.is_absolute() or ".." in posix.parts:
        raise reader.error(key, f"{value!r} must be a relative path inside the build directory")
    return posix.as_posix()


def _allowed_url(url: str) -> bool:
    """https:// and file:// anywhere; http:// only to this machine (a local index or mirror)."""
    if url.startswith(("https://", "file://")):
        return True
    if not url.startswith("http://"):
        return False
    host = url.removeprefix("http://").split("/", 1)[0]
    host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return host in _LOOPBACK


def _parse_input(path: Path, text: str, raw: Any, index: int) -> InputSpec:
    r = _Reader(path, text, "input", raw, index)
    r.check_keys({"name", "path", "url", "git", "commit", "sha256", "dest", "unpack", "strip"})
    name = r.str_("name")
    if not _NAME_RE.match(name):
        raise r.error("name", f"{name!r} must be letters, digits, '.', '_' or '-'")
    sources = [k for k in ("path", "url", "git") if k in r.data]
    if len(sources) != 1:
        raise r.error(None, f"input {name!r} needs exactly one of path, url or git")
    kind = InputKind(sources[0])
    location = r.str_(sources[0])
    if kind is InputKind.URL and not _allowed_url(location):
        raise r.error(
            "url",
            f"{location!r}: only https://, file:// and http:// to a loopback address are allowed",
        )
    sha256 = None
    if "sha256" in r.data:
        hex_value = r.str_("sha256").removeprefix("sha256:")
        if not _HEX_RE.match(hex_value):
            raise r.error("sha256", f"{hex_value!r} is not 64 lowercase hex characters")
        sha256 = Digest.sha256_hex(hex_value)
    commit = r.opt_str("commit")
    if commit is not None:
        if kind is not InputKind.GIT:
            raise r.error("commit", "only git inputs have a commit")
        if not _COMMIT_RE.match(commit):
            raise r.error("commit", f"{commit!r} must be a full 40- or 64-hex commit id")
    unpack = r.bool_("unpack", False)
    if unpack and kind is InputKind.GIT:
        raise r.error("unpack", "git inputs are checked out, not unpacked")
    strip = r.int_("strip", 0)
    if strip and not unpack:
        raise r.error("strip", "only applies with unpack = true")
    default_dest = "." if kind is InputKind.GIT or unpack else PurePosixPath(location).name
    dest = _relative(r, "dest", r.str_("dest", default_dest))
    return InputSpec(
        name=name,
        kind=kind,
        location=location,
        dest=dest,
        sha256=sha256,
        line=_locate(text, "input", None, index),
        commit=commit,
        unpack=unpack,
        strip=strip,
    )


def _parse_toolchain(path: Path, text: str, raw: Any) -> Toolchain:
    r = _Reader(path, text, "toolchain", raw)
    r.check_keys({"requirements", "index_url", "find_links"})
    reqs = r.str_list("requirements")
    for req in reqs:
        if not _REQUIREMENT_RE.match(req.strip()):
            raise r.error(
                "requirements",
                f"{req!r} must be 'name==version --hash=sha256:<64 hex>' (pinned with its hash)",
            )
    index_url = r.opt_str("index_url")
    if index_url is not None and not _allowed_url(index_url):
        raise r.error(
            "index_url",
            f"{index_url!r}: only https://, file:// and http:// to a loopback address are allowed",
        )
    raw_links = r.data.get("find_links", [])
    if isinstance(raw_links, str):
        raw_links = [raw_links]
    if not isinstance(raw_links, list) or not all(isinstance(v, str) and v for v in raw_links):
        raise r.error("find_links", "must be a path or URL, or a list of them")
    links: list[str] = []
    for link in raw_links:
        if "://" in link:
            if not _allowed_url(link):
                raise r.error(
                    "find_links",
                    f"{link!r}: only https://, file:// and http:// to a loopback address "
                    "are allowed",
                )
            links.append(link)
        else:
            links.append(str((path.absolute().parent / link).resolve()))
    return Toolchain(
        reqs, _locate(text, "toolchain", None, None), index_url=index_url, find_links=tuple(links)
    )


def _parse_build(path: Path, text: str, raw: Any, input_names: set[str]) -> BuildSpec:
    r = _Reader(path, text, "build", raw)
    r.check_keys(
        {
            "command",
            "workdir",
            "env",
            "outputs",
            "source_date_epoch",
            "network",
            "timeout",
            "umask",
        }
    )
    command = r.str_list("command")
    workdir = _relative(r, "workdir", r.str_("workdir", "."))
    env_raw = r.data.get("env", {})
    if not isinstance(env_raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in env_raw.items()
    ):
        raise r.error("env", "must be a table of string values")
    outputs = tuple(_relative(r, "outputs", o) for o in r.str_list("outputs"))
    sde_raw = r.data.get("source_date_epoch")
    sde: int | None = None
    sde_from: str | None = None
    no_sde = False
    if isinstance(sde_raw, int) and not isinstance(sde_raw, bool) and sde_raw >= 0:
        sde = sde_raw
    elif sde_raw == "none":
        no_sde = True
    elif isinstance(sde_raw, str) and sde_raw.startswith("git:"):
        sde_from = sde_raw.removeprefix("git:")
        if sde_from not in input_names:
            raise r.error("source_date_epoch", f"no input named {sde_from!r}")
    elif sde_raw is not None:
        raise r.error(
            "source_date_epoch", "must be seconds since 1970, 'git:<input name>' or 'none'"
        )
    else:
        raise r.error(
            "source_date_epoch",
            "is required: seconds since 1970, 'git:<input>' to use that commit's time, "
            "or 'none' for a build that must not see one",
        )
    if no_sde and "SOURCE_DATE_EPOCH" in env_raw:
        raise r.error("env", "sets SOURCE_DATE_EPOCH although source_date_epoch = 'none'")
    umask: int | None = None
    if "umask" in r.data:
        umask_raw = r.data["umask"]
        if not isinstance(umask_raw, str) or not _UMASK_RE.match(umask_raw):
            raise r.error("umask", f'{umask_raw!r} must be an octal string such as "0022"')
        umask = int(umask_raw, 8)
    timeout_raw = r.data.get("timeout", DEFAULT_TIMEOUT)
    if (
        not isinstance(timeout_raw, int | float)
        or isinstance(timeout_raw, bool)
        or timeout_raw <= 0
    ):
        raise r.error("timeout", "must be a positive number of seconds")
    return BuildSpec(
        command=command,
        workdir=workdir,
        env=dict(sorted(env_raw.items())),
        outputs=outputs,
        source_date_epoch=sde,
        source_date_epoch_from=sde_from,
        network=r.bool_("network", False),
        timeout=float(timeout_raw),
        no_source_date_epoch=no_sde,
        umask=umask,
    )


def load_recipe(path: Path) -> Recipe:
    """Parse and validate a recipe; InputError names file, line and field of the first problem."""
    if path.is_dir():
        path = path / "repro.toml"
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read recipe: {exc.strerror or exc}") from exc
    try:
        text = raw_bytes.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: recipe is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: invalid TOML: {exc}") from exc
    top = _Reader(path, text, "", data)
    top.check_keys({"version", "name", "input", "toolchain", "build"})
    version = data.get("version")
    if version != RECIPE_VERSION:
        raise InputError(
            f"{path}:{_locate(text, '', 'version', None)}: version: "
            f"must be {RECIPE_VERSION} (got {version!r})"
        )
    name = top.str_("name")
    if not _NAME_RE.match(name):
        raise top.error("name", f"{name!r} must be letters, digits, '.', '_' or '-'")
    raw_inputs = data.get("input", [])
    if not isinstance(raw_inputs, list):
        raise top.error("input", "must be an array of tables ([[input]])")
    inputs = tuple(_parse_input(path, text, raw, i) for i, raw in enumerate(raw_inputs))
    names = [i.name for i in inputs]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        raise InputError(f"{path}: input name {dup!r} is used more than once")
    toolchain = _parse_toolchain(path, text, data["toolchain"]) if "toolchain" in data else None
    if "build" not in data:
        raise InputError(f"{path}: [build] table is required")
    build = _parse_build(path, text, data["build"], set(names))
    git_names = {i.name for i in inputs if i.kind is InputKind.GIT}
    if build.source_date_epoch_from and build.source_date_epoch_from not in git_names:
        raise InputError(
            f"{path}:{_locate(text, 'build', 'source_date_epoch', None)}: build.source_date_epoch: "
            f"input {build.source_date_epoch_from!r} is not a git input"
        )
    return Recipe(
        path=path,
        name=name,
        digest=Digest.of_bytes(raw_bytes),
        inputs=inputs,
        toolchain=toolchain,
        build=build,
        text=text,
    )
