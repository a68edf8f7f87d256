/// The three addresses the sidecar binds.
package struct ListenersConfig: Hashable, Sendable {
    /// The OpenAI-compatible proxy the app talks to. Default `127.0.0.1:4000`.
    package let app: ListenerAddress
    /// Admin endpoints (`/config`, `/explain`, `/ready`); always a loopback address. Default `127.0.0.1:4001`.
    package let admin: ListenerAddress
    /// Prometheus `/metrics`, `/healthz`, `/readyz`. Default `0.0.0.0:4090`.
    package let metrics: ListenerAddress

    /// `127.0.0.1:4000`.
    package static let defaultApp = ListenerAddress(host: "127.0.0.1", port: 4000)
    /// `127.0.0.1:4001`.
    package static let defaultAdmin = ListenerAddress(host: "127.0.0.1", port: 4001)
    /// `0.0.0.0:4090`.
    package static let defaultMetrics = ListenerAddress(host: "0.0.0.0", port: 4090)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(app: ListenerAddress = defaultApp, admin: ListenerAddress = defaultAdmin,
                 metrics: ListenerAddress = defaultMetrics) {
        self.app = app
        self.admin = admin
        self.metrics = metrics
    }
}
