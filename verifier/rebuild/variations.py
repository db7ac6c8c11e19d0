"""The named variations applied between builds, and what each build actually got.

Build 1 is the control: every variation takes its first value. Builds 2..N take other values,
so any output that depends on one of these properties differs between builds. A variation
that this machine cannot apply is recorded as unavailable with the reason, never dropped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from verifier.errors import InputError


class Variation(StrEnum):
    """Every property we vary between builds."""

    BUILD_PATH = "build_path"
    TIME_ZONE = "time_zone"
    LOCALE = "locale"
    UMASK = "umask"
    HOME = "home"
    USER = "user"
    HOSTNAME = "hostname"
    DOMAIN = "domain"
    CPU_COUNT = "cpu_count"
    HASH_SEED = "hash_seed"
    WALL_CLOCK = "wall_clock"
    FILE_ORDER = "file_order"


ALL_VARIATIONS: tuple[Variation, ...] = tuple(Variation)

#: Inside the sandbox /tmp is a private, empty tmpfs, so fixed names there are safe.
SANDBOX_TMP = "/tmp"  # noqa: S108

_TIME_ZONES = ("UTC", "Etc/GMT+12", "Etc/GMT-14", "America/St_Johns")
_LOCALES = ("C.UTF-8", "fr_CH.UTF-8", "et_EE.UTF-8", "tr_TR.UTF-8")
_UMASKS = (0o022, 0o002, 0o077, 0o027)


def parse_variation_names(names: Iterable[str]) -> set[Variation]:
    """Variation names from the command line; ``all`` means every variation."""
    result: set[Variation] = set()
    for raw in names:
        for name in raw.split(","):
            name = name.strip().replace("-", "_")
            if not name:
                continue
            if name == "all":
                result.update(ALL_VARIATIONS)
                continue
            try:
                result.add(Variation(name))
            except ValueError:
                known = ", ".join(v.value for v in ALL_VARIATIONS)
                raise InputError(f"unknown variation {raw!r} (known: all, {known})") from None
    return result


def select_variations(vary: Iterable[str], no_vary: Iterable[str]) -> frozenset[Variation]:
    """The default set (all), minus ``--no-vary``, plus ``--vary``: adjusts without resetting."""
    chosen = set(ALL_VARIATIONS) - parse_variation_names(no_vary)
    return frozenset(chosen | parse_variation_names(vary))


@dataclass(frozen=True)
class Capabilities:
    """What this machine can vary; probed once per run."""

    sandbox: bool
    faketime: str | None
    disorderfs: str | None
    taskset: str | None
    domain: bool
    cpus: int

    @classmethod
    def probe(cls, *, sandbox: bool, domain: bool) -> Capabilities:
        """Look for the helper programs on PATH."""
        return cls(
            sandbox=sandbox,
            faketime=shutil.which("faketime"),
            disorderfs=shutil.which("disorderfs") if shutil.which("fusermount") else None,
            taskset=shutil.which("taskset"),
            domain=domain,
            cpus=len(os.sched_getaffinity(0)),
        )

    def unavailable(self, variation: Variation) -> str | None:
        """Why ``variation`` cannot be applied here, or None when it can."""
        match variation:
            case Variation.HOSTNAME:
                return None if self.sandbox else "needs the bwrap sandbox (UTS namespace)"
            case Variation.DOMAIN:
                if not self.sandbox:
                    return "needs the bwrap sandbox (UTS namespace)"
                return None if self.domain else "unshare --uts cannot set the domain name here"
            case Variation.USER:
                return None if self.sandbox else "needs the bwrap sandbox (user namespace)"
            case Variation.WALL_CLOCK:
                return None if self.faketime else "faketime is not installed (Debian: faketime)"
            case Variation.FILE_ORDER:
                return (
                    None
                    if self.disorderfs
                    else "disorderfs is not installed (Debian: disorderfs, fuse)"
                )
            case Variation.CPU_COUNT:
                if not self.taskset:
                    return "taskset is not installed (Debian: util-linux)"
                return None if self.cpus > 1 else "this machine has one CPU"
            case _:
                return None


@dataclass(frozen=True)
class BuildVariations:
    """The concrete values one build runs with, plus how each variation was handled.

    ``status`` maps every variation name to ``applied``, ``control`` (build 1: baseline value),
    ``disabled`` (``--no-vary``), ``set by recipe`` or ``unavailable: <reason>``.
    """

    index: int
    build_path: str
    time_zone: str
    locale: str
    umask: int
    home: str
    user: str
    uid: int
    hostname: str
    domain: str
    cpus: int | None  # None: all CPUs
    hash_seed: str
    clock_offset_days: int  # 0: real clock
    file_order: bool
    status: Mapping[str, str]

    def recorded(self) -> dict[str, object]:
        """The values as they go into statements and reports."""
        return {
            "build_path": self.build_path,
            "time_zone": self.time_zone,
            "locale": self.locale,
            "umask": f"{self.umask:04o}",
            "home": self.home,
            "user": self.user,
            "hostname": self.hostname,
            "domain": self.domain,
            "cpu_count": self.cpus if self.cpus is not None else "all",
            "hash_seed": self.hash_seed,
            "wall_clock": f"+{self.clock_offset_days}d" if self.clock_offset_days else "real",
            "file_order": "reversed" if self.file_order else "native",
            "status": dict(sorted(self.status.items())),
        }


def plan_build(
    index: int,
    enabled: frozenset[Variation],
    caps: Capabilities,
    recipe_env: Mapping[str, str],
    recipe_umask: int | None = None,
) -> BuildVariations:
    """Values for build ``index`` (0 is the control).

    A variable the recipe sets in ``[build] env``, or a recipe ``umask``, is not varied and
    is recorded as ``set by recipe``.
    """
    status: dict[str, str] = {}
    env_owned = {
        Variation.TIME_ZONE: ("TZ",),
        Variation.LOCALE: ("LANG", "LC_ALL"),
        Variation.HOME: ("HOME",),
        Variation.USER: ("USER", "LOGNAME"),
        Variation.HASH_SEED: ("PYTHONHASHSEED",),
    }

    def active(v: Variation) -> bool:
        if v not in enabled:
            status[v.value] = "disabled"
            return False
        reason = caps.unavailable(v)
        if reason is not None:
            status[v.value] = f"unavailable: {reason}"
            return False
        owned = [k for k in env_owned.get(v, ()) if k in recipe_env]
        if v is Variation.UMASK and recipe_umask is not None:
            owned = ["umask"]
        if owned:
            status[v.value] = f"set by recipe ({', '.join(owned)})"
            return False
        if index == 0:
            status[v.value] = "control"
            return False
        status[v.value] = "applied"
        return True

    k = index
    vary_path = active(Variation.BUILD_PATH)
    if not caps.sandbox and Variation.BUILD_PATH.value in status:
        # Without a sandbox every build runs in its own host directory anyway.
        status[Variation.BUILD_PATH.value] = "applied (host directories differ)" if k else "control"
    build_path = (
        f"{SANDBOX_TMP}/build-{k + 1}/nested/src" if vary_path else f"{SANDBOX_TMP}/build/src"
    )
    tz = _TIME_ZONES[k % len(_TIME_ZONES)] if active(Variation.TIME_ZONE) else _TIME_ZONES[0]
    loc = _LOCALES[k % len(_LOCALES)] if active(Variation.LOCALE) else _LOCALES[0]
    umask = _UMASKS[k % len(_UMASKS)] if active(Variation.UMASK) else _UMASKS[0]
    if recipe_umask is not None:
        umask = recipe_umask
    home = f"{SANDBOX_TMP}/home-{k + 1}/user" if active(Variation.HOME) else f"{SANDBOX_TMP}/home"
    vary_user = active(Variation.USER)
    user, uid = (f"builder{k + 1}", 2000 + k) if vary_user else ("builder", 1000)
    host = f"reprobuild-{k + 1}" if active(Variation.HOSTNAME) else "builder"
    domain = f"variation-{k + 1}.example" if active(Variation.DOMAIN) else "build.invalid"
    cpus = 1 if active(Variation.CPU_COUNT) else None
    seed = str(1 + k * 7919) if active(Variation.HASH_SEED) else "1"
    offset = 398 * k if active(Variation.WALL_CLOCK) else 0
    file_order = active(Variation.FILE_ORDER)
    return BuildVariations(
        index=index,
        build_path=build_path,
        time_zone=tz,
        locale=loc,
        umask=umask,
        home=home,
        user=user,
        uid=uid,
        hostname=host,
        domain=domain,
        cpus=cpus,
        hash_seed=seed,
        clock_offset_days=offset,
        file_order=file_order,
        status=status,
    )
