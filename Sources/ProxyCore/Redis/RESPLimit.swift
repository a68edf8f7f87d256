/// The limits of `RESPDecoderLimits`, named in `RESPDecodingError.limitExceeded`.
package enum RESPLimit: Hashable, Sendable {
    case bulkBytes, aggregateCount, depth, lineBytes, replyBytes
}
