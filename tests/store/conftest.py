"""A real OCI registry for the store tests: Debian's docker-registry (distribution 2.8).

Each pytest-xdist worker starts its own on 127.0.0.1 with a random port and temporary storage.
Variants: plain HTTP, TLS with a CA this fixture makes, and TLS + htpasswd Basic auth.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.store.token_service import ISSUER, SERVICE, TokenService, token_service
from verifier.store.deadline import Deadline
from verifier.store.registry import RegistryStore

INSTALL_HINT = "install it with tools/bootstrap (Debian packages docker-registry apache2-utils)"
USER = "alice"
PASSWORD = "s3cret-pw"


def _need(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} not found: {INSTALL_HINT}")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PortTaken(Exception):
    """Another process took the port between choosing it and the registry binding it."""


@dataclass
class Registry:
    """A running docker-registry process."""

    host: str
    storage: Path
    config: Path
    log: Path
    ca_file: Path | None = None
    auth: bool = False
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def scheme(self) -> str:
        return "https" if self.ca_file else "http"

    def store(self, repository: str, timeout: float = 60.0) -> RegistryStore:
        return RegistryStore(
            self.host,
            repository,
            Deadline(timeout),
            plain_http=self.ca_file is None,
            ca_file=self.ca_file,
        )

    def cli_options(self) -> list[str]:
        if self.ca_file:
            return ["--ca-file", str(self.ca_file)]
        return ["--unsafe-plain-http"]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def start(self) -> None:
        binary = _need("docker-registry")
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [binary, "serve", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready()

    def wait_ready(self) -> None:
        import ssl

        ctx = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else None
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                if "address already in use" in self.log.read_text():
                    raise PortTaken(self.host)
                pytest.fail(f"docker-registry exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.scheme}://{self.host}/v2/", context=ctx):
                    return
            except urllib.error.HTTPError as exc:
                if exc.code == 401:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        pytest.fail(
            f"docker-registry did not answer on {self.host}: {self.log.read_text()[-2000:]}"
        )

    def garbage_collect(self) -> str:
        """Run `docker-registry garbage-collect --delete-untagged` (registry stopped)."""
        done = subprocess.run(
            [_need("docker-registry"), "garbage-collect", "--delete-untagged", str(self.config)],
            capture_output=True,
            timeout=60,
            check=True,
        )
        return done.stdout.decode() + done.stderr.decode()


def _make_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "verifier test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = directory / "ca.pem"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file = directory / "server.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file = directory / "server.key"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def start_registry(
    directory: Path, *, tls: bool = False, auth: bool = False, token: TokenService | None = None
) -> Registry:
    """Write a config and start docker-registry in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    storage = directory / "storage"
    storage.mkdir(exist_ok=True)
    for _ in range(5):
        try:
            return _start_on_free_port(directory, storage, tls=tls, auth=auth, token=token)
        except PortTaken:
            continue
    pytest.fail("docker-registry: no free port after 5 attempts")


def _start_on_free_port(
    directory: Path, storage: Path, *, tls: bool, auth: bool, token: TokenService | None
) -> Registry:
    host = f"127.0.0.1:{_free_port()}"
    lines = [
        "version: 0.1",
        "log: {level: warn, formatter: text}",
        "storage:",
        f"  filesystem: {{rootdirectory: {storage}}}",
        "  delete: {enabled: true}",
        "  maintenance: {uploadpurging: {enabled: false}}",
        "http:",
        f"  addr: {host}",
        "  headers: {X-Content-Type-Options: [nosniff]}",
    ]
    ca_file = None
    if tls:
        ca_file, cert, key = _make_ca(directory)
        lines.append(f"  tls: {{certificate: {cert}, key: {key}}}")
    if auth:
        htpasswd = directory / "htpasswd"
        done = subprocess.run(
            [_need("htpasswd"), "-Bbn", USER, PASSWORD], capture_output=True, check=True
        )
        htpasswd.write_bytes(done.stdout)
        lines += ["auth:", f"  htpasswd: {{realm: verifier-test, path: {htpasswd}}}"]
    if token is not None:
        lines += [
            "auth:",
            "  token:",
            f"    realm: {token.realm}",
            f"    service: {SERVICE}",
            f"    issuer: {ISSUER}",
            f"    rootcertbundle: {token.cert_file}",
        ]
    config = directory / "registry.yml"
    config.write_text("\n".join(lines) + "\n")
    registry = Registry(
        host, storage, config, directory / "registry.log", ca_file, auth or token is not None
    )
    registry.start()
    return registry


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A plain-HTTP registry shared by this worker's tests (each test uses its own repository)."""
    reg = start_registry(tmp_path_factory.mktemp("registry"))
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def tls_auth_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """A TLS registry (fixture-made CA) requiring htpasswd Basic auth."""
    reg = start_registry(tmp_path_factory.mktemp("registry-tls"), tls=True, auth=True)
    yield reg
    reg.stop()


@pytest.fixture(scope="session")
def bearer_registry(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Registry, TokenService]]:
    """A registry with token (Bearer) auth, tokens issued by a fixture token service."""
    directory = tmp_path_factory.mktemp("registry-bearer")
    with token_service(directory, USER, PASSWORD) as service:
        reg = start_registry(directory, token=service)
        yield reg, service
        reg.stop()


@pytest.fixture
def own_registry(tmp_path: Path) -> Iterator[Registry]:
    """A registry only this test uses (for garbage collection and storage corruption)."""
    reg = start_registry(tmp_path / "registry")
    yield reg
    reg.stop()


@pytest.fixture
def repo(request: pytest.FixtureRequest) -> str:
    """A repository name unique to the test."""
    name = request.node.name.lower()
    return "test/" + "".join(c if c.isalnum() else "-" for c in name).strip("-")[:60].strip("-")


@pytest.fixture(autouse=True)
def _wide_console() -> Iterator[None]:
    """Messages must fit one line; keep rich from wrapping them at the runner's 80 columns."""
    from verifier.cli.app import console

    old = console.width
    console.width = 10_000
    yield
    console.width = old
