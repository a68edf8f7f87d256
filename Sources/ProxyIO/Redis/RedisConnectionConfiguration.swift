import ProxyCore

/// How a `RedisConnection` reaches its server and how patient it is.
///
/// An immutable value; the same configuration serves every node of a cluster (with the
/// node's address substituted).
package struct RedisConnectionConfiguration: Sendable {
    /// The server: a numeric address, or a name resolved once, off the loop.
    package var address: RedisNodeAddress
    /// `AUTH` after connecting, when the server requires it.
    package var credentials: RedisCredentials?
    /// `SELECT`ed after connecting when not 0 (standalone servers only: a cluster has only 0).
    package var database: Int
    /// Try `HELLO 3` first (RESP3) and fall back to RESP2 when the server does not know it;
    /// `.resp2` skips `HELLO`.
    package var protocolVersion: RESPProtocolVersion
    /// TLS (`rediss://`), or nil for plain TCP.
    package var tls: RedisTLSConfiguration?
    /// From the start of a connection attempt to the end of its handshake.
    package var connectTimeout: ProxyDuration
    /// From submitting a command to its reply, unless the command sets its own.
    package var commandTimeout: ProxyDuration
    /// The wait before each reconnection attempt (full jitter, doubling up to its maximum).
    package var reconnectBackoff: Backoff
    /// The most commands waiting for a connection or for their replies; more are refused
    /// with `.overloaded` rather than queued without bound.
    package var maxPendingCommands: Int
    /// Caps on what the server may send in one reply.
    package var decoderLimits: RESPDecoderLimits

    package init(address: RedisNodeAddress, credentials: RedisCredentials? = nil, database: Int = 0,
                 protocolVersion: RESPProtocolVersion = .resp3, tls: RedisTLSConfiguration? = nil,
                 connectTimeout: ProxyDuration = .seconds(2), commandTimeout: ProxyDuration = .milliseconds(500),
                 reconnectBackoff: Backoff = Backoff(base: .milliseconds(50), max: .seconds(2)),
                 maxPendingCommands: Int = 10_000, decoderLimits: RESPDecoderLimits = RESPDecoderLimits()) {
        precondition(database >= 0, "a Redis database number is not negative")
        precondition(maxPendingCommands > 0, "maxPendingCommands must be positive")
        self.address = address
        self.credentials = credentials
        self.database = database
        self.protocolVersion = protocolVersion
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
        self.maxPendingCommands = maxPendingCommands
        self.decoderLimits = decoderLimits
    }
}
