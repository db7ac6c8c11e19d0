"""The release's OCI manifest: one layer per output file, computed before anything is pushed.

The manifest is a deterministic function of the output files and the recipe (its created
time is the build's SOURCE_DATE_EPOCH), so every build's outputs give the same manifest
exactly when they are identical: packaging reproduces when the outputs do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from verifier.clock import rfc3339
from verifier.digest import Digest
from verifier.errors import InputError
from verifier.rebuild.runner import BuildOutput
from verifier.release.record import (
    ANNOTATION_NAME,
    ANNOTATION_RECIPE,
    ANNOTATION_VERSION,
    RELEASE_ARTIFACT_TYPE,
    ReleasedFile,
)
from verifier.store.oci import (
    ANNOTATION_CREATED,
    ANNOTATION_TITLE,
    OCI_MANIFEST,
    OCTET_STREAM,
    Descriptor,
    artifact_manifest,
)


@dataclass(frozen=True)
class Package:
    """The manifest bytes and the files it holds."""

    raw: bytes
    layers: tuple[tuple[Descriptor, BuildOutput], ...]

    @property
    def digest(self) -> Digest:
        """The manifest's digest: what the release tag will point at."""
        return Digest.of_bytes(self.raw)

    @property
    def descriptor(self) -> Descriptor:
        """The manifest as a referrer's subject."""
        return Descriptor(OCI_MANIFEST, self.digest, len(self.raw))

    @property
    def files(self) -> tuple[ReleasedFile, ...]:
        """The released files, by output name."""
        return tuple(ReleasedFile(out.name, out.digest, out.size) for _, out in self.layers)


def package(
    outputs: Sequence[BuildOutput],
    *,
    name: str,
    version: str,
    recipe: Digest,
    source_date_epoch: int,
) -> Package:
    """The release manifest for these outputs (sorted by name; layers titled by file name)."""
    names = [out.name.rsplit("/", 1)[-1] for out in outputs]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise InputError(
            f"outputs share a file name ({', '.join(clashes)}); a release could not tell them apart"
        )
    layers = tuple(
        (
            Descriptor(
                OCTET_STREAM,
                out.digest,
                out.size,
                annotations={ANNOTATION_TITLE: out.name.rsplit("/", 1)[-1]},
            ),
            out,
        )
        for out in sorted(outputs, key=lambda o: o.name)
    )
    created = datetime.fromtimestamp(source_date_epoch, tz=UTC)
    raw = artifact_manifest(
        [d for d, _ in layers],
        artifact_type=RELEASE_ARTIFACT_TYPE,
        annotations={
            ANNOTATION_CREATED: rfc3339(created),
            ANNOTATION_NAME: name,
            ANNOTATION_RECIPE: str(recipe),
            ANNOTATION_VERSION: version,
        },
    )
    return Package(raw, layers)
