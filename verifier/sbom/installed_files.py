"""Installed files of a Python distribution, hashed and checked against its RECORD.

RECORD (PEP 376, "Recording installed projects") lists each installed file with the sha256 it
had at install time. Hashing the files again shows an environment changed after install: a
patched module, a deleted file.
"""

from __future__ import annotations

import os
from pathlib import Path

from verifier.digest import Algorithm, Digest, hash_files
from verifier.sbom.archive_files import file_component
from verifier.sbom.model import Package
from verifier.sbom.python_metadata import record_rows


def installed_files(
    site: Path, record: bytes, *, owner: str, label: str
) -> tuple[list[Package], list[str]]:
    """File components (path relative to ``label``'s root) and findings for one RECORD.

    ``site`` is the site-packages directory RECORD paths are relative to; ``label`` names it
    in component names (``site-packages/six.py``), so the output does not depend on where the
    environment lives. Paths that leave the environment's prefix are refused as findings.
    """
    rows, findings = record_rows(record.decode("utf-8", "replace"), where=owner)
    prefix = site.resolve().parents[2] if len(site.resolve().parents) > 2 else site.resolve()
    wanted: dict[Path, tuple[str, Digest]] = {}
    for raw_path, digest in rows:
        target = Path(os.path.normpath(site / raw_path))
        try:
            target.resolve().relative_to(prefix)
        except ValueError:
            findings.append(f"{owner}: RECORD lists {raw_path!r} outside the environment")
            continue
        if not target.is_file():
            findings.append(f"{owner}: {raw_path} is listed in RECORD but missing")
            continue
        wanted[target] = (os.path.normpath(f"{label}/{raw_path}"), digest)
    actual = hash_files(wanted)
    files = []
    for target, (name, claimed) in sorted(wanted.items(), key=lambda item: item[1][0]):
        digest = actual[target]
        if claimed.algorithm is Algorithm.SHA256 and claimed != digest:
            findings.append(
                f"{owner}: {name} does not match its RECORD hash (changed since install)"
            )
        files.append(file_component(name, digest))
    return files, findings
