import ProxyCore
import ProxyUpstream

/// One call to a guard's moderation service: collects the answer (at most
/// `GuardModeration.maxAnswerBytes`) and reports the verdict once. Loop-confined, like the
/// transfer it receives from.
final class GuardModerationCall: UpstreamTransferDelegate {
    private var status = 0
    private var answer: [UInt8] = []
    private var tooLarge = false
    private let thresholds: [String: Double]
    private var onVerdict: ((GuardModerationVerdict) -> Void)?

    /// `thresholds`: the rule's category thresholds the answer is judged with.
    init(thresholds: [String: Double], onVerdict: @escaping (GuardModerationVerdict) -> Void) {
        self.thresholds = thresholds
        self.onVerdict = onVerdict
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) {
        self.status = status
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if answer.count + bytes.count > GuardModeration.maxAnswerBytes { tooLarge = true } else { answer.append(contentsOf: bytes) }
        return .accepted
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        guard let failure else {
            return report(tooLarge ? .failed(kind: "invalid") : GuardModeration.verdict(status: status, body: answer, thresholds: thresholds))
        }
        report(.failed(kind: failure.isTimeout ? "timeout" : "connect"))
    }

    /// The call could not be made at all.
    func fail(kind: String) {
        report(.failed(kind: kind))
    }

    private func report(_ verdict: GuardModerationVerdict) {
        let deliver = onVerdict
        onVerdict = nil
        deliver?(verdict)
    }
}
