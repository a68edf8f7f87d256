import ProxyCore
import ProxyIO

/// One JSON line per request on stdout (DESIGN.md "Logs"). Never prompt text, never keys.
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

    func write(_ session: ProxySession) {
        guard enabled else { return }
        if sampleThreshold != .max, session.status < 400, session.errorCode == nil,
           session.context.random() > sampleThreshold { return }
        let clock = session.context.loop.clock
        let now = clock.now()
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line += #"{"time_ms":"#.utf8
        JSONWriter.appendInt(clock.wallNanoseconds() / 1_000_000, to: &line)
        field("request_id", session.requestID, &line)
        field("trace_id", session.trace.traceID, &line)
        field("method", session.head.method.rawValue, &line)
        field("path", String(session.head.path), &line)
        field("route", session.decision?.routeName, &line)
        field("backend", session.decision?.backendName, &line)
        field("model", session.clientModel, &line)
        field("upstream_model", session.upstreamModel, &line)
        line += #","status":"#.utf8
        JSONWriter.appendInt(session.status, to: &line)
        field("error", session.errorCode, &line)
        line += #","stream":"#.utf8
        line += (session.streamRequested ? "true" : "false").utf8
        line += #","attempts":"#.utf8
        JSONWriter.appendInt(session.attempts, to: &line)
        if let usage = session.usage, usage.reported {
            line += #","prompt_tokens":"#.utf8
            JSONWriter.appendInt(usage.prompt ?? 0, to: &line)
            line += #","completion_tokens":"#.utf8
            JSONWriter.appendInt(usage.completion ?? 0, to: &line)
            if let reasoning = usage.reasoning {
                line += #","reasoning_tokens":"#.utf8
                JSONWriter.appendInt(reasoning, to: &line)
            }
        }
        if let cost = session.cost {
            line += #","cost":"#.utf8
            JSONWriter.appendDouble(cost.amount, to: &line)
            field("currency", cost.currency, &line)
        }
        if let plan = session.plan, plan.records.count > 0 { field("path_taken", plan.pathDescription, &line) }
        line += #","cache":"bypass","bytes":"#.utf8
        JSONWriter.appendInt(session.bytesToClient, to: &line)
        line += #","duration_ms":"#.utf8
        JSONWriter.appendDouble(Double(now.duration(since: session.started).nanoseconds) / 1e6, to: &line)
        if let first = session.firstByteAt {
            line += #","ttfb_ms":"#.utf8
            JSONWriter.appendDouble(Double(first.duration(since: session.started).nanoseconds) / 1e6, to: &line)
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
