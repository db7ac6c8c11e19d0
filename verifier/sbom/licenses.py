"""License statements as SPDX expressions, ids or names, from package metadata."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from cyclonedx.spdx import fixup_id, is_expression

from verifier.sbom.model import License

# Trove classifiers that name exactly one SPDX license (facts from the SPDX license list and
# the PyPI classifier list). Classifiers that do not pin a version ("GPL", "BSD") are left out.
_CLASSIFIERS = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "License :: OSI Approved :: Zope Public License": "ZPL-2.1",
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)": (
        "GPL-2.0-or-later"
    ),
    "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)": (
        "GPL-3.0-or-later"
    ),
    "License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": (
        "LGPL-2.0-or-later"
    ),
    "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": (
        "LGPL-3.0-or-later"
    ),
    "License :: OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "License :: OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
    "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}

#: free-text values that say nothing about the license
_MEANINGLESS = {"", "unknown", "none", "n/a", "null", "license", "see license", "other"}


@lru_cache(maxsize=8192)
def parse_license_text(text: str) -> License | None:
    """One license value as found in metadata: an SPDX id, an SPDX expression, or a name.

    Whole license texts pasted into a ``License:`` field are reduced to their first line.
    """
    value = text.strip()
    if value.lower() in _MEANINGLESS:
        return None
    spdx_id = fixup_id(value)
    if spdx_id is not None:
        return License("id", spdx_id)
    if len(value) < 200 and "\n" not in value and is_expression(value):
        return License("expression", value)
    first = value.splitlines()[0].strip()
    if not first or first.lower() in _MEANINGLESS:
        return None
    return License("name", first[:200])


def licenses_from_python_metadata(
    expression: str | None, license_field: str | None, classifiers: Iterable[str]
) -> tuple[License, ...]:
    """Licenses of a Python distribution, best source first.

    ``License-Expression`` (PEP 639) wins; then ids from trove classifiers; then the free-text
    ``License`` field when it is an SPDX id or expression (a name otherwise).
    """
    if expression:
        parsed = parse_license_text(expression)
        if parsed is not None:
            return (parsed,)
    field_license = parse_license_text(license_field) if license_field else None
    if field_license is not None and field_license.form != "name":
        return (field_license,)
    from_classifiers = sorted({_CLASSIFIERS[c] for c in classifiers if c in _CLASSIFIERS})
    if from_classifiers:
        return tuple(License("id", i) for i in from_classifiers)
    return (field_license,) if field_license is not None else ()


def single_expression(licenses: tuple[License, ...]) -> tuple[License, ...]:
    """CycloneDX allows one expression, or any number of ids and names, never both."""
    expressions = [lic for lic in licenses if lic.form == "expression"]
    if expressions and len(licenses) > 1:
        parts = [lic.value for lic in licenses if lic.form != "name"]
        return (License("expression", " AND ".join(f"({part})" for part in parts)),)
    return licenses
