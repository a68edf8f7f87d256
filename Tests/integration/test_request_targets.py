"""What reaches the provider (issue 14, part 2): the path that was routed and nothing else.
Dot segments are removed before routing, a climb above the root is refused, absolute-form
targets are forwarded by their path, `OPTIONS *` stays local, and no header the client did
not send is added. The mock records the raw target it received (`last_request.target`)."""
import json

import pytest

from conftest import chat_body, post, request
from sidecar import mock_backend, start_sidecar

KEY = "sk-test-provider-key"


@pytest.fixture
def sidecar(start, mock, tmp_path):
    # One route for chat completions by exact path, one for everything else: a request routed on
    # one path and forwarded on another would show in `x-sluice-route`.
    routes = [{"name": "chat", "match": {"paths": ["/v1/chat/completions"]}, "split": [{"backend": "mock", "weight": 1}]},
              {"name": "other", "split": [{"backend": "mock", "weight": 1}]}]
    server = start_sidecar(start, tmp_path, [mock_backend(mock)], routes, secrets={"mock-key": KEY})
    server.mock = mock
    return server


def stats(mock):
    return json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)


def get(sidecar, target, host="x"):
    return request(sidecar.addresses["app"], f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())


@pytest.mark.parametrize("target", [
    "/v1/../../latest/meta-data",
    "/v1/%2e%2e/%2E%2E/latest/meta-data",
    "/v1/.%2e/%2e./latest/meta-data",
    "/..",
    "/v1/..%2f..%2flatest/meta-data",
    "/v1/..%5c..%5clatest/meta-data",
    "/v1/..\\..\\latest/meta-data",
])
def test_a_path_that_would_leave_the_base_path_is_refused_and_never_reaches_the_provider(sidecar, target):
    response = get(sidecar, target)
    assert response.status == 400
    # Answered by the sidecar itself (a provider's answer would carry the x-sluice-* headers).
    assert response.header("x-sluice-route") is None
    error = response.json()["error"]
    assert error["code"] == "invalid_path"
    assert error["type"] == "invalid_request_error"
    assert stats(sidecar.mock)["requests_total"] == 0


@pytest.mark.parametrize("target,route,forwarded", [
    ("/v1/x/../chat/completions", "chat", "/v1/chat/completions"),
    ("/v1/x/%2E%2e/chat/./completions", "chat", "/v1/chat/completions"),
    ("/v1/chat/completions/.", "other", "/v1/chat/completions/"),
])
def test_dot_segments_are_removed_before_routing_so_the_route_and_the_forwarded_path_agree(sidecar, target, route, forwarded):
    response = request(sidecar.addresses["app"], post(target, chat_body("m")))
    assert response.header("x-sluice-route") == route
    assert stats(sidecar.mock)["last_request"]["target"] == forwarded


def test_a_climb_that_stays_inside_is_forwarded_under_the_backends_base_path(sidecar):
    response = get(sidecar, "/v1/../latest/meta-data")
    assert response.status == 404  # the mock has no such endpoint, and says so
    assert stats(sidecar.mock)["last_request"]["target"] == "/v1/latest/meta-data"


def test_an_absolute_form_target_is_forwarded_by_the_path_and_query_it_was_routed_on(sidecar):
    response = get(sidecar, "http://x/v1/files?limit=2")
    assert response.status == 404  # the mock has no files endpoint, and says so
    assert response.header("x-sluice-route") == "other"
    assert stats(sidecar.mock)["last_request"]["target"] == "/v1/files?limit=2"


@pytest.mark.parametrize("host", ["h:abc", "h:80:90", "[::1", "h:-1", ":80", "h:65536", "[::1]x", "a b"])
def test_an_invalid_host_is_a_400(sidecar, host):
    response = get(sidecar, "/v1/models", host=host)
    assert response.status == 400
    assert response.json()["error"]["code"] == "invalid_host"
    assert stats(sidecar.mock)["requests_total"] == 0


@pytest.mark.parametrize("host", ["api.example.com", "127.0.0.1:4000", "[::1]:4000", "[2001:db8::1]", "localhost:65535"])
def test_a_valid_host_is_served(sidecar, host):
    assert get(sidecar, "/v1/models", host=host).status == 200


def test_options_asterisk_is_answered_locally_and_never_sent_upstream(sidecar):
    response = request(sidecar.addresses["app"], b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.status == 404
    assert response.json()["error"]["code"] == "no_route"
    assert stats(sidecar.mock)["requests_total"] == 0


def test_no_content_type_is_added_to_a_request_that_had_none(sidecar):
    body = chat_body("m")
    raw = f"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    assert request(sidecar.addresses["app"], raw).status == 200
    assert "content-type" not in stats(sidecar.mock)["last_request"]["headers"]
    request(sidecar.addresses["app"], b"DELETE /v1/files/f1 HTTP/1.1\r\nHost: x\r\n\r\n")
    last = stats(sidecar.mock)["last_request"]
    assert last["target"] == "/v1/files/f1"
    assert "content-type" not in last["headers"]


def test_the_clients_content_type_is_forwarded_as_it_was_sent(sidecar):
    assert request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body("m"))).status == 200
    assert stats(sidecar.mock)["last_request"]["headers"]["content-type"] == "application/json"


def test_a_fragment_in_the_target_is_a_400(sidecar):
    response = get(sidecar, "/v1/models#/../../latest")
    assert response.status == 400
    assert stats(sidecar.mock)["requests_total"] == 0
