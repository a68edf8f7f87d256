/// A caller of the gateway with its own keys, model rights and request limits (`consumers[]`).
package struct ConsumerConfig: Hashable, Sendable {
    /// Unique among consumers; `anonymous` is reserved. The `consumer` label and the access log say it.
    package let name: String
    /// A directory relative to the secrets directory: every file in it whose name does not
    /// start with `.` holds one key (a Kubernetes Secret mounted as a directory). Read at load
    /// and on every secrets change; only the keys' SHA-256 digests are kept.
    package let keysDirectory: String
    /// Globs of the client models this consumer may ask for; nil: every model.
    package let allowedModels: [String]?
    /// Requests per window; none set: unlimited.
    package let rateLimits: RequestRateLimits

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(name: String, keysDirectory: String, allowedModels: [String]? = nil, rateLimits: RequestRateLimits = .init()) {
        self.name = name
        self.keysDirectory = keysDirectory
        self.allowedModels = allowedModels
        self.rateLimits = rateLimits
    }
}
