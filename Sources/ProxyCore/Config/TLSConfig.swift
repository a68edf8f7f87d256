/// TLS settings for an `https` backend.
package struct TLSConfig: Hashable, Sendable {
    /// A PEM bundle of CA certificates to trust instead of the system's, relative to the
    /// secrets directory. Nil: the system trust store.
    package let caFile: String?
    /// Skip certificate verification. Only ever true when the config says so explicitly;
    /// the sidecar logs a warning naming the backend at every load.
    package let insecureSkipVerify: Bool

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(caFile: String? = nil, insecureSkipVerify: Bool = false) {
        self.caFile = caFile
        self.insecureSkipVerify = insecureSkipVerify
    }
}
