/// Requests and failures over a sliding window, in time slices (the circuit breaker's
/// error rate). A value; time comes from the caller.
struct SlidingCounts: Sendable {
    private let sliceWidth: UInt64
    private var epochs: [UInt64]
    private var requests: [Int]
    private var failures: [Int]

    init(window: ProxyDuration, slices: Int) {
        sliceWidth = max(window.nanoseconds / UInt64(max(slices, 1)), 1)
        epochs = Array(repeating: .max, count: max(slices, 1))
        requests = Array(repeating: 0, count: max(slices, 1))
        failures = Array(repeating: 0, count: max(slices, 1))
    }

    mutating func add(failure: Bool, at now: ProxyInstant) {
        let epoch = now.nanoseconds / sliceWidth
        let index = Int(epoch % UInt64(epochs.count))
        if epochs[index] != epoch {
            epochs[index] = epoch
            requests[index] = 0
            failures[index] = 0
        }
        requests[index] &+= 1
        if failure { failures[index] &+= 1 }
    }

    func totals(at now: ProxyInstant) -> (requests: Int, failures: Int) {
        let current = now.nanoseconds / sliceWidth
        var total = (requests: 0, failures: 0)
        for index in epochs.indices where epochs[index] != .max && epochs[index] <= current
            && current - epochs[index] < UInt64(epochs.count) {
            total.requests &+= requests[index]
            total.failures &+= failures[index]
        }
        return total
    }

    mutating func reset() {
        for index in epochs.indices { epochs[index] = .max }
    }
}
