"""Fetch, verify and stage the pinned inputs of a recipe.

Every input is copied (or downloaded, or checked out) into a private staging directory first
and its digest computed on that copy, so what is verified is exactly what gets built.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from verifier import process
from verifier.archive import extract
from verifier.digest import Digest, hash_file, hash_stream, tree_digest
from verifier.errors import CheckFailed, EnvironmentFailure, InputError
from verifier.rebuild.cache import cache_root
from verifier.recipe import InputKind, InputSpec, Recipe

DOWNLOAD_TIMEOUT = 120.0
GIT_TIMEOUT = 300.0


@dataclass(frozen=True)
class StagedInput:
    """An input whose bytes matched its pin, ready to be copied into each build."""

    spec: InputSpec
    digest: Digest
    uri: str  # what provenance records as the dependency's location
    path: Path  # a file, or a directory whose contents land at spec.dest
    commit_time: int | None = None


def _uri(recipe: Recipe, spec: InputSpec) -> str:
    match spec.kind:
        case InputKind.PATH:
            return (recipe.directory / spec.location).absolute().as_uri()
        case InputKind.URL:
            return spec.location
        case InputKind.GIT:
            return f"git+{spec.location}@{spec.commit}"


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a tree with modes reduced to 0644/0755: the tree digest pins only the exec bit."""
    shutil.copytree(src, dst, symlinks=True, copy_function=shutil.copyfile)
    for dirpath, dirnames, filenames in os.walk(dst):
        for d in dirnames:
            p = Path(dirpath, d)
            if not p.is_symlink():
                p.chmod(0o755)
        for f in filenames:
            p = Path(dirpath, f)
            if p.is_symlink():
                continue
            src_mode = (src / p.relative_to(dst)).lstat().st_mode
            p.chmod(0o755 if src_mode & 0o111 else 0o644)


def _stage_path(recipe: Recipe, spec: InputSpec, staging: Path) -> tuple[Path, Digest]:
    source = recipe.directory / spec.location
    if not source.exists() and not source.is_symlink():
        raise InputError(f"{recipe.path}:{spec.line}: input {spec.name!r}: {source} does not exist")
    target = staging / spec.name
    where = f"{recipe.path}:{spec.line}: input {spec.name!r}"
    try:
        if source.is_dir() and not source.is_symlink():
            _copy_tree(source, target)
            return target, tree_digest(target)
        target.mkdir()
        copy = target / source.name
        shutil.copyfile(source, copy)
        copy.chmod(0o755 if source.stat().st_mode & 0o111 else 0o644)
    except shutil.Error as exc:
        # copytree gathers every failure as (source, destination, reason); name the first.
        failed, _, reason = exc.args[0][0]
        raise InputError(f"{where}: cannot copy {failed}: {reason}") from exc
    except OSError as exc:
        failed = exc.filename or source
        raise InputError(f"{where}: cannot copy {failed}: {exc.strerror or exc}") from exc
    return copy, hash_file(copy)


