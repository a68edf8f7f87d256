import COpenSSL
import Glibc

/// One TLS connection over a non-blocking socket, server side (accepted connections) or
/// client side (the Redis client); the handshake happens inside the first reads and writes.
///
/// Loop-confined, like the connection that owns it.
package final class TLSSession {
    /// What a read or write did.
    package enum Outcome {
        case done(Int)
        /// Try again when the socket is readable (`wantsWrite == false`) or writable.
        case wouldBlock(wantsWrite: Bool)
        /// The peer closed (cleanly or not).
        case closed
        case failed(String)
    }

    private let ssl: OpaquePointer

    init(ssl: OpaquePointer, fd: Int32, isClient: Bool = false) {
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if isClient {
            SSL_set_connect_state(ssl)
        } else {
            SSL_set_accept_state(ssl)
        }
    }

    deinit { SSL_free(ssl) }

    package func read(into buffer: UnsafeMutableRawBufferPointer) -> Outcome {
        ERR_clear_error()  // SSL_get_error reads the thread's error queue: it must start empty
        let result = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        return result > 0 ? .done(Int(result)) : outcome(of: result)
    }

    package func write(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard !bytes.isEmpty else { return .done(0) }
        ERR_clear_error()
        let result = SSL_write(ssl, bytes.baseAddress, Int32(min(bytes.count, Int(Int32.max))))
        return result > 0 ? .done(Int(result)) : outcome(of: result)
    }

    /// Decrypted bytes already buffered inside OpenSSL, which epoll cannot report.
    package var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    /// Sends close_notify if it can without blocking.
    package func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
    }

    private func outcome(of result: Int32) -> Outcome {
        let error = SSL_get_error(ssl, result)
        switch error {
        case sluice_ssl_error_want_read(): return .wouldBlock(wantsWrite: false)
        case sluice_ssl_error_want_write(): return .wouldBlock(wantsWrite: true)
        case sluice_ssl_error_zero_return(): return .closed
        case SSL_ERROR_SYSCALL:
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock(wantsWrite: false) }
            return .closed
        default:
            return .failed(Self.lastOpenSSLError())
        }
    }

    /// OpenSSL's most recent error as text (and clears the queue).
    package static func lastOpenSSLError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "unknown OpenSSL error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
