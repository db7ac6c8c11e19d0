"""compare_paths: the structural comparison of two files, archives or directories."""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from verifier.archive import ArchiveError, Limits, detect_format, format_of_head, open_archive
from verifier.archive.limits import DEFAULT_LIMITS
from verifier.compare.causes import (
    BuildContext,
    leak_cause,
    mode_cause,
    mtime_cause,
    text_cause,
    zip_extra_cause,
)
from verifier.compare.content import TEXT_LIMIT, as_text, binary_detail, text_detail
from verifier.compare.deep import DeepDiff
from verifier.compare.differ import RawDifference, diff_listings
from verifier.compare.listing import Entry, Listing, scan_archive, scan_directory, scan_file, spool
from verifier.compare.model import Cause, Comparison, ContentDetail, Difference, location_path
from verifier.compare.model import DifferenceKind as K
from verifier.compare.stabilizers import Stabilizer
from verifier.digest import hash_file
from verifier.errors import InputError

#: how much of a large member is searched for leaked build paths, host names and users
LEAK_SEARCH_LIMIT = 16 << 20

_SIMPLE_CAUSES = {
    K.ADDED: Cause.FILE_SET,
    K.REMOVED: Cause.FILE_SET,
    K.TYPE: Cause.FILE_SET,
    K.OWNER: Cause.USER,
    K.MEMBER_ORDER: Cause.MEMBER_ORDER,
    K.COMPRESSION: Cause.COMPRESSION,
    K.ENCODING: Cause.COMPRESSION,
    K.ZIP_COMMENT: Cause.ARCHIVER,
    K.ZIP_ATTRIBUTES: Cause.ARCHIVER,
    K.TAR_HEADER: Cause.ARCHIVER,
    K.DUPLICATE: Cause.ARCHIVER,
    K.GZIP_NAME: Cause.GZIP_HEADER,
    K.GZIP_MTIME: Cause.GZIP_HEADER,
    K.GZIP_HEADER: Cause.GZIP_HEADER,
}
_KIND_ORDER = {kind: i for i, kind in enumerate(K)}


def compare_paths(
    a: Path,
    b: Path,
    *,
    stabilizers: Sequence[Stabilizer] = (),
    build_paths: Sequence[str] = (),
    hostnames: Sequence[str] = (),
    users: Sequence[str] = (),
    limits: Limits = DEFAULT_LIMITS,
    max_diff_lines: int = 40,
    deep: DeepDiff | None = None,
) -> Comparison:
    """Compare two files (archives are compared member by member) or two directories.

    Nothing is extracted to disk. ``stabilizers`` (opt-in) may erase differences; each
    difference records which one did. ``build_paths``, ``hostnames`` and ``users`` are
    searched for in differing content to name the cause. InputError (exit 2) for unreadable
    or malformed input, ArchiveError (an InputError) for hostile archives.
    """
    context = BuildContext(tuple(build_paths), tuple(hostnames), tuple(users))
    for path in (a, b):
        if not path.exists() and not path.is_symlink():
            raise InputError(f"{path}: no such file or directory")
    comparer = _Comparer(tuple(stabilizers), context, limits, max_diff_lines, deep)
    names = tuple(s.label for s in stabilizers)
    if a.is_dir() and b.is_dir():
        diffs = comparer.level((), scan_directory(a), scan_directory(b), 0)
        return comparer.result(str(a), str(b), diffs, names, None, None)
    if a.is_dir() or b.is_dir():
        raise InputError(f"cannot compare a directory with a file: {a} and {b}")
    digest_a, digest_b = hash_file(a), hash_file(b)
    if digest_a == digest_b:
        return Comparison(str(a), str(b), True, (), names, {}, str(digest_a), str(digest_b))
    with ExitStack() as stack:
        if detect_format(a) is not None and detect_format(b) is not None:
            reader_a = open_archive(a, limits)
            stack.callback(reader_a.close)
            reader_b = open_archive(b, limits)
            stack.callback(reader_b.close)
            la, lb = scan_archive(reader_a, digest_a.hex), scan_archive(reader_b, digest_b.hex)
        else:
            la, lb = scan_file(a, digest_a.hex), scan_file(b, digest_b.hex)
        diffs = comparer.level((), la, lb, 0)
    return comparer.result(str(a), str(b), diffs, names, str(digest_a), str(digest_b))


