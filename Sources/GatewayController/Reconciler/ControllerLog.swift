import Synchronization

/// Where the reconciler's operational events (JSON lines) go: stderr in `sluice-controller`,
/// which installs the sink at start; nowhere by default (tests).
package enum ControllerLog {
    private static let sink = Mutex<@Sendable ([UInt8]) -> Void>({ _ in })

    /// Installs `write`, called with one complete line at a time, from any thread.
    package static func setSink(_ write: @escaping @Sendable ([UInt8]) -> Void) {
        sink.withLock { $0 = write }
    }

    static func write(_ line: [UInt8]) {
        let write = sink.withLock { $0 }
        write(line)
    }
}
