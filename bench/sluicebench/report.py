"""The figures, their budgets, and the Markdown table."""

TARGETS = ["direct", "nginx", "haproxy", "sluice"]

# id, label, unit, decimals, budget. Budgets:
#   ("ratio_le", r)  sluice/nginx ≤ r     ("abs_le", v)  sluice ≤ v     ("ratio_ge", r)  mock/nginx ≥ r
#   ("true",)        sluice's value must be true        None            reported, not held to a budget
FIGURES = [
    ("throughput_rps", "Saturation throughput, -c32 (req/s)", "req/s", 0, None),
    ("cpu_us_per_req", "CPU per request, -c32 (µs)", "µs", 1, ("ratio_le", 1.2)),
    ("core_utilisation", "Proxy's own CPU use during -c32 (cores)", "", 2, None),
    ("foreign_on_proxy_cpu", "Other processes on the proxy CPU during -c32 (cores)", "", 2, None),
    ("runqueue_wait_share", "Proxy runnable but waiting for its CPU during -c32 (share of time)", "", 2, None),
    ("cpu_kernel_share", "Share of the server's CPU time in the kernel, -c32", "", 2, None),
    ("added_c1_p50_us", "Added latency p50, -c1 (µs)", "µs", 0, ("ratio_le", 1.2)),
    ("added_c1_p99_us", "Added latency p99, -c1 (µs)", "µs", 0, ("ratio_le", 1.2)),
    ("added_c8_p50_us", "Added latency p50, -c8 (µs)", "µs", 0, ("ratio_le", 1.2)),
    ("added_c8_p99_us", "Added latency p99, -c8 (µs)", "µs", 0, ("ratio_le", 1.2)),
    ("latency_c1_p50_us", "Latency p50, -c1 (µs, absolute)", "µs", 0, None),
    ("sse_added_first_event_us", "SSE: added time to first event (µs)", "µs", 0, ("abs_le", 100)),
    ("sse_added_fastest_first_event_us", "SSE: added time to first event, fastest stream (µs)", "µs", 0, None),
    ("sse_added_total_us", "SSE: added total time, 100 chunks × 5 ms (µs)", "µs", 0, None),
    ("sse_total_ms", "SSE: total time, 100 chunks × 5 ms (ms, absolute)", "ms", 1, None),
    ("sse_incremental", "SSE: chunks arrive incrementally", "", None, ("true",)),
    ("idle_rss_mib", "Idle RSS after start + 1 request (MiB)", "MiB", 1, ("abs_le", 10.0)),
    ("idle_pss_mib", "Idle PSS: shared library pages split among their users (MiB)", "MiB", 1, None),
    ("idle_anon_mib", "Idle anonymous memory: heap, stacks (MiB)", "MiB", 1, None),
    ("rss_after_load_mib", "RSS after the load runs (MiB)", "MiB", 1, None),
    ("rss_growth_bytes_per_req", "RSS growth per request served during the load runs (bytes)", "B", 0, None),
    ("idle_conns_rss_mib", "RSS holding the idle keep-alive connections (MiB)", "MiB", 1, None),
    ("idle_conn_bytes", "Memory per idle keep-alive connection (bytes)", "B", 0, ("abs_le", 1024)),
    ("active_stream_bytes", "Memory per active stream (bytes)", "B", 0, ("abs_le", 32768)),
    ("start_to_ready_ms", "Start to ready (ms; nginx/haproxy: first 2xx)", "ms", 1, ("abs_le", 50.0)),
    ("start_to_first_response_ms", "Start to first proxied 2xx (ms)", "ms", 1, None),
    ("start_cpu_ms", "CPU time used until ready / first 2xx (ms)", "ms", 1, None),
    ("start_runqueue_wait_ms", "Time waiting for a CPU until ready / first 2xx (ms)", "ms", 1, None),
    ("reload_ms", "Config rename → first request on the new route (ms)", "ms", 1, ("abs_le", 100.0)),
    ("reload_failed_requests", "Failed requests during reloads", "", 0, ("abs_le", 0)),
    ("load_errors", "wrk errors (connect/read/write/status/timeout), all runs", "", 0, ("abs_le", 0)),
    ("throughput_log_rps", "Saturation throughput with the access log on (req/s)", "req/s", 0, None),
    ("cpu_log_us_per_req", "CPU per request with the access log on (µs)", "µs", 1, None),
]

