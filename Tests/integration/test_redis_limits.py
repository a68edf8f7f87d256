"""Consumers' request limits shared through a real Redis (issue 16): two sidecars share one
consumer's requests-per-minute limit through one `redis-server` and through a three-node
Redis Cluster, in strict and sync mode; Redis stopped mid-load answers by `failMode` (open:
the per-pod limit, closed: 503 `limits_unavailable`); a restarted Redis is used again without
restarting the sidecars; a slot moved to another node (`MOVED`) is followed."""
import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import poll_until, post, request, chat_body
from kubelet import KubeletVolume
from tls_helpers import make_ca_and_cert
from redis_servers import RedisServer, redis_cluster, redis_server  # noqa: F401 (fixtures)
from sidecar import mock_backend

KEY = "sk-team-1"
# Where a test is about sharing, not about timeouts: a loaded machine (a debug build, the first
# connection, the script loaded with EVAL) must not turn a slow answer into failMode.
SLOW_MACHINE = "2s"


def start_gateway(start, directory, mock, redis, requests_per_minute, secrets=None):
    """A sidecar with one consumer, `team`, limited to `requests_per_minute`, sharing its
    limit through `redis` (the config's `redis` section). The secrets directory is laid out the
    way kubelet mounts a Secret (`sidecar.secrets`, a KubeletVolume, updates it)."""
    config_dir = os.path.join(directory, "config")
    os.makedirs(config_dir)
    files = {"mock-key": "sk-provider\n", "consumers/team/current": KEY + "\n", **(secrets or {})}
    volume = KubeletVolume(os.path.join(directory, "secrets"), files)
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
              "backends": [mock_backend(mock)],
              "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
              "consumers": [{"name": "team", "keysDirectory": "consumers/team",
                             "rateLimits": {"requestsPerMinute": requests_per_minute}}],
              "redis": redis}
    with open(os.path.join(config_dir, "config.json"), "w") as f:
        json.dump(config, f)
    sidecar = start("sluice", "--config-dir", config_dir, "--secrets-dir", volume.path, "--workers", "2", listeners=3)
    sidecar.secrets, sidecar.secret_files = volume, files
    return sidecar


def two_gateways(start, tmp_path, mock, redis, requests_per_minute, second_redis=None):
    return [start_gateway(start, str(tmp_path / name), mock, settings, requests_per_minute)
            for name, settings in (("a", redis), ("b", second_redis or redis))]


def away_from_a_minute_edge():
    """Waits until the current minute has at least 10 s left: a burst that straddles the edge
    of Redis's minute (epoch-aligned on the same clock) meets the sliding window's weighted
    estimate, which may admit one more (ADR 0009); the exact-count tests measure one window."""
    poll_until(lambda: time.time() % 60 < 50, timeout=15, message="a minute with 10 s left")


def ask(sidecar):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", chat_body(), headers=[("Authorization", f"Bearer {KEY}")]))


def statuses(responses):
    return sorted(response.status for response in responses)


def metric(sidecar, prefix):
    response = request(sidecar.addresses["metrics"], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    total = 0.0
    for line in response.body.decode().splitlines():
        if line.startswith(prefix):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_strict_mode_two_sidecars_together_admit_exactly_the_limit(start, mock, tmp_path, redis_server):
    gateways = two_gateways(start, tmp_path, mock, {"addresses": [redis_server.address], "mode": "strict", "timeout": SLOW_MACHINE}, 20)
    away_from_a_minute_edge()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda i: ask(gateways[i % 2]), range(60)))
    admitted = [r for r in responses if r.status == 200]
    refused = [r for r in responses if r.status == 429]
    assert len(admitted) == 20, statuses(responses)  # measured overshoot in strict mode: 0
    assert len(refused) == 40
    for response in refused:
        body = response.json()
        assert body["error"]["code"] == "rate_limit_exceeded"
        assert 1 <= int(response.header("retry-after")) <= 60
        assert response.header("x-ratelimit-remaining-requests") == "0"
        assert response.header("x-ratelimit-limit-requests") == "20"
    # Both sidecars admitted some: the limit really was shared, not enforced by one of them.
    assert {r.header("x-ratelimit-limit-requests") for r in admitted} == {"20"}
    assert redis_server.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"


