"""The Grafana dashboard (issue 6): valid JSON in Grafana's shape, unique panel ids, and every
metric it queries documented in docs/metrics.md. When `promtool` is installed, every query
also parses as PromQL. Needs no binaries: the dashboard and the docs are files."""
import json
import os
import re
import shutil
import subprocess

import pytest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DASHBOARD_PATH = os.path.join(ROOT, "deploy/grafana/sluice-dashboard.json")
METRICS_DOC = os.path.join(ROOT, "docs/metrics.md")

METRIC_NAME = re.compile(r"\b((?:sluice|process)_[A-Za-z0-9_]+)")
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
# Template variables the dashboard defines, and Grafana's own.
KNOWN_VARIABLES = {"datasource", "route", "backend", "model", "__rate_interval", "__interval", "__range"}


def load_dashboard():
    with open(DASHBOARD_PATH, encoding="utf-8") as f:
        return json.load(f)


def all_panels(panels):
    """Every panel, including those nested in collapsed rows."""
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def panel_expressions(dashboard):
    return [(panel["id"], target["expr"])
            for panel in all_panels(dashboard["panels"])
            for target in panel.get("targets", []) if target.get("expr")]


def variable_queries(dashboard):
    out = []
    for variable in dashboard["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]
        out.append(query["query"] if isinstance(query, dict) else query)
    return out


def documented_metrics():
    """Metric name → type, from the doc's table rows (first cell a backticked name) and headings."""
    documented = {}
    with open(METRICS_DOC, encoding="utf-8") as f:
        for line in f:
            row = re.match(r"^\|\s*`((?:sluice|process)_[A-Za-z0-9_]+)`\s*\|\s*([a-z]+)\s*\|", line)
            if row:
                documented[row.group(1)] = row.group(2)
                continue
            if line.startswith("#"):
                for name in METRIC_NAME.findall(line):
                    documented.setdefault(name, "")
    return documented


def metric_names(expression):
    # Label values and legends may hold anything; drop quoted strings before looking for names.
    return set(METRIC_NAME.findall(re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)))


def test_dashboard_is_grafana_json_with_unique_panel_ids():
    dashboard = load_dashboard()
    assert dashboard["schemaVersion"] == 39
    assert dashboard["title"] and dashboard["uid"]
    panels = list(all_panels(dashboard["panels"]))
    ids = [panel["id"] for panel in panels]
    assert all(isinstance(i, int) for i in ids)
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {sorted(i for i in ids if ids.count(i) > 1)}"
    for panel in panels:
        grid = panel["gridPos"]
        assert {"h", "w", "x", "y"} <= grid.keys() and grid["x"] + grid["w"] <= 24, panel["title"]


def test_dashboard_uses_a_prometheus_datasource_variable_and_filters():
    dashboard = load_dashboard()
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for name in ("route", "backend", "model"):
        assert variables[name]["type"] == "query"
        assert variables[name]["datasource"]["uid"] == "${datasource}"
        assert variables[name]["includeAll"] and variables[name]["allValue"] == ".*"
    for panel in all_panels(dashboard["panels"]):
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"


def test_every_queried_metric_is_documented_in_metrics_md():
    dashboard = load_dashboard()
    documented = documented_metrics()
    expressions = [expr for _, expr in panel_expressions(dashboard)] + variable_queries(dashboard)
    used = set()
    for expression in expressions:
        used |= metric_names(expression)
    assert used, "no metric found in the dashboard"
    missing = []
    for name in sorted(used):
        if name in documented:
            continue
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if base and documented.get(base) == "histogram":
            continue
        missing.append(name)
    assert not missing, f"queried by the dashboard but not documented in docs/metrics.md: {missing}"


def test_dashboard_shows_what_issue_6_asks_for():
    used = set()
    for _, expression in panel_expressions(load_dashboard()):
        used |= metric_names(expression)
    for name in ("sluice_requests_total", "sluice_request_duration_seconds_bucket",
                 "sluice_time_to_first_token_seconds_bucket", "sluice_tokens_total", "sluice_cost_total",
                 "sluice_fallbacks_total", "sluice_cache_results_total", "sluice_backend_healthy",
                 "sluice_backend_ejections_total", "sluice_config_reload_total"):
        assert name in used, name


def test_queries_use_only_defined_variables_and_balanced_brackets():
    dashboard = load_dashboard()
    for panel_id, expression in panel_expressions(dashboard):
        for variable in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", expression):
            assert variable in KNOWN_VARIABLES, f"panel {panel_id}: unknown variable ${variable}"
        stripped = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
        for opening, closing in ("()", "{}", "[]"):
            assert stripped.count(opening) == stripped.count(closing), f"panel {panel_id}: {expression}"


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) not installed")
def test_every_panel_query_parses_as_promql(tmp_path):
    # promtool parses each recording rule's expression; Grafana's variables become valid values first.
    rules = []
    for panel_id, expression in panel_expressions(load_dashboard()):
        concrete = (expression.replace("$__rate_interval", "5m").replace("$__interval", "1m").replace("$__range", "1h")
                    .replace("$route", ".*").replace("$backend", ".*").replace("$model", ".*"))
        rules.append({"record": f"dashboard:panel_{panel_id}:{len(rules)}", "expr": concrete})
    path = tmp_path / "rules.json"
    # JSON is YAML, which is what promtool reads.
    path.write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_documented_metrics_include_the_whole_issue_6_set():
    documented = documented_metrics()
    expected = {
        "sluice_requests_total": "counter", "sluice_request_duration_seconds": "histogram",
        "sluice_time_to_first_token_seconds": "histogram", "sluice_time_per_output_token_seconds": "histogram",
        "sluice_tokens_total": "counter", "sluice_tokens_unreported_total": "counter", "sluice_cost_total": "counter",
        "sluice_upstream_errors_total": "counter", "sluice_retries_total": "counter", "sluice_fallbacks_total": "counter",
        "sluice_backend_in_flight": "gauge", "sluice_backend_healthy": "gauge", "sluice_backend_ejections_total": "counter",
        "sluice_warmup_pings_total": "counter", "sluice_cache_results_total": "counter",
        "sluice_rate_limited_total": "counter", "sluice_guard_decisions_total": "counter",
        "sluice_config_reload_total": "counter", "sluice_config_last_reload_success_timestamp_seconds": "gauge",
        "sluice_build_info": "gauge", "sluice_ready": "gauge", "process_resident_memory_bytes": "gauge",
        "process_cpu_seconds_total": "counter", "process_open_fds": "gauge", "process_start_time_seconds": "gauge",
    }
    for name, kind in expected.items():
        assert documented.get(name) == kind, f"{name}: documented as {documented.get(name)!r}, expected {kind}"
