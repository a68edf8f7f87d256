import ConfigSource
import ProxyCore

/// One immutable configuration of the data plane: built off the request path, published
/// to every loop as a single object, captured once per request, and released by ARC when
/// the last request that started on it ends (STYLE.md rule 5).
final class ProxySnapshot: Sendable {
    let loaded: LoadedConfig
    let routes: RouteTable
    /// Indexed like `config.backends` and `RouteDecision.backendIndex`.
    let backends: [BackendRuntime]
    let maxRequestBodyBytes: Int
    /// Wall-clock time of the load, in seconds since the epoch.
    let loadedAt: UInt64

    var config: ProxyConfig { loaded.config }

    init(_ loaded: LoadedConfig, loadedAt: UInt64) throws(ProxyConfigError) {
        self.loaded = loaded
        routes = try RouteTable(loaded.config)
        backends = loaded.config.backends.map { BackendRuntime($0, config: loaded.config, loaded: loaded) }
        maxRequestBodyBytes = loaded.config.defaults.maxRequestBodyBytes
        self.loadedAt = loadedAt
    }
}
