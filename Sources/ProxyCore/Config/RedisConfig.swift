/// The Redis (or Redis Cluster) the sidecars of one gateway share limits through (`redis`).
/// Absent: every counter lives in the sidecar's memory, exact for one pod.
///
/// A plain value; the password is a file reference into the secrets directory, read by the
/// loader with the other secrets (never inline in the config).
package struct RedisConfig: Hashable, Sendable {
    /// Whether the servers form a Redis Cluster.
    package enum Topology: String, Hashable, Sendable {
        /// One server (or a proxy in front of several): `cluster: false`.
        case standalone
        /// A Redis Cluster: `cluster: true`; a seed that is not a cluster node is an error.
        case cluster
        /// `cluster` absent: the first seed that answers `CLUSTER SHARDS` decides.
        case detect
    }

    /// What a request whose shared limit cannot be checked (Redis down, slow, refusing) gets.
    package enum FailMode: String, CaseIterable, Hashable, Sendable {
        /// Admitted, counted by the sidecar's in-process limiter (the limit then holds per pod);
        /// the failure is logged and counted (`sluice_redis_failures_total`).
        case open
        /// Refused with 503 `limits_unavailable`.
        case closed
    }

    /// How admissions consult Redis.
    package enum Mode: String, CaseIterable, Hashable, Sendable {
        /// Every admission runs the counter script on the consumer's node and waits for it:
        /// exact across sidecars, one round trip per limited request.
        case strict
        /// Admissions count locally against the last global total; every `syncInterval` the
        /// local counts are pushed and the global totals read back. No round trip on the
        /// request; the others' admissions of one interval are not seen (ADR 0009).
        case sync
    }

    /// Seed nodes, `host:port`: the server, or any nodes of the cluster.
    package let addresses: [RedisNodeAddress]
    package let topology: Topology
    /// An ACL username (Redis 6); nil: `default`.
    package let username: String?
    /// The password's file, relative to the secrets directory; nil: no `AUTH`.
    package let passwordFile: String?
    /// TLS (`rediss`), or nil for plain TCP.
    package let tls: RedisTLSConfig?
    /// The most a request waits for a counter's reply before `failMode` decides.
    package let timeout: ProxyDuration
    package let failMode: FailMode
    package let mode: Mode
    /// How often local counts are reconciled with Redis: sync mode's request limits, and in
    /// both modes the consumers' token counters (pushed, and the shared totals read back).
    package let syncInterval: ProxyDuration
    /// What every counter key starts with (`<keyPrefix>:{<consumer>}:<counter>`), so several
    /// gateways can share one Redis; never contains `{`.
    package let keyPrefix: String

    package static let defaultTimeout = ProxyDuration.milliseconds(250)
    package static let defaultSyncInterval = ProxyDuration.milliseconds(100)
    package static let defaultKeyPrefix = "sluice"

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(addresses: [RedisNodeAddress], topology: Topology = .detect, username: String? = nil, passwordFile: String? = nil,
                 tls: RedisTLSConfig? = nil, timeout: ProxyDuration = defaultTimeout, failMode: FailMode = .open,
                 mode: Mode = .strict, syncInterval: ProxyDuration = defaultSyncInterval, keyPrefix: String = defaultKeyPrefix) {
        self.addresses = addresses
        self.topology = topology
        self.username = username
        self.passwordFile = passwordFile
        self.tls = tls
        self.timeout = timeout
        self.failMode = failMode
        self.mode = mode
        self.syncInterval = syncInterval
        self.keyPrefix = keyPrefix
    }
}

/// TLS for the Redis connections (`redis.tls`).
package struct RedisTLSConfig: Hashable, Sendable {
    /// A CA bundle in the secrets directory; nil: the system's CAs.
    package let caFile: String?
    /// The name the servers' certificates must carry when it is not the address dialled.
    package let serverName: String?

    package init(caFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.serverName = serverName
    }
}