UPSTREAM_FIGURES = [
    ("upstream_small_json_rps", "Small JSON (GET /healthz), -c32 (req/s)", "req/s", 0, ("ratio_ge", 0.8)),
    ("upstream_small_json_cpu_us", "Small JSON: CPU per request (µs)", "µs", 1, None),
    ("upstream_chat_rps", "Chat completion (POST ~1 KB → ~400 B), -c32 (req/s)", "req/s", 0, None),
    ("upstream_chat_cpu_us", "Chat completion: CPU per request (µs)", "µs", 1, None),
]


# Diagnostics of the run itself: a Sluice/nginx ratio would mean nothing.
NO_RATIO = {"core_utilisation", "foreign_on_proxy_cpu", "runqueue_wait_share", "cpu_kernel_share",
            "sse_incremental", "sse_added_total_us", "reload_ms", "reload_failed_requests", "load_errors", "start_runqueue_wait_ms"}


def fmt(v, decimals):
    if v is None:
        return "—"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if decimals is None:
        return str(v)
    return f"{v:,.{decimals}f}"


def fmt_ratio(ratio, budget):
    """Two decimals, or three when two would round onto the budget and hide the verdict."""
    if ratio is None:
        return "—"
    if budget and budget[0].startswith("ratio") and round(ratio, 2) == budget[1]:
        return f"{ratio:.3f}"
    return f"{ratio:.2f}"


def cell(summary, figure, target, decimals):
    s = summary.get(figure, {}).get(target)
    if not s:
        return "—"
    if "all" in s:
        return fmt(s["all"], None)
    if len(s["samples"]) == 1:
        return fmt(s["median"], decimals)
    return f"{fmt(s['median'], decimals)} ({fmt(s['min'], decimals)}–{fmt(s['max'], decimals)})"


def judge(summary, figure, budget, subject="sluice", reference="nginx"):
    """(ratio, budget text, verdict) for one figure."""
    s = summary.get(figure, {}).get(subject)
    r = summary.get(figure, {}).get(reference)
    ratio = None
    if s and r and "median" in s and "median" in r and r["median"] and r["median"] > 0:
        ratio = s["median"] / r["median"]
    if budget is None:
        return ratio, "—", ""
    kind = budget[0]
    if not s:
        return ratio, budget_text(budget, reference), "not measured"
    if kind == "ratio_le":
        if ratio is None:
            return ratio, budget_text(budget, reference), "n/a (reference ≤ 0)"
        return ratio, budget_text(budget, reference), "pass" if ratio <= budget[1] else "FAIL"
    if kind == "ratio_ge":
        if ratio is None:
            return ratio, budget_text(budget, reference), "n/a"
        return ratio, budget_text(budget, reference), "pass" if ratio >= budget[1] else "FAIL"
    if kind == "abs_le":
        return ratio, budget_text(budget, reference), "pass" if s["median"] <= budget[1] else "FAIL"
    if kind == "true":
        return ratio, budget_text(budget, reference), "pass" if s.get("all") else "FAIL"
    raise ValueError(kind)


def budget_text(budget, reference):
    kind = budget[0]
    if kind == "ratio_le":
        return f"≤ {budget[1]}× {reference}"
    if kind == "ratio_ge":
        return f"≥ {budget[1]}× {reference}"
    if kind == "abs_le":
        return f"≤ {budget[1]:g}"
    return "yes"


def table(summary, targets):
    cols = [t for t in TARGETS if t in targets]
    head = "| figure | " + " | ".join(cols) + " | sluice/nginx | budget | result |"
    sep = "|---|" + "---|" * len(cols) + "---|---|---|"
    rows = [head, sep]
    verdicts = {}
    for fid, label, _, decimals, budget in FIGURES:
        if fid not in summary:
            continue
        ratio, btext, verdict = judge(summary, fid, budget)
        if fid in NO_RATIO:
            ratio = None
        verdicts[fid] = verdict
        rows.append(f"| {label} | " + " | ".join(cell(summary, fid, t, decimals) for t in cols)
                    + f" | {fmt_ratio(ratio, budget)} | {btext} | {verdict} |")
    return "\n".join(rows), verdicts


def upstream_table(summary):
    rows = ["| figure | sluice-mock | nginx `return 200` | mock/nginx | budget | result |",
            "|---|---|---|---|---|---|"]
    verdicts = {}
    for fid, label, _, decimals, budget in UPSTREAM_FIGURES:
        if fid not in summary:
            continue
        ratio, btext, verdict = judge(summary, fid, budget, subject="mock", reference="nginx-static")
        verdicts[fid] = verdict
        btext = btext.replace("nginx-static", "nginx")
        rows.append(f"| {label} | {cell(summary, fid, 'mock', decimals)} | {cell(summary, fid, 'nginx-static', decimals)}"
                    f" | {fmt_ratio(ratio, budget)} | {btext} | {verdict} |")
    return "\n".join(rows), verdicts
