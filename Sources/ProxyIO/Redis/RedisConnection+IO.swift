import ProxyCore

/// Reading, writing and readiness: the part of `RedisConnection` that touches the socket.
extension RedisConnection {
    /// Called on the loop's thread when the socket is ready.
    package func handleIOEvents(_ events: IOEvents) {
        switch state {
        case .connecting:
            // Writable or an error: SO_ERROR says which.
            finishConnect()
        case .handshaking, .ready:
            let current = generation
            // Pending output goes first; with TLS a write may also wait for a read.
            if outboundOffset < outbound.count { flush() }
            guard generation == current else { return }
            if events.contains(.readable) || events.contains(.hangup) || events.contains(.error) ||
                (readWaitsForWritable && events.contains(.writable)) {
                readWaitsForWritable = false
                readAvailable()
            }
        case .idle, .waitingToReconnect, .closed:
            break
        }
    }

    /// Writes what it can of the outbound buffer; waits for writability for the rest.
    ///
    /// With `deferringFailure` (a caller's `send`), a broken socket fails the connection on
    /// the loop's next turn instead of inside the caller's call.
    func flush(deferringFailure: Bool = false) {
        guard fd >= 0, state == .handshaking || state == .ready else { return }
        while outboundOffset < outbound.count {
            let offset = outboundOffset
            let result = outbound.withUnsafeBytes { StreamTransport.write(fd, tls: tls, UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            switch result {
            case .bytes(let count):
                outboundOffset += count
            case .wouldBlock:
                updateInterest()
                return
            case .closed:
                return writeFailed("the server closed the connection", deferred: deferringFailure)
            case .failed(let reason):
                return writeFailed(reason, deferred: deferringFailure)
            }
        }
        outbound.removeAll(keepingCapacity: outbound.capacity <= 64 << 10)
        outboundOffset = 0
        updateInterest()
    }

    private func writeFailed(_ reason: String, deferred: Bool) {
        guard deferred else { return fail(reason) }
        let current = generation
        loop.schedule(after: .zero) { [self] in
            if generation == current { fail(reason) }
        }
    }

    private func readAvailable() {
        let current = generation
        while generation == current {
            let result = readBuffer.withUnsafeMutableBytes { StreamTransport.read(fd, tls: tls, into: $0) }
            switch result {
            case .bytes(let count):
                decoder.feed(readBuffer[0..<count])
                drainReplies()
                // A short read drained the socket; TLS may still hold decrypted bytes epoll cannot see.
                if count < readBuffer.count && !(tls?.hasBufferedInput ?? false) { return }
            case .wouldBlock(let needsWritable):
                if needsWritable {
                    readWaitsForWritable = true
                    updateInterest()
                }
                return
            case .closed:
                return fail("the server closed the connection")
            case .failed(let reason):
                return fail(reason)
            }
        }
    }

    /// Hands every complete reply to its command, until the decoder needs more bytes or a
    /// callback ended the connection.
    private func drainReplies() {
        let current = generation
        while generation == current {
            let reply: RESPValue?
            do {
                reply = try decoder.next()
            } catch {
                return fail("malformed reply from the server: \(error)")
            }
            guard let reply else { return }
            dispatch(reply)
        }
    }

    func updateInterest() {
        guard fd >= 0 else { return }
        let wanted = outboundOffset < outbound.count || readWaitsForWritable ? IOEvents.readable.union(.writable) : IOEvents.readable
        guard wanted != interest else { return }
        do {
            try loop.modify(fd: fd, interest: wanted)
            interest = wanted
        } catch {
            fail(error.description)
        }
    }
}
