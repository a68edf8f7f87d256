import ProxyCore
import ProxyIO

/// One accepted client connection: reads and parses requests, writes responses in order.
///
/// Owned by one event loop for its whole life; no locks. Requests are
/// served one at a time: bytes of a pipelined next request wait in `inbound` until the
/// current response ends, which keeps responses in request order (RFC 9112 §9.3.2).
/// While a response is produced the connection keeps reading (so a client that goes
/// away is noticed at once) but stops once `pipelineLimit` bytes wait, which bounds
/// memory without toggling epoll interest on every request.
/// Buffers are allocated when data arrives and released when the connection is idle.
final class HTTPConnection: IOEventHandler {
    enum DeadlineKind { case header, body, idle, writeStall }

    let fd: Int32
    /// `unowned(unsafe)`: the worker owns every connection it accepts and outlives them.
    unowned(unsafe) let worker: HTTPServerWorker
    private var parser: HTTP1RequestParser
    private var inbound: [UInt8] = []
    private var outbound: [UInt8] = []
    private var outboundOffset = 0
    private var exchange: (any HTTPExchange)?
    /// The head of the request `exchange` serves, for the shape of an error answered midway.
    private var exchangeHead: HTTPRequestHead?
    private var writer: HTTPResponseWriter?
    /// The last response's writer, reused for the next one when no exchange still holds it.
    private var spareWriter: HTTPResponseWriter?
    /// The current request's body has been read to its end.
    private var requestComplete = false
    /// Set while `process` runs, so a response that ends inside a callback does not re-enter it.
    private var processing = false
    private var producerPaused = false
    private var closeAfterFlush = false
    private(set) var closed = false
    private var interest = IOEvents.readable.union(.readHangup)
    var keepAlive = true
    /// TLS on this connection, or nil for plain TCP.
    private let tls: TLSSession?
    /// TLS needs the socket writable before it can go on reading (a handshake or alert).
    private var readWaitsForWritable = false
    private(set) var deadline: ProxyInstant?
    private(set) var deadlineKind = DeadlineKind.header

    init(fd: Int32, worker: HTTPServerWorker, tls: TLSSession? = nil) {
        self.fd = fd
        self.worker = worker
        self.tls = tls
        self.parser = HTTP1RequestParser(limits: worker.requestLimits)
        setDeadline(.header, after: worker.configuration.headerTimeout)
    }

    /// Idle: no request in progress and nothing buffered either way.
    var isIdle: Bool { exchange == nil && inbound.isEmpty && outboundOffset == outbound.count }

    var hasRoomForMoreOutput: Bool { outbound.count - outboundOffset <= worker.configuration.writeHighWatermark }

    // MARK: Events

    func handleIOEvents(_ events: IOEvents) {
        if events.contains(.writable) { flush() }
        if closed { return }
        if events.contains(.readable) || (readWaitsForWritable && events.contains(.writable)) {
            readWaitsForWritable = false
            readAvailable()
        } else if events.contains(.readHangup) || events.contains(.hangup) || events.contains(.error) {
            // Not reading (a response is in progress) and the client went away.
            abort()
        }
    }

    private func readAvailable() {
        while !closed && interest.contains(.readable) {
            let scratch = worker.scratch
            let count: Int
            switch receive(into: scratch) {
            case .bytes(let n): count = n
            case .wouldBlock: return
            case .closed:
                peerClosed()
                return
            case .failed:
                abort()
                return
            }
            let received = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
            if exchange != nil && requestComplete {
                // A pipelined request while this one is answered: keep it for later.
                inbound.append(contentsOf: received)
                updateInterest()
                continue
            }
            if deadlineKind == .idle || (exchange == nil && inbound.isEmpty && deadlineKind != .header) {
                // First byte of a new request: the header clock starts now and is not
                // extended by later bytes, so a slow trickle cannot hold the connection.
                setDeadline(.header, after: worker.configuration.headerTimeout)
            } else if deadlineKind == .body {
                setDeadline(.body, after: worker.configuration.bodyTimeout)
            }
            if inbound.isEmpty {
                process(received, fromScratch: true)
            } else {
                inbound.append(contentsOf: received)
                let buffered = inbound
                inbound = []
                buffered.withUnsafeBytes { process($0, fromScratch: false) }
            }
            // A short read drained the socket; TLS may still hold decrypted bytes epoll cannot see.
            if count < scratch.count && !(tls?.hasBufferedInput ?? false) { return }
        }
    }

    private enum Received { case bytes(Int), wouldBlock, closed, failed }

    private func receive(into buffer: UnsafeMutableRawBufferPointer) -> Received {
        switch StreamTransport.read(fd, tls: tls, into: buffer) {
        case .bytes(let count): return .bytes(count)
        case .wouldBlock(let needsWritable):
            if needsWritable {
                readWaitsForWritable = true
                updateInterest()
            }
            return .wouldBlock
        case .closed: return .closed
        case .failed: return .failed
        }
    }

