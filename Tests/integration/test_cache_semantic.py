"""The response cache's semantic tier end to end: the official OpenAI SDK against the sidecar,
with sluice-mock as both the chat provider and the embeddings service (`vec:` inputs choose
their vectors, docs/mock.md). A near neighbour of a stored request is a `semantic-hit` that
never reaches the chat provider; a far one, another consumer or another system prompt is a
miss; an embeddings service that is down makes misses, never errors; with a real redis-server,
a vector one sidecar stored serves its answer on another."""
import json

import openai
import pytest

from conftest import poll_until, request
from redis_servers import redis_cluster, redis_server  # noqa: F401 (fixtures)
from sidecar import mock_backend, start_sidecar
from test_redis_limits import SLOW_MACHINE, metric

KEYS = {"mock-key": "sk-provider", "consumers/a/key": "sk-team-a\n", "consumers/b/key": "sk-team-b\n"}


def chat_requests(mock):
    stats = json.loads(request(mock.address, b"GET /__mock/stats HTTP/1.1\r\nHost: x\r\n\r\n").body)
    return sum(count for path, count in stats["by_path"].items() if path.endswith("/chat/completions"))


def start_semantic_gateway(start, tmp_path, mock, embedder, redis=None):
    """A sidecar whose route `all` caches with a semantic tier embedding through `embedder`
    (a backend), for consumers `a` and `b`; with `redis` as the config's `redis` section."""
    consumers = {"consumers": [{"name": "a", "keysDirectory": "consumers/a"}, {"name": "b", "keysDirectory": "consumers/b"}]}
    return start_sidecar(start, tmp_path, [mock_backend(mock), embedder],
                         [{"name": "all", "split": [{"backend": "mock", "weight": 1}],
                           "cache": {"ttl": "10m", "semantic": {"backend": embedder["name"], "model": "text-embedding-3-small",
                                                                "threshold": 0.95, "timeout": "2s"}}}],
                         secrets=KEYS, extra={**consumers, **({"redis": redis} if redis else {})})


def client(sidecar, key="sk-team-a"):
    host, port = sidecar.addresses["app"]
    return openai.OpenAI(base_url=f"http://{host}:{port}/v1", api_key=key, max_retries=0)


def ask(client, content, system=None, stream=False):
    """One deterministic request: (x-sluice-cache, text)."""
    messages = ([{"role": "system", "content": system}] if system else []) + [{"role": "user", "content": content}]
    raw = client.chat.completions.with_raw_response.create(model="gpt-4o-mini", temperature=0, stream=stream, messages=messages)
    parsed = raw.parse()
    if stream:
        return raw.headers.get("x-sluice-cache"), "".join(chunk.choices[0].delta.content or "" for chunk in parsed if chunk.choices)
    return raw.headers.get("x-sluice-cache"), parsed.choices[0].message.content


def results(sidecar, tier, result):
    return metric(sidecar, f'sluice_cache_results_total{{route="all",tier="{tier}",result="{result}"}}')


@pytest.fixture
def sidecar(start, mock, tmp_path):
    return start_semantic_gateway(start, tmp_path, mock, mock_backend(mock, name="embedder"))


def test_a_near_neighbour_is_a_semantic_hit_and_a_far_one_a_miss(sidecar, mock):
    team_a = client(sidecar)
    cache, text = ask(team_a, "How do I reset my password? vec:1,0,0")
    assert cache == "miss"
    sent = chat_requests(mock)
    cache, near = ask(team_a, "how can I reset the password vec:1,0.1,0")  # cosine 0.995
    assert (cache, near) == ("semantic-hit", text)
    cache, streamed = ask(team_a, "password reset? vec:1,0.12,0", stream=True)
    assert (cache, streamed) == ("semantic-hit", text), "served in the form asked for"
    assert chat_requests(mock) == sent, "the hits never reached the chat provider"
    cache, _ = ask(team_a, "What is the weather? vec:0.2,1,0")  # cosine 0.196
    assert cache == "miss"
    assert chat_requests(mock) == sent + 1
    assert results(sidecar, "semantic", "hit") == 2 and results(sidecar, "semantic", "miss") == 2
    assert metric(sidecar, 'sluice_cache_embedding_duration_seconds_count{route="all"}') == 4
    assert metric(sidecar, "sluice_cache_semantic_entries") == 2


