"""Per-digest Python toolchain environments, installed once from hashes and shared read-only.

A toolchain is identified by the digest of its pinned requirement lines plus the interpreter
that runs it; the environment is created under the cache at a path derived from that identity
(venvs embed their own path, so they are built in place, under a lock, and marked complete
last). Builds see it read-only, so N builds never install N times.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from verifier import process
from verifier.digest import Digest, hash_file
from verifier.errors import EnvironmentFailure, ProcessFailed
from verifier.rebuild.cache import cache_root
from verifier.recipe import Toolchain

INSTALL_TIMEOUT = 600.0
_COMPLETE = ".verifier-complete"


@dataclass(frozen=True)
class Interpreter:
    """The Python that runs the toolchain: recorded in provenance as a builder dependency."""

    executable: Path
    version: str
    digest: Digest

    @classmethod
    def current(cls) -> Interpreter:
        """The base interpreter behind the running Python (venvs point at it)."""
        base = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
        return cls(base, platform.python_version(), hash_file(base))


@dataclass(frozen=True)
class ToolchainEnv:
    """An installed toolchain environment."""

    path: Path
    digest: Digest
    interpreter: Interpreter
    requirements: tuple[str, ...]

    @property
    def bin_dir(self) -> Path:
        """The directory put first on the build's PATH."""
        return self.path / "bin"

    @property
    def ro_paths(self) -> tuple[Path, ...]:
        """What the sandbox must expose read-only for the environment to work."""
        base_prefix = Path(sys.base_prefix).resolve()
        return (self.path, base_prefix)


def _identity(toolchain: Toolchain, interpreter: Interpreter) -> str:
    h = hashlib.sha256()
    h.update(toolchain.digest.hex.encode())
    h.update(interpreter.digest.hex.encode())
    h.update(platform.machine().encode())
    return h.hexdigest()


def ensure_toolchain(toolchain: Toolchain, *, reuse: bool = True) -> tuple[ToolchainEnv, bool]:
    """Install (or reuse) the environment; returns it and whether it was already cached."""
    interpreter = Interpreter.current()
    identity = _identity(toolchain, interpreter)
    root = cache_root() / "toolchains"
    root.mkdir(parents=True, exist_ok=True)
    env_dir = root / identity[:32]
    env = ToolchainEnv(env_dir, toolchain.digest, interpreter, toolchain.requirements)
    with (root / f"{identity[:32]}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if reuse and (env_dir / _COMPLETE).is_file():
            return env, True
        shutil.rmtree(env_dir, ignore_errors=True)
        try:
            _install(env_dir, interpreter, toolchain)
        except BaseException:
            shutil.rmtree(env_dir, ignore_errors=True)
            raise
        (env_dir / _COMPLETE).write_text(identity + "\n")
        return env, False


def source_args(toolchain: Toolchain) -> list[str]:
    """pip options for where the recipe says the toolchain comes from.

    ``find_links`` alone means those locations only (``--no-index``): an offline install from
    a directory of wheels. With neither, pip uses its default index (or ``PIP_INDEX_URL``).
    """
    args: list[str] = []
    if toolchain.index_url:
        args += ["--index-url", toolchain.index_url]
    elif toolchain.find_links:
        args.append("--no-index")
    for link in toolchain.find_links:
        args += ["--find-links", link]
    return args


def _pip_env(home: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        # Hermetic: no user or machine pip configuration (constraints, extra indexes).
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PIP_NO_INPUT": "1",
    }
    for key in ("PIP_INDEX_URL", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "HTTPS_PROXY"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def _resolver(interpreter: Interpreter) -> Path:
    """A venv with pip, cached per interpreter, that only ever runs ``pip --dry-run``."""
    root = cache_root() / "resolvers"
    root.mkdir(parents=True, exist_ok=True)
    venv = root / interpreter.digest.hex[:32]
    with (root / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (venv / _COMPLETE).is_file():
            shutil.rmtree(venv, ignore_errors=True)
            try:
                process.run([str(interpreter.executable), "-m", "venv", str(venv)], timeout=120)
            except ProcessFailed as exc:
                shutil.rmtree(venv, ignore_errors=True)
                raise EnvironmentFailure(
                    f"cannot create a venv with {interpreter.executable} ({exc}); "
                    "on Debian install python3-venv"
                ) from exc
            (venv / _COMPLETE).write_text(interpreter.digest.hex + "\n")
    return venv


def lock_requirements(
    requirements: Sequence[str],
    *,
    index_url: str | None = None,
    find_links: Sequence[str] = (),
    timeout: float = INSTALL_TIMEOUT,
) -> tuple[str, ...]:
    """Resolve ``requirements`` with their dependencies into ``name==version --hash=...`` lines.

    pip resolves (``install --dry-run --report``, wheels only, this interpreter's tags) from
    ``index_url`` and ``find_links`` exactly as :func:`ensure_toolchain` will install; each
    line's hash is the one the index publishes, or for a local wheel the file's own sha256.
    Sorted by name. EnvironmentFailure when pip cannot resolve them.
    """
    interpreter = Interpreter.current()
    venv = _resolver(interpreter)
    source = Toolchain((), 0, index_url=index_url, find_links=tuple(find_links))
    with tempfile.TemporaryDirectory(prefix="verifier-lock-") as tmp:
        report = Path(tmp) / "report.json"
        try:
            process.run(
                [
                    str(venv / "bin" / "python"),
                    "-m",
                    "pip",
                    "install",
                    "--dry-run",
                    "--ignore-installed",
                    "--only-binary",
                    ":all:",
                    "--no-cache-dir",
                    "--quiet",
                    "--report",
                    str(report),
                    *source_args(source),
                    *requirements,
                ],
                env=_pip_env(Path(tmp)),
                timeout=timeout,
            )
        except ProcessFailed as exc:
            raise EnvironmentFailure(
                f"cannot resolve the toolchain {' '.join(requirements)}: {exc}"
            ) from exc
        data = json.loads(report.read_text())
    lines = []
    for item in data.get("install", []):
        meta = item.get("metadata", {})
        name, version = str(meta.get("name", "")), str(meta.get("version", ""))
        info = item.get("download_info", {})
        sha = (info.get("archive_info", {}).get("hashes") or {}).get("sha256")
        if not name or not version or not sha:
            raise EnvironmentFailure(
                f"cannot pin {name or '?'} {version}: pip reported no sha256 for "
                f"{info.get('url', 'it')}"
            )
        lines.append(f"{name}=={version} --hash=sha256:{sha}")
    return tuple(sorted(lines, key=str.lower))


def _install(env_dir: Path, interpreter: Interpreter, toolchain: Toolchain) -> None:
    try:
        process.run([str(interpreter.executable), "-m", "venv", str(env_dir)], timeout=120)
    except ProcessFailed as exc:
        raise EnvironmentFailure(
            f"cannot create the toolchain environment with {interpreter.executable} -m venv "
            f"({exc}); on Debian install python3-venv"
        ) from exc
    requirements = env_dir / "requirements.txt"
    requirements.write_text("\n".join(toolchain.requirements) + "\n")
    env = _pip_env(env_dir)
    try:
        process.run(
            [
                str(env_dir / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--require-hashes",
                "--no-deps",
                "--only-binary",
                ":all:",
                "--no-cache-dir",
                *source_args(toolchain),
                "-r",
                str(requirements),
            ],
            env=env,
            timeout=INSTALL_TIMEOUT,
        )
    except ProcessFailed as exc:
        raise EnvironmentFailure(f"cannot install the toolchain: {exc}", details=()) from exc
