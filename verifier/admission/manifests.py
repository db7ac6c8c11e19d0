"""Every container image a set of Kubernetes manifests would run, with where it is named.

Reads multi-document YAML (plain manifests, Helm-rendered output, ``kind: List``) from a
file, a directory (every ``*.yaml``/``*.yml`` below it, sorted) or standard input, and finds
the images of Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers,
Jobs and CronJobs: ``containers``, ``initContainers`` and ``ephemeralContainers``. A
``kustomization.yaml`` in the directory given applies its ``images:`` overrides (``name`` ->
``newName``, ``newTag``, ``digest``) to every image found below it, as ``kustomize build``
would. Each image comes with its file, line, document number, object and container, so a
finding can say exactly where to look. The admission webhook reuses :func:`pod_spec_images`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from verifier.errors import InputError
from verifier.policy.decision import Location

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_IMAGES = 10_000
CONTAINER_FIELDS = ("initContainers", "containers", "ephemeralContainers")
#: kind -> path from the object to its pod spec.
POD_SPEC_PATHS: Mapping[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass(frozen=True)
class ImageUse:
    """One container's image in one manifest."""

    image: str
    path: str
    document: int  # 1-based, counting every document of the file
    line: int
    kind: str
    name: str
    namespace: str | None
    container: str
    field: str

    @property
    def location(self) -> Location:
        """For decisions and reports."""
        return Location(
            self.path,
            self.line,
            f"document {self.document}, {self.kind}/{self.name}, {self.field} {self.container}",
        )


@dataclass(frozen=True)
class ImageOverride:
    """A kustomize ``images:`` entry."""

    name: str
    new_name: str | None = None
    new_tag: str | None = None
    digest: str | None = None

    def apply(self, image: str) -> str | None:
        """The overridden image, or None when this entry does not name it."""
        repo, tag, digest = split_image(image)
        if repo != self.name:
            return None
        repo = self.new_name or repo
        if self.digest:
            return f"{repo}@{self.digest}"
        if self.new_tag:
            return f"{repo}:{self.new_tag}"
        return f"{repo}{':' + tag if tag else ''}{'@' + digest if digest else ''}"


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference."""
    rest, _, digest = image.partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        return rest[:colon], rest[colon + 1 :], digest or None
    return rest, None, digest or None


def _ambiguous(problem: str, mark: yaml.Mark) -> yaml.MarkedYAMLError:
    """A mapping we read means different things to different YAML readers."""
    return yaml.MarkedYAMLError(problem=problem, problem_mark=mark)


def _get(node: yaml.Node | None, key: str) -> yaml.Node | None:
    # A duplicate key is taken first by some readers and last by others, and a merge key
    # (``<<``) hides fields from a reader that does not expand it; Kubernetes' reader and
    # ours must see the same image, so both are refused in every mapping we read.
    if not isinstance(node, yaml.MappingNode):
        return None
    found = None
    for k, v in node.value:
        if k.tag == "tag:yaml.org,2002:merge":
            raise _ambiguous("merge keys (<<) are not supported", k.start_mark)
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            if found is not None:
                raise _ambiguous(f"duplicate key {key!r}", k.start_mark)
            found = v
    return found


def _scalar(node: yaml.Node | None) -> str | None:
    # Only strings: ``image: null`` or ``image: 12345`` is no image, not one named "null".
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        return None
    return str(node.value) if node.value != "" else None


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def pod_spec_images(
    spec: yaml.Node, *, path: str, document: int, kind: str, name: str, namespace: str | None
) -> Iterator[ImageUse]:
    """Every container image of a pod spec node."""
    for field in CONTAINER_FIELDS:
        containers = _get(spec, field)
        if containers is None or _is_null(containers):
            continue
        if not isinstance(containers, yaml.SequenceNode):
            line = containers.start_mark.line + 1
            raise InputError(f"{path}:{line}: {kind}/{name} {field} is not a list")
        for i, container in enumerate(containers.value):
            image_node = _get(container, "image")
            image = _scalar(image_node)
            cname = _scalar(_get(container, "name")) or f"#{i}"
            if image is None or image_node is None:
                line = container.start_mark.line + 1
                raise InputError(f"{path}:{line}: {kind}/{name} {field} {cname} has no image")
            yield ImageUse(
                image,
                path,
                document,
                image_node.start_mark.line + 1,
                kind,
                name,
                namespace,
                cname,
                field,
            )


@dataclass(frozen=True)
class ContainerImage:
    """One container's image in an object already parsed from JSON (an AdmissionReview)."""

    field: str
    container: str
    image: str


