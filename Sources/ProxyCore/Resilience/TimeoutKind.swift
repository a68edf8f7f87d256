/// Which timeout of an attempt fired (see `TimeoutsConfig`).
package enum TimeoutKind: String, Hashable, Sendable {
    case connect
    case firstByte
    /// The first token (not just the head) did not arrive in time.
    case firstToken
    case idle
    case total
}
