import Glibc
import ProxyCore
import ProxyHTTPServer
import ProxyIO
import Synchronization
import Testing
@testable import ProxyUpstream

/// What a test's delegate saw, readable from the test thread.
final class Recording: Sendable {
    struct State {
        var status: Int?
        var headers = HTTPHeaders()
        var body: [UInt8] = []
        var chunks = 0
        var finished = false
        var failure: UpstreamFailure?
        var pausedOnce = false
    }
    let state = Mutex(State())
    var snapshot: State { state.withLock { $0 } }
}

/// `@unchecked Sendable`: created on the test thread, then used only on the loop thread.
final class RecordingDelegate: UpstreamTransferDelegate, @unchecked Sendable {
    let recording: Recording
    var pauseFirst: Bool
    var transfer: UpstreamTransfer?

    init(_ recording: Recording, pauseFirst: Bool = false) {
        self.recording = recording
        self.pauseFirst = pauseFirst
    }

    func upstreamResponseHead(status: Int, headers: HTTPHeaders) {
        recording.state.withLock { $0.status = status; $0.headers = headers }
    }

    func upstreamBody(_ bytes: UnsafeRawBufferPointer) -> UpstreamBodyDisposition {
        if pauseFirst {
            pauseFirst = false
            recording.state.withLock { $0.pausedOnce = true }
            return .pauseWithoutConsuming
        }
        recording.state.withLock { $0.body += bytes; $0.chunks += 1 }
        return .accepted
    }

    func upstreamFinished(_ failure: UpstreamFailure?) {
        recording.state.withLock { $0.finished = true; $0.failure = failure }
    }
}

/// A scripted upstream: answers by path, on the test's own loop group.
final class ScriptedUpstream: HTTPRequestHandler {
    final class Exchange: HTTPExchange {
        let head: HTTPRequestHead
        let response: HTTPResponseWriter
        let loop: EventLoop
        let seen: UpstreamSeen
        var body: [UInt8] = []
        var timer: LoopTimer?
        init(head: HTTPRequestHead, response: HTTPResponseWriter, loop: EventLoop, seen: UpstreamSeen) {
            self.head = head; self.response = response; self.loop = loop; self.seen = seen
        }
        func requestBodyPart(_ bytes: UnsafeRawBufferPointer) { body += bytes }
        func requestEnded(trailers: HTTPHeaders) {
            seen.record(head: head, body: body)
            switch head.path {
            case "/echo":
                response.respond(status: 201, headers: ["content-type": "text/plain", "x-upstream": "yes"], body: body)
            case "/stream":
                response.writeHead(HTTPResponseHead(status: 200, headers: ["content-type": "text/event-stream"]), contentLength: nil)
                send(remaining: 5)
            case "/echo-key":
                // An error that echoes the key, in a header and in a body sent in 3-byte pieces.
                let key = String(head.headers.first("authorization")?.dropFirst(7) ?? "")
                response.writeHead(HTTPResponseHead(status: 401, headers: ["x-echo": "Bearer " + key]), contentLength: nil)
                send(pieces: Array("bad key: \(key) end".utf8), size: 3)
            case "/key-prefix":
                // An error body that ends on the first bytes of the key.
                let key = String(head.headers.first("authorization")?.dropFirst(7) ?? "")
                response.respond(status: 500, body: Array("no: \(key.prefix(10))".utf8))
            case "/silent":
                break  // never answers
            case "/stall":
                response.writeHead(HTTPResponseHead(status: 200, headers: [:]), contentLength: nil)
                response.writeBody(Array("data: one\n\n".utf8))
            default:
                response.respond(status: 404, body: [])
            }
        }
        func send(remaining: Int) {
            response.writeBody(Array("data: \(remaining)\n\n".utf8))
            if remaining == 0 { response.finish(); return }
            timer = loop.schedule(after: .milliseconds(20)) { [self] in send(remaining: remaining - 1) }
        }
        func send(pieces: [UInt8], size: Int) {
            response.writeBody(Array(pieces.prefix(size)))
            if pieces.count <= size { response.finish(); return }
            timer = loop.schedule(after: .milliseconds(5)) { [self] in send(pieces: Array(pieces.dropFirst(size)), size: size) }
        }
        func connectionClosed() {
            timer?.cancel()
            seen.closed()
        }
    }
    let loop: EventLoop
    let seen: UpstreamSeen
    init(loop: EventLoop, seen: UpstreamSeen) { self.loop = loop; self.seen = seen }
    func startExchange(head: HTTPRequestHead, response: HTTPResponseWriter) -> any HTTPExchange {
        Exchange(head: head, response: response, loop: loop, seen: seen)
    }
}

