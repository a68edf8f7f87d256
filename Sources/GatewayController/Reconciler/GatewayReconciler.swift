import KubeAPI
import ProxyCore
import Synchronization

/// Keeps each LLMGateway's ConfigMap and every Sluice resource's status in line with the
/// resources, level-based: a key says only *where* something changed; reconciling it reads
/// the informer caches, translates the whole namespace (cheap and pure), writes what differs,
/// and never looks at which event it was.
///
/// Keys are `namespace/gateway` (sync that gateway's ConfigMap, then statuses) and
/// `namespace/""` (something else changed: queue every gateway of the namespace, remove
/// ConfigMaps whose gateway is gone, write statuses). Only the leader writes: a standby keeps
/// its caches warm and drops keys; on becoming leader it queues everything again.
///
/// Thread-safety: `run…` methods are called once each, from their own tasks; cancelling
/// them stops the controller. `enqueueAll()` may be called from any thread.
package final class GatewayReconciler: Sendable {
    package struct Options: Sendable {
        package var namespace: String?
        package var identity: String
        package var workers: Int

        package init(namespace: String?, identity: String, workers: Int = 2) {
            self.namespace = namespace
            self.identity = identity
            self.workers = workers
        }
    }

    package let options: Options
    package let queue: WorkQueue<ObjectKey>
    package let caches: ControllerCaches
    package let metrics: ControllerMetrics
    private let client: KubeClient
    private let clock: any ProxyClock
    private let leaderGate = LeaderGate()
    /// Gateway key → why its ConfigMap could not be written and what happens next (cleared by
    /// the next success).
    private let writeFailures = Mutex<[ObjectKey: String]>([:])
    /// Objects as our last status write returned them, with the resourceVersion the cache had
    /// then: until the cache moves past it, we compare against what we wrote, not the stale
    /// cache, so a quick second reconcile neither rewrites lastTransitionTime nor repeats Events.
    private let writtenStatus = Mutex<[ResourceID: (cachedVersion: String, object: JSONValue)]>([:])

    package init(client: KubeClient, options: Options, clock: any ProxyClock, queue: WorkQueue<ObjectKey> = WorkQueue(),
                 registry: MetricsRegistry = MetricsRegistry(), watchTimeoutSeconds: Int = 300) {
        self.client = client
        self.options = options
        self.clock = clock
        self.queue = queue
        caches = ControllerCaches(client: client, namespace: options.namespace, watchTimeoutSeconds: watchTimeoutSeconds) { key in
            queue.add(key)
        }
        let gate = leaderGate
        metrics = ControllerMetrics(registry: registry, queueDepth: { Double(queue.depth) }, isLeader: { gate.isLeader ? 1 : 0 })
    }

    /// Who may write: the leader elector's `isLeader` (default: always, for `--once`).
    package func setLeaderCheck(_ check: @escaping @Sendable () -> Bool) {
        leaderGate.set(check)
    }

    private var isLeader: Bool { leaderGate.isLeader }

    /// Queues every gateway and namespace the caches know (after a sync, on gaining leadership).
    package func enqueueAll() {
        for namespace in caches.namespaces {
            queue.add(ObjectKey(namespace: namespace, name: ""))
            for gateway in caches.objects(.gateway, in: namespace) {
                if let key = ObjectKey(of: gateway) { queue.add(key) }
            }
        }
    }

    /// Runs the informers until cancelled.
    package func runInformers() async { await caches.run() }

    /// Waits until every informer has listed once (polling; informers have no sync signal).
    package func waitForSync() async {
        while !caches.hasSynced && !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    /// Runs the workers until the queue is shut down.
    package func runWorkers() async {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, options.workers) {
                group.addTask { [self] in
                    while let key = await queue.next() {
                        await process(key)
                        queue.done(key)
                    }
                }
            }
        }
    }

    /// Reconciles every key once, in order, without workers (`run --once`). True when all succeeded.
    package func reconcileAllOnce() async -> Bool {
        var keys: [ObjectKey] = []
        for namespace in caches.namespaces {
            keys.append(ObjectKey(namespace: namespace, name: ""))
            keys += caches.objects(.gateway, in: namespace).compactMap { ObjectKey(of: $0) }
        }
        var ok = true
        for key in keys {
            do {
                try await reconcile(key, enqueueGateways: false)
            } catch {
                log("reconcile_failed", key: key, error.description)
                ok = false
            }
        }
        return ok
    }

    private func process(_ key: ObjectKey) async {
        guard isLeader else {
            metrics.reconciled("not_leader", wallSeconds: 0)
            return
        }
        do {
            try await reconcile(key, enqueueGateways: true)
            queue.forget(key)
            metrics.reconciled("success", wallSeconds: Double(clock.wallNanoseconds()) / 1e9)
        } catch where error.isTransient {
            let delay = queue.addRateLimited(key)
            metrics.reconciled("error", wallSeconds: 0)
            log("reconcile_failed", key: key, "\(error.description); retrying in \(delay.configString)")
        } catch {
            // Trying again would fail the same way: the condition and Event say why, and the
            // next change to the resources queues the key again.
            queue.forget(key)
            metrics.reconciled("failed", wallSeconds: 0)
            log("reconcile_failed", key: key, "\(error.description); not retried until a resource changes")
        }
    }

    // MARK: One reconcile

    /// Reads the caches for `key`'s namespace and writes what differs. Throws when a write
    /// failed (a transient failure first, if any, so that it is retried); configuration
    /// problems are statuses, not errors.
    package func reconcile(_ key: ObjectKey, enqueueGateways: Bool) async throws(ReconcileError) {
        let namespace = key.namespace
        let objects = caches.resourceObjects(in: namespace)
        let resources = ResourceSet.decode(objects, defaultNamespace: namespace)
        let translation = GatewayTranslator.translate(resources)
        var failures: [ReconcileError] = []
        if key.name.isEmpty {
            if enqueueGateways {
                for gateway in caches.objects(.gateway, in: namespace) { if let gatewayKey = ObjectKey(of: gateway) { queue.add(gatewayKey) } }
            }
        } else if let rendered = translation.gateways.first(where: { $0.gateway.meta.name == key.name }) {
            do {
                try await syncConfigMap(rendered)
                writeFailures.withLock { _ = $0.removeValue(forKey: key) }
            } catch {
                writeFailures.withLock { $0[key] = error.withConsequence }
                failures.append(error)
            }
        }
        do {
            try await deleteOrphanedConfigMaps(in: namespace)
        } catch {
            failures.append(.api(error))
        }
        do {
            try await writeStatuses(translation, in: namespace)
        } catch {
            failures.append(.api(error))
        }
        if let failure = failures.first(where: \.isTransient) ?? failures.first { throw failure }
    }

    /// Creates or updates the gateway's ConfigMap, retrying a 409 by reading it again.
    private func syncConfigMap(_ rendered: RenderedGateway) async throws(ReconcileError) {
        guard let desired = ConfigMapBuilder.configMap(rendered, identity: options.identity) else { return }  // keep the last good one
        let namespace = rendered.gateway.meta.namespace
        let name = rendered.configMapName
        var existing: JSONValue? = caches.managedConfigMaps(in: namespace).first { $0.field("metadata")?.field("name")?.string == name }
        var lastError = KubeError(kind: .conflict, status: 409, message: "ConfigMap \(namespace)/\(name): too many conflicting writes")
        for attempt in 0..<6 {
            if attempt > 0 {
                do {
                    existing = try await client.get(.configMaps, namespace: namespace, name: name)
                } catch where error.kind == .notFound {
                    existing = nil
                } catch {
                    throw .api(error)
                }
            }
            do throws(ReconcileError) {
                guard let current = existing else {
                    do { _ = try await client.create(.configMaps, namespace: namespace, desired) } catch { throw .api(error) }
                    metrics.configMapWritten("create")
                    log("configmap_written", key: ObjectKey(namespace: namespace, name: name), "created for LLMGateway \(rendered.gateway.meta.name)")
                    return
                }
                if ConfigMapBuilder.isUpToDate(current, desired: desired) { return }
                guard Self.isManaged(current, by: rendered.gateway) else { throw .configMapNotManaged(namespace: namespace, name: name) }
                do { _ = try await client.update(.configMaps, namespace: namespace, Self.updated(current, to: desired)) } catch { throw .api(error) }
                metrics.configMapWritten("update")
                log("configmap_written", key: ObjectKey(namespace: namespace, name: name), "updated for LLMGateway \(rendered.gateway.meta.name)")
                return
            } catch {
                guard case .api(let apiError) = error, apiError.kind == .conflict || apiError.kind == .alreadyExists else { throw error }
                lastError = apiError
                continue
            }
        }
        throw .api(lastError)
    }

    private static func isManaged(_ configMap: JSONValue, by gateway: LLMGateway) -> Bool {
        let metadata = configMap.field("metadata")
        return metadata?.field("labels")?.field(ConfigMapBuilder.managedByLabel)?.string == ConfigMapBuilder.managedByValue
            || (metadata?.field("ownerReferences")?.array ?? []).contains { $0.field("uid")?.string == gateway.meta.uid }
    }

    /// `current` with our data, labels, annotations and owner reference; everything else (and
    /// the resourceVersion, for optimistic concurrency) kept.
    private static func updated(_ current: JSONValue, to desired: JSONValue) -> JSONValue {
        guard var object = current.object, var metadata = current.field("metadata")?.object else { return desired }
        for field in ["labels", "annotations"] {
            var merged = metadata[field]?.object ?? JSONObject()
            for member in desired.field("metadata")?.field(field)?.object?.members ?? [] { merged[member.key] = member.value }
            metadata[field] = .object(merged)
        }
        metadata["ownerReferences"] = desired.field("metadata")?.field("ownerReferences")
        object["metadata"] = .object(metadata)
        object["data"] = desired.field("data")
        return .object(object)
    }

    /// Deletes managed ConfigMaps whose gateway no longer exists or now renders elsewhere.
    /// (Owner references make the API do this too; this covers a missed garbage collection.)
    private func deleteOrphanedConfigMaps(in namespace: String) async throws(KubeError) {
        let gateways = caches.objects(.gateway, in: namespace)
        for configMap in caches.managedConfigMaps(in: namespace) {
            guard let metadata = configMap.field("metadata"), let name = metadata.field("name")?.string,
                  let owner = metadata.field("labels")?.field(ConfigMapBuilder.gatewayLabel)?.string
            else { continue }
            if let gateway = gateways.first(where: { $0.field("metadata")?.field("name")?.string == owner }) {
                let wanted = gateway.field("spec")?.field("configMapName")?.string ?? "sluice-\(owner)"
                if wanted == name { continue }
            }
            do {
                try await client.delete(.configMaps, namespace: namespace, name: name, resourceVersion: metadata.field("resourceVersion")?.string)
                metrics.configMapWritten("delete")
                log("configmap_deleted", key: ObjectKey(namespace: namespace, name: name), "its LLMGateway \(owner) is gone or renders elsewhere")
            } catch where error.kind == .notFound || error.kind == .conflict {
                continue  // gone already, or changed: the next reconcile looks again
            }
        }
    }

    /// Writes every status that differs from the cache, and an Event per new failure.
    private func writeStatuses(_ translation: Translation, in namespace: String) async throws(KubeError) {
        var existing: [ResourceID: JSONValue] = [:]
        var cachedVersions: [ResourceID: String] = [:]
        for kind in ResourceKind.crds {
            for object in caches.objects(kind, in: namespace) {
                guard let name = object.field("metadata")?.field("name")?.string else { continue }
                let id = ResourceID(kind, namespace, name)
                let version = object.field("metadata")?.field("resourceVersion")?.string ?? ""
                cachedVersions[id] = version
                existing[id] = writtenStatus.withLock { written in
                    guard let memo = written[id] else { return object }
                    if memo.cachedVersion == version { return memo.object }
                    written[id] = nil  // the cache has moved on (our write, or someone else's): trust it
                    return object
                }
            }
        }
        let failures = writeFailures.withLock { failures in
            Dictionary(uniqueKeysWithValues: failures.filter { $0.key.namespace == namespace }.map { ($0.key.name, $0.value) })
        }
        let now = KubeTime.time(epochNanoseconds: clock.wallNanoseconds())
        let updates = StatusPlanner.updates(translation.statuses.filter { $0.id.namespace == namespace }, existing: existing,
                                            writeFailures: failures, now: now)
        var lastError: KubeError?
        for update in updates {
            var written = false
            var failure: KubeError?
            for _ in 0..<5 {
                do {
                    let result = try await client.patch(update.id.kind.resource, namespace: namespace, name: update.id.name,
                                                        mergePatch: update.patch, subresource: "status")
                    let version = cachedVersions[update.id] ?? ""
                    writtenStatus.withLock { $0[update.id] = (version, result) }
                    metrics.statusWritten()
                    written = true
                    failure = nil
                    break
                } catch where error.kind == .conflict {
                    failure = error
                    continue
                } catch where error.kind == .notFound {
                    break  // deleted meanwhile
                } catch {
                    failure = error
                    break
                }
            }
            if let failure {
                lastError = failure
                // A refused status write cannot carry its own condition: an Event says it instead.
                if !failure.isTransient, let object = existing[update.id] {
                    let event = EventBuilder.event(about: object, kind: update.id.kind, reason: "StatusWriteFailed",
                                                   message: "the status could not be written: \(failure.description)", now: now, identity: options.identity)
                    if (try? await client.create(.events, namespace: namespace, event)) != nil { metrics.eventCreated() }
                }
            }
            guard written, let object = existing[update.id] else { continue }
            for condition in update.newFailures {
                let event = EventBuilder.event(about: object, kind: update.id.kind, reason: condition.reason,
                                               message: "\(condition.type)=False: \(condition.message)", now: now, identity: options.identity)
                if (try? await client.create(.events, namespace: namespace, event)) != nil { metrics.eventCreated() }
            }
        }
        if let lastError { throw lastError }
    }

    private func log(_ event: String, key: ObjectKey, _ message: String) {
        var line: [UInt8] = Array(#"{"event":"#.utf8)
        JSONWriter.appendString(event, to: &line)
        line += #","key":"#.utf8
        JSONWriter.appendString(key.description, to: &line)
        line += #","identity":"#.utf8
        JSONWriter.appendString(options.identity, to: &line)
        line += #","message":"#.utf8
        JSONWriter.appendString(message, to: &line)
        line += "}\n".utf8
        ControllerLog.write(line)
    }
}

/// Holds the "may I write?" check, replaceable once the leader elector exists.
final class LeaderGate: Sendable {
    private let check = Mutex<@Sendable () -> Bool>({ true })

    func set(_ newCheck: @escaping @Sendable () -> Bool) { check.withLock { $0 = newCheck } }

    var isLeader: Bool { check.withLock { $0 }() }
}
