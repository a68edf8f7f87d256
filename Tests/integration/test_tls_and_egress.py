"""Real TLS to the provider (verified against a CA given per backend) and egress through HTTPS_PROXY.

The provider is sluice-mock serving HTTPS itself (OpenSSL, `TLSServerContext`)."""
import socket
import threading

import pytest

from conftest import chat_body, post, request
from sidecar import start_sidecar
from tls_helpers import make_ca_and_cert


@pytest.fixture
def tls_mock(start, tmp_path):
    """sluice-mock serving HTTPS with a certificate from a CA made for this test."""
    ca, cert, key = make_ca_and_cert(str(tmp_path))
    server = start("sluice-mock", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key)
    server.ca = ca
    server.port = server.address[1]
    return server


def tls_backend(port, **extra):
    return {"name": "secure", "provider": "openai", "baseURL": f"https://127.0.0.1:{port}/v1", **extra}


ROUTES = [{"name": "all", "split": [{"backend": "secure", "weight": 1}]}]


def test_the_sidecar_reaches_a_tls_provider_when_given_its_ca(start, tls_mock, tmp_path):
    with open(tls_mock.ca) as f:
        ca_pem = f.read()
    sidecar = start_sidecar(start, tmp_path / "s", [tls_backend(tls_mock.port, tls={"caFile": "provider-ca.pem"})], ROUTES,
                            secrets={"provider-ca.pem": ca_pem})
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("secure-model")))
    assert response.status == 200
    assert response.json()["model"] == "secure-model"


def test_the_sidecar_refuses_a_tls_provider_it_cannot_verify(start, tls_mock, tmp_path):
    sidecar = start_sidecar(start, tmp_path / "s", [tls_backend(tls_mock.port)], ROUTES)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body()))
    assert response.status == 502
    assert response.json()["error"]["code"] == "upstream_tls"


class ConnectProxy:
    """A minimal HTTP CONNECT proxy on loopback that counts the tunnels it opens."""

    def __init__(self):
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.tunnels = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        head = b""
        while b"\r\n\r\n" not in head:
            data = client.recv(4096)
            if not data:
                return
            head += data
        target = head.split(b" ")[1].decode()
        self.tunnels.append(target)
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")

        def pipe(a, b):
            try:
                while data := a.recv(65536):
                    b.sendall(data)
            except OSError:
                pass
            finally:
                b.close()
        threading.Thread(target=pipe, args=(client, upstream), daemon=True).start()
        pipe(upstream, client)

    def close(self):
        self.server.close()


@pytest.mark.parametrize("no_proxy,through_proxy", [("", True), ("127.0.0.1", False)])
def test_egress_goes_through_https_proxy_unless_no_proxy_says_otherwise(start, tls_mock, tmp_path, no_proxy, through_proxy):
    proxy = ConnectProxy()
    with open(tls_mock.ca) as f:
        ca_pem = f.read()
    from sidecar import write_config
    config_dir, secrets_dir = write_config(str(tmp_path / "s"), [tls_backend(tls_mock.port, tls={"caFile": "ca.pem"})], ROUTES,
                                           secrets={"ca.pem": ca_pem})
    env = {"HTTPS_PROXY": f"http://127.0.0.1:{proxy.port}", "NO_PROXY": no_proxy, "no_proxy": no_proxy}
    sidecar = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets_dir, env=env, listeners=3)
    response = request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body()))
    proxy.close()
    assert response.status == 200
    assert bool(proxy.tunnels) == through_proxy
    if through_proxy:
        assert proxy.tunnels[0] == f"127.0.0.1:{tls_mock.port}"


def test_the_mock_refuses_a_mismatched_key(start, tmp_path):
    import subprocess
    from conftest import BIN_DIR
    import os
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, cert, _ = make_ca_and_cert(str(tmp_path / "a"))
    _, _, other_key = make_ca_and_cert(str(tmp_path / "b"))
    result = subprocess.run([os.path.join(BIN_DIR, "sluice-mock"), "--listen", "127.0.0.1:0", "--tls-cert", cert,
                             "--tls-key", other_key], capture_output=True, text=True, timeout=10)
    assert result.returncode == 1
    assert "mismatch" in result.stderr and "server.key" in result.stderr
