@testable import ProxyDataPlane
import ConfigSource
import Foundation
import ProxyCore

/// One loop's data plane without sockets or real time: a real `DataPlane` and `LoopContext`
/// from a config, a manual clock, a scripted upstream, and sessions driven by the test.
final class SessionHarness {
    let dataPlane: DataPlane
    let scheduler = ManualScheduler()
    let upstream = ScriptedUpstream()
    let loop: LoopContext

    /// With `secrets` (path relative to the secrets directory → content), a temporary secrets
    /// directory holds those files and the config's secrets are read from it.
    init(config: String, secrets: [String: String] = [:]) throws {
        let loaded = try Self.load(config, secrets: secrets)
        dataPlane = try DataPlane(initial: loaded, accessLog: false, version: "test", clock: scheduler.clock)
        loop = LoopContext(index: 0, scheduler: scheduler, upstream: upstream, snapshot: dataPlane.current, dataPlane: dataPlane)
    }

    static func load(_ config: String, secrets: [String: String]) throws -> LoadedConfig {
        guard !secrets.isEmpty else {
            return try ConfigLoader(configDirectory: "/nonexistent", secretsDirectory: "/nonexistent")
                .load(bytes: Array(config.utf8), displayName: "test.json", checkSecrets: false).get()
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-secrets-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for (path, content) in secrets {
            let file = directory.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(content.utf8).write(to: file)
        }
        return try ConfigLoader(configDirectory: "/nonexistent", secretsDirectory: directory.path)
            .load(bytes: Array(config.utf8), displayName: "test.json").get()
    }

    /// A second loop of the same data plane (its own context, the same shared state).
    func secondLoop() -> LoopContext {
        LoopContext(index: 1, scheduler: scheduler, upstream: upstream, snapshot: dataPlane.current, dataPlane: dataPlane)
    }

    /// Starts a request and delivers its whole body (on `loop` unless another is given).
    @discardableResult
    func request(_ method: HTTPMethod = .post, _ target: String = "/v1/chat/completions", headers: HTTPHeaders = [:],
                 body: String, response: RecordingResponse = RecordingResponse(),
                 on loop: LoopContext? = nil) -> (ProxySession, RecordingResponse) {
        // The tests send only valid targets: a throwing head is a bug in the test itself.
        let session = ProxySession(head: try! HTTPRequestHead(method: method, target: target, headers: headers), response: response,
                                   loop: loop ?? self.loop)
        Array(body.utf8).withUnsafeBytes { session.requestBodyPart($0) }
        session.requestEnded(trailers: HTTPHeaders())
        return (session, response)
    }

    /// Publishes a new config to the loop, as a reload would.
    func publish(config: String) throws {
        let loaded = try ConfigLoader(configDirectory: "/nonexistent", secretsDirectory: "/nonexistent")
            .load(bytes: Array(config.utf8), displayName: "test.json", checkSecrets: false).get()
        loop.publish(try ProxySnapshot(loaded, loadedAt: 0, backendStates: loaded.config.backends.map { BackendState($0, reservedPercent: loaded.config.defaults.priorities?.reservedPercent, now: scheduler.now()) },
                                       metrics: dataPlane.metrics))
    }

    /// The metrics exposition, for asserting on series.
    var metricsText: String {
        String(decoding: dataPlane.metrics.render(accept: nil).1, as: UTF8.self)
    }

    /// The value of one exposition line starting with `prefix` (labels included), or nil.
    func metric(_ prefix: String) -> Double? {
        for line in metricsText.split(separator: "\n") where line.hasPrefix(prefix + " ") {
            return Double(line.dropFirst(prefix.count + 1))
        }
        return nil
    }
}
