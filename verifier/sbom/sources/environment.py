"""An installed Python environment: a virtualenv directory, or whatever ``--python`` sees.

Distributions are found by their ``*.dist-info`` / ``*.egg-info`` directories and read as
text. With ``--python`` the interpreter is started once, isolated (``-I -S``: no site
customization, no ``.pth`` files run), only to print its site-packages paths and marker
environment; no installed code is imported.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.markers import default_environment

from verifier import process
from verifier.errors import InputError
from verifier.sbom.installed_files import installed_files
from verifier.sbom.model import ComponentKind, Inventory, Package, Subject
from verifier.sbom.python_metadata import (
    PythonMetadata,
    installed_package,
    link_dependencies,
    parse_metadata,
)
from verifier.sbom.subject import bytes_digests

MAX_METADATA = 16 << 20

# Printed by the target interpreter. PEP 508 defines each marker variable; this computes them
# the way the PEP describes, with only the standard library. Under -S, importing ``site`` does
# not set up paths or run .pth files: getsitepackages() only computes them (Debian's included).
_PROBE = r"""
import json, os, platform, site, sys, sysconfig
impl = sys.implementation
v = impl.version
iv = "%d.%d.%d" % (v.major, v.minor, v.micro)
if v.releaselevel != "final":
    iv += v.releaselevel[0] + str(v.serial)
print(json.dumps({
  "paths": sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib"),
                   *site.getsitepackages()}),
  "env": {
    "implementation_name": impl.name, "implementation_version": iv,
    "os_name": os.name, "platform_machine": platform.machine(),
    "platform_release": platform.release(), "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform}}))
"""


def venv_site_packages(root: Path) -> list[Path]:
    """site-packages directories of a virtualenv (POSIX and Windows layouts)."""
    found: dict[Path, Path] = {}
    for pattern in (
        "lib/python*/site-packages",
        "lib64/python*/site-packages",
        "Lib/site-packages",
    ):
        for site in sorted(root.glob(pattern)):
            if site.is_dir():
                found.setdefault(site.resolve(), site)  # lib64 is often a link to lib
    if not found:
        raise InputError(f"{root}: no site-packages directory (not a virtualenv?)")
    return sorted(found.values())


def venv_environment(root: Path) -> dict[str, str]:
    """The marker environment of this machine, with the venv's Python version (pyvenv.cfg)."""
    env: dict[str, str] = {k: str(v) for k, v in default_environment().items()}
    cfg = root / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() in ("version", "version_info") and value.strip():
                full = value.strip()
                env["python_full_version"] = full
                env["python_version"] = ".".join(full.split(".")[:2])
    env.setdefault("platform_machine", platform.machine())
    return env


def read_distributions(
    site: Path, *, files: bool = False
) -> tuple[list[tuple[PythonMetadata, Package]], list[Package], list[str]]:
    """Every distribution under one site-packages directory, its files if asked, and findings."""
    found, findings = [], []
    file_packages: list[Package] = []
    for meta_dir in sorted(site.iterdir()):
        name = meta_dir.name
        if name.endswith(".dist-info"):
            metadata_file = meta_dir / "METADATA"
        elif name.endswith(".egg-info"):
            metadata_file = meta_dir / "PKG-INFO" if meta_dir.is_dir() else meta_dir
        else:
            continue
        if not metadata_file.is_file():
            findings.append(f"{meta_dir}: no metadata file; distribution skipped")
            continue
        try:
            raw = metadata_file.read_bytes()[:MAX_METADATA]
        except OSError as exc:
            raise InputError(f"{metadata_file}: cannot read: {exc.strerror or exc}") from exc
        found_meta = parse_metadata(raw, where=str(metadata_file))
        record_file = meta_dir / "RECORD"
        record = record_file.read_bytes() if record_file.is_file() else None
        package = installed_package(found_meta, record, found_in=f"{site.name}/{name}")
        found.append((found_meta, package))
        findings.extend(found_meta.findings)
        if files and record is not None:
            listed, notes = installed_files(site, record, owner=str(meta_dir), label=site.name)
            file_packages.extend(listed)
            findings.extend(notes)
    return found, file_packages, findings


def _venv_of(python: Path) -> Path | None:
    # site.py's rule: pyvenv.cfg next to the executable or one directory up (symlink not followed)
    for candidate in (python.parent, python.parent.parent):
        if (candidate / "pyvenv.cfg").is_file():
            return candidate
    return None


def _includes_system_site(venv: Path) -> bool:
    text = (venv / "pyvenv.cfg").read_text(encoding="utf-8", errors="replace")
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "include-system-site-packages":
            return value.strip().lower() == "true"
    return False


@dataclass
class EnvironmentSource:
    """A virtualenv directory (``path``) or the environment of an interpreter (``python``)."""

    path: Path | None = None
    python: str | None = None
    files: bool = False

    @property
    def location(self) -> str:
        """The venv path, or ``python:<interpreter>``."""
        return str(self.path) if self.path is not None else f"python:{self.python}"

    def _probe(self) -> tuple[list[Path], dict[str, str]]:
        assert self.python is not None
        done = process.run([self.python, "-I", "-S", "-c", _PROBE], timeout=30)
        try:
            answer = json.loads(done.stdout)
            return [Path(p) for p in answer["paths"]], dict(answer["env"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{self.python}: unexpected answer from the interpreter") from exc

    def inventory(self) -> Inventory:
        """Installed distributions; the subject's digests pin the (name, version, RECORD) set."""
        if self.path is not None:
            if not self.path.is_dir():
                raise InputError(f"{self.path}: not a directory")
            sites, env = venv_site_packages(self.path), venv_environment(self.path)
            name = self.path.resolve().name
        elif self.python is not None:
            sites, env = self._probe()
            venv = _venv_of(Path(self.python))
            if venv is not None:
                # -S skips site.py, which is what makes a venv's prefix the venv: read the
                # venv's own site-packages (and the base ones only when the venv asks for them).
                base = sites if _includes_system_site(venv) else []
                sites = venv_site_packages(venv) + base
            sites = [s for s in sites if s.is_dir()]
            name = venv.resolve().name if venv is not None else "python-environment"
        else:
            raise InputError("an environment source needs a venv path or --python")
        found: list[tuple[PythonMetadata, Package]] = []
        file_packages: list[Package] = []
        findings: list[str] = []
        for site in sites:
            distributions, listed, notes = read_distributions(site, files=self.files)
            found.extend(distributions)
            file_packages.extend(listed)
            findings.extend(notes)
        packages, missing = link_dependencies(found, env)
        findings.extend(missing)
        subject = environment_subject(name, packages, env)
        return Inventory(subject, tuple(packages + file_packages), (), tuple(findings))


def environment_subject(name: str, packages: list[Package], env: Mapping[str, str]) -> Subject:
    """The environment as subject: digests of its sorted ``name==version sha256`` listing.

    An environment has no single file to hash; this listing pins exactly which distributions
    (and, through each RECORD, which files) it holds, independent of where it lives.
    """
    lines = sorted(f"{p.name}=={p.version} {p.hashes[0] if p.hashes else '-'}" for p in packages)
    sha256, sha512 = bytes_digests(("\n".join(lines) + "\n").encode())
    return Subject(
        name=name,
        version=None,
        kind=ComponentKind.APPLICATION,
        hashes=(sha256, sha512),
        properties=(
            ("verifier:python-version", env.get("python_full_version", "")),
            ("verifier:subject-digest", "sorted name==version RECORD-sha256 listing"),
        ),
    )
