/// Where a backend's keys live and how they are sent. The keys themselves are never in the config.
package struct CredentialsConfig: Hashable, Sendable {
    /// Paths relative to the secrets directory (`--secrets-dir`); never absolute, never `..`.
    /// One key per file (`file`), or several (`files`) used in turn. Read at load and on every
    /// secrets change, so a rotated key serves the next request.
    package let files: [String]
    /// The header scheme; defaults to the provider's (`ProviderKind.defaultCredentialHeader`).
    package let header: CredentialHeader
    /// How long a key the provider refused (401, 403) is set aside when the backend has others.
    package let cooldown: ProxyDuration

    /// `cooldown` when the config names none.
    package static let defaultCooldown = ProxyDuration.seconds(60)
    /// The most keys one backend may have.
    package static let maxFiles = 16

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(files: [String], header: CredentialHeader, cooldown: ProxyDuration = defaultCooldown) {
        self.files = files
        self.header = header
        self.cooldown = cooldown
    }

    /// One key file.
    package init(file: String, header: CredentialHeader) {
        self.init(files: [file], header: header)
    }
}
