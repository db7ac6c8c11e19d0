"""Where a store is and what in it a reference names; opening the right backend.

Accepted forms:

* ``oci-layout:PATH`` (a store), ``oci-layout:PATH:TAG``, ``oci-layout:PATH@sha256:...``;
* ``HOST[:PORT]/REPO`` (a store), ``HOST[:PORT]/REPO:TAG``, ``HOST[:PORT]/REPO@sha256:...``;
  the first component must look like a host (a dot, a port, or ``localhost``);
* a bare ``TAG`` or ``@sha256:...``: the embedded default store ``.verifier/store``, or the
  store ``--store`` names (``oci-layout:PATH`` or ``HOST/REPO``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import assert_never

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.deadline import DEFAULT_TIMEOUT, Deadline, check_timeout
from verifier.store.errors import BadReference
from verifier.store.interface import Store
from verifier.store.layout import DEFAULT_LAYOUT, LayoutStore
from verifier.store.oci import check_tag
from verifier.store.registry import RegistryStore
from verifier.store.registry.connections import RegistryConnections

LAYOUT_PREFIX = "oci-layout:"
_REPO_RE = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_HOST_RE = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?$")


class StoreKind(StrEnum):
    """The two backends."""

    LAYOUT = "oci-layout"
    REGISTRY = "registry"


@dataclass(frozen=True)
class StoreOptions:
    """How to reach stores: one deadline for the whole command, and TLS choices."""

    timeout: float = DEFAULT_TIMEOUT
    #: Talk to registries over plain HTTP: anyone on the path can change what we read.
    unsafe_plain_http: bool = False
    ca_file: Path | None = None

    def __post_init__(self) -> None:
        # Refused here, where the option is read, not later inside each decision.
        check_timeout(self.timeout)


@dataclass(frozen=True)
class StoreLocation:
    """A store: a layout directory or one registry repository."""

    kind: StoreKind
    path: Path | None = None
    host: str | None = None
    repository: str | None = None

    def __str__(self) -> str:
        match self.kind:
            case StoreKind.LAYOUT:
                return f"{LAYOUT_PREFIX}{self.path}"
            case StoreKind.REGISTRY:
                return f"{self.host}/{self.repository}"
        assert_never(self.kind)

    def open(
        self,
        options: StoreOptions,
        deadline: Deadline | None = None,
        connections: RegistryConnections | None = None,
    ) -> Store:
        """Build the backend; ``deadline`` lets several stores share one command budget.

        ``connections``: a long-running process's registry connections, reused by this store
        (calls still bounded by ``deadline``); by default a registry store opens its own.
        """
        deadline = deadline or Deadline(options.timeout)
        match self.kind:
            case StoreKind.LAYOUT:
                assert self.path is not None
                return LayoutStore(self.path, deadline)
            case StoreKind.REGISTRY:
                assert self.host is not None and self.repository is not None
                shared = None
                if connections is not None:
                    shared = connections.get(
                        self.host, plain_http=options.unsafe_plain_http, ca_file=options.ca_file
                    )
                return RegistryStore(
                    self.host,
                    self.repository,
                    deadline,
                    plain_http=options.unsafe_plain_http,
                    ca_file=options.ca_file,
                    shared=shared,
                )
        assert_never(self.kind)


@dataclass(frozen=True)
class ArtifactRef:
    """A store plus a tag and/or a digest inside it."""

    store: StoreLocation
    tag: str | None = None
    digest: Digest | None = None

    def __str__(self) -> str:
        text = str(self.store)
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def reference(self) -> str | Digest:
        """The digest when given (it wins over a tag), else the tag."""
        if self.digest is not None:
            return self.digest
        if self.tag is None:
            raise BadReference(f"{self}: name a tag (:TAG) or a digest (@sha256:...)")
        return self.tag


def _split_digest(text: str) -> tuple[str, Digest | None]:
    if "@" not in text:
        return text, None
    rest, _, digest = text.rpartition("@")
    try:
        return rest, Digest.parse(digest)
    except InputError as exc:
        raise BadReference(f"{text}: {exc}") from None


def _split_tag(text: str) -> tuple[str, str | None]:
    last = text.rsplit("/", 1)[-1]
    if ":" not in last:
        return text, None
    head, _, tag = text.rpartition(":")
    try:
        return head, check_tag(tag)
    except InputError as exc:
        raise BadReference(f"{text}: {exc}") from None


def parse_store(text: str) -> StoreLocation:
    """Parse a ``--store`` value (no tag or digest)."""
    ref = parse_reference(text, allow_bare=False)
    if ref.tag or ref.digest:
        raise BadReference(f"{text}: a store names no tag or digest")
    return ref.store


def parse_reference_in(text: str, store: str | None) -> ArtifactRef:
    """A reference, resolved inside ``--store`` when given (REF is then a tag or @digest)."""
    if store is None:
        return parse_reference(text)
    location = parse_store(store)
    if "/" in text or text.startswith(LAYOUT_PREFIX):
        raise BadReference(f"{text}: with --store, name only a tag or @digest")
    bare = parse_reference(text)
    return ArtifactRef(location, bare.tag, bare.digest)


def parse_reference(text: str, *, allow_bare: bool = True) -> ArtifactRef:
    """Parse an artifact reference (see the module docstring for the forms)."""
    if not text.strip():
        raise BadReference("empty reference")
    rest, digest = _split_digest(text.strip())
    if rest.startswith(LAYOUT_PREFIX):
        path_text = rest[len(LAYOUT_PREFIX) :]
        path_text, tag = _split_tag(path_text)
        if not path_text:
            raise BadReference(f"{text}: oci-layout: needs a directory path")
        return ArtifactRef(StoreLocation(StoreKind.LAYOUT, path=Path(path_text)), tag, digest)
    if "/" not in rest:
        if not allow_bare:
            raise BadReference(
                f"{text}: expected oci-layout:PATH or HOST/REPOSITORY (e.g. registry.example/app)"
            )
        tag = None
        if rest:
            try:
                tag = check_tag(rest)
            except InputError as exc:
                raise BadReference(f"{text}: {exc}") from None
        return ArtifactRef(StoreLocation(StoreKind.LAYOUT, path=DEFAULT_LAYOUT), tag, digest)
    host, _, repo = rest.partition("/")
    if not ("." in host or ":" in host or host == "localhost") or not _HOST_RE.match(host):
        raise BadReference(
            f"{text}: {host!r} is not a registry host; write HOST/REPOSITORY "
            "(e.g. registry.example/app) or oci-layout:PATH"
        )
    repo, tag = _split_tag(repo)
    if host in ("docker.io", "index.docker.io") and "/" not in repo:
        repo = f"library/{repo}"  # Docker Hub's official images, as docker spells them
    if not _REPO_RE.match(repo):
        raise BadReference(f"{text}: {repo!r} is not a valid repository name")
    return ArtifactRef(StoreLocation(StoreKind.REGISTRY, host=host, repository=repo), tag, digest)