def test_sync_mode_two_sidecars_overshoot_by_what_the_other_admits_in_one_interval(start, mock, tmp_path, redis_server):
    gateways = two_gateways(start, tmp_path, mock, {"addresses": [redis_server.address], "mode": "sync", "syncInterval": "50ms", "timeout": SLOW_MACHINE}, 20)
    away_from_a_minute_edge()
    # About 100 requests a second in all, alternating: each sidecar admits about 2.5 in one
    # 50 ms interval, which is what the other cannot see yet (ADR 0009).
    responses = []
    for i in range(60):
        responses.append(ask(gateways[i % 2]))
        time.sleep(0.01)  # lint: allow-sleep (paces the load: the overshoot depends on the request rate)
    admitted = sum(1 for r in responses if r.status == 200)
    print(f"sync mode, 2 sidecars, limit 20, 60 alternating requests at ~100/s, syncInterval 50ms: {admitted} admitted")
    # Each sidecar alone never passes the limit, so 40 is the most two can admit; at this
    # rate the overshoot is a few requests (generous bound: the machine is shared and noisy).
    assert 20 <= admitted <= 30, statuses(responses)
    # Once the counts are reconciled, both sidecars see the whole window as full.
    poll_until(lambda: all(ask(sidecar).status == 429 for sidecar in gateways), message="both sidecars refusing after a sync")
    # The current and the previous window's counts (the window may have rolled over meanwhile).
    def in_redis():
        return sum(int(redis_server.cli("HGET", "sluice:{team}:requestsPerMinute", field) or 0) for field in ("c", "p"))
    poll_until(lambda: in_redis() == admitted, message="Redis holding both sidecars' admissions")


