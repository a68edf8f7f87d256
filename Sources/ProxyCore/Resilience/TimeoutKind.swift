/// Which timeout of an attempt fired (see `TimeoutsConfig`).
package enum TimeoutKind: String, Hashable, Sendable {
    case connect
    case firstByte
    case idle
    case total
}
