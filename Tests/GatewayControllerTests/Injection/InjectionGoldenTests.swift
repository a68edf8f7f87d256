import Foundation
import KubeYAML
import ProxyCore
import Testing
@testable import GatewayController

/// The settings every golden case is injected with.
let goldenSettings: InjectionSettings = {
    var settings = InjectionSettings(configMapName: "sluice-main")
    settings.secretMounts = [
        .init(secret: "openai", key: "api-key", path: "openai/api-key"),
        .init(secret: "deepseek", key: "token", path: "deepseek/token"),
        .init(secret: "openai", key: "org", path: "openai/org"),
        .init(secret: "team-keys", key: "current", path: "consumers/team/current", optional: true),
    ]
    return settings
}()

/// `testdata/injection/<case>.in.yaml` → `<case>.out.yaml`. Regenerate on purpose with
/// `make golden` (SLUICE_REGENERATE_GOLDEN=1).
@Suite struct InjectionGoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("testdata/injection")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".in.yaml") }.map { String($0.dropLast(".in.yaml".count)) }.sorted()
    }

    static func injectAll(_ text: String) throws -> String {
        let documents = try YAMLReader.readDocuments(text)
        let injected = documents.map { document -> JSONValue in
            if case .injected(let result, _) = WorkloadInjector.inject(document, settings: goldenSettings) { return result }
            return document
        }
        return YAMLWriter.write(documents: injected)
    }

    @Test func everyCaseHasAnInputAndAnExpectedOutput() {
        #expect(Self.cases.count >= 4)
    }

    @Test(arguments: cases)
    func injectionMatchesTheGoldenFile(name: String) throws {
        let input = try String(contentsOf: Self.directory.appendingPathComponent("\(name).in.yaml"), encoding: .utf8)
        let outputURL = Self.directory.appendingPathComponent("\(name).out.yaml")
        let actual = try Self.injectAll(input)
        if ProcessInfo.processInfo.environment["SLUICE_REGENERATE_GOLDEN"] == "1" {
            try actual.write(to: outputURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: outputURL, encoding: .utf8)
        #expect(actual == expected, "regenerate with `make golden` if the change is intended")
    }

    @Test(arguments: cases)
    func injectingTwiceChangesNothing(name: String) throws {
        let input = try String(contentsOf: Self.directory.appendingPathComponent("\(name).in.yaml"), encoding: .utf8)
        let once = try Self.injectAll(input)
        #expect(try Self.injectAll(once) == once)
    }
}
