import COpenSSL
import Glibc

/// A client-side TLS configuration: TLS 1.2+, the server's certificate verified against a
/// CA file (or the system's CAs) and checked for the name or IP address dialled, and an
/// optional client certificate for servers that require one (Redis's `tls-auth-clients`).
///
/// `Sendable`: the `SSL_CTX` is only read after set-up (`SSL_new` is thread-safe).
package final class TLSClientContext: Sendable {
    private struct ContextPointer: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let context: ContextPointer

    /// Loads the CA file (PEM) to trust, or the system's CAs when nil, and the client
    /// certificate chain and key when given; throws a readable message when they are unusable.
    package init(caFile: String?, certificateFile: String? = nil, keyFile: String? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else { throw TLSError.openSSL("SSL_CTX_new") }
        _ = sluice_ssl_ctx_set_min_tls12(context)
        _ = sluice_ssl_ctx_set_mode(context)
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        let trusted = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
        guard trusted == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("CA file \(caFile ?? "(system)")")
        }
        if let certificateFile, let keyFile {
            guard SSL_CTX_use_certificate_chain_file(context, certificateFile) == 1,
                  SSL_CTX_use_PrivateKey_file(context, keyFile, sluice_ssl_filetype_pem()) == 1,
                  SSL_CTX_check_private_key(context) == 1 else {
                SSL_CTX_free(context)
                throw TLSError.openSSL("client certificate \(certificateFile) and key \(keyFile)")
            }
        }
        self.context = ContextPointer(pointer: context)
    }

    deinit { SSL_CTX_free(context.pointer) }

    /// A client session on a connected, non-blocking socket, verifying that the server's
    /// certificate names `host` (a DNS name, sent as SNI too, or an IP address).
    package func makeSession(fd: Int32, host: String) -> TLSSession? {
        guard let ssl = SSL_new(context.pointer) else { return nil }
        let isAddress = HostResolver.numeric(host: host, port: 0) != nil
        let checked = isAddress
            ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
            : (sluice_ssl_set_server_name(ssl, host) == 1 ? SSL_set1_host(ssl, host) : 0)
        guard checked == 1 else {
            SSL_free(ssl)
            return nil
        }
        return TLSSession(ssl: ssl, fd: fd, isClient: true)
    }
}
