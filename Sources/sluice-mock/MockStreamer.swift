import ProxyCore
import ProxyHTTPServer
import ProxyIO

/// Produces one streamed answer over time: keep-alive comments while "thinking", then
/// tokens at the configured pace, pausing while the client reads slowly (backpressure)
/// and stopping at once when it goes away.
///
/// Loop-confined.
final class MockStreamer {
    private let completion: MockCompletion
    private let includeUsage: Bool
    private let behavior: MockBehavior
    private let response: HTTPResponseWriter
    private let loop: EventLoop
    private let stats: MockStats
    private var next = 0
    private var opened = false
    private var paused = false
    private var finished = false
    private var tokenTimer: LoopTimer?
    private var keepAliveTimer: LoopTimer?

    init(completion: MockCompletion, includeUsage: Bool, behavior: MockBehavior, response: HTTPResponseWriter,
         loop: EventLoop, stats: MockStats) {
        self.completion = completion
        self.includeUsage = includeUsage
        self.behavior = behavior
        self.response = response
        self.loop = loop
        self.stats = stats
    }

    func start(after delay: ProxyDuration) {
        stats.streamStarted()
        var headers = HTTPHeaders()
        headers.append(name: "content-type", value: "text/event-stream")
        headers.append(name: "cache-control", value: "no-cache")
        response.writeHead(HTTPResponseHead(status: 200, headers: headers), contentLength: nil)
        if let interval = behavior.keepAliveInterval, delay > .zero { scheduleKeepAlive(interval) }
        tokenTimer = loop.schedule(after: delay) { [self] in emit() }
    }

    func resume() {
        guard paused, !finished else { return }
        paused = false
        emit()
    }

    func clientGone() {
        tokenTimer?.cancel()
        keepAliveTimer?.cancel()
        if !finished {
            finished = true
            stats.streamAborted()
        }
    }

    private func scheduleKeepAlive(_ interval: ProxyDuration) {
        keepAliveTimer = loop.schedule(after: interval) { [self] in
            guard !opened, !finished else { return }
            response.writeBody(Array(": keep-alive\n\n".utf8))
            scheduleKeepAlive(interval)
        }
    }

    private func emit() {
        tokenTimer = nil
        guard !finished, response.isConnected else { return }
        var out: [UInt8] = []
        if !opened {
            opened = true
            keepAliveTimer?.cancel()
            out = completion.openingEvents(includeUsage: includeUsage)
        }
        // Unpaced streams go in batches so one stream cannot hold the loop.
        let batch = behavior.tokensPerSecond == 0 ? 64 : 1
        var produced = 0
        while next < completion.streamedTokens && produced < batch {
            completion.appendTokenEvent(next, includeUsage: includeUsage, to: &out)
            next += 1
            produced += 1
            if behavior.reset == .mid && next == behavior.resetAfterTokens {
                response.writeBody(out)
                finished = true
                response.resetConnection()
                return
            }
        }
        if next >= completion.streamedTokens {
            if !behavior.dropDone { out += completion.closingEvents(includeUsage: includeUsage) }
            response.writeBody(out)
            finish()
            return
        }
        response.writeBody(out)
        guard response.isWritable else {
            paused = true
            return
        }
        let interval = behavior.tokensPerSecond == 0
            ? ProxyDuration.zero : ProxyDuration(nanoseconds: 1_000_000_000 / UInt64(behavior.tokensPerSecond))
        tokenTimer = loop.schedule(after: interval) { [self] in emit() }
    }

    private func finish() {
        finished = true
        stats.recordTokens(prompt: completion.promptTokens, completion: completion.completionTokens,
                           reasoning: completion.reasoningTokens)
        stats.recordStatus(200)
        stats.streamCompleted()
        response.finish()
    }
}
