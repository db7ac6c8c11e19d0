"""SBOM sources: one module per kind of input, chosen by :class:`SourceKind`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import assert_never

from verifier.archive import ArchiveFormat, ArchiveReader, MemberKind, detect_format, open_archive
from verifier.errors import InputError
from verifier.sbom.sources.artifact import ArtifactSource
from verifier.sbom.sources.environment import EnvironmentSource
from verifier.sbom.sources.interface import SbomSource
from verifier.sbom.sources.npm_lock import NpmLockSource
from verifier.sbom.sources.oci_layout import OciLayoutSource
from verifier.sbom.sources.poetry_lock import PoetryLockSource
from verifier.sbom.sources.pylock import PylockSource
from verifier.sbom.sources.requirements import RequirementsSource
from verifier.sbom.sources.sdist import SdistSource
from verifier.sbom.sources.uv_lock import UvLockSource
from verifier.sbom.sources.wheel import WheelSource

__all__ = ["SbomSource", "SourceKind", "SourceOptions", "detect_kind", "open_source"]


class SourceKind(StrEnum):
    """What the input is; ``auto`` detects it from the path."""

    AUTO = "auto"
    WHEEL = "wheel"
    SDIST = "sdist"
    VENV = "venv"
    REQUIREMENTS = "requirements"
    UV_LOCK = "uv-lock"
    POETRY_LOCK = "poetry-lock"
    PYLOCK = "pylock"
    NPM_LOCK = "npm-lock"
    ARCHIVE = "archive"
    DIRECTORY = "directory"
    OCI_LAYOUT = "oci-layout"


@dataclass(frozen=True)
class SourceOptions:
    """Choices that only some sources use."""

    files: bool = False
    ref: str | None = None


def _has_top_level(reader: ArchiveReader, name: str) -> bool:
    for member in reader.members():
        parts = member.name.split("/")
        if member.kind is MemberKind.FILE and len(parts) == 2 and parts[1] == name:
            return True
    return False


def detect_kind(path: Path) -> SourceKind:
    """The source kind of ``path`` from its name, its layout or its contents."""
    name = path.name
    if path.is_dir():
        if (path / "oci-layout").is_file():
            return SourceKind.OCI_LAYOUT
        if (path / "pyvenv.cfg").is_file():
            return SourceKind.VENV
        return SourceKind.DIRECTORY
    if not path.is_file():
        raise InputError(f"{path}: no such file or directory")
    if name.endswith(".whl"):
        return SourceKind.WHEEL
    if name == "uv.lock":
        return SourceKind.UV_LOCK
    if name == "poetry.lock":
        return SourceKind.POETRY_LOCK
    if name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml")):
        return SourceKind.PYLOCK
    if name in ("package-lock.json", "npm-shrinkwrap.json"):
        return SourceKind.NPM_LOCK
    if name.endswith((".txt", ".in")) and "requirements" in name:
        return SourceKind.REQUIREMENTS
    fmt = detect_format(path)
    if fmt in (ArchiveFormat.ZIP, ArchiveFormat.TAR):
        reader = open_archive(path)
        try:
            if _has_top_level(reader, "PKG-INFO"):
                return SourceKind.SDIST
        finally:
            reader.close()
    if fmt is not None:
        return SourceKind.ARCHIVE
    raise InputError(
        f"{path}: cannot tell what this is; name the kind with --type "
        f"({', '.join(k.value for k in SourceKind if k is not SourceKind.AUTO)})"
    )


def open_source(path: Path, kind: SourceKind, options: SourceOptions) -> SbomSource:
    """The source backend for ``path``."""
    if kind is SourceKind.AUTO:
        kind = detect_kind(path)
    with_files = (
        SourceKind.WHEEL,
        SourceKind.SDIST,
        SourceKind.VENV,
        SourceKind.ARCHIVE,
        SourceKind.DIRECTORY,
    )
    if options.files and kind not in with_files:
        raise InputError(
            f"{path}: --files applies to wheels, sdists, venvs, archives and directories"
        )
    if options.ref is not None and kind is not SourceKind.OCI_LAYOUT:
        raise InputError(f"{path}: --ref applies to OCI image layouts only")
    match kind:
        case SourceKind.AUTO:
            raise AssertionError("resolved above")
        case SourceKind.WHEEL:
            return WheelSource(path, files=options.files)
        case SourceKind.SDIST:
            return SdistSource(path, files=options.files)
        case SourceKind.VENV:
            return EnvironmentSource(path=path, files=options.files)
        case SourceKind.REQUIREMENTS:
            return RequirementsSource(path)
        case SourceKind.UV_LOCK:
            return UvLockSource(path)
        case SourceKind.POETRY_LOCK:
            return PoetryLockSource(path)
        case SourceKind.PYLOCK:
            return PylockSource(path)
        case SourceKind.NPM_LOCK:
            return NpmLockSource(path)
        case SourceKind.ARCHIVE:
            # --type is a claim about the input: check it, as the other kinds do.
            if path.is_dir():
                raise InputError(f"{path}: a directory, not an archive (--type directory)")
            if path.exists() and detect_format(path) is None:
                raise InputError(f"{path}: not a zip, tar or gzip archive")
            return ArtifactSource(path, files=options.files)
        case SourceKind.DIRECTORY:
            if path.exists() and not path.is_dir():
                raise InputError(f"{path}: not a directory")
            return ArtifactSource(path, files=options.files)
        case SourceKind.OCI_LAYOUT:
            return OciLayoutSource(path, ref=options.ref)
    assert_never(kind)
