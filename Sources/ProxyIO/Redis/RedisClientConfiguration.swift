import ProxyCore

/// How a `RedisClient` finds its servers and routes commands.
package struct RedisClientConfiguration: Sendable {
    /// Whether the servers form a Redis Cluster.
    package enum Mode: Hashable, Sendable {
        /// One server (or a proxy in front of several): every command goes to the first seed.
        case standalone
        /// A Redis Cluster: the slot map is read from the seeds, and a seed that is not a
        /// cluster node is an error.
        case cluster
        /// Ask the first seed that answers: a server with cluster support disabled is
        /// standalone, a cluster node gives the slot map.
        case detect
    }

    /// How every connection is made; its `address` is the first seed, and each cluster node
    /// gets a copy with its own address.
    package var connection: RedisConnectionConfiguration
    /// More nodes to ask for the slot map when the first seed does not answer.
    package var additionalSeeds: [RedisNodeAddress]
    package var mode: Mode
    /// The most `MOVED`/`ASK`/`TRYAGAIN` hops one command may take.
    package var maxRedirections: Int
    /// The least time between two readings of the slot map (a burst of `MOVED`s while a
    /// slot migrates causes one, not one per command).
    package var minimumRefreshInterval: ProxyDuration

    package init(connection: RedisConnectionConfiguration, mode: Mode = .detect, additionalSeeds: [RedisNodeAddress] = [],
                 maxRedirections: Int = 5, minimumRefreshInterval: ProxyDuration = .milliseconds(100)) {
        precondition(maxRedirections >= 1, "a cluster client must follow at least one redirection")
        self.connection = connection
        self.mode = mode
        self.additionalSeeds = additionalSeeds
        self.maxRedirections = maxRedirections
        self.minimumRefreshInterval = minimumRefreshInterval
    }

    /// The seeds, first the connection's own address.
    package var seeds: [RedisNodeAddress] {
        var seen: [RedisNodeAddress] = []
        for seed in [connection.address] + additionalSeeds where !seen.contains(seed) { seen.append(seed) }
        return seen
    }
}
