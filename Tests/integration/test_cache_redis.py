"""The response cache's Redis tier against a real `redis-server` and a real three-node Redis
Cluster, through the official OpenAI SDK: an answer one sidecar stored is a hit on another
sidecar sharing the Redis (and then on its memory tier); a Redis that is down, or stops, makes
misses, never errors; entries carry their tier's TTL; in a cluster, entries spread over the
nodes and every sidecar finds them."""
import json
import os

import openai

from conftest import poll_until
from redis_servers import redis_cluster, redis_server  # noqa: F401 (fixtures)
from sidecar import mock_backend
from test_cache import ask, mock_requests
from test_redis_limits import SLOW_MACHINE, metric


def start_cached_gateway(start, directory, mock, redis, cache=None):
    """A sidecar whose one route caches (`cache`, default a 10-minute TTL) with `redis` as the
    config's `redis` section; returns (sidecar, OpenAI client)."""
    config_dir, secrets_dir = os.path.join(directory, "config"), os.path.join(directory, "secrets")
    os.makedirs(config_dir)
    os.makedirs(secrets_dir)
    with open(os.path.join(secrets_dir, "mock-key"), "w") as f:
        f.write("sk-provider\n")
    config = {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig",
              "listeners": {"app": "127.0.0.1:0", "admin": "127.0.0.1:0", "metrics": "127.0.0.1:0"},
              "backends": [mock_backend(mock)],
              "routes": [{"name": "all", "split": [{"backend": "mock", "weight": 1}], "cache": cache or {"ttl": "10m"}}],
              "redis": redis}
    with open(os.path.join(config_dir, "config.json"), "w") as f:
        json.dump(config, f)
    sidecar = start("sluice", "--config-dir", config_dir, "--secrets-dir", secrets_dir, "--workers", "2", listeners=3)
    host, port = sidecar.addresses["app"]
    return sidecar, openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key="sk-app-key", max_retries=0)


def cache_keys(server):
    return sorted((server.cli("KEYS", "sluice:cache:*") or "").split())


def results(sidecar, tier, result):
    return metric(sidecar, f'sluice_cache_results_total{{route="all",tier="{tier}",result="{result}"}}')


def test_an_answer_stored_by_one_sidecar_is_a_hit_on_another_sharing_the_redis(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "timeout": SLOW_MACHINE}
    first, first_client = start_cached_gateway(start, str(tmp_path / "a"), mock, settings,
                                               cache={"ttl": "10m", "memoryTTL": "1m", "redisTTL": "2h"})
    second, second_client = start_cached_gateway(start, str(tmp_path / "b"), mock, settings)
    cache, text, usage = ask(first_client, "What can your product do?")
    assert cache == "miss"
    keys = poll_until(lambda: cache_keys(redis_server) or None, message="the answer written to Redis after the request")
    assert len(keys) == 1 and len(keys[0]) == len("sluice:cache:") + 64
    ttl = int(redis_server.cli("PTTL", keys[0]))
    assert 7_100_000 < ttl <= 7_200_000, f"the Redis tier's own TTL (2h), not the memory tier's: {ttl}"
    sent = mock_requests(mock)
    cache, text2, usage2 = ask(second_client, "What can your product do?")
    assert (cache, text2) == ("hit", text)
    assert usage2.completion_tokens == usage.completion_tokens
    cache, _, _ = ask(second_client, "What can your product do?")
    assert cache == "hit"
    assert mock_requests(mock) == sent, "neither hit reached the provider"
    assert results(second, "redis", "hit") == 1 and results(second, "memory", "hit") == 1, "the Redis hit filled the memory tier"
    assert results(first, "redis", "miss") == 1


def test_a_stream_stored_through_redis_is_served_as_json_and_as_a_stream(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "timeout": SLOW_MACHINE}
    _, first_client = start_cached_gateway(start, str(tmp_path / "a"), mock, settings)
    _, second_client = start_cached_gateway(start, str(tmp_path / "b"), mock, settings)
    _, third_client = start_cached_gateway(start, str(tmp_path / "c"), mock, settings)
    cache, streamed, _ = ask(first_client, "Stream me through Redis", stream=True)
    assert cache == "miss" and streamed
    poll_until(lambda: cache_keys(redis_server) or None, message="the stream written to Redis")
    sent = mock_requests(mock)
    cache, text, usage = ask(second_client, "Stream me through Redis")
    assert (cache, text) == ("hit", streamed) and usage.completion_tokens > 0
    cache, replayed, usage = ask(third_client, "Stream me through Redis", stream=True, include_usage=True)
    assert (cache, replayed) == ("hit", streamed) and usage.completion_tokens > 0
    assert mock_requests(mock) == sent


def test_a_redis_that_is_down_makes_misses_not_errors_and_is_used_again_when_back(start, mock, tmp_path, redis_server):
    sidecar, client = start_cached_gateway(start, str(tmp_path / "a"), mock,
                                           {"addresses": [redis_server.address], "timeout": "300ms"},
                                           cache={"ttl": "10m", "memoryTTL": "1s"})
    redis_server.stop()
    for attempt in range(3):
        cache, text, _ = ask(client, f"Redis is down {attempt}")
        assert cache == "miss" and text
    assert metric(sidecar, "sluice_redis_failures_total") >= 3
    assert results(sidecar, "redis", "miss") == 3
    assert any('"event":"redis_failing"' in line for line in sidecar.stderr_lines)
    redis_server.start()
    prompts = iter(range(1000))

    def written():
        ask(client, f"Redis is back {next(prompts)}")
        return cache_keys(redis_server) or None

    poll_until(written, timeout=20, message="answers written to Redis again once it is back")


def test_a_redis_cluster_spreads_entries_over_its_nodes_and_every_sidecar_finds_them(start, mock, tmp_path, redis_cluster):
    seeds = [node.address for node in redis_cluster.nodes]
    _, first_client = start_cached_gateway(start, str(tmp_path / "a"), mock,
                                           {"addresses": seeds[:1], "cluster": True, "timeout": SLOW_MACHINE})
    second, second_client = start_cached_gateway(start, str(tmp_path / "b"), mock,
                                                 {"addresses": seeds[1:], "cluster": True, "timeout": SLOW_MACHINE})
    prompts = [f"Cluster prompt {index}" for index in range(12)]
    answers = {prompt: ask(first_client, prompt)[1] for prompt in prompts}
    poll_until(lambda: sum(len(cache_keys(node)) for node in redis_cluster.nodes) == len(prompts) or None,
               message="every answer written to its node")
    assert sum(1 for node in redis_cluster.nodes if cache_keys(node)) >= 2, "keys without a hash tag spread over the slots"
    sent = mock_requests(mock)
    for prompt in prompts:
        cache, text, _ = ask(second_client, prompt)
        assert (cache, text) == ("hit", answers[prompt])
    assert mock_requests(mock) == sent
    assert results(second, "redis", "hit") == len(prompts)
