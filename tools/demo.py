"""`make demo`: release a fixture project with the embedded defaults, then try to cheat.

A short story a newcomer can follow: every command is printed before it runs (as in a
terminal), with what to look for in its output. It works in .demo/ (replaced each run) and
uses only the real CLI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / ".demo"
VERIFIER = str(Path(sys.executable).parent / "verifier")
BUNDLE = "application/vnd.dev.sigstore.bundle.v0.3+json"
STORE = "oci-layout:.verifier/store"


def say(text: str) -> None:
    print("\n" + textwrap.fill(textwrap.dedent(text).strip(), width=88), flush=True)


def run(*args: str, expect: int = 0, quiet: bool = False) -> str:
    """Run the CLI in .demo/; ``quiet`` plumbing is neither echoed nor shown."""
    if not quiet:
        shown = " ".join(a if " " not in a else repr(a) for a in args)
        print(f"\n$ verifier {shown}", flush=True)
    done = subprocess.run(
        [VERIFIER, *args],
        cwd=DEMO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL if quiet else None,
        text=True,
        check=False,
    )
    if done.returncode != expect:
        print(done.stdout, end="")
        print(f"demo: expected exit {expect}, got {done.returncode}; stopping", file=sys.stderr)
        sys.exit(1)
    if not quiet:
        print(done.stdout, end="", flush=True)
        print(f"(exit {done.returncode})", flush=True)
    return done.stdout


def main() -> None:
    shutil.rmtree(DEMO, ignore_errors=True)
    DEMO.mkdir()
    shutil.copytree(REPO / "fixtures" / "tarball", DEMO / "hello")
    # A demo password for the key `verifier release` creates; use your own (or a prompt).
    os.environ["VERIFIER_PASSWORD"] = "demo-only-password"  # noqa: S105 - the demo key only
    os.environ.pop("CI", None)

    say("""1. Release. hello/repro.toml pins every input by sha256. `verifier release` rebuilds it
        twice in a sandbox with different paths, clocks, locales and users, checks both builds
        agree bit for bit, writes an SBOM, signs everything with a release key (made now, on
        first use), checks the policy, and only then publishes to a local OCI store and tags
        v1.0.0.""")
    run("release", "hello", "--version", "1.0.0")

    say("""2. Admit. Before deploying, `verifier admit` finds the evidence attached to the release,
        verifies every signature with the key the policy trusts, and evaluates the policy.""")
    run("admit", f"{STORE}:v1.0.0", "--policy", ".verifier/policy.yaml")

    say("""3. A tampered artifact. Someone changes the released tarball and re-publishes it as
        'latest', copying every signature of v1.0.0 next to it. The signatures are genuine,
        but they are about other bytes: admission refuses.""")
    print("\n(copying the release's files and every signature bundle with pull and push)")
    run("pull", f"{STORE}:v1.0.0", "-o", "pulled", quiet=True)
    tampered = DEMO / "pulled" / "payload.tar.gz"
    tampered.write_bytes(tampered.read_bytes() + b"\0backdoor")
    run("push", "pulled/payload.tar.gz", f"{STORE}:latest", quiet=True)
    tree = json.loads(run("discover", f"{STORE}:v1.0.0", "--json", quiet=True))
    (DEMO / "bundles").mkdir()
    for n, referrer in enumerate(r for r in tree["referrers"] if r["artifactType"] == BUNDLE):
        out = f"bundles/{n}"
        run("pull", f"{STORE}@{referrer['digest']}", "-o", out, quiet=True)
        for bundle in sorted((DEMO / out).iterdir()):
            run(
                "push",
                str(bundle.relative_to(DEMO)),
                STORE,
                "--subject",
                "latest",
                "--artifact-type",
                BUNDLE,
                "--media-type",
                BUNDLE,
                quiet=True,
            )
    run("admit", f"{STORE}:latest", "--policy", ".verifier/policy.yaml", expect=1)

    say("""4. An unknown key. Someone signs their own build with their own key and attaches the
        signature. It verifies, but nobody trusts that key: admission refuses.""")
    print("\n(making a key pair 'mallory', signing another file with it, pushing both)")
    (DEMO / "other").mkdir()
    (DEMO / "other" / "payload.tar.gz").write_bytes(b"not the release\n")
    run("keygen", "--output-prefix", "other/mallory", quiet=True)
    run("push", "other/payload.tar.gz", f"{STORE}:mallory", quiet=True)
    run("sign", "other/payload.tar.gz", "--key", "other/mallory.key", quiet=True)
    run(
        "push",
        "other/payload.tar.gz.sigstore.json",
        STORE,
        "--subject",
        "mallory",
        "--artifact-type",
        BUNDLE,
        "--media-type",
        BUNDLE,
        quiet=True,
    )
    run("admit", f"{STORE}:mallory", "--policy", ".verifier/policy.yaml", expect=1)

    say("""5. What was written (all under .demo/):""")
    for path, what in [
        (
            ".verifier/store/",
            "the OCI image layout: the release, its tag and every signed referrer",
        ),
        (".verifier/keys/release.key", "the release key (encrypted, cosign format, mode 0600)"),
        (".verifier/keys/release.pub", "its public key: what admission trusts"),
        (".verifier/policy.yaml", "the release policy (edit it; `verifier policy lint` checks it)"),
        (".verifier/release/hello/1.0.0/", "build logs, outputs and unsigned statements"),
    ]:
        print(f"  .demo/{path:<34} {what}")
    say("""Next: `verifier releases` lists releases with their verification state;
        docs/release.md explains every step, and docs/admit.md the policy gate.""")


if __name__ == "__main__":
    main()
