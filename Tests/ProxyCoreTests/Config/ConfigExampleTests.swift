import Foundation
import Testing
@testable import ProxyCore

/// Every `examples/*/config/config.json` must decode with its own `secrets/` directory.
@Suite struct ConfigExampleTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var exampleDirectories: [URL] {
        let examples = repositoryRoot.appendingPathComponent("examples")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return names.sorted().map { examples.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.appendingPathComponent("config/config.json").path) }
    }

    static func decodeExample(_ directory: URL) throws -> ProxyConfig {
        let bytes = try Data(contentsOf: directory.appendingPathComponent("config/config.json"))
        let secrets = directory.appendingPathComponent("secrets")
        let decoder = ProxyConfigDecoder(fileExists: { FileManager.default.fileExists(atPath: secrets.appendingPathComponent($0).path) })
        return try decoder.decode(Array(bytes))
    }

    @Test func everyExampleDecodesAndCompiles() throws {
        let directories = Self.exampleDirectories
        #expect(directories.map(\.lastPathComponent).contains("default"))
        #expect(directories.map(\.lastPathComponent).contains("gray-release"))
        for directory in directories {
            let config = try Self.decodeExample(directory)
            _ = try RouteTable(config)
        }
    }

    @Test func everyExampleSurvivesEncodingAndTheEncodingIsCanonical() throws {
        for directory in Self.exampleDirectories {
            let config = try Self.decodeExample(directory)
            let text = ProxyConfigEncoder.text(config)
            let decoded = try ProxyConfigDecoder(fileExists: { _ in true }).decode(text)
            #expect(decoded == config, "\(directory.lastPathComponent)")
            #expect(ProxyConfigEncoder.text(decoded) == text, "\(directory.lastPathComponent): the same config, the same bytes")
            // Canonical: keys sorted at every level, so the text is the parse written with sorted keys.
            let reparsed = try JSONParser.parse(text)
            #expect(String(decoding: JSONWriter.write(reparsed, options: [.pretty, .canonical]), as: UTF8.self) + "\n" == text)
        }
    }

    @Test func defaultExampleRoutesLikeTheReadmeSays() throws {
        let directory = Self.repositoryRoot.appendingPathComponent("examples/default")
        let config = try Self.decodeExample(directory)
        #expect(config.listeners.app.description == "127.0.0.1:4000")
        #expect(config.listeners.admin.description == "127.0.0.1:4001")
        #expect(config.listeners.metrics.description == "127.0.0.1:4090")
        #expect(config.backends.map(\.name) == ["mock-openai", "mock-deepseek"])
        #expect(config.backends.allSatisfy { $0.baseURL.description == "http://127.0.0.1:8081/v1" })
        let key = try String(contentsOf: directory.appendingPathComponent("secrets/mock-openai-key"), encoding: .utf8)
        #expect(key.trimmingCharacters(in: .whitespacesAndNewlines) == "sk-mock-openai")
        let table = try RouteTable(config)
        #expect(table.route(path: "/v1/chat/completions", model: "deepseek-chat", headers: [:], random: 0)?.backendName == "mock-deepseek")
        #expect(table.route(path: "/v1/chat/completions", model: "gpt-4o-mini", headers: [:], random: 0)?.routeName == "gpt-4o-gray-release")
        #expect(table.route(path: "/v1/chat/completions", model: "gpt-4o-mini", headers: [:], random: .max)?.upstreamModel == "deepseek-chat")
        #expect(table.route(path: "/v1/chat/completions", model: "llama3", headers: [:], random: 0)?.backendName == "mock-openai")
    }
}
