@testable import ProxyDataPlane
import ProxyCore

/// A `ClientResponse` that keeps what the session wrote, with a socket the test can fill.
final class RecordingResponse: ClientResponse {
    private(set) var head: HTTPResponseHead?
    private(set) var contentLength: Int?
    private(set) var body: [UInt8] = []
    private(set) var finished = false
    private(set) var reset = false
    /// Bytes written since the socket last drained (a stand-in for the unsent output).
    private(set) var unsent = 0
    /// Above this many unsent bytes the response reports itself not writable.
    var highWatermark = 64 * 1024
    var connected = true

    var isConnected: Bool { connected && !finished && !reset }
    var isWritable: Bool { isConnected && unsent <= highWatermark }
    var headSent: Bool { head != nil }

    func writeHead(_ head: HTTPResponseHead, contentLength: Int?) {
        precondition(self.head == nil, "a second head")
        self.head = head
        self.contentLength = contentLength
    }

    func writeBody(_ bytes: UnsafeRawBufferPointer) {
        precondition(head != nil && !finished, "body outside a response")
        guard connected else { return }
        body.append(contentsOf: bytes)
        unsent += bytes.count
    }

    func finish() {
        precondition(!finished, "finished twice")
        finished = true
    }

    func resetConnection() { reset = true }

    /// The client read everything written so far.
    func drain() { unsent = 0 }

    var status: Int? { head?.status }
    func header(_ name: String) -> String? { head?.headers.first(name) }
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