final class UpstreamSeen: Sendable {
    private let state = Mutex<(heads: [HTTPRequestHead], bodies: [[UInt8]], closed: Int)>(([], [], 0))
    func record(head: HTTPRequestHead, body: [UInt8]) { state.withLock { $0.heads.append(head); $0.bodies.append(body) } }
    func closed() { state.withLock { $0.closed += 1 } }
    var heads: [HTTPRequestHead] { state.withLock { $0.heads } }
    var bodies: [[UInt8]] { state.withLock { $0.bodies } }
    var closedCount: Int { state.withLock { $0.closed } }
}

/// One loop running both the scripted upstream and the client multi.
final class Harness: @unchecked Sendable {  // the multi is touched only on the loop (via execute)
    let group: EventLoopGroup
    let seen = UpstreamSeen()
    let address: SocketAddress
    var multi: CurlMulti!

    init(upstreamIdleTimeout: ProxyDuration = .seconds(60)) throws {
        group = try EventLoopGroup(count: 1)
        let seen = self.seen
        var configuration = HTTPServerConfiguration(name: "upstream", address: SocketAddress("127.0.0.1:0")!)
        configuration.idleTimeout = upstreamIdleTimeout
        let server = HTTPServer(configuration: configuration) {
            ScriptedUpstream(loop: $0, seen: seen)
        }
        address = try server.bind(loopCount: 1)
        let ready = Mutex(false)
        group.start { loop in
            try? server.attach(to: loop)
            ready.withLock { $0 = true }
        }
        #expect(waitUntil { ready.withLock { $0 } })
        let made = Mutex(false)
        group.loops[0].execute { [self] in
            multi = CurlMulti(loop: group.loops[0])
            made.withLock { $0 = true }
        }
        #expect(waitUntil { made.withLock { $0 } })
    }

    func start(_ request: UpstreamRequest, _ delegate: RecordingDelegate) {
        group.loops[0].execute { [self] in
            delegate.transfer = UpstreamTransfer.make(request, on: multi, delegate: delegate)
            delegate.transfer?.start()
        }
    }

    func onLoop(_ body: @escaping @Sendable () -> Void) { group.loops[0].execute(body) }

    /// The multi's socket figures, read on the loop: (registered now, registrations made).
    func sockets() -> (registered: Int, registrations: Int)? {
        let result = Mutex<(Int, Int)?>(nil)
        onLoop { [self] in
            let figures = (multi.registeredSocketCount, multi.socketRegistrations)
            result.withLock { $0 = figures }
        }
        guard waitUntil({ result.withLock { $0 } != nil }) else { return nil }
        return result.withLock { $0 }.map { (registered: $0.0, registrations: $0.1) }
    }

    /// Runs one `/echo` transfer to its end and returns what the delegate saw.
    func echo(_ text: String) -> Recording.State {
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        start(UpstreamRequest(method: .post, url: "http://\(address)/echo", headers: [:], body: Array(text.utf8)), delegate)
        _ = waitUntil { recording.snapshot.finished }
        return withExtendedLifetime(delegate) { recording.snapshot }
    }

    deinit { group.stopAndJoin() }
}

func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let clock = MonotonicClock()
    let deadline = clock.now().advanced(by: ProxyDuration(nanoseconds: UInt64(seconds * 1e9)))
    while clock.now() < deadline {
        if condition() { return true }
        usleep(500)  // lint: allow-sleep (yields between polls of a deadline-bounded wait)
    }
    return condition()
}

@Suite(.serialized) struct UpstreamTransferTests {
    @Test func aPostCarriesHeadersAndBodyAndTheResponseComesBackWhole() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        let body = Array(#"{"model":"m","messages":[]}"#.utf8)
        harness.start(UpstreamRequest(method: .post, url: "http://\(harness.address)/echo",
                                      headers: ["content-type": "application/json", "x-request-id": "r1"], body: body), delegate)
        #expect(waitUntil { recording.snapshot.finished })
        let result = recording.snapshot
        #expect(result.failure == nil)
        #expect(result.status == 201)
        #expect(result.headers.first("x-upstream") == "yes")
        #expect(result.body == body)
        #expect(harness.seen.heads.first?.headers.first("x-request-id") == "r1")
        #expect(harness.seen.heads.first?.headers.contains("expect") == false)
    }

