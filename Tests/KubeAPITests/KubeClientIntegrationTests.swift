import ProxyCore
import Synchronization
import Testing
@testable import KubeAPI

/// A custom resource of a group the fake has no CRD for: stored as sent, so these client tests
/// need neither a valid Sluice object nor cel-python in the python3 that runs the fake.
private let widgets = KubeResource(group: "example.com", version: "v1", plural: "widgets")

/// Collects watch events from any thread.
final class EventLog: Sendable {
    private let events = Mutex<[WatchEvent]>([])
    func append(_ event: WatchEvent) { events.withLock { $0.append(event) } }
    var all: [WatchEvent] { events.withLock { $0 } }
    var changes: [WatchEvent] { all.filter { $0.kind != .bookmark } }
}

@Suite(.serialized) struct KubeClientIntegrationTests {
    @Test func createGetListUpdatePatchAndDeleteAConfigMap() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let created = try await client.create(.configMaps, namespace: "default", configMap("a", [("k", "1")]))
        #expect(created["metadata", "uid"] != nil)
        let fetched = try await client.get(.configMaps, namespace: "default", name: "a")
        #expect(fetched["data", "k"] == .string("1"))

        var changed = fetched.objectValue!
        changed["data"] = object(("k", .string("2")))
        let updated = try await client.update(.configMaps, namespace: "default", .object(changed))
        #expect(updated["data", "k"] == .string("2"))

        let patched = try await client.patch(.configMaps, namespace: "default", name: "a", mergePatch: object(("data", object(("extra", .string("x"))))))
        #expect(patched["data", "extra"] == .string("x") && patched["data", "k"] == .string("2"))

        let list = try await client.list(.configMaps, namespace: "default")
        #expect(list.items.count == 1)
        #expect(list.resourceVersion == patched["metadata", "resourceVersion"]?.stringValue)