def _download(recipe: Recipe, spec: InputSpec) -> tuple[Path, Digest]:
    """Download into the content-addressed cache (reused only after re-hashing)."""
    downloads = cache_root() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    if spec.sha256 is not None:
        cached = downloads / spec.sha256.hex
        if cached.is_file() and hash_file(cached) == spec.sha256:
            return cached, spec.sha256
    parsed = urllib.parse.urlparse(spec.location)
    fd, tmp_name = tempfile.mkstemp(dir=downloads, prefix=".part-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if parsed.scheme == "file":
                local = Path(urllib.request.url2pathname(parsed.path))
                try:
                    with local.open("rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                except OSError as exc:
                    raise InputError(
                        f"{recipe.path}:{spec.line}: input {spec.name!r}: cannot read {local}: "
                        f"{exc.strerror or exc}"
                    ) from exc
            else:
                try:
                    with urllib.request.urlopen(spec.location, timeout=DOWNLOAD_TIMEOUT) as resp:  # noqa: S310 - scheme checked when the recipe was parsed
                        shutil.copyfileobj(resp, out, 1 << 20)
                except (urllib.error.URLError, OSError) as exc:
                    raise EnvironmentFailure(
                        f"input {spec.name!r}: cannot download {spec.location}: {exc}"
                    ) from exc
        with tmp.open("rb") as f:
            digest = hash_stream(f)
        final = downloads / digest.hex
        tmp.replace(final)
        return final, digest
    finally:
        tmp.unlink(missing_ok=True)


def seed_download(path: Path, digest: Digest) -> None:
    """Put a file already checked against ``digest`` into the download cache.

    A ``url`` input with that pin is then not downloaded again (the cache is re-hashed
    before use, so a wrong seed is never built from).
    """
    downloads = cache_root() / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    target = downloads / digest.hex
    if target.is_file() and hash_file(target) == digest:
        return
    fd, tmp_name = tempfile.mkstemp(dir=downloads, prefix=".part-")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copyfile(path, tmp)
        if hash_file(tmp) != digest:
            raise CheckFailed(f"{path}: does not match {digest}")
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _git(args: list[str], cwd: Path) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_TERMINAL_PROMPT": "0",
        "HOME": str(cwd),
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = process.run(["git", *args], cwd=cwd, env=env, timeout=GIT_TIMEOUT)
    return done.stdout.decode().strip()


def _stage_git(recipe: Recipe, spec: InputSpec, staging: Path) -> tuple[Path, Digest, int]:
    assert spec.commit is not None
    location = spec.location
    if "://" not in location and not location.startswith("git@"):
        location = str((recipe.directory / location).absolute())
    target = staging / spec.name
    target.mkdir()
    _git(["init", "-q", "."], target)
    try:
        _git(["fetch", "-q", "--depth", "1", location, spec.commit], target)
        _git(["-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD"], target)
    except EnvironmentFailure as exc:
        raise EnvironmentFailure(
            f"input {spec.name!r}: cannot fetch commit {spec.commit} from {spec.location}: {exc}"
        ) from exc
    head = _git(["rev-parse", "HEAD"], target)
    if head != spec.commit:
        raise CheckFailed(
            f"input {spec.name!r}: checked out {head}, expected commit {spec.commit}; "
            "nothing was built"
        )
    commit_time = int(_git(["show", "-s", "--format=%ct", "HEAD"], target))
    shutil.rmtree(target / ".git")
    return target, tree_digest(target), commit_time


def stage_inputs(
    recipe: Recipe, staging: Path, *, on_progress: Callable[[str], None] = lambda _: None
) -> tuple[StagedInput, ...]:
    """Fetch every input into ``staging`` and check it against its pin.

    Raises CheckFailed (exit 1) naming the input, expected and actual digest when bytes
    differ from a pin: nothing is built from a tampered input.
    """
    require_pins(recipe)
    staged: list[StagedInput] = []
    for spec in recipe.inputs:
        on_progress(f"input {spec.name}: {spec.kind.value} {spec.location}")
        commit_time = None
        match spec.kind:
            case InputKind.PATH:
                path, digest = _stage_path(recipe, spec, staging)
            case InputKind.URL:
                path, digest = _download(recipe, spec)
            case InputKind.GIT:
                path, digest, commit_time = _stage_git(recipe, spec, staging)
        if digest != spec.sha256:
            raise CheckFailed(
                f"{recipe.path}:{spec.line}: input {spec.name!r} does not match its pin: "
                f"expected {spec.sha256}, got {digest}; nothing was built"
            )
        if spec.unpack:
            tree = staging / f"{spec.name}.unpacked"
            # Without SOURCE_DATE_EPOCH the archive's file times are what the build sees;
            # with a recipe umask, files get the archive's modes less it (as tar does).
            extract(
                path,
                tree,
                strip=spec.strip,
                keep_mtimes=recipe.build.no_source_date_epoch,
                umask=recipe.build.umask,
            )
            path = tree
        staged.append(StagedInput(spec, digest, _uri(recipe, spec), path, commit_time))
    return tuple(staged)


#: input timestamps when the recipe has no SOURCE_DATE_EPOCH (the earliest a zip can hold)
NO_SDE_MTIME = 315532800  # 1980-01-01T00:00:00Z


def place_inputs(staged: tuple[StagedInput, ...], build_root: Path, mtime: int | None) -> None:
    """Copy every staged input into one build directory, every timestamp set to ``mtime``.

    Fixed input timestamps (SOURCE_DATE_EPOCH) make the control build independent of when and
    where the inputs were fetched; the wall-clock variation shifts what later builds see.
    ``mtime`` None (``source_date_epoch = "none"``): files of unpacked archives keep the
    times the archive records; everything else is set to 1980-01-01.
    """
    if mtime is None:
        _place_keeping_archive_times(staged, build_root)
        return
    for item in staged:
        dest = (build_root / item.spec.dest).resolve()
        if not dest.is_relative_to(build_root.resolve()):
            raise InputError(f"input {item.spec.name!r}: dest escapes the build directory")
        if item.path.is_dir():
            shutil.copytree(item.path, dest, symlinks=True, dirs_exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item.path, dest)
    for dirpath, dirnames, filenames in os.walk(build_root):
        for name in [*dirnames, *filenames]:
            os.utime(Path(dirpath, name), (mtime, mtime), follow_symlinks=False)
    os.utime(build_root, (mtime, mtime))


def _place_keeping_archive_times(staged: tuple[StagedInput, ...], build_root: Path) -> None:
    kept: set[Path] = set()
    for item in staged:
        dest = (build_root / item.spec.dest).resolve()
        if not dest.is_relative_to(build_root.resolve()):
            raise InputError(f"input {item.spec.name!r}: dest escapes the build directory")
        if item.path.is_dir():
            shutil.copytree(item.path, dest, symlinks=True, dirs_exist_ok=True)
            if item.spec.unpack:
                for p in item.path.rglob("*"):
                    if p.is_file() and not p.is_symlink():
                        kept.add(dest / p.relative_to(item.path))
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item.path, dest)
    for dirpath, dirnames, filenames in os.walk(build_root.resolve()):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath, name)
            if p not in kept:
                os.utime(p, (NO_SDE_MTIME, NO_SDE_MTIME), follow_symlinks=False)
    os.utime(build_root, (NO_SDE_MTIME, NO_SDE_MTIME))


