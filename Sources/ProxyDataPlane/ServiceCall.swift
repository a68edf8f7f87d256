import ProxyCore
import ProxyUpstream

/// One call to a service beside the provider — a guard's moderation hook, the semantic cache
/// tier's embeddings — through the loop's libcurl multi: collects the answer (at most `limit`
/// bytes) and reports what came back, once. Loop-confined, like the transfer it receives from.
final class ServiceCall: UpstreamTransferDelegate {
    /// What came back.
    enum Outcome {
        /// A whole answer: its status and body.
        case answered(status: Int, body: [UInt8])
        /// An answer over the limit: nothing of it is kept.
        case tooLarge
        /// No answer: the call timed out, or could not connect or broke.
        case failed(timedOut: Bool)
    }

    private let limit: Int
    private var status = 0
    private var answer: [UInt8] = []
    private var tooLarge = false
    private var onOutcome: ((Outcome) -> Void)?

    init(limit: Int, onOutcome: @escaping (Outcome) -> Void) {
        self.limit = limit
        self.onOutcome = onOutcome
    }

    /// Timeouts for a call that must be over within `timeout` (connect no longer than usual).
    static func timeouts(within timeout: ProxyDuration) -> UpstreamTimeouts {
        var timeouts = UpstreamTimeouts()
        timeouts.connect = min(timeouts.connect, timeout)
        timeouts.firstByte = timeout
        timeouts.idle = timeout
        timeouts.total = timeout
        return timeouts
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) {
        self.status = status
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if answer.count + bytes.count > limit { tooLarge = true } else { answer.append(contentsOf: bytes) }
        return .accepted
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        guard let failure else { return report(tooLarge ? .tooLarge : .answered(status: status, body: answer)) }
        report(.failed(timedOut: failure.isTimeout))
    }

    /// The call could not be made at all.
    func fail() {
        report(.failed(timedOut: false))
    }

    private func report(_ outcome: Outcome) {
        let deliver = onOutcome
        onOutcome = nil
        deliver?(outcome)
    }
}
