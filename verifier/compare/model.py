"""What a comparison finds: differences, their causes and fix hints, and the overall result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class DifferenceKind(StrEnum):
    """How a member (or the container itself) differs between A and B."""

    ADDED = "added"  # only in B
    REMOVED = "removed"  # only in A
    TYPE = "type"  # file vs directory vs symlink
    CONTENT = "content"
    LINK_TARGET = "link-target"
    MTIME = "mtime"
    MODE = "mode"
    OWNER = "owner"
    MEMBER_ORDER = "member-order"
    COMPRESSION = "compression"  # method, or same method with another level (compressed size)
    ZIP_EXTRA = "zip-extra"
    ZIP_COMMENT = "zip-comment"
    ZIP_ATTRIBUTES = "zip-attributes"  # creator system/version, flag bits, reader version
    TAR_HEADER = "tar-header"  # pax records, device numbers
    GZIP_NAME = "gzip-name"
    GZIP_MTIME = "gzip-mtime"
    GZIP_HEADER = "gzip-header"  # os, xfl, flags, comment, extra
    DUPLICATE = "duplicate"  # a member name occurs more than once
    ENCODING = "encoding"  # the bytes differ although every member and header field agrees


class Cause(StrEnum):
    """Why a difference probably arose; each has a one-line fix hint."""

    TIMESTAMPS = "timestamps"
    TIME_ZONE = "time-zone"
    LOCALE = "locale"
    MEMBER_ORDER = "member-order"
    BUILD_PATH = "build-path"
    HOSTNAME = "hostname"
    USER = "user"
    UMASK = "umask"
    FILE_MODE = "file-mode"
    RANDOM_ORDER = "random-order"
    WHEEL_RECORD_ORDER = "wheel-record-order"
    COMPRESSION = "compression"
    ARCHIVER = "archiver"
    GZIP_HEADER = "gzip-header"
    FILE_SET = "file-set"
    CONTENT = "content"

    @property
    def hint(self) -> str:
        """One line saying what to change in the build."""
        return _HINTS[self]


_HINTS: Mapping[Cause, str] = {
    Cause.TIMESTAMPS: (
        "set SOURCE_DATE_EPOCH and clamp file mtimes to it (tar --mtime=@$SOURCE_DATE_EPOCH "
        "--clamp-mtime; zip writers that honour SOURCE_DATE_EPOCH)"
    ),
    Cause.TIME_ZONE: "times are off by whole hours: the tool wrote local time; build with TZ=UTC",
    Cause.LOCALE: "dates or numbers are formatted per locale: build with LC_ALL=C.UTF-8",
    Cause.MEMBER_ORDER: (
        "members are in file-system order: sort them (tar --sort=name; sorted() before "
        "writing a zip)"
    ),
    Cause.BUILD_PATH: (
        "the build directory is written into the output: build in a fixed path or map it "
        "(-ffile-prefix-map, relative paths)"
    ),
    Cause.HOSTNAME: "the build host's name is written into the output: drop it or fix it",
    Cause.USER: (
        "the build user is recorded: tar --owner=0 --group=0 --numeric-owner; drop Built-By "
        "and user fields"
    ),
    Cause.UMASK: "modes differ only in group/other write bits: build with umask 022",
    Cause.FILE_MODE: "file modes differ: set them explicitly instead of inheriting them",
    Cause.RANDOM_ORDER: (
        "the same items in another order: a set or dict iteration leaked; set "
        "PYTHONHASHSEED=0 or sort before writing"
    ),
    Cause.WHEEL_RECORD_ORDER: (
        "the wheel RECORD lists the same files in another order: the backend walked the tree "
        "unsorted; pin a backend that sorts"
    ),
    Cause.COMPRESSION: "the same content compressed differently: pin the compressor and level",
    Cause.ARCHIVER: "archive metadata differs: pin the archiving tool and its version",
    Cause.GZIP_HEADER: "gzip recorded the file name or time: use gzip -n, or mtime=0 in Python",
    Cause.FILE_SET: "files were added or removed: the inputs or the build backend differ; pin them",
    Cause.CONTENT: "content differs for a reason not recognized: look with --deep",
}


def location_path(location: tuple[str, ...]) -> str:
    """A location as one string: links joined with ``!``, a gzip's ``.`` member left out."""
    links = [part for part in location if part != "."] or ["."]
    return "!".join(links)


@dataclass(frozen=True)
class ContentDetail:
    """How a member's content differs: a short unified diff for text, a hex window otherwise."""

    size_a: int
    size_b: int
    unified_diff: tuple[str, ...] = ()
    offset: int | None = None  # first differing byte (binary)
    window: int | None = None  # offset of the first byte of the hex windows
    hex_a: str = ""
    hex_b: str = ""
    truncated: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        out: dict[str, Any] = {"size_a": self.size_a, "size_b": self.size_b}
        if self.unified_diff:
            out["unified_diff"] = list(self.unified_diff)
        if self.offset is not None:
            out.update(offset=self.offset, window=self.window, hex_a=self.hex_a, hex_b=self.hex_b)
        out["truncated"] = self.truncated
        return out