def compute_pin(recipe: Recipe, spec: InputSpec) -> Digest:
    """The digest an input has now (downloading or checking out as needed)."""
    with tempfile.TemporaryDirectory(prefix="verifier-pin-") as tmp:
        match spec.kind:
            case InputKind.PATH:
                return _stage_path(recipe, spec, Path(tmp))[1]
            case InputKind.URL:
                return _download(recipe, spec)[1]
            case InputKind.GIT:
                if spec.commit is None:
                    raise InputError(
                        f'{recipe.path}:{spec.line}: input {spec.name!r}: add commit = "<40 hex>" '
                        "first; a git input is pinned by its commit and its tree digest"
                    )
                return _stage_git(recipe, spec, Path(tmp))[1]


def require_pins(recipe: Recipe) -> None:
    """InputError (exit 2) listing every unpinned input with the exact line to add."""
    missing = [spec for spec in recipe.inputs if not spec.pinned]
    if not missing:
        return
    details = []
    for spec in missing:
        if spec.kind is InputKind.GIT and not spec.commit:
            details.append(
                f'{recipe.path}:{spec.line}: input {spec.name!r}: add commit = "<full commit id>"'
            )
            continue
        if spec.kind is InputKind.PATH:
            try:
                line = f'sha256 = "{compute_pin(recipe, spec).hex}"'
            except InputError as exc:
                details.append(str(exc))
                continue
        else:
            line = "sha256 = \"<digest>\" (run 'verifier pin' to fetch it and write the line)"
        details.append(f"{recipe.path}:{spec.line}: input {spec.name!r}: add {line}")
    raise InputError(
        f"{recipe.path}: {len(missing)} unpinned input(s); every input must be pinned by digest",
        details=tuple(details),
    )
