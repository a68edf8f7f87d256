import ProxyCore
import Synchronization

/// Keeps a local cache of one resource's objects in step with the API server: list, then
/// watch from the list's resourceVersion, and call a handler with the key of every object
/// that changed.
///
/// Level-based: the handler is told only *which* key changed and reads the cache (`object(for:)`),
/// never the event, so missed or merged events cannot make it wrong. Resumes a lost watch
/// from the last resourceVersion seen (events and bookmarks) after a capped exponential
/// backoff, and lists again when that resourceVersion is gone (410); a relist reports every
/// key that was added, changed or removed meanwhile.
///
/// Thread-safety: `run()` is called once, from one task; cancelling that task stops it.
/// The cache may be read from any thread. The handler is called from the informer's
/// transfer threads, one call at a time and never with a lock held; it must not block
/// (hand the key to a work queue).
package final class Informer: Sendable {
    /// Called with the key of each object that was added, changed or deleted.
    package typealias Handler = @Sendable (ObjectKey) -> Void
    /// Waits the given time (injected so tests need not wait for real backoff delays).
    package typealias Sleep = @Sendable (ProxyDuration) async -> Void
    /// Turns an object as the API sends it into what the cache keeps (e.g. a Secret without
    /// its values). Must keep `metadata.name`, `namespace` and `resourceVersion`.
    package typealias Transform = @Sendable (JSONValue) -> JSONValue

    private struct State {
        var objects: [ObjectKey: JSONValue] = [:]
        var resourceVersion: String?
        var synced = false
        var lists = 0
        var watches = 0
        var eventsInWatch = 0
    }

    package let client: KubeClient
    package let resource: KubeResource
    package let namespace: String?
    package let labelSelector: String?
    package let backoff: Backoff
    package let watchTimeoutSeconds: Int
    /// Applied to every listed and watched object before it is cached.
    package let transform: Transform
    private let handler: Handler
    private let sleep: Sleep
    private let state = Mutex(State())

    package init(client: KubeClient, resource: KubeResource, namespace: String?, labelSelector: String? = nil,
                 backoff: Backoff = Backoff(base: .milliseconds(200), max: .seconds(30)), watchTimeoutSeconds: Int = 300,
                 transform: @escaping Transform = { $0 }, sleep: @escaping Sleep = Informer.taskSleep, handler: @escaping Handler) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.backoff = backoff
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.transform = transform
        self.sleep = sleep
        self.handler = handler
    }

    /// The default `Sleep`: `Task.sleep`, ending early when the task is cancelled.
    package static let taskSleep: Sleep = { duration in
        try? await Task.sleep(nanoseconds: duration.nanoseconds)
    }

    // MARK: Cache (any thread)

    /// The cached object for `key`, or nil when it does not exist (as far as we know).
    package func object(for key: ObjectKey) -> JSONValue? { state.withLock { $0.objects[key] } }

    /// Every cached object, ordered by key.
    package func objects() -> [JSONValue] {
        state.withLock { state in state.objects.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// True once the first list has filled the cache.
    package var hasSynced: Bool { state.withLock { $0.synced } }

    /// The resourceVersion the next watch starts from.
    package var resourceVersion: String? { state.withLock { $0.resourceVersion } }

    /// How many lists and watch requests were made (for tests and metrics).
    package var requestCounts: (lists: Int, watches: Int) { state.withLock { ($0.lists, $0.watches) } }

    // MARK: Loop

    /// Lists and watches until the calling task is cancelled.
    package func run() async {
        var failures = 0
        while !Task.isCancelled {
            if state.withLock({ $0.resourceVersion }) == nil {
                do {
                    try await relist()
                    failures = 0
                } catch {
                    failures += 1
                    await sleep(retryDelay(afterFailures: failures))
                    continue
                }
            }
            let from = state.withLock { state in
                state.watches += 1
                state.eventsInWatch = 0
                return state.resourceVersion
            }
            let outcome = await client.watch(resource, namespace: namespace, resourceVersion: from, allowWatchBookmarks: true,
                                             timeoutSeconds: watchTimeoutSeconds, labelSelector: labelSelector) { [self] event in
                apply(event)
            }
            let sawEvents = state.withLock { $0.eventsInWatch > 0 }
            switch outcome {
            case .cancelled:
                return
            case .ended:
                // A normal end after `timeoutSeconds` always follows bookmarks; a server that ends
                // watches at once, with nothing in them, gets backoff instead of a hot loop.
                if sawEvents {
                    failures = 0
                } else {
                    failures += 1
                    await sleep(retryDelay(afterFailures: failures))
                }
            case .gone:
                // Our resourceVersion fell out of the server's history: only a list can resync.
                state.withLock { $0.resourceVersion = nil }
                failures = 0
            case .failed:
                failures = sawEvents ? 1 : failures + 1
                await sleep(retryDelay(afterFailures: failures))
            }
        }
    }

    /// Replaces the cache with a fresh list and reports every key that differs.
    private func relist() async throws(KubeError) {
        state.withLock { $0.lists += 1 }
        let list = try await client.list(resource, namespace: namespace, labelSelector: labelSelector)
        var fresh: [ObjectKey: JSONValue] = [:]
        for item in list.items {
            if let key = ObjectKey(of: item) { fresh[key] = transform(item) }
        }
        let changed: [ObjectKey] = state.withLock { state in
            var changed = fresh.compactMap { key, object in
                state.objects[key].map(Self.resourceVersion(of:)) == Self.resourceVersion(of: object) ? nil : key
            }
            changed += state.objects.keys.filter { fresh[$0] == nil }
            state.objects = fresh
            state.resourceVersion = list.resourceVersion
            state.synced = true
            return changed.sorted()
        }
        for key in changed { handler(key) }
    }

    /// Applies one watch event to the cache (on the watch thread) and reports its key.
    private func apply(_ event: WatchEvent) {
        let key = ObjectKey(of: event.object)
        state.withLock { state in
            state.eventsInWatch += 1
            if let resourceVersion = event.resourceVersion { state.resourceVersion = resourceVersion }
            guard let key else { return }
            switch event.kind {
            case .added, .modified: state.objects[key] = transform(event.object)
            case .deleted: state.objects[key] = nil
            case .bookmark, .error: break
            }
        }
        if let key, event.kind != .bookmark { handler(key) }
    }

    /// The wait after `failures` consecutive failures (1 or more): the backoff's ceiling, without
    /// jitter, as one informer per resource has no crowd of peers to spread out.
    private func retryDelay(afterFailures failures: Int) -> ProxyDuration {
        backoff.ceiling(retry: failures - 1)
    }

    private static func resourceVersion(of object: JSONValue) -> String? {
        object.member("metadata")?.member("resourceVersion")?.stringValue
    }
}
