"""CycloneDX spec versions we write and read."""

from __future__ import annotations

from enum import StrEnum

from cyclonedx.schema import SchemaVersion


class SpecVersion(StrEnum):
    """CycloneDX JSON spec versions: 1.6 by default, 1.5 on request."""

    V1_5 = "1.5"
    V1_6 = "1.6"

    @property
    def schema_url(self) -> str:
        """The ``$schema`` value of a document of this version."""
        return f"http://cyclonedx.org/schema/bom-{self.value}.schema.json"

    @property
    def library_version(self) -> SchemaVersion:
        """The cyclonedx-python-lib enum member (whose bundled schema we validate against)."""
        match self:
            case SpecVersion.V1_5:
                return SchemaVersion.V1_5
            case SpecVersion.V1_6:
                return SchemaVersion.V1_6
