import ProxyCore
import ProxyUpstream

/// One call of the semantic cache tier to an embeddings service: collects the answer (at most
/// `EmbeddingsExchange.maxAnswerBytes`) and reports the vector, or why there is none, once.
/// Loop-confined, like the transfer it receives from.
final class EmbeddingsCall: UpstreamTransferDelegate {
    typealias Outcome = Result<SemanticVector, EmbeddingsExchange.Failure>

    private var status = 0
    private var answer: [UInt8] = []
    private var tooLarge = false
    private var onOutcome: ((Outcome) -> Void)?

    init(onOutcome: @escaping (Outcome) -> Void) {
        self.onOutcome = onOutcome
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) {
        self.status = status
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if answer.count + bytes.count > EmbeddingsExchange.maxAnswerBytes { tooLarge = true } else { answer.append(contentsOf: bytes) }
        return .accepted
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        guard let failure else {
            return report(tooLarge ? .failure(.invalid) : EmbeddingsExchange.vector(status: status, body: answer))
        }
        report(.failure(failure.isTimeout ? .timeout : .connect))
    }

    /// The call could not be made at all.
    func fail() {
        report(.failure(.connect))
    }

    private func report(_ outcome: Outcome) {
        let deliver = onOutcome
        onOutcome = nil
        deliver?(outcome)
    }
}
