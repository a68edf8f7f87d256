import COpenSSL
import Glibc
import Synchronization

/// A server-side TLS configuration (certificate chain and key, TLS 1.2+) that can be
/// reloaded from disk while running: connections accepted after a `reload()` use the new
/// certificate, connections already open keep theirs.
package final class TLSServerContext: Sendable {
    /// `SSL_CTX*` is reference-counted and safe to use from several threads for `SSL_new`.
    private struct ContextPointer: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    package let certificateFile: String
    package let keyFile: String
    private let current: Mutex<ContextPointer>  // read once per accepted connection, written on reload

    /// Loads the PEM certificate chain and key; throws a readable message when they are unusable.
    package init(certificateFile: String, keyFile: String) throws(TLSError) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        current = Mutex(ContextPointer(pointer: try Self.makeContext(certificateFile: certificateFile, keyFile: keyFile)))
    }

    deinit {
        current.withLock { SSL_CTX_free($0.pointer) }
    }

    /// Re-reads the files; on failure the old certificate keeps serving and the error is returned.
    package func reload() throws(TLSError) {
        let fresh = try Self.makeContext(certificateFile: certificateFile, keyFile: keyFile)
        let old = current.withLock { context in
            defer { context = ContextPointer(pointer: fresh) }
            return context.pointer
        }
        SSL_CTX_free(old)
    }

    /// A new server-side TLS session on an accepted, non-blocking socket.
    package func makeSession(fd: Int32) -> TLSSession? {
        let ssl: OpaquePointer? = current.withLock { SSL_new($0.pointer) }
        guard let ssl else { return nil }
        return TLSSession(ssl: ssl, fd: fd)
    }

    private static func makeContext(certificateFile: String, keyFile: String) throws(TLSError) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.openSSL("SSL_CTX_new") }
        _ = sluice_ssl_ctx_set_min_tls12(context)
        _ = sluice_ssl_ctx_set_options(context)
        _ = sluice_ssl_ctx_set_mode(context)
        guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("certificate \(certificateFile)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, keyFile, sluice_ssl_filetype_pem()) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("key \(keyFile)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("key \(keyFile) does not match certificate \(certificateFile)")
        }
        return context
    }
}

/// Why TLS could not be set up: what was being done, and OpenSSL's reason.
package enum TLSError: Error, CustomStringConvertible, Sendable {
    case openSSL(String)

    package var description: String {
        switch self {
        case .openSSL(let what): "\(what): \(TLSSession.lastOpenSSLError())"
        }
    }
}