class _Comparer:
    def __init__(
        self,
        stabilizers: tuple[Stabilizer, ...],
        context: BuildContext,
        limits: Limits,
        max_diff_lines: int,
        deep: DeepDiff | None,
    ) -> None:
        self.stabilizers, self.context, self.limits = stabilizers, context, limits
        self.max_diff_lines, self.deep = max_diff_lines, deep
        self.applied: dict[str, set[str]] = {}
        self.findings: set[str] = set()

    def result(
        self,
        a: str,
        b: str,
        diffs: list[Difference],
        names: tuple[str, ...],
        digest_a: str | None,
        digest_b: str | None,
    ) -> Comparison:
        ordered = sorted(diffs, key=lambda d: (d.location, _KIND_ORDER[d.kind]))
        applied = {k: tuple(sorted(v)) for k, v in sorted(self.applied.items())}
        identical = not ordered and (digest_a is None or digest_a == digest_b)
        return Comparison(
            a,
            b,
            identical,
            tuple(ordered),
            names,
            applied,
            digest_a,
            digest_b,
            tuple(sorted(self.findings)),
        )

    def level(
        self, prefix: tuple[str, ...], la: Listing, lb: Listing, depth: int
    ) -> list[Difference]:
        """All differences of two containers, nested archives included, stabilizers applied."""
        self.findings.update(la.findings, lb.findings)
        raws = diff_listings(prefix, la, lb, encoding=False)
        if not raws:
            raws = diff_listings(prefix, la, lb, encoding=True)
        encoding = any(r.kind is K.ENCODING for r in raws)
        nested: list[Difference] = []
        nested_keys: set[tuple[tuple[str, ...], K]] = set()
        plain: list[RawDifference] = []
        for raw in raws:
            sub = self._nested(raw, la, lb, depth) if raw.kind is K.CONTENT else None
            if sub is None:
                plain.append(raw)
            else:
                nested.extend(sub)
                nested_keys.add(raw.key)
        erased: dict[tuple[tuple[str, ...], K], str] = {}
        remaining = {r.key for r in plain}
        introduced: list[RawDifference] = []
        cur_a, cur_b = la, lb
        for stabilizer in self.stabilizers:
            cur_a, cur_b = stabilizer.stabilize(cur_a), stabilizer.stabilize(cur_b)
            now = [
                r
                for r in diff_listings(prefix, cur_a, cur_b, encoding=encoding)
                if r.key not in nested_keys
            ]
            now_keys = {r.key for r in now}
            for key in remaining - now_keys:
                erased[key] = stabilizer.label
            remaining = now_keys
            introduced = [r for r in now if r.key not in {p.key for p in plain}]
        # A difference a later stabilizer brought back is not erased.
        for key in remaining:
            erased.pop(key, None)
        reported = {r.key for r in plain}
        for key, label in erased.items():
            if key in reported:
                self.applied.setdefault(label, set()).add(location_path(key[0]))
        out = self._classify(plain + introduced, la, lb, erased)
        return out + nested

    def _nested(
        self, raw: RawDifference, la: Listing, lb: Listing, depth: int
    ) -> list[Difference] | None:
        ea, eb = raw.entry_a, raw.entry_b
        if ea is None or eb is None or not ea.head or not eb.head:
            return None
        if format_of_head(ea.head) is None or format_of_head(eb.head) is None:
            return None
        if depth + 1 > self.limits.max_depth:
            self.findings.add(
                f"{la.label}!{ea.name}: nested archive not opened: depth limit "
                f"{self.limits.max_depth} reached"
            )
            return None
        with ExitStack() as stack:
            stream_a = stack.enter_context(spool(la, ea))
            stream_b = stack.enter_context(spool(lb, eb))
            label_a, label_b = f"{la.label}!{ea.name}", f"{lb.label}!{eb.name}"
            if detect_format(stream_a) is None or detect_format(stream_b) is None:
                return None
            reader_a = open_archive(stream_a, self.limits, label=label_a)
            stack.callback(reader_a.close)
            reader_b = open_archive(stream_b, self.limits, label=label_b)
            stack.callback(reader_b.close)
            sub_a = scan_archive(reader_a, ea.digest)
            sub_b = scan_archive(reader_b, eb.digest)
            return self.level(raw.location, sub_a, sub_b, depth + 1)

    def _classify(
        self,
        raws: list[RawDifference],
        la: Listing,
        lb: Listing,
        erased: dict[tuple[tuple[str, ...], K], str],
    ) -> list[Difference]:
        offsets = [
            r.entry_b.mtime - r.entry_a.mtime
            for r in raws
            if r.kind is K.MTIME
            and r.entry_a is not None
            and r.entry_b is not None
            and r.entry_a.mtime is not None
            and r.entry_b.mtime is not None
        ]
        time_cause, time_note = mtime_cause(offsets)
        out: list[Difference] = []
        for raw in raws:
            cause, note, detail = _SIMPLE_CAUSES.get(raw.kind, Cause.CONTENT), "", None
            ea, eb = raw.entry_a, raw.entry_b
            match raw.kind:
                case K.MTIME:
                    cause, note = time_cause, time_note
                case K.MODE if ea is not None and eb is not None:
                    cause = mode_cause(ea.mode or 0, eb.mode or 0)
                case K.ZIP_EXTRA if ea is not None and eb is not None:
                    cause, note = zip_extra_cause(
                        str(ea.meta_value("extra") or ""), str(eb.meta_value("extra") or "")
                    )
                case K.LINK_TARGET | K.GZIP_NAME:
                    leak = leak_cause((raw.a or "").encode(), (raw.b or "").encode(), self.context)
                    if leak is not None:
                        cause, note = leak
                case K.CONTENT if ea is not None and eb is not None:
                    cause, note, detail = self._content(raw, ea, eb, la, lb)
                case K.ENCODING:
                    note = "the bytes differ but every member and header field agrees"
            diff = Difference(
                raw.location, raw.kind, raw.a, raw.b, cause, note, detail, erased.get(raw.key)
            )
            if self.deep is not None and raw.kind is K.CONTENT and diff.erased_by is None:
                assert ea is not None and eb is not None
                diff = replace(diff, deep=self.deep.run(la, ea, lb, eb))
            out.append(diff)
        return out

    def _content(
        self, raw: RawDifference, ea: Entry, eb: Entry, la: Listing, lb: Listing
    ) -> tuple[Cause, str, ContentDetail]:
        name = raw.location[-1] if raw.location else "."
        if ea.size <= TEXT_LIMIT and eb.size <= TEXT_LIMIT:
            data_a, data_b = la.read(ea, TEXT_LIMIT + 1), lb.read(eb, TEXT_LIMIT + 1)
            leak = leak_cause(data_a, data_b, self.context)
            text = as_text(data_a, data_b)
            if text is not None:
                detail = text_detail(text, len(data_a), len(data_b), self.max_diff_lines)
                cause, note = leak or text_cause(name, text)
                return cause, note, detail
            detail = binary_detail(io.BytesIO(data_a), io.BytesIO(data_b), ea.size, eb.size)
            cause, note = leak or (Cause.CONTENT, "")
            return cause, note, detail
        with la.open(ea) as sa, lb.open(eb) as sb:
            detail = binary_detail(sa, sb, ea.size, eb.size)
        leak = None
        if self.context.build_paths or self.context.hostnames or self.context.users:
            leak = leak_cause(
                la.read(ea, LEAK_SEARCH_LIMIT), lb.read(eb, LEAK_SEARCH_LIMIT), self.context
            )
        cause, note = leak or (Cause.CONTENT, "")
        return cause, note, detail


__all__ = ["ArchiveError", "compare_paths"]
