"""A self-signed certificate for 127.0.0.1/localhost, made with the openssl command."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SelfSignedCert", "make_self_signed_cert"]


@dataclass(frozen=True)
class SelfSignedCert:
    """PEM files; `cert_file` doubles as the CA file clients trust (`ca_file=`)."""

    cert_file: Path
    key_file: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))


def make_self_signed_cert(directory: Path) -> SelfSignedCert:
    """Write cert.pem/key.pem valid two days for IP 127.0.0.1 and DNS localhost."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("the `openssl` command is missing (apt-get install openssl)")
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign"],
        check=True, capture_output=True,
    )
    key.chmod(0o644)  # the servers run as another user and must read it; test-only key
    return SelfSignedCert(cert, key)
