import ProxyCore

/// Why a Redis command got no usable reply. A server's error reply (`-ERR …`) is not a
/// failure at this level: it arrives as `RESPValue.error`.
///
/// Each case says whether the command may have run, which decides whether a caller may
/// count it as done: `.timeout` and `.connectionLost` may have; the others did not.
package enum RedisFailure: Error, Hashable, Sendable, CustomStringConvertible {
    /// No reply within the command's timeout. The command may have run. The connection is
    /// closed and re-established, since later replies could no longer be matched.
    case timeout
    /// The connection broke while the command was in flight; it may have run.
    case connectionLost(String)
    /// The command was not sent: no connection to the server (connecting, or waiting to
    /// reconnect after a failure), or the cluster's topology is unknown.
    case unavailable(String)
    /// The command was not sent: too many commands already wait on the connection.
    case overloaded
    /// The client was closed; the command was not sent.
    case closed
    /// Redis Cluster redirected the command more times than allowed (`MOVED`/`ASK` loops
    /// while slots move); the last attempt did not run.
    case tooManyRedirections
    /// The server answered with an error (from `RedisCounterStore`, which expects a result).
    case serverError(String)
    /// The server's reply was not of the shape expected (from `RedisCounterStore`).
    case unexpectedReply(String)

    /// True when the command may have taken effect on the server.
    package var mayHaveRun: Bool {
        switch self {
        case .timeout, .connectionLost: true
        case .unavailable, .overloaded, .closed, .tooManyRedirections, .serverError, .unexpectedReply: false
        }
    }

    package var description: String {
        switch self {
        case .timeout: "Redis command timed out"
        case .connectionLost(let reason): "Redis connection lost: \(reason)"
        case .unavailable(let reason): "Redis unavailable: \(reason)"
        case .overloaded: "too many Redis commands pending"
        case .closed: "Redis client closed"
        case .tooManyRedirections: "too many Redis Cluster redirections"
        case .serverError(let message): "Redis error: \(message)"
        case .unexpectedReply(let what): "unexpected Redis reply: \(what)"
        }
    }
}

/// Receives a command's reply, or why there is none. Called once, on the connection's loop.
package typealias RedisReplyHandler = (Result<RESPValue, RedisFailure>) -> Void
