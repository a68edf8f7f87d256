/// Where a backend's key lives and how it is sent. The key itself is never in the config.
package struct CredentialsConfig: Hashable, Sendable {
    /// A path relative to the secrets directory (`--secrets-dir`); never absolute, never `..`.
    /// Read at load and on every secrets change, so a rotated key serves the next request.
    package let file: String
    /// The header scheme; defaults to the provider's (`ProviderKind.defaultCredentialHeader`).
    package let header: CredentialHeader

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(file: String, header: CredentialHeader) {
        self.file = file
        self.header = header
    }
}
