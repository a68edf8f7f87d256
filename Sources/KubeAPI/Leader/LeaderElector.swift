import ProxyCore
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, so that of several controller
/// replicas exactly one writes at a time.
///
/// A candidate acquires the Lease when it is absent, unheld or expired (`renewTime +
/// leaseDurationSeconds` before now), then renews it every `retryPeriod`. Every write
/// carries the resourceVersion that was read, so when two candidates race the API accepts
/// one and answers 409 to the other. A leader that cannot renew for `renewDeadline` stops
/// leading, and `isLeader` turns false by itself at that deadline even if a call hangs;
/// since `renewDeadline < leaseDuration`, it has stopped before anyone else may take over
/// (given clocks that agree to within the difference).
///
/// Time comes from the injected `ProxyClock` (wall time for the Lease's timestamps, monotonic
/// time for the renew deadline), and waiting from the injected `sleep`, so tests drive it
/// with a manual clock. Callbacks run on the task that calls `run()` or
/// `tryAcquireOrRenew()`, never with a lock held.
package final class LeaderElector: Sendable {
    /// Which Lease, who we are, and the timings (client-go's defaults: 15 s, 10 s, 2 s).
    package struct Configuration: Sendable {
        package var leaseName: String
        package var namespace: String
        package var identity: String
        package var leaseDuration: ProxyDuration
        package var renewDeadline: ProxyDuration
        package var retryPeriod: ProxyDuration

        package init(leaseName: String, namespace: String, identity: String, leaseDuration: ProxyDuration = .seconds(15),
                     renewDeadline: ProxyDuration = .seconds(10), retryPeriod: ProxyDuration = .seconds(2)) {
            precondition(renewDeadline < leaseDuration, "renewDeadline must be shorter than leaseDuration")
            precondition(leaseDuration.nanoseconds >= 1_000_000_000, "a Lease counts its duration in whole seconds")
            self.leaseName = leaseName
            self.namespace = namespace
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    private struct State {
        var leading = false
        var lastRenew = ProxyInstant(nanoseconds: 0)
        var observedHolder: String?
    }

    package let configuration: Configuration
    private let client: KubeClient
    private let clock: any ProxyClock
    private let sleep: Informer.Sleep
    private let onStartedLeading: @Sendable () -> Void
    private let onStoppedLeading: @Sendable () -> Void
    private let state = Mutex(State())

    package init(client: KubeClient, configuration: Configuration, clock: any ProxyClock, sleep: @escaping Informer.Sleep = Informer.taskSleep,
                 onStartedLeading: @escaping @Sendable () -> Void, onStoppedLeading: @escaping @Sendable () -> Void) {
        self.client = client
        self.configuration = configuration
        self.clock = clock
        self.sleep = sleep
        self.onStartedLeading = onStartedLeading
        self.onStoppedLeading = onStoppedLeading
    }

    /// True while we hold the Lease and renewed it less than `renewDeadline` ago.
    package var isLeader: Bool {
        let now = clock.now()
        return state.withLock { $0.leading && now.duration(since: $0.lastRenew) < configuration.renewDeadline }
    }

    /// The holder seen at the last read, for status and logs.
    package var observedHolder: String? { state.withLock { $0.observedHolder } }

    /// Tries to acquire or renew until the calling task is cancelled, then releases the Lease
    /// if we hold it (so a successor need not wait for it to expire).
    package func run() async {
        while !Task.isCancelled {
            _ = await tryAcquireOrRenew()
            await sleep(configuration.retryPeriod)
        }
        await release()
    }

    /// One round: read the Lease, then create, renew or take it over as `LeaseDecision`
    /// says. Returns `isLeader` afterwards and calls the callbacks on a change.
    @discardableResult
    package func tryAcquireOrRenew() async -> Bool {
        let started = clock.now()
        let succeeded: Bool
        do {
            succeeded = try await attempt()
        } catch {
            // Could not reach the API or lost a race (409): keep leading only within the deadline.
            succeeded = false
        }
        let change: Bool? = state.withLock { state in
            let before = state.leading
            if succeeded {
                state.leading = true
                state.lastRenew = started
            } else if state.leading, clock.now().duration(since: state.lastRenew) >= configuration.renewDeadline
                        || (state.observedHolder != nil && state.observedHolder != configuration.identity) {
                state.leading = false
            }
            return before == state.leading ? nil : state.leading
        }
        if change == true { onStartedLeading() }
        if change == false { onStoppedLeading() }
        return isLeader
    }

    /// Reads and writes the Lease once; true when we hold it afterwards.
    private func attempt() async throws(KubeError) -> Bool {
        let now = clock.wallNanoseconds()
        let seconds = Int(configuration.leaseDuration.nanoseconds / 1_000_000_000)
        var existing: JSONValue?
        do {
            existing = try await client.get(.leases, namespace: configuration.namespace, name: configuration.leaseName)
        } catch where error.kind == .notFound {
            existing = nil
        }
        let current = existing.map(LeaseRecord.init(lease:))
        state.withLock { $0.observedHolder = current?.holderIdentity }
        switch LeaseDecision.decide(current: current, identity: configuration.identity, now: now, leaseDurationSeconds: seconds) {
        case .heldByOther:
            return false
        case .create(let record):
            _ = try await client.create(.leases, namespace: configuration.namespace, lease(record, basedOn: nil))
        case .update(let record):
            _ = try await client.update(.leases, namespace: configuration.namespace, lease(record, basedOn: existing))
        }
        state.withLock { $0.observedHolder = configuration.identity }
        return true
    }

    /// Gives the Lease up if we hold it: clears the holder so the next candidate takes it at once.
    package func release() async {
        let wasLeading = state.withLock { state in
            defer { state.leading = false }
            return state.leading
        }
        if let existing = try? await client.get(.leases, namespace: configuration.namespace, name: configuration.leaseName) {
            var record = LeaseRecord(lease: existing)
            if record.holderIdentity == configuration.identity {
                record.holderIdentity = ""
                _ = try? await client.update(.leases, namespace: configuration.namespace, lease(record, basedOn: existing))
            }
        }
        if wasLeading { onStoppedLeading() }
    }

    /// A Lease object carrying `record`, with the read object's metadata (and so its
    /// resourceVersion) when there was one.
    private func lease(_ record: LeaseRecord, basedOn existing: JSONValue?) -> JSONValue {
        var object = existing?.objectValue ?? JSONObject()
        object["apiVersion"] = .string("coordination.k8s.io/v1")
        object["kind"] = .string("Lease")
        if existing == nil {
            var metadata = JSONObject()
            metadata["name"] = .string(configuration.leaseName)
            metadata["namespace"] = .string(configuration.namespace)
            object["metadata"] = .object(metadata)
        }
        object["spec"] = record.spec
        return .object(object)
    }
}
