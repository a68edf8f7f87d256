/// The proxy config: everything the sidecar does, as one immutable value.
///
/// The contract between `sluice-controller` (which writes it) and the sidecar (which reads
/// it from the mounted ConfigMap). Produced by `ProxyConfigDecoder`, which has checked every
/// rule in `docs/config.md`; a value built in code should go through
/// `ProxyConfigDecoder.validate(_:)` before use. A plain value: share it across threads freely.
package struct ProxyConfig: Hashable, Sendable {
    /// The only `apiVersion` this build understands.
    package static let apiVersion = "sluice.dev/v1alpha1"
    /// The only `kind` this build understands.
    package static let kind = "ProxyConfig"

    /// Where the sidecar listens.
    package let listeners: ListenersConfig
    /// Settings that apply unless a backend overrides them.
    package let defaults: DefaultsConfig
    /// Provider endpoints, in the order written; names are unique.
    package let backends: [BackendConfig]
    /// Routes, tried in the order written; the first whose conditions all hold wins.
    package let routes: [RouteConfig]
    /// Callers with their own keys, model rights and limits; names are unique. Empty: every
    /// request is anonymous.
    package let consumers: [ConsumerConfig]
    /// Whether requests without a key are admitted while consumers are configured.
    package let authentication: AuthenticationConfig
    /// The Redis the gateway's sidecars share limits through; nil: limits are per process.
    package let redis: RedisConfig?
    /// Content guards, each attached to the routes it names (or to all); names are unique.
    package let guards: [GuardConfig]
    /// The memory cache tier's bounds (`cache.memory`).
    package let cache: CacheMemoryConfig

    /// Every party with limits, in the order the data plane keeps their limiters: the
    /// consumers, then the anonymous limits when set.
    package var meteredParties: [ConsumerConfig] {
        authentication.anonymous.map { consumers + [$0] } ?? consumers
    }

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(listeners: ListenersConfig = .init(), defaults: DefaultsConfig = .init(),
                 backends: [BackendConfig], routes: [RouteConfig], consumers: [ConsumerConfig] = [],
                 authentication: AuthenticationConfig = .init(), redis: RedisConfig? = nil, guards: [GuardConfig] = [],
                 cache: CacheMemoryConfig = .default) {
        self.listeners = listeners
        self.defaults = defaults
        self.backends = backends
        self.routes = routes
        self.consumers = consumers
        self.authentication = authentication
        self.redis = redis
        self.guards = guards
        self.cache = cache
    }

    /// The index of the backend named `name` (config time only; the route table resolves
    /// names to indices once).
    package func backendIndex(named name: String) -> Int? {
        backends.firstIndex { $0.name == name }
    }

    /// The timeouts that apply to `backend`: its overrides over `defaults.timeouts`.
    package func timeouts(for backend: BackendConfig) -> TimeoutsConfig {
        defaults.timeouts.applying(backend.timeouts)
    }
}
