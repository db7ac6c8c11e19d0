"""Verification rates: key-based bundles (ours alone) and keyless bundles (ours vs sigstore-python).

Key-based: sign N bundles (default 10,000) over distinct artifact digests, then time parsing
and verifying all of them in this one process (one core). Target: >= 2,000 per second.
sigstore-python cannot parse key-signed bundles at all, so there is no peer for this half.

Keyless: every conformance happy-path case with a certificate (the ``_fail`` and managed-key
cases are left out), verified by digest, by us and by sigstore-python's own ``Verifier`` with
an ``Identity`` policy on the same trusted root, best of R rounds. Target: < 20 ms a bundle.
sigstore-python 4.5 refuses Rekor intoto/0.0.2 entries, so those cases time only ours.

    uv run python bench/verify.py [--bundles 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

from verifier.digest import Digest
from verifier.sign.artifact import Artifact
from verifier.sign.bundle import Bundle
from verifier.sign.identity import Match
from verifier.sign.key_policy import KeyTrust
from verifier.sign.key_signer import KeySigner
from verifier.sign.keyless_policy import KeylessTrust
from verifier.sign.keyless_verify import verifier_for
from verifier.sign.keys import KeyAlgorithm

REPO = Path(__file__).resolve().parent.parent
CASES = REPO.parent / "shared" / "conformance" / "sigstore" / "bundle-verify"
IDENTITY = (
    "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/"
    ".github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
)
ISSUER = "https://token.actions.githubusercontent.com"


def key_based(count: int) -> None:
    key = KeyAlgorithm.ECDSA_P256.generate()
    signer = KeySigner(key)
    items = []
    for i in range(count):
        artifact = Artifact(Digest.of_bytes(i.to_bytes(8, "big")))
        items.append((signer.sign_artifact(artifact).to_json(), artifact))
    policy = KeyTrust(key.public_key)
    start = time.perf_counter()
    for raw, artifact in items:
        policy.verify(Bundle.from_json(raw), artifact)
    elapsed = time.perf_counter() - start
    rate = count / elapsed
    print(f"key-based: {count} bundles parsed and verified in {elapsed:.2f} s")
    print(f"  {rate:,.0f} verifications/s on one core (target 2,000/s: ratio {rate / 2000:.2f})")


def keyless(rounds: int) -> None:
    from sigstore.hashes import Hashed
    from sigstore.models import Bundle as SigstoreBundle
    from sigstore.verify import Verifier
    from sigstore.verify.policy import Identity
    from sigstore_models.common.v1 import HashAlgorithm

    if not CASES.is_dir():
        print(f"keyless: conformance cases absent ({CASES}); skipped")
        return
    print(f"keyless: conformance happy paths, by digest, best of {rounds} rounds")
    print("  (ratio = sigstore-python time / verifier time; above 1 means we are faster)")
    print(f"  {'case':<44} {'verifier':>10} {'sigstore-py':>12} {'ratio':>6}")
    ours_total = peer_total = 0.0
    ours_n = peer_n = 0
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        if case.name.endswith("_fail") or (case / "key.pub").exists():
            continue
        art = case / "artifact" if (case / "artifact").exists() else CASES / "a.txt"
        digest = Digest.sha256_hex(hashlib.sha256(art.read_bytes()).hexdigest())
        root = case / "trusted_root.json" if (case / "trusted_root.json").exists() else None
        raw = (case / "bundle.sigstore.json").read_bytes()
        policy = KeylessTrust(Match(IDENTITY), Match(ISSUER), root)
        artifact = Artifact(digest)

        def ours(
            raw: bytes = raw, policy: KeylessTrust = policy, artifact: Artifact = artifact
        ) -> None:
            policy.verify(Bundle.from_json(raw), artifact)

        # The same trusted root, in sigstore-python's own, unextended Verifier.
        peer_verifier = Verifier(trusted_root=verifier_for(root)._trusted_root)

        def peer(raw: bytes = raw, digest: Digest = digest, v: Verifier = peer_verifier) -> None:
            bundle = SigstoreBundle.from_json(raw)
            identity = Identity(identity=IDENTITY, issuer=ISSUER)
            if bundle._dsse_envelope is not None:
                v.verify_dsse(bundle, identity)
            else:
                hashed = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(digest.hex))
                v.verify_artifact(hashed, bundle, identity)

        ours()  # warm caches (trusted root, imports) outside the timing
        t_ours = best(ours, rounds)
        ours_total += t_ours
        ours_n += 1
        try:
            peer()
            t_peer: float | None = best(peer, rounds)
        except Exception:
            t_peer = None
        if t_peer is not None:
            peer_total += t_peer
            peer_n += 1
        peer_text = f"{t_peer * 1000:9.2f} ms" if t_peer is not None else "   refused"
        ratio = f"{t_peer / t_ours:6.2f}" if t_peer is not None else "     -"
        print(f"  {case.name:<44} {t_ours * 1000:7.2f} ms {peer_text:>12} {ratio}")
    print(
        f"  mean: verifier {ours_total / ours_n * 1000:.2f} ms/bundle over {ours_n} bundles "
        f"(target < 20 ms); sigstore-python "
        f"{peer_total / max(peer_n, 1) * 1000:.2f} ms over {peer_n}"
    )


def best(fn, rounds: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bundles", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("XDG_CACHE_HOME", str(Path("/tmp") / "verifier-bench-cache"))
    key_based(args.bundles)
    keyless(args.rounds)


if __name__ == "__main__":
    main()
