"""Consumers' token quotas shared through a real Redis (issue 16, ADR 0026): two sidecars share
one consumer's daily token quota through one `redis-server` and through a three-node Redis
Cluster, in strict and sync mode, and together use no more than it plus the documented
overshoot; what they settle lands in Redis; Redis stopped answers by `failMode` (open: counted
here and pushed once Redis is back, closed: 503 `limits_unavailable`)."""
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import poll_until, post, request, chat_body
from kubelet import KubeletVolume
from redis_servers import redis_cluster, redis_server  # noqa: F401 (fixtures)
from sidecar import mock_backend

KEY = "sk-team-1"
SLOW_MACHINE = "2s"
# Each request reserves its estimate (the body's bytes ÷ 4 plus max_tokens, about 42 tokens)
# and settles what the mock reports: 10 prompt + 20 output tokens.
OUTPUT_TOKENS = 20
BODY = chat_body(max_tokens=OUTPUT_TOKENS)


def start_gateway(start, directory, mock, redis, quotas):
    """A sidecar with one consumer, `team`, whose `quotas` are shared through `redis`."""
    return start_team_gateway(start, directory, mock, {"quotas": quotas}, redis)


def start_team_gateway(start, directory, mock, team, redis=None):
    """A sidecar in front of the mock with one consumer, `team` (key `KEY`), holding the `team` fields."""
    config_dir = os.path.join(directory, "config")
    os.makedirs(config_dir)
    volume = KubeletVolume(os.path.join(directory, "secrets"), {"mock-key": "sk-provider\n", "consumers/team/current": KEY + "\n"})
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
              "backends": [mock_backend(mock)],
              "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
              "consumers": [{"name": "team", "keysDirectory": "consumers/team", **team}]}
    if redis:
        config["redis"] = redis
    with open(os.path.join(config_dir, "config.json"), "w") as f:
        json.dump(config, f)
    return start("sluice", "--config-dir", config_dir, "--secrets-dir", volume.path, "--workers", "2", listeners=3)


def ask(sidecar):
    return request(sidecar.addresses["app"], post("/v1/chat/completions", BODY,
                                                  headers=[("Authorization", f"Bearer {KEY}"),
                                                           ("x-mock-output-tokens", str(OUTPUT_TOKENS))]))


def used_tokens(responses):
    return sum(r.json()["usage"]["total_tokens"] for r in responses if r.status == 200)


def quota_key():
    """The day quota's counter: its key names the UTC day number (ADR 0026)."""
    return f"sluice:{{team}}:quotas.tokensPerDay:{int(time.time()) // 86_400}"


def away_from_midnight():
    poll_until(lambda: time.time() % 86_400 < 86_340, timeout=70, message="a UTC day with a minute left")


def in_redis(node):
    return int(node.cli("HGET", quota_key(), "c") or 0)


def share_one_quota(gateways, quota, concurrency):
    with ThreadPoolExecutor(concurrency) as pool:
        responses = list(pool.map(lambda i: ask(gateways[i % 2]), range(60)))
    assert set(r.status for r in responses) == {200, 429}, sorted(r.status for r in responses)
    for refused in (r for r in responses if r.status == 429):
        assert refused.json()["error"]["code"] == "insufficient_quota"
    # Both sidecars admitted some: the quota really was shared, not enforced by one of them.
    assert all(any(r.status == 200 for r in responses[side::2]) for side in (0, 1))
    return used_tokens(responses), sum(1 for r in responses if r.status == 200)


