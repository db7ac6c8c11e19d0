"""Kubernetes ``admission.k8s.io/v1`` AdmissionReview: parse a request, build a response.

Field names follow ``k8s.io/api/admission/v1/types.go`` (summarised in
shared/reference/formats.md §2.6). A response always carries the request's ``uid`` and the
same ``apiVersion``; ``status`` is only read by the API server when ``allowed`` is false, so a
denial carries ``status.code`` 403 and a message naming the image and the rule. Warnings are
kept under 120 characters (the API server truncates past 256).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from verifier.errors import InputError

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"
#: The API server shows warnings up to 256 characters; we keep ours under 120 (formats.md §2.6).
MAX_WARNING_CHARS = 119
#: The API server caps messages it stores; a denial message this long is already unreadable.
MAX_MESSAGE_CHARS = 4096


class Operation(StrEnum):
    """Admission operations; only CREATE and UPDATE run images, the rest are allowed as is."""

    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CONNECT = "CONNECT"


@dataclass(frozen=True)
class GroupVersionKind:
    """``request.kind``: the kind of the object under review."""

    group: str
    version: str
    kind: str

    def __str__(self) -> str:
        prefix = f"{self.group}/" if self.group else ""
        return f"{prefix}{self.version}/{self.kind}"


@dataclass(frozen=True)
class AdmissionRequest:
    """The parts of ``AdmissionReview.request`` a decision reads."""

    uid: str
    kind: GroupVersionKind
    operation: Operation
    namespace: str
    name: str
    dry_run: bool
    object: Mapping[str, Any] | None = field(repr=False)
    sub_resource: str = ""

    def __post_init__(self) -> None:
        if not self.uid:
            raise InputError("AdmissionReview request.uid is empty")


def _field(doc: Mapping[str, Any], key: str, kind: type, where: str, *, required: bool) -> Any:
    value = doc.get(key)
    if value is None:
        if required:
            raise InputError(f"AdmissionReview {where}{key} is missing")
        return kind()
    if not isinstance(value, kind):
        raise InputError(f"AdmissionReview {where}{key} must be a {kind.__name__}")
    return value


def request_uid(document: Any) -> str | None:
    """The request uid of a decoded body, when it has one (to answer even a malformed review)."""
    if isinstance(document, dict):
        request = document.get("request")
        if isinstance(request, dict) and isinstance(request.get("uid"), str):
            return str(request["uid"]) or None
    return None


def parse_review(document: Any) -> AdmissionRequest:
    """Validate a decoded AdmissionReview body; InputError names the field that is wrong."""
    if not isinstance(document, dict):
        raise InputError("AdmissionReview body is not a JSON object")
    if document.get("apiVersion") != API_VERSION or document.get("kind") != KIND:
        raise InputError(
            f"expected apiVersion {API_VERSION!r} kind {KIND!r}, got "
            f"{document.get('apiVersion')!r} {document.get('kind')!r}"
        )
    request = _field(document, "request", dict, "", required=True)
    uid = _field(request, "uid", str, "request.", required=True)
    raw_kind = _field(request, "kind", dict, "request.", required=True)
    kind = GroupVersionKind(
        group=_field(raw_kind, "group", str, "request.kind.", required=False),
        version=_field(raw_kind, "version", str, "request.kind.", required=True),
        kind=_field(raw_kind, "kind", str, "request.kind.", required=True),
    )
    raw_operation = _field(request, "operation", str, "request.", required=True)
    try:
        operation = Operation(raw_operation)
    except ValueError:
        raise InputError(
            f"AdmissionReview request.operation {raw_operation!r} is unknown"
        ) from None
    obj = request.get("object")
    if obj is not None and not isinstance(obj, dict):
        raise InputError("AdmissionReview request.object must be an object")
    dry_run = request.get("dryRun", False)
    if not isinstance(dry_run, bool):
        raise InputError("AdmissionReview request.dryRun must be a boolean")
    return AdmissionRequest(
        uid=uid,
        kind=kind,
        operation=operation,
        namespace=_field(request, "namespace", str, "request.", required=False),
        name=_field(request, "name", str, "request.", required=False),
        dry_run=dry_run,
        object=obj,
        sub_resource=_field(request, "subResource", str, "request.", required=False),
    )


def short_warning(text: str) -> str:
    """One warning under 120 characters, cut with an ellipsis when longer."""
    flat = " ".join(text.split())
    if len(flat) <= MAX_WARNING_CHARS:
        return flat
    return flat[: MAX_WARNING_CHARS - 1] + "…"


@dataclass(frozen=True)
class ReviewResponse:
    """What we answer: allowed or not, the denial (code, message), warnings, audit notes."""

    uid: str
    allowed: bool
    code: int = 200
    message: str = ""
    warnings: tuple[str, ...] = ()
    audit: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.allowed and not self.message:
            raise InputError("a denial needs a message naming the image and the rule")
        object.__setattr__(self, "warnings", tuple(short_warning(w) for w in self.warnings))

    def to_dict(self) -> dict[str, Any]:
        """The AdmissionReview response document."""
        response: dict[str, Any] = {"uid": self.uid, "allowed": self.allowed}
        if not self.allowed:
            message = self.message
            if len(message) > MAX_MESSAGE_CHARS:
                message = message[: MAX_MESSAGE_CHARS - 1] + "…"
            response["status"] = {"code": self.code, "message": message}
        if self.warnings:
            response["warnings"] = list(self.warnings)
        if self.audit:
            response["auditAnnotations"] = dict(sorted(self.audit.items()))
        return {"apiVersion": API_VERSION, "kind": KIND, "response": response}

    def to_json(self) -> bytes:
        """Compact JSON bytes for the HTTP body."""
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False).encode()


def allow(
    uid: str, warnings: Sequence[str] = (), audit: Mapping[str, str] | None = None
) -> ReviewResponse:
    """An admission."""
    return ReviewResponse(uid=uid, allowed=True, warnings=tuple(warnings), audit=audit or {})


def deny(
    uid: str,
    message: str,
    *,
    code: int = 403,
    warnings: Sequence[str] = (),
    audit: Mapping[str, str] | None = None,
) -> ReviewResponse:
    """A refusal with its HTTP-style status code (403 denied by policy, 400 malformed review)."""
    return ReviewResponse(
        uid=uid,
        allowed=False,
        code=code,
        message=message,
        warnings=tuple(warnings),
        audit=audit or {},
    )
