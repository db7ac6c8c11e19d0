"""Why a difference arose: classification of each difference into a Cause, with a note.

Heuristics, each named after the build variation it detects. A cause is a best guess,
said as such in the docs; CONTENT is the honest answer when nothing fits.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from verifier.compare.content import TextPair
from verifier.compare.model import Cause

_DATE = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}(:\d{2})?|\b\d{10}\b|"
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
)
_ZONE = re.compile(
    r"\b(UTC|GMT|CET|CEST|EET|EEST|WET|WEST|BST|IST|JST|AEST|AEDT|"
    r"[ECMP][SD]T)\b|(?<=[\d\s])[+-]\d{2}:?\d{2}\b|(?<=\d)Z\b"
)
#: month and weekday names of a few locales other than C that English never uses (facts)
_LOCALE_WORDS = frozenset(
    [
        "janv",
        "janvier",
        "févr",
        "février",
        "avr",
        "avril",
        "juil",
        "juillet",
        "août",
        "déc",
        "décembre",
        "lun",
        "mer",
        "jeu",
        "ven",
        "sam",
        "dim",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "mär",
        "märz",
        "okt",
        "dez",
        "januar",
        "februar",
        "juni",
        "juli",
        "oktober",
        "dezember",
        "ene",
        "abr",
        "ago",
        "dic",
        "enero",
        "febrero",
        "marzo",
        "junio",
        "julio",
        "agosto",
        "diciembre",
        "gen",
        "mag",
        "giu",
        "lug",
        "ott",
        "gennaio",
        "febbraio",
        "maggio",
        "giugno",
        "luglio",
        "ottobre",
        "dicembre",
        "mo",
        "di",
        "mi",
        "do",
        "fr",
        "sa",
        "so",
        "lu",
        "ma",
        "ju",
        "vi",
        "sá",
    ]
)
_HOST_KEYS = re.compile(r"(?i)host(name)?|build-host|node")
_USER_KEYS = re.compile(r"(?i)\buser(name)?\b|built-by|\buid\b|\bowner\b|\blogname\b")
_TOKENS = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True)
class BuildContext:
    """What the caller knows about the builds: their paths, host names and users."""

    build_paths: tuple[str, ...] = ()
    hostnames: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for value in (*self.build_paths, *self.hostnames, *self.users):
            if len(value) < 2:
                raise ValueError(f"build context value {value!r} is too short to search for")


def mode_cause(mode_a: int, mode_b: int) -> Cause:
    """UMASK when only group/other write bits differ, else FILE_MODE."""
    return Cause.UMASK if (mode_a ^ mode_b) & ~0o022 == 0 else Cause.FILE_MODE


def mtime_cause(offsets: Sequence[float]) -> tuple[Cause, str]:
    """TIME_ZONE when every offset is the same whole number of hours, else TIMESTAMPS."""
    distinct = set(offsets)
    if len(distinct) == 1:
        (offset,) = distinct
        hours = offset / 3600
        if offset and hours == int(hours) and abs(hours) <= 14:
            return Cause.TIME_ZONE, f"B is {int(hours):+d} h from A for every member"
    return Cause.TIMESTAMPS, ""


def zip_extra_cause(extra_a: str, extra_b: str) -> tuple[Cause, str]:
    """Which zip extra-field blocks differ: extended timestamp, Unix owner, or other."""
    blocks_a, blocks_b = _extra_blocks(extra_a), _extra_blocks(extra_b)
    changed = {k for k in blocks_a.keys() | blocks_b.keys() if blocks_a.get(k) != blocks_b.get(k)}
    if changed and changed <= {0x5455}:
        return Cause.TIMESTAMPS, "the extended-timestamp (UT) extra field differs"
    if changed and changed <= {0x7875, 0x7855, 0x5855}:
        return Cause.USER, "the Unix uid/gid extra field differs"
    ids = ", ".join(f"0x{k:04x}" for k in sorted(changed))
    return Cause.ARCHIVER, f"extra field blocks {ids} differ" if ids else ""


def _extra_blocks(hex_extra: str) -> dict[int, bytes]:
    raw = bytes.fromhex(hex_extra)
    blocks: dict[int, bytes] = {}
    pos = 0
    while pos + 4 <= len(raw):
        header = int.from_bytes(raw[pos : pos + 2], "little")
        length = int.from_bytes(raw[pos + 2 : pos + 4], "little")
        blocks[header] = raw[pos + 4 : pos + 4 + length]
        pos += 4 + length
    return blocks


def leak_cause(data_a: bytes, data_b: bytes, context: BuildContext) -> tuple[Cause, str] | None:
    """A build path, host name or user that the caller named, found in either side."""
    for cause, values in (
        (Cause.BUILD_PATH, context.build_paths),
        (Cause.HOSTNAME, context.hostnames),
        (Cause.USER, context.users),
    ):
        found_a = [v for v in values if v.encode() in data_a]
        found_b = [v for v in values if v.encode() in data_b]
        counts_differ = any(data_a.count(v.encode()) != data_b.count(v.encode()) for v in found_a)
        if found_a != found_b or counts_differ:
            seen = [f"{v!r} in A" for v in found_a] + [f"{v!r} in B" for v in found_b]
            return cause, ", ".join(seen)
    return None


def text_cause(name: str, text: TextPair) -> tuple[Cause, str]:
    """Classify a text difference by looking at what changed, line by line."""
    lines_a, lines_b = text.lines
    if sorted(lines_a) == sorted(lines_b):
        if name.endswith(".dist-info/RECORD"):
            return Cause.WHEEL_RECORD_ORDER, "the same RECORD lines in another order"
        return Cause.RANDOM_ORDER, "the same lines in another order"
    pairs = _changed_pairs(lines_a, lines_b)
    if pairs and all(sorted(_TOKENS.findall(a)) == sorted(_TOKENS.findall(b)) for a, b in pairs):
        return Cause.RANDOM_ORDER, "the same items in another order within lines"
    found: list[tuple[Cause, str]] = []
    for line_a, line_b in pairs:
        found.append(_line_cause(line_a, line_b))
    for cause in (
        Cause.BUILD_PATH,
        Cause.TIME_ZONE,
        Cause.LOCALE,
        Cause.TIMESTAMPS,
        Cause.HOSTNAME,
        Cause.USER,
    ):
        for got, note in found:
            if got is cause:
                return got, note
    return Cause.CONTENT, ""


def _changed_pairs(lines_a: list[str], lines_b: list[str]) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, lines_a, lines_b, autojunk=False)
    pairs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "replace":
            pairs.extend(zip(lines_a[i1:i2], lines_b[j1:j2], strict=False))
        elif tag in ("delete", "insert"):
            pairs.append(("".join(lines_a[i1:i2]), "".join(lines_b[j1:j2])))
        if len(pairs) > 200:
            break
    return pairs


def _changed_parts(a: str, b: str) -> tuple[str, str]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    part_a: list[str] = []
    part_b: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            # Widen to whole tokens so "12:00" vs "13:00" reads as times, not digits.
            for parts, text, start, end in ((part_a, a, i1, i2), (part_b, b, j1, j2)):
                word = _widen(text, start, end)
                if word not in parts:
                    parts.append(word)
    return " ".join(part_a), " ".join(part_b)


def _widen(text: str, start: int, end: int) -> str:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _line_cause(line_a: str, line_b: str) -> tuple[Cause, str]:
    part_a, part_b = _changed_parts(line_a, line_b)
    if _looks_like_path(part_a) and _looks_like_path(part_b):
        return Cause.BUILD_PATH, f"absolute paths differ: {_short(part_a)} vs {_short(part_b)}"
    zones_a = {m.group(0) for m in _ZONE.finditer(part_a)}
    zones_b = {m.group(0) for m in _ZONE.finditer(part_b)}
    if zones_a != zones_b and (zones_a or zones_b):
        return Cause.TIME_ZONE, f"time zones differ: {_short(part_a)} vs {_short(part_b)}"
    words_a = {w.lower().rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", part_a)}
    words_b = {w.lower().rstrip(".") for w in re.findall(r"[^\W\d_]+\.?", part_b)}
    if words_a != words_b and (words_a | words_b) & _LOCALE_WORDS:
        return Cause.LOCALE, f"dates are spelled per locale: {_short(part_a)} vs {_short(part_b)}"
    if _decimal_swap(part_a, part_b):
        return Cause.LOCALE, f"decimal separators differ: {_short(part_a)} vs {_short(part_b)}"
    if _DATE.search(part_a) and _DATE.search(part_b):
        return Cause.TIMESTAMPS, f"embedded dates differ: {_short(part_a)} vs {_short(part_b)}"
    if _HOST_KEYS.search(line_a) and _HOST_KEYS.search(line_b):
        return Cause.HOSTNAME, f"a host name differs: {_short(part_a)} vs {_short(part_b)}"
    if _USER_KEYS.search(line_a) and _USER_KEYS.search(line_b):
        return Cause.USER, f"a user name differs: {_short(part_a)} vs {_short(part_b)}"
    return Cause.CONTENT, ""


def _looks_like_path(part: str) -> bool:
    return bool(re.search(r"(^|[\s'\"=:(])/(tmp|build|home|var|usr|root|private|work)/", part))


def _decimal_swap(a: str, b: str) -> bool:
    nums_a, nums_b = re.findall(r"\d+[.,]\d+", a), re.findall(r"\d+[.,]\d+", b)
    if not nums_a or len(nums_a) != len(nums_b):
        return False
    return all(
        x != y and x.replace(",", ".") == y.replace(",", ".")
        for x, y in zip(nums_a, nums_b, strict=True)
    )


def _short(text: str, width: int = 40) -> str:
    text = text.strip()
    return repr(text if len(text) <= width else text[: width - 1] + "…")