def object_images(obj: Mapping[str, Any]) -> list[ContainerImage]:
    """Every container image of a parsed workload object; [] for kinds without pods.

    The webhook's entry point: the same kinds and container fields as the YAML scanner.
    InputError when a container has no image.
    """
    route = POD_SPEC_PATHS.get(str(obj.get("kind", "")))
    if route is None:
        return []
    spec: Any = obj
    for key in route:
        spec = spec.get(key) if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping):
        raise InputError(f"{obj.get('kind')} has no {'.'.join(route)}")
    found = []
    for field in CONTAINER_FIELDS:
        for i, container in enumerate(spec.get(field) or []):
            if not isinstance(container, Mapping):
                raise InputError(f"{field}[{i}] is not an object")
            name = str(container.get("name") or f"#{i}")
            image = container.get("image")
            if not isinstance(image, str) or not image:
                raise InputError(f"{obj.get('kind')} {field} {name} has no image")
            found.append(ContainerImage(field, name, image))
    return found


def _object_images(node: yaml.Node, path: str, document: int) -> Iterator[ImageUse]:
    kind = _scalar(_get(node, "kind")) or ""
    if kind == "List" or kind.endswith("List"):
        items = _get(node, "items")
        if isinstance(items, yaml.SequenceNode):
            for item in items.value:
                yield from _object_images(item, path, document)
        return
    route = POD_SPEC_PATHS.get(kind)
    if route is None:
        return
    metadata = _get(node, "metadata")
    name = _scalar(_get(metadata, "name")) or "(unnamed)"
    namespace = _scalar(_get(metadata, "namespace"))
    spec: yaml.Node | None = node
    for key in route:
        spec = _get(spec, key)
    if spec is None or not isinstance(spec, yaml.MappingNode):
        line = (spec or node).start_mark.line + 1
        raise InputError(f"{path}:{line}: {kind}/{name} has no {'.'.join(route)}")
    yield from pod_spec_images(
        spec, path=path, document=document, kind=kind, name=name, namespace=namespace
    )


def scan_text(text: str, path: str) -> list[ImageUse]:
    """Images in one YAML text (any number of documents)."""
    found: list[ImageUse] = []
    try:
        for number, node in enumerate(yaml.compose_all(text, Loader=yaml.SafeLoader), start=1):
            if node is None:
                continue
            for use in _object_images(node, path, number):
                found.append(use)
                if len(found) > MAX_IMAGES:
                    # Aliases in nested Lists can repeat one pod endlessly; no real file does.
                    raise InputError(f"{path}: more than {MAX_IMAGES} container images")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark else path
        raise InputError(f"{where}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        # The YAML composer and the walk of nested Lists recurse; no real manifest is this deep.
        raise InputError(f"{path}: invalid YAML: nested too deeply") from None
    return found


def _read(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise InputError(f"{path}: too large (over {MAX_MANIFEST_BYTES} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def kustomize_overrides(directory: Path) -> list[ImageOverride]:
    """The ``images:`` entries of the directory's kustomization file, if it has one."""
    for name in KUSTOMIZATION_FILES:
        file = directory / name
        if not file.is_file():
            continue
        try:
            doc: Any = yaml.safe_load(_read(file))
        except yaml.YAMLError as exc:
            raise InputError(f"{file}: invalid YAML: {exc}") from None
        except RecursionError:
            raise InputError(f"{file}: invalid YAML: nested too deeply") from None
        entries = (doc or {}).get("images") or [] if isinstance(doc, dict) else []
        overrides = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise InputError(f"{file}: images[{i}] needs a name")
            overrides.append(
                ImageOverride(
                    entry["name"],
                    entry.get("newName"),
                    str(entry["newTag"]) if entry.get("newTag") is not None else None,
                    entry.get("digest"),
                )
            )
        return overrides
    return []


def _apply(uses: Sequence[ImageUse], overrides: Sequence[ImageOverride]) -> list[ImageUse]:
    out = []
    for use in uses:
        image = use.image
        for override in overrides:
            changed = override.apply(image)
            if changed is not None:
                image = changed
                break
        out.append(use if image == use.image else _with_image(use, image))
    return out


def _with_image(use: ImageUse, image: str) -> ImageUse:
    return ImageUse(
        image,
        use.path,
        use.document,
        use.line,
        use.kind,
        use.name,
        use.namespace,
        use.container,
        use.field,
    )


def scan_manifests(source: str, *, stdin_text: str | None = None) -> list[ImageUse]:
    """Images in a file, a directory tree, or ``-`` (then ``stdin_text``)."""
    if source == "-":
        return scan_text(stdin_text or "", "<stdin>")
    root = Path(source)
    if not root.exists():
        raise InputError(f"{source}: no such manifest file or directory")
    if not root.is_dir():  # a file, or a pipe: --manifests <(helm template ...)
        return scan_text(_read(root), source)
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix in (".yaml", ".yml") and p.name not in KUSTOMIZATION_FILES
    )
    uses = [use for file in files for use in scan_text(_read(file), str(file))]
    return _apply(uses, kustomize_overrides(root))