@dataclass(frozen=True)
class Difference:
    """One way A and B differ.

    ``location`` is the chain of member names from the top container down (an archive
    nested in an archive adds a link); the empty tuple is the top container itself.
    ``erased_by`` names the stabilizer that made this difference disappear, if any.
    """

    location: tuple[str, ...]
    kind: DifferenceKind
    a: str | None = None
    b: str | None = None
    cause: Cause = Cause.CONTENT
    note: str = ""
    detail: ContentDetail | None = None
    erased_by: str | None = None
    deep: str | None = None

    def __post_init__(self) -> None:
        if any(not part for part in self.location[1:]):
            raise ValueError(f"empty link in difference location {self.location!r}")

    @property
    def path(self) -> str:
        """The location as one string, nested archives joined with ``!``.

        A gzip file's single member is called ``.``; inside a nesting it is left out.
        """
        return location_path(self.location)

    @property
    def hint(self) -> str:
        """The fix hint of the cause."""
        return self.cause.hint

    def one_line(self) -> str:
        """The difference in one line: path, kind, values, cause (for logs and summaries)."""
        values = ""
        if self.a is not None or self.b is not None:
            a, b = self.a if self.a is not None else "-", self.b if self.b is not None else "-"
            values = f" {a} -> {b}"
        tail = f"erased by {self.erased_by}" if self.erased_by else self.cause.value
        return f"{self.path}: {self.kind.value}{values} ({tail})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form with stable keys."""
        out: dict[str, Any] = {
            "path": self.path,
            "location": list(self.location),
            "kind": self.kind.value,
            "a": self.a,
            "b": self.b,
            "cause": self.cause.value,
            "hint": self.hint,
            "note": self.note,
            "erased_by": self.erased_by,
        }
        if self.detail is not None:
            out["detail"] = self.detail.to_dict()
        if self.deep is not None:
            out["deep"] = self.deep
        return out


@dataclass(frozen=True)
class Comparison:
    """The result of comparing A with B.

    ``identical``: bit for bit. ``equivalent``: every difference was erased by one of the
    stabilizers the caller opted into (identical implies equivalent). ``stabilizers_applied``
    maps each stabilizer that erased something to the member paths it erased differences in.
    """

    a: str
    b: str
    identical: bool
    differences: tuple[Difference, ...]
    stabilizers: tuple[str, ...] = ()
    stabilizers_applied: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    digest_a: str | None = None
    digest_b: str | None = None
    #: safety notes about the inputs (duplicate names, escaping symlinks, nesting cut short)
    findings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.identical and self.differences:
            raise ValueError("an identical comparison cannot carry differences")

    @property
    def remaining(self) -> tuple[Difference, ...]:
        """The differences no stabilizer erased."""
        return tuple(d for d in self.differences if d.erased_by is None)

    @property
    def equivalent(self) -> bool:
        """Equal once the chosen stabilizers are applied."""
        return not self.remaining

    @property
    def verdict(self) -> str:
        """IDENTICAL, EQUIVALENT or DIFFERENT."""
        if self.identical:
            return "IDENTICAL"
        return "EQUIVALENT" if self.equivalent else "DIFFERENT"

    def summary(self, limit: int = 20) -> tuple[str, ...]:
        """One line per remaining difference (at most ``limit``, then a count of the rest)."""
        lines = [d.one_line() for d in self.remaining]
        if len(lines) > limit:
            lines = [*lines[:limit], f"... and {len(lines) - limit} more"]
        return tuple(lines)

    def causes(self) -> dict[Cause, int]:
        """How many remaining differences each cause explains, most frequent first."""
        counts: dict[Cause, int] = {}
        for diff in self.remaining:
            counts[diff.cause] = counts.get(diff.cause, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].value)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form with stable keys and order."""
        return {
            "a": self.a,
            "b": self.b,
            "digest_a": self.digest_a,
            "digest_b": self.digest_b,
            "verdict": self.verdict,
            "identical": self.identical,
            "equivalent": self.equivalent,
            "stabilizers": list(self.stabilizers),
            "stabilizers_applied": {
                k: list(v) for k, v in sorted(self.stabilizers_applied.items())
            },
            "causes": [
                {"cause": c.value, "count": n, "hint": c.hint} for c, n in self.causes().items()
            ],
            "differences": [d.to_dict() for d in self.differences],
            "findings": list(self.findings),
        }