@pytest.mark.parametrize("mode", ["strict", "sync"])
def test_fail_closed_answers_503_while_redis_is_down_and_recovers_when_it_is_back(start, mock, tmp_path, redis_server, mode):
    settings = {"addresses": [redis_server.address], "mode": mode, "failMode": "closed", "timeout": "100ms"}
    if mode == "sync":
        settings["syncInterval"] = "20ms"
    sidecar = start_gateway(start, str(tmp_path), mock, settings, 1000)
    poll_until(lambda: ask(sidecar).status == 200, message="a first admission")
    # Redis dies while requests are in flight: each gets an answer (admitted before, 503 after).
    with ThreadPoolExecutor(4) as pool:
        in_flight = [pool.submit(ask, sidecar) for _ in range(40)]
        redis_server.stop()
        assert set(statuses(f.result(timeout=10) for f in in_flight)) <= {200, 503}
    refused = poll_until(lambda: (lambda r: r if r.status == 503 else None)(ask(sidecar)), message="503 once Redis is down")
    assert refused.json()["error"]["code"] == "limits_unavailable"
    assert refused.header("retry-after") == "1"
    assert metric(sidecar, "sluice_redis_failures_total") >= 1
    poll_until(lambda: any('"event":"redis_failing"' in line for line in sidecar.stderr_lines), message="redis_failing logged")
    # Under load while down: every answer is a 503, none hangs.
    with ThreadPoolExecutor(4) as pool:
        assert set(statuses(pool.map(lambda _: ask(sidecar), range(20)))) == {503}
    redis_server.start()
    poll_until(lambda: ask(sidecar).status == 200, timeout=15, message="admissions again once Redis is back")
    assert poll_until(lambda: redis_server.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1", message="the counter back in Redis")


def test_fail_open_admits_against_the_per_pod_limit_while_redis_is_down(start, mock, tmp_path, redis_server):
    sidecar = start_gateway(start, str(tmp_path), mock, {"addresses": [redis_server.address], "failMode": "open", "timeout": "100ms"}, 3)
    away_from_a_minute_edge()  # for the shared counter's window (the in-process one runs on the monotonic clock)
    assert statuses(ask(sidecar) for _ in range(4)) == [200, 200, 200, 429]
    redis_server.stop()
    # Redis is gone: counted in process from here on, so this pod alone admits up to the limit.
    assert statuses(ask(sidecar) for _ in range(4)) == [200, 200, 200, 429]
    assert metric(sidecar, "sluice_redis_failures_total") >= 3
    redis_server.start()
    # Back to the shared counter (the restarted Redis is empty: a fresh window).
    def counted_in_redis():
        ask(sidecar)
        return redis_server.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"
    poll_until(counted_in_redis, timeout=15, message="the shared counter in use again")
    # Each loop that saw the failures logs its recovery at its next answer from Redis.
    poll_until(lambda: ask(sidecar) and any('"event":"redis_recovered"' in line for line in sidecar.stderr_lines),
               message="redis_recovered logged")


@pytest.fixture
def redis_with_password():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (make test installs it)")
    server = RedisServer("--requirepass", "first-password")
    yield server
    server.remove()


def test_the_password_comes_from_its_secrets_file_and_a_rotated_one_is_used_without_a_restart(start, mock, tmp_path,
                                                                                             redis_with_password):
    server = redis_with_password
    sidecar = start_gateway(start, str(tmp_path), mock, {"addresses": [server.address], "passwordFile": "redis/password",
                                                           "failMode": "closed", "timeout": SLOW_MACHINE},
                            1000, secrets={"redis/password": "first-password\n"})
    assert ask(sidecar).status == 200
    assert server.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"
    # The server's password changes and its connections are dropped: the old password is refused.
    server.cli("CONFIG", "SET", "requirepass", "second-password")
    server.password = "second-password"
    server.cli("CLIENT", "KILL", "TYPE", "normal")
    refused = poll_until(lambda: (lambda r: r if r.status == 503 else None)(ask(sidecar)), message="503 with the old password")
    assert refused.json()["error"]["code"] == "limits_unavailable"
    assert "first-password" not in refused.body.decode()
    assert not any("first-password" in line for line in sidecar.stderr_lines + sidecar.stdout_lines)
    # The Secret is rotated: the next requests use the new password, without a restart.
    sidecar.secrets.update({**sidecar.secret_files, "redis/password": "second-password\n"})
    poll_until(lambda: ask(sidecar).status == 200, timeout=15, message="admissions with the rotated password")


def test_tls_verifies_the_server_against_the_configured_ca(start, mock, tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (make test installs it)")
    os.makedirs(tmp_path / "pki" / "other")
    ca, cert, key = make_ca_and_cert(str(tmp_path / "pki"))
    other_ca, _, _ = make_ca_and_cert(str(tmp_path / "pki" / "other"))
    server = RedisServer(tls=(ca, cert, key))
    try:
        settings = {"addresses": [server.address], "tls": {"caFile": "redis/ca.pem"}, "failMode": "closed", "timeout": SLOW_MACHINE}
        trusted = start_gateway(start, str(tmp_path / "trusted"), mock, settings, 1000, secrets={"redis/ca.pem": open(ca).read()})
        assert ask(trusted).status == 200
        assert server.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"
        # A server whose certificate the configured CA did not sign is not talked to.
        untrusted = start_gateway(start, str(tmp_path / "untrusted"), mock, settings, 1000,
                                  secrets={"redis/ca.pem": open(other_ca).read()})
        assert ask(untrusted).status == 503
        poll_until(lambda: any('"event":"redis_failing"' in line and "certificate verify failed" in line
                               for line in untrusted.stderr_lines), message="the certificate failure logged")
    finally:
        server.remove()


def test_a_redis_cluster_shares_the_limit_and_a_moved_slot_is_followed(start, mock, tmp_path, redis_cluster):
    seeds = [node.address for node in redis_cluster.nodes]
    gateways = two_gateways(start, tmp_path, mock, {"addresses": seeds[:1], "failMode": "closed", "timeout": SLOW_MACHINE}, 20,
                            second_redis={"addresses": seeds[1:], "cluster": True, "failMode": "closed", "timeout": SLOW_MACHINE})
    away_from_a_minute_edge()
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda i: ask(gateways[i % 2]), range(30)))
    assert statuses(responses).count(200) == 20, statuses(responses)
    assert set(statuses(responses)) == {200, 429}, [line for line in gateways[0].stderr_lines + gateways[1].stderr_lines if "redis" in line]
    slot = int(redis_cluster.nodes[0].cli("CLUSTER", "KEYSLOT", "team"))
    owner = redis_cluster.owner(slot)
    assert owner.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"
    target = next(node for node in redis_cluster.nodes if node is not owner)
    redis_cluster.move_slot(slot, target)
    # The counter moved with its slot; the sidecars follow MOVED to it (a lost counter would
    # admit again, a failed redirection would answer 503).
    assert statuses(ask(gateways[i % 2]) for i in range(6)) == [429] * 6
    assert target.cli("EXISTS", "sluice:{team}:requestsPerMinute") == "1"