    @Test func bodiesBelowAndAboveTheInlineLimitArriveWhole() throws {
        let harness = try Harness()
        for size in [0, 1, UpstreamTransfer.inlineBodyLimit - 1, UpstreamTransfer.inlineBodyLimit, 3 * UpstreamTransfer.inlineBodyLimit + 7] {
            let text = String((0..<size).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            let result = harness.echo(text)
            #expect(result.failure == nil)
            #expect(result.body.count == size)
            #expect(result.body == Array(text.utf8))
        }
        #expect(harness.seen.bodies.map(\.count) == [0, 1, 65_535, 65_536, 196_615])
    }

    @Test func aReusedHandleSendsEachRequestAsItsOwnAcrossMethodsBodiesAndHeaderLists() throws {
        // One loop, one transfer at a time: every request reuses the same easy handle, which
        // keeps its options between transfers of one profile and is reset between others.
        let harness = try Harness()
        let large = [UInt8](repeating: UInt8(ascii: "x"), count: UpstreamTransfer.inlineBodyLimit + 10)
        let many = HTTPHeaders((0..<40).map { (name: "x-field-\($0)", value: String(repeating: "v", count: 100 + $0)) })
        let requests: [(HTTPMethod, HTTPHeaders, [UInt8])] = [
            (.post, ["content-type": "application/json", "x-a": "1"], Array("{\"n\":1}".utf8)),
            (.post, ["x-b": "2"], Array("two".utf8)),
            (.get, [:], []),
            (.post, many, large),
            (.put, ["x-c": "3"], Array("put".utf8)),
            (.post, ["content-type": "text/plain"], Array("again".utf8)),
            (.post, [:], []),
        ]
        for (method, headers, body) in requests {
            let recording = Recording()
            let delegate = RecordingDelegate(recording)
            harness.start(UpstreamRequest(method: method, url: "http://\(harness.address)/echo", headers: headers, body: body), delegate)
            #expect(waitUntil { recording.snapshot.finished })
            #expect(withExtendedLifetime(delegate) { recording.snapshot.failure } == nil)
        }
        let heads = harness.seen.heads
        try #require(heads.count == requests.count)
        for (index, (method, headers, body)) in requests.enumerated() {
            #expect(heads[index].method == method, "request \(index)")
            #expect(harness.seen.bodies[index] == body, "request \(index)")
            // Exactly this request's fields: nothing left over from a longer list before it.
            let sent = heads[index].headers.filter { !["host", "accept", "content-length", "transfer-encoding"].contains($0.name.lowercased()) }
            #expect(sent.map { "\($0.name.lowercased()): \($0.value)" } == headers.map { "\($0.name): \($0.value)" }, "request \(index)")
        }
    }

    @Test func aReusedConnectionsSocketStaysRegisteredAcrossTransfers() throws {
        let harness = try Harness()
        for text in ["one", "two", "three"] {
            let result = harness.echo(text)
            #expect(result.failure == nil && result.body == Array(text.utf8))
        }
        // One keep-alive connection, registered once and kept (dormant) between transfers.
        #expect(harness.seen.closedCount == 0)
        let sockets = try #require(harness.sockets())
        #expect(sockets.registrations == 1)
        #expect(sockets.registered == 1)
    }

    @Test func aDormantSocketThePeerClosesIsDroppedAndTheNextTransferReconnects() throws {
        let harness = try Harness(upstreamIdleTimeout: .milliseconds(200))
        #expect(harness.echo("first").body == Array("first".utf8))
        #expect(harness.sockets()?.registered == 1)
        // The provider closes the idle connection after 200 ms; its socket, dormant, stirs and is
        // deregistered (left registered, level-triggered epoll would report it on every loop turn).
        #expect(waitUntil { harness.sockets()?.registered == 0 })
        let second = harness.echo("second")
        #expect(second.failure == nil && second.body == Array("second".utf8))
        #expect(harness.sockets()?.registrations == 2)
    }

    @Test func streamedChunksArriveAsTheyAreSent() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        harness.start(UpstreamRequest(method: .get, url: "http://\(harness.address)/stream", headers: [:], body: []), delegate)
        defer { withExtendedLifetime(delegate) {} }
        #expect(waitUntil { recording.snapshot.chunks >= 1 })
        // The first chunk is delivered while the upstream is still producing the rest.
        #expect(!recording.snapshot.finished)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(recording.snapshot.chunks == 6)
        #expect(String(decoding: recording.snapshot.body, as: UTF8.self).hasSuffix("data: 0\n\n"))
    }

