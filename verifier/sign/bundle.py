"""Sigstore bundles (protobuf-specs ``sigstore_bundle.proto``, JSON form), read and written.

We write v0.3 (``application/vnd.dev.sigstore.bundle.v0.3+json``) and read v0.1, v0.2, v0.3 in
both media-type spellings. The parser checks the structure strictly and keeps the original
bytes: keyless bundles are handed to sigstore-python unchanged, so nothing is lost in a
round trip through our model.

* ``verificationMaterial`` holds exactly one of ``publicKey{hint}``, ``certificate{rawBytes}``
  or (v0.1/v0.2 only) ``x509CertificateChain{certificates[]}``.
* The content is exactly one of ``messageSignature`` or ``dsseEnvelope``, and a bundled DSSE
  envelope carries exactly one signature.
* Transparency-log entries and timestamps are kept as parsed JSON for their verifier.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from verifier.digest import Algorithm, Digest
from verifier.errors import InputError
from verifier.sign.dsse import Envelope, decode_base64
from verifier.sign.keys import PublicKey, read_small_file

MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json"
MEDIA_TYPES = frozenset(
    {
        MEDIA_TYPE_V03,
        "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "application/vnd.dev.sigstore.bundle+json;version=0.2",
        "application/vnd.dev.sigstore.bundle+json;version=0.3",
    }
)
BUNDLE_SUFFIX = ".sigstore.json"
#: A real bundle is a few kilobytes; a much larger file is refused before it is parsed.
MAX_BUNDLE_BYTES = 4 * 1024 * 1024

_HASH_ALGORITHMS = {"SHA2_256": Algorithm.SHA256, "SHA2_512": Algorithm.SHA512}


class MaterialKind(StrEnum):
    """What identifies the signer of a bundle."""

    PUBLIC_KEY = "publicKey"
    CERTIFICATE = "certificate"
    CERTIFICATE_CHAIN = "x509CertificateChain"


@dataclass(frozen=True)
class MessageSignature:
    """A signature over an artifact; ``digest`` is the artifact digest the bundle claims."""

    signature: bytes
    digest: Digest | None = None

    def __post_init__(self) -> None:
        if not self.signature:
            raise InputError("message signature is empty")


@dataclass(frozen=True)
class Bundle:
    """One Sigstore bundle: who signed (material), what was signed (content), log evidence."""

    media_type: str
    material: MaterialKind
    content: MessageSignature | Envelope
    key_hint: str = ""
    certificates: tuple[bytes, ...] = ()
    tlog_entries: tuple[Mapping[str, Any], ...] = ()
    timestamps: tuple[bytes, ...] = ()
    source: str = "bundle"
    raw: bytes = field(default=b"", repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.media_type not in MEDIA_TYPES:
            raise InputError(f"{self.source}: unknown bundle media type {self.media_type!r}")
        if isinstance(self.content, Envelope) and len(self.content.signatures) != 1:
            raise InputError(
                f"{self.source}: a bundled DSSE envelope must carry exactly one signature"
            )
        if self.material is MaterialKind.PUBLIC_KEY and self.certificates:
            raise InputError(f"{self.source}: a key-signed bundle carries no certificate")
        if self.material is not MaterialKind.PUBLIC_KEY and not self.certificates:
            raise InputError(f"{self.source}: the bundle's certificate material is empty")

    @property
    def is_dsse(self) -> bool:
        """True when the content is a DSSE envelope (an attestation)."""
        return isinstance(self.content, Envelope)

    # ------------------------------------------------------------------ reading

    @classmethod
    def load(cls, path: Path) -> Bundle:
        """Read and parse a bundle file (size-limited)."""
        return cls.from_json(read_small_file(path, MAX_BUNDLE_BYTES), source=str(path))

    @classmethod
    def from_json(cls, data: bytes, source: str = "bundle") -> Bundle:
        """Parse bundle JSON; every problem is an InputError naming ``source`` and the field."""
        if len(data) > MAX_BUNDLE_BYTES:
            raise InputError(f"{source}: too large (over {MAX_BUNDLE_BYTES} bytes)")
        try:
            doc = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise InputError(f"{source}: not valid JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise InputError(f"{source}: not a JSON object")
        media_type = doc.get("mediaType")
        if not isinstance(media_type, str) or media_type not in MEDIA_TYPES:
            raise InputError(f"{source}: unknown bundle media type {media_type!r}")
        material, hint, certs, tlog, stamps = _parse_material(
            doc.get("verificationMaterial"), media_type, source
        )
        has_msg, has_dsse = "messageSignature" in doc, "dsseEnvelope" in doc
        if has_msg == has_dsse:
            raise InputError(f"{source}: expected exactly one of messageSignature or dsseEnvelope")
        content: MessageSignature | Envelope
        if has_dsse:
            content = Envelope.from_dict(doc["dsseEnvelope"], f"{source}: dsseEnvelope")
        else:
            content = _parse_message_signature(doc["messageSignature"], source)
        return cls(
            media_type=media_type,
            material=material,
            content=content,
            key_hint=hint,
            certificates=certs,
            tlog_entries=tlog,
            timestamps=stamps,
            source=source,
            raw=bytes(data),
        )

    # ------------------------------------------------------------------ writing

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (proto3 JSON field names, standard base64)."""

        def b64(raw: bytes) -> str:
            return base64.b64encode(raw).decode()

        material: dict[str, Any]
        match self.material:
            case MaterialKind.PUBLIC_KEY:
                material = {"publicKey": {"hint": self.key_hint}}
            case MaterialKind.CERTIFICATE:
                material = {"certificate": {"rawBytes": b64(self.certificates[0])}}
            case MaterialKind.CERTIFICATE_CHAIN:
                material = {
                    "x509CertificateChain": {
                        "certificates": [{"rawBytes": b64(c)} for c in self.certificates]
                    }
                }
        material["tlogEntries"] = [dict(e) for e in self.tlog_entries]
        if self.timestamps:
            material["timestampVerificationData"] = {
                "rfc3161Timestamps": [{"signedTimestamp": b64(t)} for t in self.timestamps]
            }
        doc: dict[str, Any] = {"mediaType": self.media_type, "verificationMaterial": material}
        if isinstance(self.content, Envelope):
            doc["dsseEnvelope"] = self.content.to_dict()
        else:
            msg: dict[str, Any] = {}
            if self.content.digest is not None:
                alg = {v: k for k, v in _HASH_ALGORITHMS.items()}[self.content.digest.algorithm]
                msg["messageDigest"] = {
                    "algorithm": alg,
                    "digest": b64(bytes.fromhex(self.content.digest.hex)),
                }
            msg["signature"] = b64(self.content.signature)
            doc["messageSignature"] = msg
        return doc

    def to_json(self) -> bytes:
        """Deterministic JSON bytes with a trailing newline."""
        return (json.dumps(self.to_dict(), indent=2) + "\n").encode()


