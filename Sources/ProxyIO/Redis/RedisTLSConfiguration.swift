/// TLS for Redis connections (`rediss://`): the client context, and the name the server's
/// certificate must carry when it differs from the host dialled (cluster nodes announce IP
/// addresses that a certificate may not list).
package struct RedisTLSConfiguration: Sendable {
    package var context: TLSClientContext
    /// Verify the certificate against this name instead of the host dialled.
    package var serverName: String?

    package init(context: TLSClientContext, serverName: String? = nil) {
        self.context = context
        self.serverName = serverName
    }
}