        try await client.delete(.configMaps, namespace: "default", name: "a")
        await #expect(throws: KubeError.self) { try await client.get(.configMaps, namespace: "default", name: "a") }
        do {
            _ = try await client.get(.configMaps, namespace: "default", name: "a")
        } catch {
            #expect(error.kind == .notFound && error.status == 404 && error.reason == "NotFound")
        }
    }

    @Test func aSecondCreateIsAlreadyExistsAndAStaleUpdateIsAConflict() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let created = try await client.create(.configMaps, namespace: "default", configMap("a", [("k", "1")]))
        let staleVersion = created["metadata", "resourceVersion"]!.stringValue!
        do {
            _ = try await client.create(.configMaps, namespace: "default", configMap("a", []))
            Issue.record("expected AlreadyExists")
        } catch {
            #expect(error.kind == .alreadyExists)
        }
        _ = try await client.update(.configMaps, namespace: "default", configMap("a", [("k", "2")], resourceVersion: staleVersion))
        do {
            _ = try await client.update(.configMaps, namespace: "default", configMap("a", [("k", "3")], resourceVersion: staleVersion))
            Issue.record("expected a conflict")
        } catch {
            #expect(error.kind == .conflict && error.status == 409 && error.message.contains("has been modified"))
        }
        let current = try await client.get(.configMaps, namespace: "default", name: "a")
        #expect(current["data", "k"] == .string("2"))
    }

    @Test func theStatusSubresourceChangesOnlyStatusAndNotGeneration() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let widget = object(("apiVersion", .string("example.com/v1")), ("kind", .string("Widget")),
                            ("metadata", object(("name", .string("r")))), ("spec", object(("weight", .number(JSONNumber(1))))))
        var stored = try await client.create(widgets, namespace: "default", widget).objectValue!
        stored["status"] = object(("observedGeneration", .number(JSONNumber(1))))
        stored["spec"] = object(("weight", .number(JSONNumber(99))))
        let afterStatus = try await client.updateStatus(widgets, namespace: "default", .object(stored))
        #expect(afterStatus["status", "observedGeneration"] == .number(JSONNumber(1)))
        #expect(afterStatus["spec", "weight"] == .number(JSONNumber(1)))
        #expect(afterStatus["metadata", "generation"] == .number(JSONNumber(1)))

        var next = afterStatus.objectValue!
        next["spec"] = object(("weight", .number(JSONNumber(2))))
        next["status"] = object(("ignored", .bool(true)))
        let afterSpec = try await client.update(widgets, namespace: "default", .object(next))
        #expect(afterSpec["metadata", "generation"] == .number(JSONNumber(2)))
        #expect(afterSpec["status", "observedGeneration"] == .number(JSONNumber(1)))

        let all = try await client.list(path: "/apis/example.com/v1/widgets")
        #expect(all.items.count == 1)
    }

    @Test func watchDeliversEventsInOrderFromAResourceVersion() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let start = try await client.list(.configMaps, namespace: "default").resourceVersion
        let log = EventLog()
        let watch = Task { await client.watch(.configMaps, namespace: "default", resourceVersion: start, timeoutSeconds: 60) { log.append($0) } }
        #expect(try await eventually { try await fake.hook("GET", "/__fake/state")["watches"] == .number(JSONNumber(1)) })
        _ = try await client.create(.configMaps, namespace: "default", configMap("a", [("k", "1")]))
        _ = try await client.patch(.configMaps, namespace: "default", name: "a", mergePatch: object(("data", object(("k", .string("2"))))))
        try await client.delete(.configMaps, namespace: "default", name: "a")
        #expect(await eventually { log.changes.count == 3 })
        #expect(log.changes.map(\.kind) == [.added, .modified, .deleted])
        let versions = log.changes.compactMap { $0.resourceVersion.flatMap { Int($0) } }
        #expect(versions == versions.sorted() && versions.count == 3)
        #expect(await eventually { log.all.contains { $0.kind == .bookmark } })
        watch.cancel()
        #expect(await watch.value == .cancelled)
    }

    @Test func watchFromACompactedResourceVersionEndsAsGone() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let old = try await client.create(.configMaps, namespace: "default", configMap("a", []))["metadata", "resourceVersion"]!.stringValue!
        _ = try await client.create(.configMaps, namespace: "default", configMap("b", []))
        try await fake.hook("POST", "/__fake/compact")
        let outcome = await client.watch(.configMaps, namespace: "default", resourceVersion: old) { _ in }
        guard case .gone(let error) = outcome else {
            Issue.record("expected gone, got \(outcome)")
            return
        }
        #expect(error.status == 410 && error.reason == "Expired")
    }

    @Test func aDroppedWatchConnectionEndsAsAFailureNotAsACleanEnd() async throws {
        let fake = try FakeKubeAPIProcess()
        let client = fake.client()
        let watch = Task { await client.watch(.configMaps, namespace: "default", resourceVersion: "1") { _ in } }
        #expect(try await eventually { try await fake.hook("GET", "/__fake/state")["watches"] == .number(JSONNumber(1)) })
        try await fake.hook("POST", "/__fake/drop-watches")
        guard case .failed(let error) = await watch.value else {
            Issue.record("expected failed")
            return
        }
        #expect(error.kind == .transport)
    }

    @Test func aRotatedTokenFileIsPickedUpAfterA401() async throws {
        let fake = try FakeKubeAPIProcess(arguments: ["--token", "one"])
        let path = "/tmp/kubeapi-token-\(fake.port)"
        try writeFile(path, "one")
        let client = fake.client(token: BearerTokenSource(file: path))
        _ = try await client.list(.configMaps, namespace: "default")
        try await fake.hook("POST", "/__fake/token?value=two")
        try writeFile(path, "two")
        _ = try await client.list(.configMaps, namespace: "default")
        let wrong = fake.client(token: BearerTokenSource(token: "one"))
        do {
            _ = try await wrong.list(.configMaps, namespace: "default")
            Issue.record("expected 401")
        } catch {
            #expect(error.kind == .unauthorized)
        }
    }

    @Test func aRefusedConnectionIsATransportError() async throws {
        let port = try FakeKubeAPIProcess().port  // released at once: nothing listens there any more
        let client = KubeClient(config: KubeConfig(server: "http://127.0.0.1:\(port)"))
        do {
            _ = try await client.list(.configMaps, namespace: "default")
            Issue.record("expected a transport error")
        } catch {
            #expect(error.kind == .transport && error.status == 0 && error.isTransient)
        }
    }
}
