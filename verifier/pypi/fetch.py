"""Fetch a release's sdist and pure-Python wheel from a package index.

Each file is pinned by the sha256 the index publishes for it (PEP 691 JSON simple API).
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from verifier.digest import Digest
from verifier.errors import CheckFailed, EnvironmentFailure, InputError

DEFAULT_INDEX = "https://pypi.org/simple"
JSON_ACCEPT = "application/vnd.pypi.simple.v1+json"
_CHUNK = 1 << 20
#: a published file larger than this is refused (the four fixtures are under 1 MB)
MAX_FILE = 512 << 20
#: a project page read from the index: PyPI's setuptools page is several MiB
MAX_INDEX_PAGE = 64 << 20


@dataclass(frozen=True)
class PublishedFile:
    """One file of a release: where it came from, the index's digest, where it is now."""

    filename: str
    url: str
    sha256: Digest
    path: Path
    #: When the index says the file was uploaded (PEP 700), if it says.
    uploaded: datetime | None = None


@dataclass(frozen=True)
class Release:
    """The sdist and the pure-Python wheel of NAME==VERSION."""

    name: str
    version: str
    sdist: PublishedFile
    wheel: PublishedFile


def normalize(name: str) -> str:
    """PEP 503 name normalization."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_spec(spec: str) -> tuple[str, str]:
    """``NAME==VERSION`` (optionally prefixed ``pypi:``) -> (name, version); InputError else."""
    text = spec.removeprefix("pypi:")
    match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([A-Za-z0-9][A-Za-z0-9.+!_-]*)", text)
    if match is None:
        raise InputError(f"{spec!r}: expected pypi:NAME==VERSION")
    return match.group(1), match.group(2)


def get(url: str, timeout: float, accept: str | None = None) -> Any:
    """Open ``url``; InputError on 404, EnvironmentFailure when the index cannot answer."""
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})  # noqa: S310
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise InputError(f"{url}: not found on the index (404)") from exc
        raise EnvironmentFailure(f"{url}: the index answered {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EnvironmentFailure(f"{url}: cannot reach the index: {reason}") from exc


def _pick(
    files: list[dict[str, Any]], name: str, version: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    want = normalize(name)
    sdist = wheel = None
    for entry in files:
        filename = str(entry.get("filename", ""))
        if filename.endswith(".tar.gz"):
            stem = filename[: -len(".tar.gz")]
            dist, _, ver = stem.rpartition("-")
            if normalize(dist) == want and ver == version:
                sdist = entry
        elif filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            pure = len(parts) in (5, 6) and parts[-2] == "none" and parts[-1] == "any"
            if pure and normalize(parts[0]) == want and parts[1] == version:
                wheel = entry
    if sdist is None or wheel is None:
        missing = "sdist" if sdist is None else "pure-Python wheel"
        raise InputError(f"{name}=={version}: the index has no {missing} for this release")
    return sdist, wheel


def _download(entry: dict[str, Any], base: str, dest: Path, timeout: float) -> PublishedFile:
    filename = str(entry["filename"])
    if "/" in filename or filename.startswith("."):
        raise InputError(f"index entry has an unsafe file name: {filename!r}")
    expected = (entry.get("hashes") or {}).get("sha256")
    if not expected:
        raise InputError(f"{filename}: the index publishes no sha256 for it; refusing to use it")
    pin = Digest.sha256_hex(str(expected))
    url = urllib.parse.urljoin(base, str(entry["url"]))
    target = dest / filename
    digest = hashlib.sha256()
    size = 0
    with get(url, timeout) as response, target.open("wb") as out:
        while chunk := response.read(_CHUNK):
            size += len(chunk)
            if size > MAX_FILE:
                raise InputError(f"{url}: larger than {MAX_FILE} bytes; refused")
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != pin.hex:
        target.unlink()
        raise CheckFailed(
            f"{url}: downloaded bytes do not match the index's digest "
            f"(expected {pin.short}, got sha256:{digest.hexdigest()[:12]})"
        )
    return PublishedFile(filename, url, pin, target, upload_time(entry))


def upload_time(entry: Mapping[str, Any]) -> datetime | None:
    """A PEP 700 ``upload-time`` of an index file entry; None when absent or unreadable."""
    text = entry.get("upload-time")
    if not isinstance(text, str):
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def project_files(index: str, name: str, timeout: float) -> tuple[str, list[dict[str, Any]]]:
    """The project page's URL and its file entries (PEP 691 JSON); InputError when unusable."""
    base = f"{index.rstrip('/')}/{normalize(name)}/"
    with get(base, timeout, accept=JSON_ACCEPT) as response:
        try:
            page = json.loads(response.read(MAX_INDEX_PAGE))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError(f"{base}: the index answered something that is not JSON") from exc
    files = page.get("files") if isinstance(page, dict) else None
    if not isinstance(files, list):
        raise InputError(f"{base}: the index answer has no file list")
    return base, [f for f in files if isinstance(f, dict)]


def fetch_release(
    name: str, version: str, dest: Path, *, index: str = DEFAULT_INDEX, timeout: float = 60.0
) -> Release:
    """Download NAME==VERSION's sdist and pure-Python wheel into ``dest``.

    Each is checked against the sha256 the index publishes. InputError: no such release or
    file; CheckFailed: a file does not match its digest; EnvironmentFailure: the index cannot
    be reached.
    """
    base, files = project_files(index, name, timeout)
    sdist, wheel = _pick(files, name, version)
    dest.mkdir(parents=True, exist_ok=True)
    return Release(
        name, version, _download(sdist, base, dest, timeout), _download(wheel, base, dest, timeout)
    )
