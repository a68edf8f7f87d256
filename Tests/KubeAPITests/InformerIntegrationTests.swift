import ProxyCore
import Synchronization
import Testing
@testable import KubeAPI

/// Records the keys an informer reports, from any thread.
final class KeyLog: Sendable {
    private let keys = Mutex<[ObjectKey]>([])
    func append(_ key: ObjectKey) { keys.withLock { $0.append(key) } }
    var all: [ObjectKey] { keys.withLock { $0 } }
    func contains(_ name: String) -> Bool { all.contains { $0.name == name } }
}

private func startInformer(_ fake: FakeKubeAPIProcess, log: KeyLog) -> (Informer, Task<Void, Never>) {
    let informer = Informer(client: fake.client(), resource: .configMaps, namespace: "default",
                            backoff: Backoff(base: .milliseconds(10), max: .milliseconds(200)), watchTimeoutSeconds: 60) { log.append($0) }
    return (informer, Task { await informer.run() })
}

private func value(_ informer: Informer, _ name: String) -> String? {
    informer.object(for: ObjectKey(namespace: "default", name: name))?["data", "k"]?.stringValue
}

private func openWatches(_ fake: FakeKubeAPIProcess) async throws -> Int {
    try await fake.hook("GET", "/__fake/state")["watches"].flatMap { if case .number(let n) = $0 { n.int } else { nil } } ?? 0
}

@Suite(.serialized) struct InformerIntegrationTests {
    @Test func informerListsThenWatchesAndReportsEveryChangedKey() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        _ = try await client.create(.configMaps, namespace: "default", configMap("before", [("k", "0")]))
        let log = KeyLog()
        let (informer, task) = startInformer(fake, log: log)
        defer { task.cancel() }
        #expect(await eventually { informer.hasSynced })
        #expect(value(informer, "before") == "0")
        #expect(log.contains("before"))

        _ = try await client.create(.configMaps, namespace: "default", configMap("a", [("k", "1")]))
        _ = try await client.patch(.configMaps, namespace: "default", name: "before", mergePatch: object(("data", object(("k", .string("2"))))))
        try await client.delete(.configMaps, namespace: "default", name: "a")
        #expect(await eventually { value(informer, "before") == "2" && log.all.filter { $0.name == "a" }.count == 2 })
        #expect(value(informer, "a") == nil)
        #expect(informer.objects().count == 1)
        task.cancel()
        await task.value
    }

    @Test func killedWatchConnectionsLoseNoUpdateAndResumeFromTheLastResourceVersion() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        _ = try await client.create(.configMaps, namespace: "default", configMap("c", [("k", "0")]))
        let log = KeyLog()
        let (informer, task) = startInformer(fake, log: log)
        defer { task.cancel() }
        #expect(await eventually { informer.hasSynced })
        for round in 1...5 {
            #expect(try await eventually { try await openWatches(fake) == 1 })
            try await fake.hook("POST", "/__fake/drop-watches")
            // Written while the informer has no connection: only resuming from its last
            // resourceVersion can deliver it.
            _ = try await client.patch(.configMaps, namespace: "default", name: "c", mergePatch: object(("data", object(("k", .string("\(round)"))))))
        }
        #expect(await eventually { value(informer, "c") == "5" })
        #expect(informer.requestCounts.lists == 1)
        #expect(informer.requestCounts.watches >= 6)
        let watchRequests = try await fake.hook("GET", "/__fake/requests")
        guard case .array(let requests) = watchRequests else { throw FakeStartError(output: "no request log") }
        let resumed = requests.filter { $0["query", "watch"] != nil }.compactMap { $0["query", "resourceVersion"]?.stringValue }
        #expect(resumed.count >= 6 && !resumed.contains("0") && !resumed.contains(""))
        task.cancel()
        await task.value
    }

    @Test func informerRelistsWhenItsResourceVersionIsGone() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        _ = try await client.create(.configMaps, namespace: "default", configMap("stays", [("k", "0")]))
        _ = try await client.create(.configMaps, namespace: "default", configMap("goes", [("k", "0")]))
        let log = KeyLog()
        let (informer, task) = startInformer(fake, log: log)
        defer { task.cancel() }
        #expect(await eventually { informer.hasSynced })
        #expect(try await eventually { try await openWatches(fake) == 1 })

        // Hold the informer's next watch, change the world behind its back, then forget history.
        try await fake.hook("POST", "/__fake/hold-watches?on=1")
        try await fake.hook("POST", "/__fake/drop-watches")
        _ = try await client.create(.configMaps, namespace: "default", configMap("new", [("k", "1")]))
        try await client.delete(.configMaps, namespace: "default", name: "goes")
        try await fake.hook("POST", "/__fake/compact")
        try await fake.hook("POST", "/__fake/hold-watches?on=0")

        #expect(await eventually { value(informer, "new") == "1" && value(informer, "goes") == nil })
        #expect(informer.requestCounts.lists == 2)
        #expect(log.contains("new"))
        #expect(log.all.filter { $0.name == "goes" }.count == 2)  // listed, then removed by the relist
        #expect(value(informer, "stays") == "0")
        task.cancel()
        await task.value
    }

    @Test func theCacheKeepsWhatTheTransformReturnsForListedAndWatchedObjects() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        _ = try await client.create(.configMaps, namespace: "default", configMap("listed", [("k", "secret-1")]))
        let informer = Informer(client: client, resource: .configMaps, namespace: "default", watchTimeoutSeconds: 60,
                                transform: { item in
                                    guard case .object(var members) = item else { return item }
                                    members["data"] = object(("k", .string("dropped")))
                                    return .object(members)
                                }) { _ in }
        let task = Task { await informer.run() }
        defer { task.cancel() }
        #expect(await eventually { informer.hasSynced })
        #expect(value(informer, "listed") == "dropped")
        _ = try await client.create(.configMaps, namespace: "default", configMap("watched", [("k", "secret-2")]))
        #expect(await eventually { value(informer, "watched") != nil })
        #expect(value(informer, "watched") == "dropped")
        task.cancel()
        await task.value
    }

    @Test func cancellingTheInformerStopsItsWatch() async throws {
        let fake = try FakeKubeAPIProcess()
        let (informer, task) = startInformer(fake, log: KeyLog())
        #expect(await eventually { informer.hasSynced })
        #expect(try await eventually { try await openWatches(fake) == 1 })
        task.cancel()
        await task.value
        #expect(try await eventually { try await openWatches(fake) == 0 })
    }
}
