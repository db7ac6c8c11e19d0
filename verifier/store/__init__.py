"""Where artifacts and their evidence live: one Store interface, a layout and a registry backend.

The library API the release pipeline and admission use:

* :class:`~verifier.store.interface.Store`: blobs (streamed, digest-checked), manifests (raw
  bytes), tags (immutable mode), tag lists, the referrers API;
* :func:`~verifier.store.referrers.attach_referrer`,
  :func:`~verifier.store.referrers.list_referrers`;
* :func:`~verifier.store.artifacts.push_files`, :func:`~verifier.store.artifacts.attach_bundle`,
  :func:`~verifier.store.artifacts.pull_to_dir`, :func:`~verifier.store.copy.copy_artifact`;
* :func:`~verifier.store.reference.parse_reference` and ``StoreLocation.open`` to get a store.
"""
