@testable import ProxyDataPlane
import ProxyCore
import ProxyUpstream

/// An `UpstreamClient` whose transfers the test plays by hand, with libcurl's pause contract:
/// a piece refused with `pauseWithoutConsuming` is offered again, whole, on `resume()`.
final class ScriptedUpstream: UpstreamClient {
    private(set) var transfers: [ScriptedTransfer] = []

    func prepare(_ request: UpstreamRequest, delegate: any UpstreamTransferDelegate) -> (any UpstreamHandle)? {
        let transfer = ScriptedTransfer(request: request, delegate: delegate)
        transfers.append(transfer)
        return transfer
    }

    var last: ScriptedTransfer { transfers[transfers.count - 1] }
}

final class ScriptedTransfer: UpstreamHandle {
    let request: UpstreamRequest
    private var delegate: (any UpstreamTransferDelegate)?
    private(set) var started = false
    private(set) var cancelled = false
    private(set) var paused = false
    /// Pieces not consumed yet: the paused one first.
    private var pending: [[UInt8]] = []
    private(set) var pauses = 0

    init(request: UpstreamRequest, delegate: any UpstreamTransferDelegate) {
        self.request = request
        self.delegate = delegate
    }

    func start() { started = true }

    func cancel() {
        cancelled = true
        delegate = nil
    }

    func resume() {
        guard paused else { return }
        paused = false
        flush()
    }

    var isDone: Bool { delegate == nil }
    var requestBodyText: String { String(decoding: request.body, as: UTF8.self) }
    func header(_ name: String) -> String? { request.headers.first(name) }

    func head(_ status: Int, _ headers: HTTPHeaders = ["content-type": "application/json"]) {
        delegate?.upstreamResponseHead(status: status, headers: headers)
    }

    /// Offers `bytes` as one receive; held back while paused, like libcurl.
    func send(_ bytes: [UInt8]) {
        pending.append(bytes)
        if !paused { flush() }
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Ends the transfer once every piece was consumed; call `finishWhenDrained` for a paused one.
    func finish(_ failure: UpstreamFailure? = nil) {
        precondition(pending.isEmpty || failure != nil, "finish while bytes are pending; resume first")
        let delegate = self.delegate
        self.delegate = nil
        delegate?.upstreamFinished(failure)
    }

    var hasPending: Bool { !pending.isEmpty }

    private func flush() {
        while !paused, let piece = pending.first, let delegate {
            let disposition = piece.withUnsafeBytes { delegate.upstreamBody($0) }
            switch disposition {
            case .accepted:
                pending.removeFirst()
            case .pauseWithoutConsuming:
                paused = true
                pauses += 1
            }
        }
    }
}
