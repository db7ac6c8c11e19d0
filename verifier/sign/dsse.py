"""DSSE v1 envelopes (secure-systems-lab/dsse ``envelope.md``, ``protocol.md`` v1.0.2).

* The signature covers PAE(type, body) = ``"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``,
  LEN being the ASCII decimal byte length.
* Readers accept standard and URL-safe base64, padded or not.
* ``keyid`` is an unauthenticated hint: it is kept, never trusted.
* After verification the caller uses exactly the bytes that were verified
  (:attr:`Envelope.payload`); nothing is re-parsed from the JSON.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from verifier.errors import InputError
from verifier.sign.keys import PrivateKey, PublicKey

INTOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"

_B64_RE = re.compile(r"^[A-Za-z0-9+/_-]*={0,2}$")


def pae(payload_type: str, payload: bytes) -> bytes:
    """The DSSE pre-authentication encoding that signatures cover."""
    type_bytes = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(type_bytes), type_bytes, len(payload), payload)


def decode_base64(text: object, what: str) -> bytes:
    """Decode standard or URL-safe base64 (padding optional); InputError names ``what``."""
    if not isinstance(text, str):
        raise InputError(f"{what} is not a base64 string")
    compact = text.strip()
    mixed = ("+" in compact or "/" in compact) and ("-" in compact or "_" in compact)
    if not _B64_RE.match(compact) or mixed:
        raise InputError(f"{what} is not valid base64")
    compact = compact.replace("-", "+").replace("_", "/").rstrip("=")
    if len(compact) % 4 == 1:
        raise InputError(f"{what} is truncated base64")
    try:
        return base64.b64decode(compact + "=" * (-len(compact) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{what} is not valid base64") from exc


@dataclass(frozen=True)
class Signature:
    """One DSSE signature; ``keyid`` is only a hint."""

    sig: bytes
    keyid: str = ""

    def __post_init__(self) -> None:
        if not self.sig:
            raise InputError("DSSE signature is empty")


@dataclass(frozen=True)
class Envelope:
    """A DSSE envelope: the payload bytes, their type and at least one signature."""

    payload: bytes
    payload_type: str
    signatures: tuple[Signature, ...]

    def __post_init__(self) -> None:
        if not self.payload_type:
            raise InputError("DSSE envelope has an empty payloadType")
        if not self.signatures:
            raise InputError("DSSE envelope has no signatures")

    @property
    def pae(self) -> bytes:
        """The bytes every signature of this envelope covers."""
        return pae(self.payload_type, self.payload)

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any], source: str = "DSSE envelope") -> Envelope:
        """Build from parsed JSON; InputError names ``source`` and the bad field."""
        if not isinstance(doc, Mapping):
            raise InputError(f"{source}: not a JSON object")
        payload_type = doc.get("payloadType")
        if not isinstance(payload_type, str):
            raise InputError(f"{source}: payloadType is missing or not a string")
        payload = decode_base64(doc.get("payload"), f"{source}: payload")
        raw_sigs = doc.get("signatures")
        if not isinstance(raw_sigs, list) or not raw_sigs:
            raise InputError(f"{source}: signatures must be a non-empty list")
        sigs = []
        for i, raw in enumerate(raw_sigs):
            if not isinstance(raw, Mapping):
                raise InputError(f"{source}: signatures[{i}] is not an object")
            keyid = raw.get("keyid", "")
            if not isinstance(keyid, str):
                raise InputError(f"{source}: signatures[{i}].keyid is not a string")
            sig = decode_base64(raw.get("sig"), f"{source}: signatures[{i}].sig")
            if not sig:
                raise InputError(f"{source}: signatures[{i}].sig is empty")
            sigs.append(Signature(sig, keyid))
        return cls(payload, payload_type, tuple(sigs))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (standard base64); an empty ``keyid`` is left out, as sigstore-go does."""
        sigs: list[dict[str, str]] = []
        for s in self.signatures:
            entry = {"sig": base64.b64encode(s.sig).decode()}
            if s.keyid:
                entry["keyid"] = s.keyid
            sigs.append(entry)
        return {
            "payload": base64.b64encode(self.payload).decode(),
            "payloadType": self.payload_type,
            "signatures": sigs,
        }

    def verified_keys(self, keys: Sequence[PublicKey]) -> list[PublicKey]:
        """The distinct keys among ``keys`` that made at least one signature of this envelope."""
        message = self.pae
        found: list[PublicKey] = []
        for key in dict.fromkeys(keys):
            if any(key.verify(s.sig, message) for s in self.signatures):
                found.append(key)
        return found


def sign_envelope(payload: bytes, payload_type: str, key: PrivateKey, keyid: str = "") -> Envelope:
    """A one-signature envelope over PAE(payload_type, payload)."""
    signature = key.sign(pae(payload_type, payload))
    return Envelope(payload, payload_type, (Signature(signature, keyid),))
