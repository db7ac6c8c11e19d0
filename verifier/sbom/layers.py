"""The final filesystem of an image, as far as an SBOM needs it: layers applied in order.

Only files an SBOM reads are kept (package databases, Python metadata, npm package.json),
with their bytes. Whiteouts follow the OCI image spec (image-spec layer.md): a ``.wh.<name>``
entry deletes ``<name>`` (and everything under it) from lower layers; ``.wh..wh..opq`` in a
directory hides everything lower layers put in that directory.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from verifier.archive import ArchiveError, MemberKind, open_archive
from verifier.errors import InputError

#: a package database or metadata file larger than this is refused
MAX_INTERESTING = 64 << 20

_WANTED = re.compile(
    r"^(?:"
    r"var/lib/dpkg/status"
    r"|var/lib/dpkg/status\.d/[^/]+"
    r"|var/lib/dpkg/info/[^/]+\.md5sums"
    r"|usr/share/doc/[^/]+/copyright"
    r"|lib/apk/db/installed"
    r"|(?:etc|usr/lib)/os-release"
    r"|.*/(?:site|dist)-packages/[^/]+\.dist-info/(?:METADATA|RECORD)"
    r"|(?:.*/)?node_modules/(?:@[^/]+/)?[^/]+/package\.json"
    r")$"
)


def wanted(path: str) -> bool:
    """Whether an SBOM of an image reads this file."""
    return _WANTED.match(path) is not None


@dataclass
class ImageFiles:
    """Path -> bytes of the wanted files present in the final image filesystem."""

    files: dict[str, bytes] = field(default_factory=dict)
    #: the layer each file came from (its index), for whiteouts and findings
    origin: dict[str, int] = field(default_factory=dict)
    #: wanted paths that are links: path -> (layer, kind, target as the layer names it)
    links: dict[str, tuple[int, MemberKind, str]] = field(default_factory=dict)
    #: links that lead to nothing we read: what the SBOM may be missing, said as findings
    unfollowed: list[str] = field(default_factory=list)

    def follow_links(self, describe: list[str] | None = None) -> None:
        """Give each wanted link its target's bytes; note the links that lead nowhere read.

        Debian's ``etc/os-release`` is a symlink, and a layer may hard-link a status file. The
        link is resolved in the final filesystem (a symlink relative to its own directory),
        one step: a link to a link, or through a linked directory, is noted, not chased.
        """
        for path, (layer, kind, target) in sorted(self.links.items()):
            if path in self.files:
                continue  # a later layer put a file there
            if kind is MemberKind.SYMLINK and not target.startswith("/"):
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
            else:
                resolved = posixpath.normpath(target.lstrip("/"))
            if resolved in self.files:
                self.files[path] = self.files[resolved]
                self.origin[path] = layer
                continue
            where = describe[layer] if describe else f"layer {layer}"
            self.unfollowed.append(
                f"{where}: {path} is a {kind.value} to {target}, which is not a file we read: "
                "what it lists is not in the SBOM"
            )

    def remove(self, path: str, below: int) -> None:
        """Delete ``path`` and everything under it that lower layers (< ``below``) added."""
        prefix = path.rstrip("/") + "/"
        for existing in [p for p in self.files if p == path or p.startswith(prefix)]:
            if self.origin[existing] < below:
                del self.files[existing]
                del self.origin[existing]
        for link in [p for p in self.links if p == path or p.startswith(prefix)]:
            if self.links[link][0] < below:
                del self.links[link]

    def opaque(self, directory: str, below: int) -> None:
        """Hide what lower layers put under ``directory``."""
        prefix = directory.rstrip("/") + "/" if directory else ""
        for existing in [p for p in self.files if p.startswith(prefix)]:
            if self.origin[existing] < below:
                del self.files[existing]
                del self.origin[existing]
        for link in [p for p in self.links if p.startswith(prefix)]:
            if self.links[link][0] < below:
                del self.links[link]


def apply_layers(
    layers: list[Path], *, keep: Callable[[str], bool] = wanted, describe: list[str] | None = None
) -> ImageFiles:
    """Apply layer tarballs bottom to top; ArchiveError naming a layer that is not a tar."""
    image = ImageFiles()
    for index, layer in enumerate(layers):
        label = describe[index] if describe else str(layer)
        try:
            reader = open_archive(layer)
        except ArchiveError as exc:
            raise InputError(f"{label}: layer is not a readable tar archive ({exc})") from exc
        try:
            if reader.format.value != "tar":
                raise InputError(f"{label}: layer is a {reader.format.value} file, not a tar")
            for member in reader.members():
                directory, base = posixpath.split(member.name)
                if base == ".wh..wh..opq":
                    image.opaque(directory, index)
                    continue
                if base.startswith(".wh."):
                    image.remove(posixpath.join(directory, base[4:]), index)
                    continue
                # a later layer's entry at the same path replaces the lower file (directories
                # merge instead, so they replace nothing)
                if member.kind is not MemberKind.DIR and member.name in image.files:
                    image.remove(member.name, index)
                image.links.pop(member.name, None)
                if (
                    member.kind in (MemberKind.SYMLINK, MemberKind.HARDLINK)
                    and member.link_target
                    and keep(member.name)
                ):
                    image.links[member.name] = (index, member.kind, member.link_target)
                if member.kind is MemberKind.FILE and keep(member.name):
                    if member.size > MAX_INTERESTING:
                        raise InputError(f"{label}: {member.name} is larger than metadata may be")
                    image.files[member.name] = reader.read(member, MAX_INTERESTING)
                    image.origin[member.name] = index
        finally:
            reader.close()
    image.follow_links(describe)
    return image
