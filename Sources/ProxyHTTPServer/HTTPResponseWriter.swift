import ProxyCore

/// Writes one response on a connection: a head, then body bytes, then `finish()`.
///
/// Loop-confined: use only on the connection's event loop. After the client is gone
/// (`isConnected == false`) every call is a no-op, so producers need no extra checks.
package final class HTTPResponseWriter {
    private enum State { case initial, body(chunked: Bool), finished }

    /// Strong, and cleared when the response ends or the connection closes (`detach`), so it
    /// never outlives its use. Not weak: a weak reference gives the connection a side table,
    /// which sends every retain and release of it down the runtime's slow path.
    private var connection: HTTPConnection?
    private var state = State.initial
    /// HEAD responses and 1xx/204/304 carry no body (RFC 9110 §6.4.1).
    private var bodySuppressed: Bool
    private var requestVersionIsHTTP10: Bool

    init(connection: HTTPConnection, isHEAD: Bool, isHTTP10: Bool) {
        self.connection = connection
        self.bodySuppressed = isHEAD
        self.requestVersionIsHTTP10 = isHTTP10
    }

    /// Makes a finished writer nobody else holds ready for the connection's next response.
    func restart(connection: HTTPConnection, isHEAD: Bool, isHTTP10: Bool) {
        self.connection = connection
        state = .initial
        bodySuppressed = isHEAD
        requestVersionIsHTTP10 = isHTTP10
    }

    /// False once the client disconnected or the response finished.
    package var isConnected: Bool {
        if case .finished = state { return false }
        return connection != nil
    }

    /// False when unsent bytes exceed the high watermark: stop producing until
    /// `HTTPExchange.responseWritable()` is called.
    package var isWritable: Bool { connection?.hasRoomForMoreOutput ?? false }

    package var headSent: Bool {
        if case .initial = state { return false }
        return true
    }

    /// Sends the status line and headers. `contentLength` nil streams the body:
    /// chunked for HTTP/1.1 clients, delimited by closing the connection for HTTP/1.0.
    /// The server writes the framing fields itself; the handler's give way to them.
    package func writeHead(_ head: HTTPResponseHead, contentLength: Int?) {
        guard case .initial = state, let connection else { return }
        // RFC 9110 §8.6: no Content-Length in a 1xx or 204 response.
        let noLength = head.status == 204 || head.status < 200
        if noLength || head.status == 304 { bodySuppressed = true }
        let body: HTTPResponseFraming.Body
        if noLength {
            body = .asGiven
        } else if let contentLength {
            body = .contentLength(contentLength)
        } else if bodySuppressed {
            body = .asGiven
        } else if requestVersionIsHTTP10 {
            connection.keepAlive = false
            body = .closeDelimited
        } else {
            body = .chunked
        }
        if case .chunked = body { state = .body(chunked: true) } else { state = .body(chunked: false) }
        connection.sendHead(head, body: body, flushNow: contentLength == nil || bodySuppressed || contentLength == 0)
    }

    /// Sends body bytes as they are (one chunk when chunked). Empty input sends nothing.
    package func writeBody(_ bytes: UnsafeRawBufferPointer) {
        guard case .body(let chunked) = state, !bodySuppressed, !bytes.isEmpty, let connection else { return }
        connection.sendBody(bytes, chunked: chunked)
    }

    package func writeBody(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { writeBody($0) }
    }

    /// Ends the response; the connection then serves the next request or closes.
    package func finish() {
        guard case .body(let chunked) = state else {
            if case .initial = state { preconditionFailure("finish() before writeHead()") }
            return
        }
        state = .finished
        let connection = self.connection
        self.connection = nil
        connection?.endResponse(chunked: chunked && !bodySuppressed)
    }

    /// A complete response with a body held in memory, in one write.
    package func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        writeHead(HTTPResponseHead(status: status, headers: headers), contentLength: body.count)
        writeBody(body)
        finish()
    }

    /// Ends the connection with a TCP reset instead of a response (fault injection, and
    /// the honest end of a response that cannot be completed).
    package func resetConnection() {
        state = .finished
        connection?.reset()
        connection = nil
    }

    /// Marks the response done without touching the connection (it was closed).
    func detach() {
        state = .finished
        connection = nil
    }
}
