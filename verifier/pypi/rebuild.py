"""``verifier rebuild pypi:NAME==VERSION``: fetch, infer, pin, and write a real recipe.

The release's sdist and pure-Python wheel are fetched and checked against the digests the
index publishes; the recipe is inferred from the wheel; the toolchain (the backend and every
dependency) is resolved by pip from the index or from ``find_links`` and pinned by hash; the
recipe is written as a ``repro.toml`` whose sdist input is the index's URL, pinned. The
rebuild itself is the ordinary rebuild engine's, ``--against`` the published wheel.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verifier.pypi.fetch import DEFAULT_INDEX, Release, fetch_release, parse_spec
from verifier.pypi.history import toolchain_as_of
from verifier.pypi.infer import InferredRecipe, infer_recipe
from verifier.rebuild.inputs import seed_download
from verifier.rebuild.toolchain import lock_requirements


@dataclass(frozen=True)
class PreparedRebuild:
    """A published release ready to rebuild: its files, what was inferred, the recipe."""

    release: Release
    inferred: InferredRecipe
    index_url: str
    recipe_path: Path
    recipe_text: str

    @property
    def published(self) -> Mapping[str, Any]:
        """What provenance records about the release: the index and its digests."""
        return {
            "index": self.index_url,
            "name": self.release.name,
            "version": self.release.version,
            "files": [
                {"filename": f.filename, "url": f.url, "digest": {"sha256": f.sha256.hex}}
                for f in (self.release.sdist, self.release.wheel)
            ],
            "inferred": self.inferred.to_dict(),
        }


def _link(location: str, recipe_dir: Path) -> str:
    """A find-links location as the recipe writes it.

    URLs as they are; a path relative to the recipe when the two share more than the root
    directory, else absolute.
    """
    if "://" in location:
        return location
    target, base = Path(location).resolve(), recipe_dir.resolve()
    if os.path.commonpath([target, base]) == "/":
        return str(target)
    return os.path.relpath(target, base)


def prepare_pypi_rebuild(
    spec: str,
    *,
    work: Path,
    recipe_dir: Path,
    index_url: str = DEFAULT_INDEX,
    find_links: Sequence[str] = (),
    on_progress: Callable[[str], None] = lambda _: None,
) -> PreparedRebuild:
    """Fetch NAME==VERSION into ``work``, infer and lock its recipe into ``recipe_dir``.

    ``find_links`` (directories or URLs of wheels): where the toolchain comes from, and only
    there (offline); otherwise from ``index_url``. InputError: bad spec, no such release;
    CheckFailed: a file does not match the index's digest; EnvironmentFailure: the index or
    the toolchain source cannot be used.
    """
    name, version = parse_spec(spec)
    on_progress(f"pypi: fetching {name}=={version} from {index_url}")
    release = fetch_release(name, version, work / "published", index=index_url)
    inferred = infer_recipe(release.wheel.path, release.sdist.path)
    on_progress(f"pypi: {release.wheel.filename}: built by {inferred.generator}")
    links = [link if "://" in link else str(Path(link).resolve()) for link in find_links]
    toolchain_index = None if links else index_url
    requirements = inferred.requirements
    as_of = release.wheel.uploaded
    history_notes: tuple[str, ...] = ()
    locked: tuple[str, ...] | None = None
    if links or as_of is None:
        as_of = None  # find-links say exactly what the toolchain is; no date, no choice
    else:
        on_progress(f"pypi: toolchain as of the wheel's upload, {as_of:%Y-%m-%d %H:%M}Z")
        pinned = toolchain_as_of(requirements, as_of, index_url)
        requirements, history_notes, locked = pinned.requirements, pinned.notes, pinned.locked
    on_progress(
        "pypi: pinning the toolchain "
        + ", ".join(requirements)
        + f" from {', '.join(links) if links else index_url}"
    )
    if locked is None:
        locked = lock_requirements(requirements, index_url=toolchain_index, find_links=links)
    seed_download(release.sdist.path, release.sdist.sha256)
    recipe_dir.mkdir(parents=True, exist_ok=True)
    text = inferred.to_toml(
        release.sdist.url,
        release.sdist.sha256.hex,
        requirements=locked,
        index_url=toolchain_index,
        find_links=[_link(link, recipe_dir) for link in links],
        comments=(
            f"sdist and wheel pinned by the digests {index_url} publishes: "
            f"{release.sdist.filename} {release.sdist.sha256}, "
            f"{release.wheel.filename} {release.wheel.sha256}",
            "The toolchain: the inferred requirements and their dependencies, "
            "as pip resolved them, pinned by hash"
            + (
                f"; each the newest release uploaded by {as_of:%Y-%m-%dT%H:%M:%SZ}, "
                "when the wheel was (PEP 700 upload times)."
                if as_of is not None
                else "."
            ),
            *history_notes,
        ),
    )
    path = recipe_dir / "repro.toml"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
    return PreparedRebuild(release, inferred, index_url, path, text)
