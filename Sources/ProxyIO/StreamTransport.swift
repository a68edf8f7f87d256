/// What one read or write on a connected socket did, plain TCP or TLS alike.
package enum TransportOutcome {
    case bytes(Int)
    /// Try again on readiness. `needsWritable`: a TLS read that must wait until the socket is
    /// writable (a handshake or an alert to send first).
    case wouldBlock(needsWritable: Bool)
    /// The peer closed (cleanly or not).
    case closed
    case failed(String)
}

/// Reads and writes on a connected non-blocking socket, through its TLS session when it has
/// one: the one place the HTTP server's and the Redis client's connections do I/O.
///
/// Call on the thread that owns the socket.
package enum StreamTransport {
    /// Reads into `buffer`; a plain read of 0 bytes is `.closed`.
    package static func read(_ fd: Int32, tls: TLSSession?, into buffer: UnsafeMutableRawBufferPointer) -> TransportOutcome {
        if let tls {
            switch tls.read(into: buffer) {
            case .done(let count): return .bytes(count)
            case .wouldBlock(let wantsWrite): return .wouldBlock(needsWritable: wantsWrite)
            case .closed: return .closed
            case .failed(let reason): return .failed("TLS: \(reason)")
            }
        }
        do {
            switch try Socket.read(fd, into: buffer) {
            case .done(0): return .closed
            case .done(let count): return .bytes(count)
            case .wouldBlock: return .wouldBlock(needsWritable: false)
            }
        } catch {
            return .failed(error.description)
        }
    }

    /// Writes what it can of `bytes` (a peer that closed gives `.failed`, never SIGPIPE).
    package static func write(_ fd: Int32, tls: TLSSession?, _ bytes: UnsafeRawBufferPointer) -> TransportOutcome {
        if let tls {
            switch tls.write(bytes) {
            case .done(let count): return .bytes(count)
            case .wouldBlock: return .wouldBlock(needsWritable: false)
            case .closed: return .closed
            case .failed(let reason): return .failed("TLS: \(reason)")
            }
        }
        do {
            switch try Socket.send(fd, bytes) {
            case .done(let count): return .bytes(count)
            case .wouldBlock: return .wouldBlock(needsWritable: false)
            }
        } catch {
            return .failed(error.description)
        }
    }
}
