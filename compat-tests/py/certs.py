"""Test certificates for the TLS tests, made with the `openssl` command line.

Nothing is checked in: every test session builds a fresh set in a temporary
directory (the session-scoped `tls_certs` fixture below, which the TLS test
modules import), so no certificate ever expires in the repository and no
private key is ever shipped.

The set (file names relative to the directory):

  ca.pem / ca.key                 "lws test CA", self-signed, CA:TRUE
  server.pem / server.key         CN=localhost, SAN localhost + 127.0.0.1,
                                  signed by the CA (RSA 2048: exercises the
                                  ECDHE-RSA suites)
  server-encrypted.key            server.key under AES-256 with
                                  KEY_PASSWORD
  client.pem / client.key         CN=lws test client, clientAuth, by the CA
  client-encrypted.key            client.key under AES-256 with KEY_PASSWORD
  expired.pem / expired.key       like server.pem, valid only in Jan 2020
  wrong-host.pem / wrong-host.key CN=other.example, SAN other.example, by
                                  the CA: valid, but not for 127.0.0.1
  self-signed.pem / .key          CN=localhost, SAN localhost + 127.0.0.1,
                                  signed by its own key (no CA knows it)
  other-ca.pem                    a second, unrelated CA (for "CA file that
                                  does not know the server")

Elliptic-curve keys everywhere but the server's: they are generated in
milliseconds, which keeps the session start-up short.
"""

import os
import subprocess

import pytest

KEY_PASSWORD = "lws-test-password"

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
RSA_KEY = ["-newkey", "rsa:2048"]

# `openssl ca` (rather than `x509 -req`) signs: it is the one tool in
# OpenSSL 3.0 that takes explicit validity dates, which the expired
# certificate needs.
CA_CONFIG = """\
[ca]
default_ca = test_ca

[test_ca]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none

[any_name]
commonName = supplied

[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1

[wrong_host_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example

[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
"""


class CertificateError(RuntimeError):
    """An openssl command failed; carries its output."""


def _openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd,
                            stdin=subprocess.DEVNULL, capture_output=True,
                            timeout=60)
    if result.returncode != 0:
        raise CertificateError(
            f"openssl {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stderr.decode(errors='replace')}")


class CertificateSet:
    """Paths of one generated set (see the module docstring)."""

    def __init__(self, directory):
        self.dir = directory
        self.password = KEY_PASSWORD

    def path(self, name):
        return os.path.join(self.dir, name)

    def __getattr__(self, name):
        # certs.server_pem -> <dir>/server.pem, certs.wrong_host_key ->
        # <dir>/wrong-host.key
        stem, _, ext = name.rpartition("_")
        if ext not in ("pem", "key") or not stem:
            raise AttributeError(name)
        return self.path(stem.replace("_", "-") + "." + ext)


def _self_signed_ca(directory, name, subject):
    _openssl("req", "-x509", *EC_KEY, "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.pem", "-subj", subject, "-days", "3650",
             "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign",
             cwd=directory)


def _signed(directory, name, key_kind, subject, extensions, dates):
    _openssl("req", "-new", *key_kind, "-nodes", "-keyout", f"{name}.key",
             "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    _openssl("ca", "-batch", "-notext", "-config", "ca.cnf",
             "-cert", "ca.pem", "-keyfile", "ca.key",
             "-extensions", extensions, "-in", f"{name}.csr",
             "-out", f"{name}.pem", *dates, cwd=directory)


def generate(directory):
    """Writes the whole set into directory; returns a CertificateSet."""
    os.makedirs(os.path.join(directory, "issued"), exist_ok=True)
    with open(os.path.join(directory, "ca.cnf"), "w") as f:
        f.write(CA_CONFIG.format(dir=directory))
    open(os.path.join(directory, "index.txt"), "w").close()
    with open(os.path.join(directory, "serial"), "w") as f:
        f.write("1000\n")

    _self_signed_ca(directory, "ca", "/CN=lws test CA")
    _self_signed_ca(directory, "other-ca", "/CN=lws unrelated CA")

    valid = ["-days", "30"]
    _signed(directory, "server", RSA_KEY, "/CN=localhost", "server_ext",
            valid)
    _signed(directory, "client", EC_KEY, "/CN=lws test client",
            "client_ext", valid)
    _signed(directory, "wrong-host", EC_KEY, "/CN=other.example",
            "wrong_host_ext", valid)
    _signed(directory, "expired", EC_KEY, "/CN=localhost", "server_ext",
            ["-startdate", "20200101000000Z",
             "-enddate", "20200201000000Z"])

    _openssl("req", "-x509", *EC_KEY, "-nodes", "-keyout",
             "self-signed.key", "-out", "self-signed.pem",
             "-subj", "/CN=localhost", "-days", "30",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             cwd=directory)

    for name in ("server", "client"):
        _openssl("pkey", "-in", f"{name}.key", "-out",
                 f"{name}-encrypted.key", "-aes-256-cbc",
                 "-passout", f"pass:{KEY_PASSWORD}", cwd=directory)

    return CertificateSet(directory)


# One set per session, whichever TLS module asks first: each module imports
# the fixture, which makes it a fixture of that module, so the set itself is
# cached here by the session's base temp directory.
_sessions = {}


@pytest.fixture(scope="session")
def tls_certs(tmp_path_factory):
    """The CertificateSet of this test session (generated on first use)."""
    base = str(tmp_path_factory.getbasetemp())
    if base not in _sessions:
        try:
            _sessions[base] = generate(str(tmp_path_factory.mktemp("certs")))
        except (CertificateError, OSError) as e:
            pytest.fail(f"cannot generate the test certificates: {e}",
                        pytrace=False)
    return _sessions[base]


if __name__ == "__main__":
    import sys
    if len(sys.argv) != 2:
        sys.exit("usage: certs.py DIRECTORY")
    generate(os.path.abspath(sys.argv[1]))
