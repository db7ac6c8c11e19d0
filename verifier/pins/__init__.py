"""Finding build inputs that are not pinned by digest: ``verifier pins PATH``.

One scanner per kind of file (:mod:`verifier.pins.scanners`), each a
:class:`~verifier.pins.interface.PinScanner`; :func:`~verifier.pins.scan.scan_path` walks a
tree and returns a sorted :class:`~verifier.pins.scan.PinsReport` of
:class:`~verifier.pins.finding.Finding` values. :mod:`verifier.pins.resolve` rewrites image
tags to the digests a registry serves now.
"""
