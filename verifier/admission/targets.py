"""What `verifier admit` is asked about: files, references by digest, references by tag.

* a path to an existing file is an artifact: its sha256 is hashed (streaming), its name is
  the path as given;
* ``name@sha256:<hex>`` (with or without a tag) is pinned by digest;
* anything else is an image reference by tag: it needs a store to resolve it, and
  ``digestPinned`` policies refuse it outright.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.policy.decision import Location
from verifier.sign.artifact import Artifact
from verifier.store.errors import BadReference
from verifier.store.reference import LAYOUT_PREFIX, ArtifactRef, parse_reference_in

_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$")
_DIGEST_SUFFIX = re.compile(r"@(sha256:[0-9a-f]{64})$")
_MISSING = "{text}: no such file (an image reference needs ':tag' or '@sha256:<hex>')"


@dataclass(frozen=True)
class Target:
    """One artifact to decide: its name, its digest when known, and where it was named."""

    name: str
    artifact: Artifact | None
    pinned: bool
    location: Location | None = None
    namespace: str | None = None
    #: The store the reference names (``--store``, ``oci-layout:PATH``, ``HOST/REPO``).
    ref: ArtifactRef | None = None
    #: For a file pushed to a store: the manifest holding it as its only layer.
    container: Artifact | None = None

    @property
    def subject(self) -> Digest | None:
        """The digest, when known."""
        return self.artifact.digest if self.artifact else None


def parse_reference(text: str) -> tuple[Digest | None, bool]:
    """(digest, pinned) for an image reference; InputError when it is not one."""
    text = text.strip()
    if not text or not _REFERENCE.match(text):
        raise InputError(f"{text!r} is not an image reference or a file")
    found = _DIGEST_SUFFIX.search(text)
    if found:
        return Digest.parse(found.group(1)), True
    if "@sha256:" in text:
        raise InputError(f"{text}: invalid digest: expected @sha256:<64 lowercase hex>")
    if "@" in text:
        raise InputError(f"{text}: only sha256 digests are supported in references")
    return None, False


def _store_ref(text: str, store: str | None) -> ArtifactRef | None:
    if store is None and not text.startswith(LAYOUT_PREFIX):
        host = text.split("/", 1)[0] if "/" in text else ""
        if not ("." in host or ":" in host or host == "localhost"):
            return None  # e.g. "nginx:1.25": no store we could ask
    try:
        return parse_reference_in(text, store)
    except BadReference:
        if store is not None or text.startswith(LAYOUT_PREFIX):
            raise
        return None


def target_of(
    text: str,
    *,
    location: Location | None = None,
    namespace: str | None = None,
    store: str | None = None,
) -> Target:
    """A target from a command-line argument or a manifest's image field.

    InputError for a bad reference; from a manifest, the message starts with its file:line.
    """
    if location is None:
        return _target_of(text, None, namespace, store)
    try:
        return _target_of(text, location, namespace, store)
    except InputError as exc:
        where = location.path if location.line is None else f"{location.path}:{location.line}"
        raise InputError(f"{where}: {exc}") from None


def _target_of(
    text: str, location: Location | None, namespace: str | None, store: str | None
) -> Target:
    path = Path(text)
    if location is None and path.is_file():
        return Target(text, Artifact.from_path(path), True, Location(text))
    ref = _store_ref(text, store)
    if ref is not None:
        artifact = Artifact(ref.digest) if ref.digest is not None else None
        if ref.digest is None and ref.tag is None:
            raise InputError(_MISSING.format(text=text))
        return Target(str(ref), artifact, ref.digest is not None, location, namespace, ref)
    digest, pinned = parse_reference(text)
    if location is None and digest is None and ":" not in text.rsplit("/", 1)[-1]:
        # On the command line a bare name is a missing file, not an implicit ":latest".
        raise InputError(_MISSING.format(text=text))
    artifact = Artifact(digest) if digest is not None else None
    return Target(text, artifact, pinned, location, namespace)
