"""The release's SBOM: every output file, with the recipe as its formulation."""

from __future__ import annotations

from datetime import UTC, datetime

from verifier.errors import InputError
from verifier.rebuild.engine import RebuildResult
from verifier.release.package import Package
from verifier.sbom.build import build_sbom
from verifier.sbom.formulation import PinnedInput, RebuildRecipe
from verifier.sbom.sources import SbomSource, SourceOptions, detect_kind, open_source
from verifier.sbom.sources.artifact import ArtifactSource


def release_sbom(result: RebuildResult, pkg: Package) -> bytes:
    """CycloneDX 1.6 for the released files, with ``formulation``.

    Stamped with the build's SOURCE_DATE_EPOCH, so the same release gives the same bytes.
    """
    sources: list[SbomSource] = []
    for _, output in pkg.layers:
        try:
            kind = detect_kind(output.path)
        except InputError:
            sources.append(ArtifactSource(output.path))  # a plain file is its own component
            continue
        sources.append(open_source(output.path, kind, SourceOptions()))
    recipe = result.recipe
    formulation = RebuildRecipe(
        name=recipe.name,
        digest=recipe.digest,
        inputs=tuple(PinnedInput(s.spec.name, s.uri, s.digest) for s in result.staged),
        command=recipe.build.command,
        environment=tuple(sorted(recipe.build.env.items())),
    )
    stamp = datetime.fromtimestamp(result.source_date_epoch, tz=UTC)
    return build_sbom(sources, timestamp=stamp, formulation=formulation)
