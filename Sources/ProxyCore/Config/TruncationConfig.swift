/// How much of a response may be held back from the client so that a truncated one can
/// still fall back (`routes[].truncation`). A latency trade-off: held bytes reach the client late.
package struct TruncationConfig: Hashable, Sendable {
    /// How long a streaming response may be held before it is committed (passed on). Zero:
    /// streams are committed at once and never fall back on truncation. Default zero.
    package let bufferStreams: ProxyDuration
    /// The most bytes held, streaming or not; a response that grows past it is committed.
    /// Default 256 KiB, at most 16 MiB.
    package let bufferBytes: Int

    /// 256 KiB.
    package static let defaultBufferBytes = 256 << 10
    /// 16 MiB.
    package static let maxBufferBytes = 16 << 20

    /// Streams committed at once; non-streaming responses held up to 256 KiB.
    package static let `default` = TruncationConfig(bufferStreams: .zero, bufferBytes: defaultBufferBytes)

    /// A value with exactly these fields; not validated (see `ProxyConfigDecoder.validate(_:)`).
    package init(bufferStreams: ProxyDuration, bufferBytes: Int = defaultBufferBytes) {
        self.bufferStreams = bufferStreams
        self.bufferBytes = bufferBytes
    }
}
