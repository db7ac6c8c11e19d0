"""npm ``package.json``: every dependency needs an ``integrity`` in the lock file beside it.

The lock is ``npm-shrinkwrap.json`` or else ``package-lock.json`` in the same directory.
lockfileVersion 2 and 3 record each installed package under ``packages["node_modules/NAME"]``
with an ``integrity`` (an SRI hash); version 1 under ``dependencies[NAME]``. A dependency is
pinned when its lock entry has an ``integrity`` with sha256, sha384 or sha512 (sha1 alone is
not enough), or, for git dependencies, a ``resolved`` URL ending in a 40-hex commit. Local
dependencies (``file:``, ``link:``, ``workspace:``) are part of this repository. Sections
read: ``dependencies``, ``devDependencies``, ``optionalDependencies``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from verifier.pins.finding import Finding, FindingKind
from verifier.pins.interface import SourceFile

_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies")
_LOCAL = ("file:", "link:", "workspace:")
_STRONG_SRI = re.compile(r"(?:^|\s)sha(?:256|384|512)-")
_GIT_COMMIT = re.compile(r"#[0-9a-f]{40}$")
_LOCK_NAMES = ("npm-shrinkwrap.json", "package-lock.json")


def _line_of(text: str, section: str, name: str) -> int:
    """Line of ``"name":`` inside ``"section": {`` (json keeps no positions)."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.search(rf'"{re.escape(section)}"\s*:', line)), 0
    )
    key = re.compile(rf'"{re.escape(name)}"\s*:')
    for index in range(start, len(lines)):
        if key.search(lines[index]):
            return index + 1
    return start + 1


def _lock_entry(lock: dict[str, Any], name: str) -> dict[str, Any] | None:
    packages = lock.get("packages")
    if isinstance(packages, dict):
        entry = packages.get(f"node_modules/{name}")
        return entry if isinstance(entry, dict) else None
    dependencies = lock.get("dependencies")
    if isinstance(dependencies, dict):
        entry = dependencies.get(name)
        return entry if isinstance(entry, dict) else None
    return None


def _entry_problem(entry: dict[str, Any] | None, lock_name: str) -> str | None:
    if entry is None:
        return f"not in {lock_name}: run npm install and commit the lock file"
    resolved = entry.get("resolved")
    if isinstance(resolved, str) and resolved.startswith("git") and _GIT_COMMIT.search(resolved):
        return None
    integrity = entry.get("integrity")
    if not isinstance(integrity, str) or not integrity:
        return f"no integrity in {lock_name}: regenerate the lock with npm install"
    if not _STRONG_SRI.search(integrity):
        return f"only a sha1 integrity in {lock_name}: regenerate the lock (npm 7+ writes sha512)"
    return None


class NpmScanner:
    """``package.json`` with its lock file."""

    name = "npm"

    def matches(self, path: PurePosixPath, head: bytes) -> bool:
        """``package.json``, except inside installed packages."""
        return path.name == "package.json"

    def scan(self, source: SourceFile) -> Iterator[Finding]:
        """Each dependency whose lock entry has no strong integrity."""
        try:
            manifest = json.loads(source.text)
        except json.JSONDecodeError as exc:
            yield source.unreadable(exc.lineno, f"invalid JSON: {exc.msg}")
            return
        if not isinstance(manifest, dict):
            yield source.unreadable(1, "package.json is not a JSON object")
            return
        lock, lock_name, lock_problem = self._lock(source)
        if lock_problem is not None:
            yield lock_problem
            return
        for section in _SECTIONS:
            deps = manifest.get(section)
            if not isinstance(deps, dict):
                continue
            for name, spec in sorted(deps.items()):
                if isinstance(spec, str) and spec.startswith(_LOCAL):
                    continue
                problem = (
                    f"no lock file: run npm install and commit {_LOCK_NAMES[1]}"
                    if lock is None
                    else _entry_problem(_lock_entry(lock, name), lock_name)
                )
                if problem is not None:
                    yield source.finding(
                        _line_of(source.text, section, name),
                        FindingKind.NPM_DEPENDENCY,
                        f"{name}@{spec}",
                        problem,
                    )

    def _lock(self, source: SourceFile) -> tuple[dict[str, Any] | None, str, Finding | None]:
        for lock_name in _LOCK_NAMES:
            path = source.path.parent / lock_name
            if not path.is_file():
                continue
            lock_display = (source.display.parent / lock_name).as_posix()
            lock_source = SourceFile(path, PurePosixPath(lock_display), "")
            try:
                lock = json.loads(path.read_bytes())
            except (OSError, UnicodeDecodeError) as exc:
                return None, lock_name, lock_source.unreadable(1, f"cannot read: {exc}")
            except json.JSONDecodeError as exc:
                return (
                    None,
                    lock_name,
                    lock_source.unreadable(exc.lineno, f"invalid JSON: {exc.msg}"),
                )
            if not isinstance(lock, dict):
                return None, lock_name, lock_source.unreadable(1, "lock file is not a JSON object")
            return lock, lock_name, None
        return None, _LOCK_NAMES[1], None