@pytest.mark.parametrize("concurrency", [1, 8])
def test_strict_mode_two_sidecars_together_use_no_more_than_the_quota_and_settle_it_in_redis(start, mock, tmp_path,
                                                                                          redis_server, concurrency):
    quota = 600
    settings = {"addresses": [redis_server.address], "mode": "strict", "timeout": SLOW_MACHINE}
    gateways = [start_gateway(start, str(tmp_path / name), mock, settings, {"tokensPerDay": quota}) for name in ("a", "b")]
    away_from_midnight()
    used, admitted = share_one_quota(gateways, quota, concurrency)
    print(f"strict mode, 2 sidecars, tokensPerDay {quota}, 30-token requests, {concurrency} at a time: "
          f"{admitted} admitted, {used} tokens used")
    # A request is admitted while the quota has something left and its reservation is trimmed
    # to what remains (ADR 0017): each request admitted at the edge may use up to one request's
    # tokens beyond it. One at a time that is one request; concurrently, one per request in flight.
    # Below: reservations in flight (their estimate, 42, above their use) refuse what they would
    # have given back.
    assert quota - 42 * concurrency < used <= quota + 30 * concurrency
    # What both sidecars settled (the real usage, not the estimates) is what Redis holds.
    poll_until(lambda: in_redis(redis_server) == used, message=f"Redis holding the {used} tokens settled")


def test_sync_mode_two_sidecars_overshoot_by_what_the_other_uses_in_one_interval(start, mock, tmp_path, redis_server):
    quota = 600
    settings = {"addresses": [redis_server.address], "mode": "sync", "syncInterval": "50ms", "timeout": SLOW_MACHINE}
    gateways = [start_gateway(start, str(tmp_path / name), mock, settings, {"tokensPerDay": quota}) for name in ("a", "b")]
    away_from_midnight()
    responses = []
    for i in range(60):
        responses.append(ask(gateways[i % 2]))
        time.sleep(0.01)  # lint: allow-sleep (paces the load: the overshoot depends on the request rate)
    used = used_tokens(responses)
    print(f"sync mode, 2 sidecars, tokensPerDay {quota}, 30-token requests at ~100/s alternating, syncInterval 50ms: {used} tokens used")
    # Each sidecar alone never admits past its view; the other's use in one interval is invisible.
    assert quota - 30 < used <= quota + 300
    poll_until(lambda: in_redis(redis_server) == used, message=f"Redis holding the {used} tokens settled")
    poll_until(lambda: all(ask(sidecar).status == 429 for sidecar in gateways), message="both sidecars refusing after a sync")
    # Each sidecar's admin listener shows its view of the shared quota: all of it used.
    for sidecar in gateways:
        usage = request(sidecar.addresses["admin"], b"GET /consumers/team/usage HTTP/1.1\r\nHost: x\r\n\r\n").json()
        assert usage["limits"][0]["limit"] == "quotas.tokensPerDay" and usage["limits"][0]["remaining"] == 0


@pytest.mark.parametrize("mode", ["strict", "sync"])
def test_fail_closed_answers_503_while_redis_is_down_and_recovers(start, mock, tmp_path, redis_server, mode):
    settings = {"addresses": [redis_server.address], "mode": mode, "failMode": "closed", "timeout": "100ms", "syncInterval": "20ms"}
    sidecar = start_gateway(start, str(tmp_path), mock, settings, {"tokensPerDay": 1_000_000})
    poll_until(lambda: ask(sidecar).status == 200, message="a first admission")
    redis_server.stop()
    refused = poll_until(lambda: (lambda r: r if r.status == 503 else None)(ask(sidecar)), message="503 once Redis is down")
    assert refused.json()["error"]["code"] == "limits_unavailable"
    assert refused.header("retry-after") == "1"
    with ThreadPoolExecutor(4) as pool:
        assert {r.status for r in pool.map(lambda _: ask(sidecar), range(12))} == {503}
    redis_server.start()
    poll_until(lambda: ask(sidecar).status == 200, timeout=15, message="admissions again once Redis is back")
    poll_until(lambda: in_redis(redis_server) > 0, message="the quota counted in Redis again")


def test_fail_open_counts_here_while_redis_is_down_and_pushes_it_once_redis_is_back(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "failMode": "open", "timeout": "100ms", "syncInterval": "20ms"}
    sidecar = start_gateway(start, str(tmp_path), mock, settings, {"tokensPerDay": 1_000_000})
    away_from_midnight()
    assert ask(sidecar).status == 200
    redis_server.stop()
    poll_until(lambda: any('"event":"redis_failing"' in line for line in sidecar.stderr_lines), message="redis_failing logged")
    # Redis is gone: admitted, and the tokens used are kept to be pushed.
    during = [ask(sidecar) for _ in range(5)]
    assert [r.status for r in during] == [200] * 5
    redis_server.start()  # empty: what the outage used reaches it with the next pushes
    poll_until(lambda: in_redis(redis_server) >= used_tokens(during), timeout=15,
               message="the tokens used during the outage pushed to the restarted Redis")