    @Test func aPausedTransferResumesWithoutLosingOrRepeatingBytes() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording, pauseFirst: true)
        harness.start(UpstreamRequest(method: .get, url: "http://\(harness.address)/stream", headers: [:], body: []), delegate)
        #expect(waitUntil { recording.snapshot.pausedOnce })
        harness.onLoop { delegate.transfer?.resume() }
        #expect(waitUntil { recording.snapshot.finished })
        let text = String(decoding: recording.snapshot.body, as: UTF8.self)
        #expect(text == (0...5).reversed().map { "data: \($0)\n\n" }.joined())
    }

    @Test func aTransferPausedOnItsLastPieceFinishesOnResume() throws {
        // The whole response arrives in one piece and the delegate pauses on it: resuming must
        // deliver it and end the transfer, not leave it waiting for the idle timeout.
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording, pauseFirst: true)
        harness.start(UpstreamRequest(method: .post, url: "http://\(harness.address)/echo", headers: [:], body: Array("hello".utf8)), delegate)
        #expect(waitUntil { recording.snapshot.pausedOnce })
        harness.onLoop { delegate.transfer?.resume() }
        #expect(waitUntil(seconds: 5) { recording.snapshot.finished })
        #expect(recording.snapshot.failure == nil)
        #expect(recording.snapshot.body == Array("hello".utf8))
    }

    @Test func nothingListeningIsAConnectFailure() throws {
        let harness = try Harness()
        let recording = Recording()
        let closed = try Socket.listen(on: SocketAddress("127.0.0.1:0")!)
        let port = try SocketAddress.local(of: closed).port
        Socket.close(closed)
        let delegate = RecordingDelegate(recording)
        defer { withExtendedLifetime(delegate) {} }
        harness.start(UpstreamRequest(method: .get, url: "http://127.0.0.1:\(port)/", headers: [:], body: []), delegate)
        #expect(waitUntil { recording.snapshot.finished })
        if case .connect = recording.snapshot.failure {} else { Issue.record("expected .connect, got \(String(describing: recording.snapshot.failure))") }
    }

    @Test func aSilentUpstreamHitsTheFirstByteTimeout() throws {
        let harness = try Harness()
        let recording = Recording()
        var request = UpstreamRequest(method: .get, url: "http://\(harness.address)/silent", headers: [:], body: [])
        request.timeouts.firstByte = .milliseconds(100)
        let delegate = RecordingDelegate(recording)
        defer { withExtendedLifetime(delegate) {} }
        harness.start(request, delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(recording.snapshot.failure == .firstByteTimeout)
        #expect(waitUntil { harness.seen.closedCount == 1 })
    }

    @Test func anUpstreamThatStallsMidBodyHitsTheIdleTimeout() throws {
        let harness = try Harness()
        let recording = Recording()
        var request = UpstreamRequest(method: .get, url: "http://\(harness.address)/stall", headers: [:], body: [])
        request.timeouts.idle = .milliseconds(100)
        let delegate = RecordingDelegate(recording)
        defer { withExtendedLifetime(delegate) {} }
        harness.start(request, delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(recording.snapshot.status == 200)
        #expect(recording.snapshot.failure == .idleTimeout)
    }

    @Test func cancellingMidStreamClosesTheUpstreamConnectionAndStaysQuiet() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        harness.start(UpstreamRequest(method: .get, url: "http://\(harness.address)/stream", headers: [:], body: []), delegate)
        #expect(waitUntil { recording.snapshot.chunks >= 1 })
        harness.onLoop { delegate.transfer?.cancel() }
        #expect(waitUntil { harness.seen.closedCount == 1 })
        #expect(!recording.snapshot.finished)
    }

    // MARK: What reaches the provider, and what comes back

    @Test func thePathIsSentExactlyAsGivenWithoutLibcurlNormalisingIt() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        harness.start(UpstreamRequest(method: .post, url: "http://\(harness.address)/a/../echo?x=/../y", headers: [:], body: [1]), delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(harness.seen.heads.first?.target == "/a/../echo?x=/../y")
    }

    @Test func noContentTypeIsAddedToARequestThatHadNone() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        harness.start(UpstreamRequest(method: .post, url: "http://\(harness.address)/echo", headers: [:], body: Array("{}".utf8)), delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(harness.seen.heads.first?.headers.contains("content-type") == false)
        #expect(harness.seen.bodies.first == Array("{}".utf8))
    }

    @Test func aHeaderValueHoldingCrOrLfIsNeverSent() throws {
        let harness = try Harness()
        for value in ["a\r\nX-Injected: yes", "a\nb", "a\u{0}b"] {
            let recording = Recording()
            let delegate = RecordingDelegate(recording)
            defer { withExtendedLifetime(delegate) {} }
            harness.start(UpstreamRequest(method: .get, url: "http://\(harness.address)/echo", headers: ["authorization": value], body: []), delegate)
            #expect(waitUntil { recording.snapshot.finished })
            if case .connect(let message) = recording.snapshot.failure {
                #expect(message.contains("CR, LF, NUL"))
            } else {
                Issue.record("expected a refusal, got \(String(describing: recording.snapshot.failure))")
            }
        }
        #expect(harness.seen.heads.isEmpty)
    }

    private static let key = "sk-proj-a1b2c3d4e5f6"

    private func keyedRequest(_ harness: Harness, _ path: String) -> UpstreamRequest {
        UpstreamRequest(method: .get, url: "http://\(harness.address)\(path)", headers: ["authorization": "Bearer " + Self.key], body: [],
                        secretMasker: SecretMasker(secret: Self.key))
    }

    @Test func anErrorEchoingTheKeyComesBackMaskedInHeadersAndABodyThatArrivesInPieces() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording, pauseFirst: true)
        harness.start(keyedRequest(harness, "/echo-key"), delegate)
        #expect(waitUntil { recording.snapshot.pausedOnce })
        harness.onLoop { delegate.transfer?.resume() }
        #expect(waitUntil { recording.snapshot.finished })
        let mask = String(repeating: "*", count: Self.key.count)
        #expect(recording.snapshot.status == 401)
        #expect(recording.snapshot.headers.first("x-echo") == "Bearer " + mask)
        #expect(String(decoding: recording.snapshot.body, as: UTF8.self) == "bad key: \(mask) end")
    }

    @Test func aBodyEndingOnTheKeysFirstBytesIsDeliveredWholeEvenWhenTheLastPieceWaitsForResume() throws {
        let harness = try Harness()
        let recording = Recording()
        // The first piece the delegate sees is the held-back tail, offered after the provider finished.
        let delegate = RecordingDelegate(recording, pauseFirst: false)
        harness.start(keyedRequest(harness, "/key-prefix"), delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(String(decoding: recording.snapshot.body, as: UTF8.self) == "no: sk-proj-a1")

        let paused = Recording()
        let pausing = RecordingDelegate(paused, pauseFirst: true)
        harness.start(keyedRequest(harness, "/key-prefix"), pausing)
        #expect(waitUntil { paused.snapshot.pausedOnce })
        #expect(!paused.snapshot.finished, "the transfer is not finished while its last bytes wait")
        harness.onLoop { pausing.transfer?.resume() }
        #expect(waitUntil { paused.snapshot.finished })
        #expect(String(decoding: paused.snapshot.body, as: UTF8.self) == "no: sk-proj-a1")
        #expect(paused.snapshot.failure == nil)
    }

    @Test func successBodiesPassUnmasked() throws {
        let harness = try Harness()
        let recording = Recording()
        let delegate = RecordingDelegate(recording)
        var request = keyedRequest(harness, "/echo")
        request.method = .post
        request.body = Array("model \(Self.key)".utf8)
        harness.start(request, delegate)
        #expect(waitUntil { recording.snapshot.finished })
        #expect(recording.snapshot.body == Array("model \(Self.key)".utf8))
    }
}
