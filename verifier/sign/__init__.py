"""Keys, signatures and attestations: cosign-format keys, DSSE, Sigstore bundles, verification.

Entry points: ``signer.sign_statement`` with ``key_signer.KeySigner`` or
``keyless.KeylessSigner``; ``verify.verify_bundle`` and ``verify.verify_bundles`` with the
policies of ``policy``, ``key_policy`` and ``keyless_policy``. See docs/signing.md.
"""
