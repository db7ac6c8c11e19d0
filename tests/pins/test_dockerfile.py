"""Dockerfile FROM, COPY --from, ADD and RUN edge cases."""

from __future__ import annotations

from collections.abc import Callable

from verifier.pins.finding import Finding

D1 = "sha256:" + "a" * 64
Scan = Callable[[str, str], tuple[Finding, ...]]


def _refs(findings: tuple[Finding, ...]) -> list[tuple[int, str, str]]:
    return [(f.line, f.kind.value, f.reference) for f in findings]


def test_platform_flag_and_stage_name(scan_text: Scan) -> None:
    text = (
        "FROM --platform=linux/amd64 python:3.12 AS base\n"
        f"FROM --platform=$TARGETPLATFORM alpine@{D1} as final\n"
    )
    assert _refs(scan_text("Dockerfile", text)) == [(1, "dockerfile-from", "python:3.12")]


def test_earlier_stages_and_scratch_are_not_images(scan_text: Scan) -> None:
    text = (
        f"FROM golang:1.22@{D1} AS Builder\n"
        "FROM builder AS test\n"
        "FROM scratch\n"
        "COPY --from=BUILDER /out /out\n"
        "COPY --from=0 /x /x\n"
    )
    assert scan_text("Containerfile", text) == ()


def test_a_later_stage_name_does_not_hide_an_image(scan_text: Scan) -> None:
    # "app" is only a stage after this line; here it is an image from Docker Hub.
    text = f"FROM app\nFROM debian@{D1} AS app\n"
    assert _refs(scan_text("Dockerfile", text)) == [(1, "dockerfile-from", "app")]


def test_arg_substitution(scan_text: Scan) -> None:
    text = (
        f"ARG PINNED=python:3.12@{D1}\n"
        "ARG TAGGED=node:20\n"
        "ARG NODEFAULT\n"
        "FROM ${PINNED}\n"
        "FROM $TAGGED\n"
        "FROM ${NODEFAULT:-ubuntu:24.04}\n"
        f"FROM ${{NODEFAULT:-ubuntu@{D1}}}\n"
        "FROM ${NODEFAULT}\n"
    )
    findings = scan_text("Dockerfile", text)
    assert _refs(findings) == [
        (5, "dockerfile-from", "$TAGGED (= node:20)"),
        (6, "dockerfile-from", "${NODEFAULT:-ubuntu:24.04} (= ubuntu:24.04)"),
        (8, "dockerfile-from", "${NODEFAULT}"),
    ]
    assert "ARG NODEFAULT" in findings[-1].hint


def test_continuations_comments_and_escape_directive(scan_text: Scan) -> None:
    text = "# escape=`\nFROM `\n  # a comment inside\n  python:3.12\nRUN echo hi\n"
    assert _refs(scan_text("app.Dockerfile", text)) == [(2, "dockerfile-from", "python:3.12")]


def test_add_url_needs_checksum(scan_text: Scan) -> None:
    text = (
        f"FROM scratch\n"
        "ADD https://example.com/a.tgz /a\n"
        f"ADD --checksum={D1} https://example.com/b.tgz /b\n"
        f"ADD https://github.com/o/r.git#{'1' * 40} /src\n"
        "ADD local.txt /local\n"
    )
    assert _refs(scan_text("Dockerfile", text)) == [
        (2, "download-unchecked", "ADD https://example.com/a.tgz")
    ]


def test_run_download_checked_in_same_run(scan_text: Scan) -> None:
    text = (
        "FROM scratch\n"
        "RUN curl -fsSLo t.tgz https://example.com/t.tgz \\\n"
        ' && echo "abc  t.tgz" | sha256sum -c - && tar xzf t.tgz\n'
        "RUN curl -fsSLo u.tgz https://example.com/u.tgz\n"
        'RUN echo "abc  u.tgz" | sha256sum -c -\n'
    )
    # A check in a later RUN does not count: each RUN is its own unit.
    assert _refs(scan_text("Dockerfile", text)) == [
        (4, "download-unchecked", "curl -fsSLo u.tgz https://example.com/u.tgz")
    ]


def test_heredoc_run_body(scan_text: Scan) -> None:
    text = "FROM scratch\nRUN <<EOF\nset -e\ncurl -sSL https://x.example/i.sh | sh\nEOF\nRUN true\n"
    assert _refs(scan_text("Dockerfile", text)) == [
        (4, "download-to-shell", "curl -sSL https://x.example/i.sh | sh")
    ]


def test_from_without_image_is_unreadable(scan_text: Scan) -> None:
    assert _refs(scan_text("Dockerfile", "FROM --platform=linux/amd64\n")) == [
        (1, "unreadable", "FROM without an image")
    ]


def test_a_digest_pins_even_when_the_registry_is_a_variable(scan_text: Scan) -> None:
    text = f"ARG REGISTRY\nFROM ${{REGISTRY}}/python:3.12@{D1}\nFROM ${{REGISTRY}}/python:3.12\n"
    assert _refs(scan_text("Dockerfile", text)) == [
        (3, "dockerfile-from", "${REGISTRY}/python:3.12")
    ]


def test_syntax_directive_names_an_image(scan_text: Scan) -> None:
    text = "# syntax=docker/dockerfile:1\n# escape=\\\nFROM scratch\n"
    findings = scan_text("Dockerfile", text)
    assert _refs(findings) == [(1, "dockerfile-from", "# syntax=docker/dockerfile:1")]
    assert "frontend" in findings[0].hint
    pinned = f"# syntax=docker/dockerfile:1@{D1}\nFROM scratch\n"
    assert scan_text("Dockerfile", pinned) == ()
    # Below the first instruction it is only a comment.
    assert scan_text("Dockerfile", "FROM scratch\n# syntax=docker/dockerfile:1\n") == ()
