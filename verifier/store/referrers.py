"""Referrers that work on every store: the OCI 1.1 API, the tag schema, legacy cosign tags.

Writing (distribution-spec "Pushing manifests with subject"): store the referrer manifest, and
when the store did not index its ``subject`` (no ``OCI-Subject`` header: distribution 2.8, and
every OCI layout) add it to the image index at the tag ``sha256-<hex>``.

Two additions keep evidence safe where other tools lose it:

* every referrer manifest also gets its own tag, ``sha256-<subject hex>.<referrer hex>``
  (the referrer hex truncated so the tag fits 128 characters), because
  ``garbage-collect --delete-untagged`` deletes untagged manifests even when a tagged index
  lists them (measured.md Q4);
* those tags make concurrent attaches converge even where the registry ignores conditional
  requests (distribution 2.8 ignores ``If-Match``): after writing the index each writer
  re-reads tags and index and rewrites until every tagged referrer is listed. Whichever writer
  finishes last saw all tags created before its last check, so no entry is lost. Index writes
  are also conditional (``If-Match`` on the digest read, ``If-None-Match: *`` for a new
  index; a compare-and-swap under the lock in a layout), which protects the index from
  writers of other tools where the registry honours the condition.

Reading trusts each child manifest's own ``artifactType``: index entries written by other tools
may say ``application/vnd.oci.empty.v1+json`` (kyverno#16664).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from verifier.digest import Digest
from verifier.errors import InputError
from verifier.store.errors import NotFound, StoreError, TagChanged
from verifier.store.interface import Referrer, ReferrerSource, Store, TagCondition
from verifier.store.oci import (
    ANNOTATION_BUNDLE_PREDICATE,
    INDEX_TYPES,
    OCI_INDEX,
    Descriptor,
    Manifest,
    image_index,
)

MAX_TAG = 128
MAX_ATTEMPTS = 20
LEGACY_SUFFIXES = {"sig": ReferrerSource.COSIGN_SIG, "att": ReferrerSource.COSIGN_ATT}


def fallback_tag(subject: Digest) -> str:
    """The referrers tag schema: ``<alg truncated to 32>-<hex truncated to 64>``."""
    return f"{subject.algorithm.value[:32]}-{subject.hex[:64]}"


def referrer_tag(subject: Digest, referrer: Digest) -> str:
    """The tag that keeps one referrer manifest reachable: ``<fallback tag>.<referrer hex>``."""
    base = fallback_tag(subject)
    return f"{base}.{referrer.hex[: MAX_TAG - len(base) - 1]}"


def _referrer_tag_suffixes(tags: list[str], subject: Digest) -> list[tuple[str, str]]:
    prefix = fallback_tag(subject) + "."
    want = MAX_TAG - len(prefix)
    return [
        (tag, tag[len(prefix) :])
        for tag in tags
        if tag.startswith(prefix)
        and len(tag) - len(prefix) == want
        and all(c in "0123456789abcdef" for c in tag[len(prefix) :])
    ]


def index_entry(manifest: Manifest) -> Descriptor:
    """The descriptor a referrers index lists: artifactType and every manifest annotation."""
    return Descriptor(
        manifest.media_type,
        manifest.digest,
        len(manifest.raw),
        artifact_type=manifest.artifact_type,
        annotations=manifest.annotations,
    )


def _fallback_index(store: Store, subject: Digest) -> tuple[list[Descriptor], TagCondition]:
    """Entries of the ``sha256-<hex>`` index, and the condition for rewriting it.

    No entries when the tag is absent or not an index.
    """
    try:
        current = store.get_manifest(fallback_tag(subject))
    except NotFound:
        return [], TagCondition(None)
    if current.media_type not in INDEX_TYPES:
        return [], TagCondition(current.digest)
    return current.children, TagCondition(current.digest)


def fallback_entries(store: Store, subject: Digest) -> list[Descriptor]:
    """The entries of ``subject``'s ``sha256-<hex>`` index as written (none when absent).

    Entries are what writers said about each referrer, not verified: a reader that picks by
    them still reads and checks the referrer manifest itself.
    """
    return _fallback_index(store, subject)[0]


def attach_referrer(store: Store, raw: bytes, media_type: str) -> Descriptor:
    """Store a referrer manifest (its blobs already stored) and make it listable and kept.

    Returns the referrer's descriptor. InputError when the manifest has no ``subject``.
    """
    return attach_referrers(store, [(raw, media_type)])[0]


def attach_referrers(store: Store, manifests: Sequence[tuple[bytes, str]]) -> list[Descriptor]:
    """Attach many referrer manifests, updating each subject's fallback index once.

    The referrers index of a registry without the API is rewritten whole on every change, so
    attaching one by one costs a rewrite each; copies and batch writers use this instead.
    """
    entries: list[Descriptor] = []
    pending: dict[Digest, list[Descriptor]] = {}
    for raw, media_type in manifests:
        manifest = Manifest.parse(raw, store.name, media_type)
        subject = manifest.subject
        if subject is None:
            raise InputError(f"{store.name}: manifest {manifest.digest} has no subject to refer to")
        pushed = store.put_manifest(
            raw, manifest.media_type, tag=referrer_tag(subject.digest, manifest.digest)
        )
        entry = index_entry(manifest)
        entries.append(entry)
        if not pushed.subject_indexed:
            pending.setdefault(subject.digest, []).append(entry)
    for subject_digest, new in pending.items():
        update_fallback_index(store, subject_digest, new)
    return entries


def update_fallback_index(store: Store, subject: Digest, new: Sequence[Descriptor] = ()) -> None:
    """Rewrite the ``sha256-<hex>`` index until it lists every tagged referrer of ``subject``.

    ``new`` (referrers just tagged) are added first without listing tags; every write is
    then followed by a full check against the per-referrer tags, rewriting until it passes.
    """
    tag = fallback_tag(subject)
    for attempt in range(MAX_ATTEMPTS):
        current, condition = _fallback_index(store, subject)
        listed = {d.digest.hex for d in current}
        if attempt == 0 and new:
            additions = list({d.digest: d for d in new if d.digest.hex not in listed}.values())
            if not additions:
                return
        else:
            additions = _unlisted_referrers(store, subject, listed)
            if not additions:
                return
        # TagChanged: another writer got there first; re-read and merge again.
        with contextlib.suppress(TagChanged):
            store.put_manifest(
                image_index(current + additions), OCI_INDEX, tag=tag, condition=condition
            )
        time.sleep(0.01 * attempt)
    raise StoreError(
        f"{store.name}: the referrers index {tag} kept changing under us; "
        f"gave up after {MAX_ATTEMPTS} attempts"
    )


def _unlisted_referrers(store: Store, subject: Digest, listed: set[str]) -> list[Descriptor]:
    """Referrers of ``subject`` that have their own tag but are missing from ``listed``."""
    tagged = _referrer_tag_suffixes(store.list_tags(), subject)
    if not tagged:
        return []
    width = len(tagged[0][1])
    prefixes = {hex_digest[:width] for hex_digest in listed}
    found: list[Descriptor] = []
    for referrer, hexpart in tagged:
        if hexpart in prefixes:
            continue
        try:
            child = store.get_manifest(referrer)
        except NotFound:
            continue  # the tag went away between listing and reading
        same_subject = child.subject is not None and child.subject.digest == subject
        if same_subject and child.digest.hex not in listed:
            found.append(index_entry(child))
    return found


def _predicate_types(manifest: Manifest) -> tuple[str, ...]:
    found = []
    own = manifest.annotations.get(ANNOTATION_BUNDLE_PREDICATE)
    if own:
        found.append(own)
    if not manifest.is_index:
        for layer in manifest.layers:
            value = layer.annotations.get("predicateType")
            if value:
                found.append(value)
    return tuple(sorted(set(found)))


def list_referrers(
    store: Store,
    subject: Digest,
    artifact_type: str | None = None,
    *,
    tags: Sequence[str] | None = None,
) -> list[Referrer]:
    """Every referrer of ``subject``, each described by its own manifest, sorted.

    ``tags`` is the store's tag list when the caller already has it (a walk over many
    subjects lists tags once, not once per subject).

    Sources: the referrers API where the store has one, else the tag schema index plus the
    per-referrer tags; and legacy cosign ``.sig`` / ``.att`` tags. A listed manifest that does
    not exist or refers to another subject is an error (fail closed), not a silent skip.
    """
    candidates: list[tuple[Descriptor, ReferrerSource, str | None]] = []
    base = fallback_tag(subject)
    legacy = {f"{base}.{suffix}": source for suffix, source in LEGACY_SUFFIXES.items()}
    api = store.referrers_api(subject, artifact_type)
    if api is not None:
        candidates += [(d, ReferrerSource.REFERRERS_API, None) for d in api]
        # Two lookups instead of listing every tag of a repository that may have thousands.
        present = list(legacy)
    else:
        listed = fallback_entries(store, subject)
        candidates += [(d, ReferrerSource.TAG_SCHEMA, None) for d in listed]
        tag_list = list(tags) if tags is not None else store.list_tags()
        listed_hex = {d.digest.hex for d in listed}
        for ref_tag, hexpart in _referrer_tag_suffixes(tag_list, subject):
            if not any(h.startswith(hexpart) for h in listed_hex):
                found = store.resolve(ref_tag)
                if found is not None:
                    candidates.append((found, ReferrerSource.TAG_SCHEMA, None))
        present = [name for name in legacy if name in tag_list]
    for name in present:
        found = store.resolve(name)
        if found is not None:
            candidates.append((found, legacy[name], name))

    seen: set[Digest] = set()
    result: list[Referrer] = []
    for descriptor, source, tag in candidates:
        if descriptor.digest in seen:
            continue
        seen.add(descriptor.digest)
        try:
            child = store.get_manifest(descriptor.digest)
        except NotFound:
            raise StoreError(
                f"{store.name}: referrers of {subject} list manifest {descriptor.digest}, "
                "which does not exist"
            ) from None
        if tag is None and (child.subject is None or child.subject.digest != subject):
            raise StoreError(
                f"{store.name}: referrers of {subject} list manifest {descriptor.digest}, "
                "whose subject is another manifest"
            )
        own_type: str | None = child.artifact_type
        if tag is not None and not child.is_index and child.layers:
            own_type = child.layers[0].media_type  # legacy cosign: the signature layers say it
        if artifact_type is not None and own_type != artifact_type:
            continue
        result.append(
            Referrer(
                descriptor=child.descriptor,
                artifact_type=own_type,
                annotations=child.annotations,
                source=source,
                tag=tag,
                predicate_types=_predicate_types(child),
            )
        )
    result.sort(key=lambda r: (r.source.value, r.artifact_type or "", str(r.descriptor.digest)))
    return result
