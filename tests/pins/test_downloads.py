"""Downloads in shell code: piped into interpreters, or saved with and without checks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from verifier.pins.finding import Finding

Scan = Callable[[str, str], tuple[Finding, ...]]


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSL https://x.example/i.sh | sh",
        "curl https://x.example/i.sh | sudo bash -s -- --yes",
        "curl -s https://x.example/i.py | python3 -",
        "wget -qO- https://x.example/i.sh | /bin/bash",
        "wget -O - https://x.example/i.sh | env FOO=1 sh",
        "bash <(curl -s https://x.example/i.sh)",
        'sh -c "$(curl -fsSL https://x.example/i.sh)"',
        "source <(curl -s https://x.example/env.sh)",
        ". <(wget -qO- https://x.example/env.sh)",
    ],
)
def test_piped_into_an_interpreter(scan_text: Scan, line: str) -> None:
    # Even a checksum check afterwards cannot cover what a pipe already ran.
    findings = scan_text("run.sh", f"{line}\nsha256sum -c SUMS\n")
    assert [(f.line, f.kind.value) for f in findings] == [(1, "download-to-shell")]


@pytest.mark.parametrize(
    "line",
    [
        "curl -fsSLo tool.tgz https://x.example/tool.tgz",
        "curl -L --output tool.tgz https://x.example/tool.tgz",
        "curl -LO https://x.example/tool.tgz",
        "curl -sSL https://x.example/tool.tgz > tool.tgz",
        "curl -sSL https://x.example/tool.tgz | tar xz",
        "curl -fsSL https://x.example/key.asc | gpg --dearmor -o /etc/apt/keyrings/x.gpg",
        "wget https://x.example/tool.tgz",
        "wget -q -O tool.tgz https://x.example/tool.tgz",
    ],
)
def test_saved_or_extracted_without_a_check(scan_text: Scan, line: str) -> None:
    findings = scan_text("run.sh", f"echo start\n{line}\n")
    assert [(f.line, f.kind.value) for f in findings] == [(2, "download-unchecked")]


@pytest.mark.parametrize(
    "check",
    [
        'echo "abc  tool.tgz" | sha256sum -c -',
        "sha512sum --check tool.tgz.sha512",
        "shasum -a 256 -c tool.sha256",
        "b2sum -c SUMS",
        "gpg --batch --verify tool.tgz.asc tool.tgz",
        "cosign verify-blob --key k.pub --signature tool.sig tool.tgz",
        "minisign -Vm tool.tgz -P key",
    ],
)
def test_a_later_check_covers_the_download(scan_text: Scan, check: str) -> None:
    text = f"curl -fsSLo tool.tgz https://x.example/tool.tgz\n{check}\ntar xzf tool.tgz\n"
    assert scan_text("run.sh", text) == ()


def test_checks_before_the_download_or_weak_hashes_do_not_count(scan_text: Scan) -> None:
    text = (
        "sha256sum -c old.sha256\n"
        "curl -fsSLo a.tgz https://x.example/a.tgz\n"
        "md5sum -c a.md5\n"
        "sha1sum -c a.sha1\n"
    )
    assert [(f.line, f.kind.value) for f in scan_text("run.sh", text)] == [
        (2, "download-unchecked")
    ]


def test_api_calls_and_comments_are_not_downloads(scan_text: Scan) -> None:
    text = (
        "# curl https://x.example/i.sh | sh\n"
        "curl -fsS -X POST -d @payload.json https://hooks.example/notify\n"
        "curl -I https://x.example/health\n"
    )
    assert scan_text("notify.sh", text) == ()


def test_shebang_files_without_suffix(scan_text: Scan) -> None:
    assert len(scan_text("bin/setup", "#!/bin/bash\ncurl -s https://x/i | sh\n")) == 1
    assert scan_text("bin/notes", "curl -s https://x/i | sh\n") == ()
    assert len(scan_text("bin/envsh", "#!/usr/bin/env sh\nwget https://x/a\n")) == 1


def test_continuation_lines_report_the_first_line(scan_text: Scan) -> None:
    text = "set -e\ncurl -fsSL \\\n  https://x.example/i.sh \\\n  | bash\n"
    assert [(f.line, f.reference) for f in scan_text("i.sh", text)] == [
        (2, "curl -fsSL https://x.example/i.sh | bash")
    ]