def key_bundle(content: MessageSignature | Envelope, key: PublicKey) -> Bundle:
    """A v0.3 key-signed bundle without log entries (nothing is uploaded anywhere)."""
    return Bundle(
        media_type=MEDIA_TYPE_V03,
        material=MaterialKind.PUBLIC_KEY,
        content=content,
        key_hint=key.hint,
    )


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{what} is missing or not a JSON object")
    return value


def _parse_material(
    value: object, media_type: str, source: str
) -> tuple[MaterialKind, str, tuple[bytes, ...], tuple[Mapping[str, Any], ...], tuple[bytes, ...]]:
    vm = _obj(value, f"{source}: verificationMaterial")
    kinds = [k for k in MaterialKind if k.value in vm]
    if len(kinds) != 1:
        raise InputError(
            f"{source}: verificationMaterial needs exactly one of publicKey, certificate "
            "or x509CertificateChain"
        )
    kind = kinds[0]
    hint = ""
    certs: tuple[bytes, ...] = ()
    match kind:
        case MaterialKind.PUBLIC_KEY:
            pk = _obj(vm["publicKey"], f"{source}: verificationMaterial.publicKey")
            raw_hint = pk.get("hint", "")
            if not isinstance(raw_hint, str):
                raise InputError(f"{source}: publicKey.hint is not a string")
            hint = raw_hint
        case MaterialKind.CERTIFICATE:
            cert = _obj(vm["certificate"], f"{source}: verificationMaterial.certificate")
            certs = (decode_base64(cert.get("rawBytes"), f"{source}: certificate.rawBytes"),)
        case MaterialKind.CERTIFICATE_CHAIN:
            if media_type.endswith(("v0.3+json", "version=0.3")):
                raise InputError(f"{source}: a v0.3 bundle must carry one certificate, not a chain")
            chain = _obj(vm["x509CertificateChain"], f"{source}: x509CertificateChain")
            raw_certs = chain.get("certificates")
            if not isinstance(raw_certs, list) or not raw_certs:
                raise InputError(f"{source}: x509CertificateChain.certificates is empty")
            certs = tuple(
                decode_base64(
                    _obj(c, f"{source}: certificates[{i}]").get("rawBytes"),
                    f"{source}: certificates[{i}].rawBytes",
                )
                for i, c in enumerate(raw_certs)
            )
    if any(not c for c in certs):
        raise InputError(f"{source}: empty certificate in verificationMaterial")
    entries = vm.get("tlogEntries", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise InputError(f"{source}: tlogEntries must be a list of objects")
    stamps: list[bytes] = []
    tvd = vm.get("timestampVerificationData")
    if tvd is not None:
        raw_stamps = _obj(tvd, f"{source}: timestampVerificationData").get("rfc3161Timestamps", [])
        if not isinstance(raw_stamps, list):
            raise InputError(f"{source}: rfc3161Timestamps must be a list")
        for i, s in enumerate(raw_stamps):
            what = f"{source}: rfc3161Timestamps[{i}].signedTimestamp"
            stamps.append(decode_base64(_obj(s, what).get("signedTimestamp"), what))
    return kind, hint, certs, tuple(entries), tuple(stamps)


def _parse_message_signature(value: object, source: str) -> MessageSignature:
    ms = _obj(value, f"{source}: messageSignature")
    signature = decode_base64(ms.get("signature"), f"{source}: messageSignature.signature")
    if not signature:
        raise InputError(f"{source}: messageSignature.signature is empty")
    digest = None
    if "messageDigest" in ms:
        md = _obj(ms["messageDigest"], f"{source}: messageSignature.messageDigest")
        alg = _HASH_ALGORITHMS.get(str(md.get("algorithm")))
        if alg is None:
            raise InputError(
                f"{source}: unsupported messageDigest algorithm {md.get('algorithm')!r}"
            )
        raw = decode_base64(md.get("digest"), f"{source}: messageDigest.digest")
        try:
            digest = Digest(alg, raw.hex())
        except InputError as exc:
            raise InputError(f"{source}: messageDigest: {exc}") from None
    return MessageSignature(signature, digest)
