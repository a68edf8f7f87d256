import Foundation
@testable import KubeAPI
import ProxyCore

/// `Tests/integration/fake_kube_api.py` running as a child process on 127.0.0.1, port 0.
///
/// Started per test; stopped (SIGTERM, then reaped) when the test releases it.
final class FakeKubeAPIProcess: @unchecked Sendable {  // immutable after init; Process is only terminated in deinit
    let process = Process()
    let port: Int

    static let script = URL(fileURLWithPath: #filePath)  // …/Tests/KubeAPITests/Support/FakeKubeAPIProcess.swift
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("integration/fake_kube_api.py").path

    init(arguments: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, "--port", "0"] + arguments
        let stderr = Pipe()
        process.standardError = stderr
        try process.run()
        // Blocks until the first line (the listening event) or EOF if the script died: no guessing, no sleeping.
        var line = Data()
        let reader = stderr.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { throw FakeStartError(output: String(decoding: line, as: UTF8.self)) }
            line.append(chunk)
        }
        let first = line.prefix { $0 != UInt8(ascii: "\n") }
        let event = try JSONParser.parse(Array(first))
        guard let address = event.member("address")?.stringValue, let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw FakeStartError(output: String(decoding: line, as: UTF8.self))
        }
        self.port = port
        reader.readabilityHandler = { _ = $0.availableData }  // keep draining so the child never blocks on stderr
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    var server: String { "http://127.0.0.1:\(port)" }

    /// A client for this server (optionally with a token source).
    func client(token: BearerTokenSource? = nil, namespace: String = "default") -> KubeClient {
        KubeClient(config: KubeConfig(server: server, token: token, namespace: namespace), requestTimeoutMilliseconds: 10_000)
    }

    /// Calls a `/__fake/` test hook.
    @discardableResult
    func hook(_ method: String, _ path: String) async throws -> JSONValue {
        try await client().call(method, path)
    }
}

struct FakeStartError: Error, CustomStringConvertible {
    var output: String
    var description: String { "fake_kube_api.py did not start: \(output)" }
}

/// Polls `condition` until it holds or `seconds` pass; true when it held.
func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 5_000_000)  // lint: allow-sleep (yields between polls of a deadline-bounded wait)
    }
    return try await condition()
}

/// Small builders for test objects.
func object(_ pairs: (String, JSONValue)...) -> JSONValue {
    .object(JSONObject(pairs.map { (key: $0.0, value: $0.1) }))
}

func configMap(_ name: String, _ data: [(String, String)], resourceVersion: String? = nil) -> JSONValue {
    var metadata: [(String, JSONValue)] = [("name", .string(name))]
    if let resourceVersion { metadata.append(("resourceVersion", .string(resourceVersion))) }
    return object(("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                  ("metadata", .object(JSONObject(metadata.map { (key: $0.0, value: $0.1) }))),
                  ("data", .object(JSONObject(data.map { (key: $0.0, value: .string($0.1)) }))))
}

extension JSONValue {
    /// Follows a path of member names (test convenience).
    subscript(path: String...) -> JSONValue? {
        var value: JSONValue? = self
        for key in path { value = value?.member(key) }
        return value
    }
}