    /// Sends what it can; nil when the connection failed.
    private func send(_ bytes: UnsafeRawBufferPointer) -> IOResult<Int>? {
        switch StreamTransport.write(fd, tls: tls, bytes) {
        case .bytes(let count): return .done(count)
        case .wouldBlock: return .wouldBlock
        case .closed, .failed: return nil
        }
    }

    /// Parses as much of `buffer` as the current request allows; keeps the rest.
    private func process(_ buffer: UnsafeRawBufferPointer, fromScratch: Bool) {
        processing = true
        var offset = 0
        parsing: while !closed && !(exchange != nil && requestComplete) {
            let step = parser.parse(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            let base = offset
            offset += step.consumed
            switch step.event {
            case .needMoreData:
                break parsing
            case .head(let head):
                startExchange(head)
            case .body(let range):
                exchange?.requestBodyPart(UnsafeRawBufferPointer(rebasing: buffer[(base + range.lowerBound)..<(base + range.upperBound)]))
            case .end(let trailers):
                requestComplete = true
                clearDeadline()
                if let exchange {
                    exchange.requestEnded(trailers: trailers)
                }
            case .error(let error):
                failRequest(error, pendingHead: UnsafeRawBufferPointer(rebasing: buffer[offset...]))
                break parsing
            }
        }
        processing = false
        if closed { return }
        if offset < buffer.count {
            // Only the unparsed tail is kept; it is at most one request head or a pipelined request.
            inbound = Array(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
        } else if !fromScratch {
            inbound = []
        }
        updateInterest()
    }

    private func startExchange(_ head: HTTPRequestHead) {
        requestComplete = false
        keepAlive = head.keepAlive && !worker.draining
        if head.framing != .none {
            setDeadline(.body, after: worker.configuration.bodyTimeout)
            if head.expectsContinue {
                // RFC 9110 §10.1.1: tell the client to send the body it is holding back.
                takeOutboundBuffer()
                outbound.append(contentsOf: "HTTP/1.1 100 Continue\r\n\r\n".utf8)
            }
        } else {
            clearDeadline()
        }
        let writer: HTTPResponseWriter
        if isKnownUniquelyReferenced(&spareWriter), let spare = spareWriter {
            spare.restart(connection: self, isHEAD: head.method == .head, isHTTP10: head.version == .http1_0)
            writer = spare
        } else {
            writer = HTTPResponseWriter(connection: self, isHEAD: head.method == .head, isHTTP10: head.version == .http1_0)
        }
        spareWriter = nil
        self.writer = writer
        exchangeHead = head
        exchange = worker.handler.startExchange(head: head, response: writer)
    }

    /// A malformed request: answer with its status and close, since framing can no longer be trusted.
    /// `pendingHead` holds the unconsumed bytes, the rejected head's when no exchange has begun.
    private func failRequest(_ error: HTTP1ParseError, pendingHead: UnsafeRawBufferPointer) {
        answerAndClose(status: error.status, code: error.code.rawValue, message: error.message,
                       shape: errorShape(pendingHead: pendingHead))
    }

    /// The shape of an error answered before or while a request is served: from the exchange's
    /// head, else from the request line of the head still arriving in `pendingHead`, where
    /// the path is known (`ClientErrorShape(requestPath:headers:)`); OpenAI's otherwise.
    private func errorShape(pendingHead: UnsafeRawBufferPointer) -> ClientErrorShape {
        if exchange != nil, let head = exchangeHead { return ClientErrorShape(requestPath: head.path, headers: head.headers) }
        guard let path = parser.pathOfPendingHead(pendingHead) else { return .openAI }
        return ClientErrorShape(requestPath: path, headers: nil)
    }

    /// Replaces whatever response was under way with an error and closes after sending it;
    /// if the response head already went out, the only honest signal left is to close.
    private func answerAndClose(status: Int, code: String, message: String, shape: ClientErrorShape) {
        if let writer, writer.headSent {
            abort()
            return
        }
        let current = exchange
        exchange = nil
        writer?.detach()
        current?.connectionClosed()
        keepAlive = false
        requestComplete = true
        clearDeadline()
        let errorWriter = HTTPResponseWriter(connection: self, isHEAD: false, isHTTP10: false)
        writer = errorWriter
        errorWriter.respondWithError(status: status, code: code, message: message, shape: shape)
    }

    private func peerClosed() {
        if exchange == nil && inbound.isEmpty {
            close()
        } else {
            abort()
        }
    }

    // MARK: Writing

    /// Queues the response head; it leaves with the first body bytes, or at once when
    /// `flushNow` (a streamed response whose first bytes may be a while coming).
    func sendHead(_ head: HTTPResponseHead, body: HTTPResponseFraming.Body, flushNow: Bool) {
        if worker.draining { keepAlive = false }
        let framing = HTTPResponseFraming(body: body, closesConnection: !keepAlive, date: worker.currentDate())
        takeOutboundBuffer()
        HTTP1ResponseSerializer.writeHead(head, framing: framing, into: &outbound)
        if flushNow { flush() }
    }

    func sendBody(_ bytes: UnsafeRawBufferPointer, chunked: Bool) {
        takeOutboundBuffer()
        if chunked {
            HTTP1ResponseSerializer.writeChunk(bytes, into: &outbound)
        } else {
            outbound.append(contentsOf: bytes)
        }
        flush()
        if !hasRoomForMoreOutput { producerPaused = true }
    }

    func endResponse(chunked: Bool) {
        if chunked { HTTP1ResponseSerializer.writeLastChunk(into: &outbound) }
        exchange = nil
        exchangeHead = nil
        spareWriter = writer
        writer = nil
        producerPaused = false
        if !requestComplete {
            // The handler answered before reading the whole body; the rest cannot be skipped safely.
            keepAlive = false
        }
        if !keepAlive || worker.draining {
            closeAfterFlush = true
        } else {
            parser = HTTP1RequestParser(limits: worker.requestLimits)
            setDeadline(.idle, after: worker.configuration.idleTimeout)
        }
        flush()
        if closed || closeAfterFlush || processing { return }
        if !inbound.isEmpty {
            let buffered = inbound
            inbound = []
            buffered.withUnsafeBytes { process($0, fromScratch: false) }
        } else {
            updateInterest()
        }
    }

    private func flush() {
        while outboundOffset < outbound.count {
            guard let result = outbound.withUnsafeBytes({ send(UnsafeRawBufferPointer(rebasing: $0[outboundOffset...])) }) else {
                abort()
                return
            }
            guard case .done(let written) = result else {
                if deadlineKind != .writeStall || deadline == nil {
                    setDeadline(.writeStall, after: worker.configuration.writeStallTimeout)
                }
                updateInterest()
                return
            }
            outboundOffset += written
            if deadlineKind == .writeStall { setDeadline(.writeStall, after: worker.configuration.writeStallTimeout) }
        }
        // Everything is sent: the buffer goes back to the worker if the connection is going idle.
        if exchange == nil {
            worker.recycleOutboundBuffer(&outbound)
        } else {
            outbound.removeAll(keepingCapacity: true)
        }
        outboundOffset = 0
        if deadlineKind == .writeStall { clearDeadline() }
        if closeAfterFlush {
            close()
            return
        }
        updateInterest()
        if producerPaused, let exchange, outbound.count <= worker.configuration.writeLowWatermark {
            producerPaused = false
            exchange.responseWritable()
        }
    }

    /// Gives `outbound` memory from the worker's spares if it has none: a keep-alive
    /// connection releases its buffer between requests, and a spare costs no malloc.
    @inline(__always)
    private func takeOutboundBuffer() {
        if outbound.capacity == 0 { outbound = worker.takeOutboundBuffer() }
    }

    private func updateInterest() {
        guard !closed else { return }
        // Built from raw values: an OptionSet array literal allocates an array each time.
        var wanted = IOEvents.readHangup
        if inbound.count < worker.configuration.pipelineLimit { wanted.formUnion(.readable) }
        if outboundOffset < outbound.count || readWaitsForWritable { wanted.formUnion(.writable) }
        if wanted != interest {
            interest = wanted
            try? worker.loop.modify(fd: fd, interest: wanted)
        }
    }

    // MARK: Deadlines and closing

    private func setDeadline(_ kind: DeadlineKind, after duration: ProxyDuration) {
        deadlineKind = kind
        deadline = worker.loop.wakeTime.advanced(by: duration)
    }

    private func clearDeadline() {
        deadline = nil
    }

    /// Called by the worker's sweep when `deadline` has passed.
    func deadlineExpired() {
        switch deadlineKind {
        case .header, .body:
            if exchange == nil && inbound.isEmpty && outboundOffset == outbound.count {
                close()  // nothing was sent on this connection yet: no one to answer
            } else {
                let shape = inbound.withUnsafeBytes { errorShape(pendingHead: $0) }
                answerAndClose(status: 408, code: "request_timeout", message: "the request was not received in time", shape: shape)
            }
        case .idle:
            close()
        case .writeStall:
            abort()
        }
    }

    /// Closes at once, telling an unfinished exchange that its client is gone.
    func abort() {
        let current = exchange
        exchange = nil
        writer?.detach()
        writer = nil
        close()
        current?.connectionClosed()
    }

    /// Closes with a TCP RST (SO_LINGER 0) rather than an orderly FIN.
    func reset() {
        exchange = nil
        writer = nil
        Socket.setLingerZero(fd)
        close()
    }

    /// Ends the connection if it is idle (used when draining).
    func closeIfIdle() {
        if isIdle { close() } else { keepAlive = false }
    }

    func close() {
        guard !closed else { return }
        closed = true
        // The writer's reference back to this connection must not outlive it.
        writer?.detach()
        writer = nil
        spareWriter = nil
        worker.loop.deregister(fd: fd)
        tls?.shutdown()
        Socket.close(fd)
        inbound = []
        worker.recycleOutboundBuffer(&outbound)
        outboundOffset = 0
        worker.connectionClosed(self)
    }
}
