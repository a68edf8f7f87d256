import Synchronization

/// A one-way flag set by a cancelling task and polled by a transfer's thread (libcurl's
/// progress and write callbacks), which then aborts the transfer.
package final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)

    package init() {}

    /// Asks the transfer to stop. Safe from any thread.
    package func cancel() { state.store(true, ordering: .releasing) }

    package var isCancelled: Bool { state.load(ordering: .acquiring) }
}