def test_another_consumer_or_system_prompt_never_hits(sidecar, mock):
    cache, _ = ask(client(sidecar), "Summarise our refund policy vec:0,0,1", system="You are terse.")
    assert cache == "miss"
    cache, _ = ask(client(sidecar, "sk-team-b"), "Summarise our refund policy vec:0,0,1", system="You are terse.")
    assert cache == "miss", "consumer b never gets consumer a's answers"
    cache, _ = ask(client(sidecar), "Summarise the refund policy vec:0,0.01,1", system="You are verbose.")
    assert cache == "miss", "another system prompt is another scope"
    cache, _ = ask(client(sidecar), "Summarise the refund policy vec:0,0.01,1", system="You are terse.")
    assert cache == "semantic-hit"


def test_an_embeddings_service_that_is_down_makes_misses_not_errors(start, mock, tmp_path):
    closed = {"name": "embedder", "provider": "openai", "baseURL": "http://127.0.0.1:9/v1"}
    sidecar = start_semantic_gateway(start, tmp_path, mock, closed)
    for content in ("Hello there vec:1,0", "Hello there! vec:1,0.01"):
        cache, text = ask(client(sidecar), content)
        assert cache == "miss" and text
    assert metric(sidecar, 'sluice_cache_embedding_errors_total{route="all",kind="connect"}') == 2
    assert results(sidecar, "semantic", "miss") == 2
    cache, _ = ask(client(sidecar), "Hello there vec:1,0")
    assert cache == "hit", "the exact tier works without embeddings"


def test_a_vector_stored_by_one_sidecar_serves_its_answer_on_another(start, mock, tmp_path, redis_server):
    settings = {"addresses": [redis_server.address], "timeout": SLOW_MACHINE}
    first = start_semantic_gateway(start, tmp_path / "a", mock, mock_backend(mock, name="embedder"), redis=settings)
    second = start_semantic_gateway(start, tmp_path / "b", mock, mock_backend(mock, name="embedder"), redis=settings)
    cache, text = ask(client(first), "Which plans do you offer? vec:0,1,0,0")
    assert cache == "miss"
    scopes = poll_until(lambda: (redis_server.cli("KEYS", "sluice:semantic:*") or "").split() or None,
                        message="the vector written to Redis after the request")
    assert len(scopes) == 1 and scopes[0].startswith("sluice:semantic:{") and scopes[0].endswith("}")
    assert int(redis_server.cli("HLEN", scopes[0])) == 1 and int(redis_server.cli("PTTL", scopes[0])) > 0
    sent = chat_requests(mock)
    cache, near = ask(client(second), "what plans are there? vec:0,1,0.1,0")
    assert (cache, near) == ("semantic-hit", text)
    assert chat_requests(mock) == sent, "the other sidecar's answer, from Redis"
    cache, _ = ask(client(second, "sk-team-b"), "what plans are there? vec:0,1,0.1,0")
    assert cache == "miss", "another consumer's scope"


def test_in_a_redis_cluster_a_scopes_vectors_share_a_slot_and_every_sidecar_finds_them(start, mock, tmp_path, redis_cluster):
    seeds = [node.address for node in redis_cluster.nodes]
    first = start_semantic_gateway(start, tmp_path / "a", mock, mock_backend(mock, name="embedder"),
                                   redis={"addresses": seeds[:1], "cluster": True, "timeout": SLOW_MACHINE})
    second = start_semantic_gateway(start, tmp_path / "b", mock, mock_backend(mock, name="embedder"),
                                    redis={"addresses": seeds[1:], "cluster": True, "timeout": SLOW_MACHINE})
    texts = {}
    for index in range(3):
        vector = ",".join("1" if position == index else "0" for position in range(4))
        texts[vector] = ask(client(first), f"Question {index} vec:{vector}")[1]
    poll_until(lambda: sum(int(node.cli("HLEN", key)) for node in redis_cluster.nodes
                           for key in (node.cli("KEYS", "sluice:semantic:*") or "").split()) == 3 or None,
               message="the three vectors written to one scope's hash")
    assert sum(1 for node in redis_cluster.nodes if (node.cli("KEYS", "sluice:semantic:*") or "").split()) == 1, "one slot"
    for vector, text in texts.items():
        near = vector.replace("0", "0.05", 1)
        assert ask(client(second), f"Rephrased vec:{near}") == ("semantic-hit", text)