def test_a_redis_cluster_shares_the_quota_in_the_consumers_slot(start, mock, tmp_path, redis_cluster):
    quota = 600
    seeds = [node.address for node in redis_cluster.nodes]
    gateways = [start_gateway(start, str(tmp_path / "a"), mock, {"addresses": seeds[:1], "failMode": "closed", "timeout": SLOW_MACHINE},
                              {"tokensPerDay": quota}),
                start_gateway(start, str(tmp_path / "b"), mock,
                              {"addresses": seeds[1:], "cluster": True, "failMode": "closed", "timeout": SLOW_MACHINE},
                              {"tokensPerDay": quota})]
    away_from_midnight()
    used, admitted = share_one_quota(gateways, quota, 4)
    print(f"strict mode on a 3-node cluster, 2 sidecars, tokensPerDay {quota}, 4 at a time: {admitted} admitted, {used} tokens used")
    assert quota - 42 * 4 < used <= quota + 30 * 4
    owner = redis_cluster.owner(int(redis_cluster.nodes[0].cli("CLUSTER", "KEYSLOT", "team")))
    poll_until(lambda: in_redis(owner) == used, message="the consumer's slot owner holding the settled tokens")


def script_runs(node):
    """How many counter scripts the server ran (EVALSHA and EVAL), from INFO commandstats."""
    runs = 0
    for line in (node.cli("INFO", "commandstats") or "").splitlines():
        if line.startswith(("cmdstat_evalsha:", "cmdstat_eval:")):
            runs += int(line.split("calls=")[1].split(",")[0])
    return runs


def test_sync_mode_reads_idle_consumers_counters_at_a_bounded_rate(start, mock, tmp_path, redis_server):
    """20 idle consumers, each with a request window and a token quota, at a 50 ms interval: the
    sync step used to run 40 scripts a round (800 a second); idle counters are now read once per
    idle refresh (1 s) plus one heartbeat a round."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    secrets = {"mock-key": "sk-provider\n"}
    consumers = []
    for index in range(20):
        secrets[f"consumers/c{index}/k"] = f"sk-c{index}\n"
        consumers.append({"name": f"c{index}", "keysDirectory": f"consumers/c{index}",
                          "rateLimits": {"requestsPerMinute": 100}, "quotas": {"tokensPerDay": 100000}})
    volume = KubeletVolume(str(tmp_path / "secrets"), secrets)
    (config_dir / "config.json").write_text(json.dumps({
        "apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
        "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
        "backends": [mock_backend(mock)], "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}]}],
        "consumers": consumers,
        "redis": {"addresses": [redis_server.address], "mode": "sync", "syncInterval": "50ms", "timeout": SLOW_MACHINE}}))
    sidecar = start("sluice", "--config-dir", str(config_dir), "--secrets-dir", volume.path, listeners=3)
    poll_until(lambda: script_runs(redis_server) >= 40, message="the first sync reading every counter")
    before, started = script_runs(redis_server), time.monotonic()
    poll_until(lambda: time.monotonic() - started >= 3, timeout=5, interval=0.1, message="three idle seconds")
    runs, seconds = script_runs(redis_server) - before, time.monotonic() - started
    print(f"sync mode, 20 idle consumers x 2 counters, syncInterval 50ms: {runs} scripts in {seconds:.1f} s "
          f"({runs / seconds:.0f}/s; every counter every interval would be {40 / 0.05:.0f}/s)")
    # 40 counters once a second plus at most one heartbeat per 50 ms round: about 60 a second.
    assert runs <= seconds * (40 + 20) + 40, runs
    busy = request(sidecar.addresses["app"], post("/v1/chat/completions", BODY, headers=[("Authorization", "Bearer sk-c3")]))
    assert busy.status == 200, "never stale while idle"
