import ProxyCore
import ProxyIO

/// When one access-log line is written. The request itself (head, context, session state
/// machine) is passed beside it, borrowed: a struct holding them would copy each.
struct AccessLogEntry {
    let now: ProxyInstant
    let wallNanoseconds: UInt64
}

/// One JSON line per request on stdout (its fields: docs/config.md). Never prompt text, never keys.
///
/// The line is written with one `write(2)` so concurrent loops never interleave lines.
struct AccessLog: Sendable {
    var enabled = true
    /// The share of successful requests logged, as a threshold on a random UInt64 (all by
    /// default). Failed requests (status ≥ 400 or an error) are always logged.
    var sampleThreshold = UInt64.max

    init(enabled: Bool, sampleRate: Double) {
        self.enabled = enabled
        sampleThreshold = sampleRate >= 1 ? .max : UInt64(max(0, sampleRate) * 18_446_744_073_709_551_615.0)
    }

    /// Writes the line of a finished request; the attempt plan's outcomes in order are its
    /// `path_taken`, described only when the line is written (sampled-out lines cost nothing).
    func write(_ entry: AccessLogEntry, head: HTTPRequestHead, context: RequestContext, machine: SessionStateMachine,
               random: () -> UInt64) {
        guard enabled else { return }
        if sampleThreshold != .max, machine.status < 400, context.errorCode == nil, random() > sampleThreshold { return }
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line += #"{"time_ms":"#.utf8
        JSONWriter.appendInt(Int(entry.wallNanoseconds / 1_000_000), to: &line)
        field("request_id", context.requestID, &line)
        field("trace_id", context.trace.traceID, &line)
        field("method", head.method.rawValue, &line)
        field("path", String(head.path), &line)
        field("consumer", context.consumerName, &line)
        field("route", context.decision?.routeName, &line)
        field("backend", context.answeringBackend?.backendName ?? context.decision?.backendName, &line)
        field("model", context.clientModel, &line)
        field("upstream_model", context.upstreamModel, &line)
        field("route_reason", context.autoRoute?.summary, &line)
        line += #","status":"#.utf8
        JSONWriter.appendInt(machine.status, to: &line)
        field("error", context.errorCode, &line)
        line += #","stream":"#.utf8
        line += (context.streamRequested ? "true" : "false").utf8
        line += #","attempts":"#.utf8
        JSONWriter.appendInt(machine.attempts, to: &line)
        if let usage = context.usage, usage.reported {
            line += #","prompt_tokens":"#.utf8
            JSONWriter.appendInt(usage.prompt ?? 0, to: &line)
            line += #","completion_tokens":"#.utf8
            JSONWriter.appendInt(usage.completion ?? 0, to: &line)
            if let reasoning = usage.reasoning {
                line += #","reasoning_tokens":"#.utf8
                JSONWriter.appendInt(reasoning, to: &line)
            }
        }
        if let cost = context.cost {
            line += #","cost":"#.utf8
            JSONWriter.appendDouble(cost.amount, to: &line)
            field("currency", cost.currency, &line)
        }
        if let plan = machine.plan, !plan.records.isEmpty { field("path_taken", plan.pathDescription, &line) }
        field("cache", context.cache.result.rawValue, &line)
        field("cache_tier", context.cache.tier?.rawValue, &line)
        line += #","bytes":"#.utf8
        JSONWriter.appendInt(context.bytesToClient, to: &line)
        line += #","duration_ms":"#.utf8
        JSONWriter.appendDouble(Double(entry.now.duration(since: context.started).nanoseconds) / 1e6, to: &line)
        if let first = context.firstTokenAt {
            line += #","ttft_ms":"#.utf8
            JSONWriter.appendDouble(Double(first.duration(since: context.started).nanoseconds) / 1e6, to: &line)
        }
        line += "}\n".utf8
        StandardStreams.writeAll(1, line)
    }

    private func field(_ name: String, _ value: String?, _ line: inout [UInt8]) {
        guard let value else { return }
        line += #",""#.utf8
        line += name.utf8
        line += #"":"#.utf8
        JSONWriter.appendString(value, to: &line)
    }
}
