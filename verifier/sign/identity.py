"""Keyless identities: who a Fulcio certificate was issued to, matched exactly or by regexp.

sigstore-python's ``Identity`` policy only matches exactly; this one is a drop-in
``sigstore.verify.policy.VerificationPolicy`` that also takes regular expressions.

* Identity = one of the certificate's SANs: e-mail, URI, or the Sigstore ``OtherName``
  (OID 1.3.6.1.4.1.57264.1.7, a DER UTF8String).
* Issuer = the Fulcio OIDC-issuer extension: v2 (1.3.6.1.4.1.57264.1.8, DER UTF8String)
  when present, else v1 (1.3.6.1.4.1.57264.1.1, raw bytes).
* A regular expression must match the WHOLE value (``re.fullmatch``). NOTE: cosign's
  ``--certificate-identity-regexp`` is an unanchored search; anchoring is stricter and closes
  the "https://evil.example/?https://github.com/me" hole. Write ``.*`` where you mean it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import ObjectIdentifier
from sigstore.errors import VerificationError

from verifier.errors import InputError

OID_ISSUER_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
OID_ISSUER_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")
OID_OTHERNAME_SAN = ObjectIdentifier("1.3.6.1.4.1.57264.1.7")
MAX_PATTERN_LENGTH = 1024


@dataclass(frozen=True)
class Match:
    """An exact value or a (fully anchored) regular expression."""

    value: str
    regexp: bool = False

    def __post_init__(self) -> None:
        if not self.value:
            raise InputError("an identity or issuer to match must not be empty")
        if self.regexp:
            if len(self.value) > MAX_PATTERN_LENGTH:
                raise InputError(f"regular expression longer than {MAX_PATTERN_LENGTH} characters")
            try:
                re.compile(self.value)
            except re.error as exc:
                raise InputError(f"invalid regular expression {self.value!r}: {exc}") from None

    def matches(self, candidate: str) -> bool:
        """True when ``candidate`` is the value, or the regexp matches all of it."""
        if self.regexp:
            return re.fullmatch(self.value, candidate) is not None
        return candidate == self.value

    def __str__(self) -> str:
        return f"/{self.value}/" if self.regexp else self.value


def _der_utf8(raw: bytes) -> str:
    # A DER UTF8String: tag 0x0C, a definite length (short or long form), the bytes.
    if len(raw) < 2 or raw[0] != 0x0C:
        raise VerificationError("certificate extension is not a DER UTF8String")
    length, offset = raw[1], 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(raw[2 : 2 + count], "big")
        offset = 2 + count
    if offset + length != len(raw):
        raise VerificationError("certificate extension has a bad DER length")
    return raw[offset:].decode()


def certificate_issuer(cert: x509.Certificate) -> str | None:
    """The OIDC issuer Fulcio recorded in the certificate, or None."""
    for oid, der in ((OID_ISSUER_V2, True), (OID_ISSUER_V1, False)):
        try:
            ext = cert.extensions.get_extension_for_oid(oid).value
        except x509.ExtensionNotFound:
            continue
        raw = ext.value if isinstance(ext, x509.UnrecognizedExtension) else b""
        return _der_utf8(raw) if der else raw.decode()
    return None


def certificate_identities(cert: x509.Certificate) -> list[str]:
    """Every SAN a keyless identity can be: e-mails, URIs and Sigstore other-names."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    found: list[str] = list(san.get_values_for_type(x509.RFC822Name))
    found += san.get_values_for_type(x509.UniformResourceIdentifier)
    for other in san.get_values_for_type(x509.OtherName):
        if other.type_id == OID_OTHERNAME_SAN:
            found.append(_der_utf8(other.value))
    return sorted(set(found))


@dataclass(frozen=True)
class CertificateIdentity:
    """A sigstore-python verification policy: SAN and issuer, each exact or regexp."""

    identity: Match
    issuer: Match

    def verify(self, cert: x509.Certificate) -> None:
        """Raise sigstore's VerificationError unless the certificate names this identity."""
        issuer = certificate_issuer(cert)
        if issuer is None or not self.issuer.matches(issuer):
            raise VerificationError(f"certificate issuer {issuer!r} does not match {self.issuer}")
        sans = certificate_identities(cert)
        if not any(self.identity.matches(s) for s in sans):
            raise VerificationError(
                f"certificate identity {', '.join(sans) or '(none)'} does not match {self.identity}"
            )

    def __str__(self) -> str:
        return f"identity {self.identity} (issuer {self.issuer})"
