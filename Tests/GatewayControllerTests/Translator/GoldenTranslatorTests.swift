import Foundation
import KubeYAML
import Testing
import ProxyCore
@testable import GatewayController

/// `testdata/<case>.in.yaml` (multi-document manifests) → `testdata/<case>.out.json` (the
/// ConfigMaps and every resource's status, canonical). Regenerate only on purpose, with
/// `make golden` (`scripts/golden.sh`), and review the diff.
@Suite struct GoldenTranslatorTests {
    static let testdata = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("testdata")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: testdata.path)) ?? []
        return names.filter { $0.hasSuffix(".in.yaml") }.map { String($0.dropLast(".in.yaml".count)) }.sorted()
    }

    static var updating: Bool { ProcessInfo.processInfo.environment["SLUICE_REGENERATE_GOLDEN"] == "1" }

    static func translate(_ name: String) throws -> Translation {
        let input = try Data(contentsOf: testdata.appendingPathComponent("\(name).in.yaml"))
        let documents = try YAMLReader.readDocuments(Array(input))
        let sources = documents.indices.map { "\(name).in.yaml#\($0 + 1)" }
        return GatewayTranslator.translate(ResourceSet.decode(documents, sources: sources, defaultNamespace: "default"))
    }

    @Test func thereAreGoldenCases() {
        #expect(Self.cases.count >= 10)
    }

    @Test(arguments: cases) func translationMatchesGoldenFile(_ name: String) throws {
        let translation = try Self.translate(name)
        let actual = TranslationReport.text(translation)
        let outURL = Self.testdata.appendingPathComponent("\(name).out.json")
        if Self.updating {
            try Data(actual.utf8).write(to: outURL)
            return
        }
        let expected = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
        if actual != expected {
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(actualLines.count, expectedLines.count)
            Issue.record("""
                \(name).out.json differs from the translation at line \(firstDifference + 1):
                  expected: \(firstDifference < expectedLines.count ? expectedLines[firstDifference] : "<end of file>")
                  actual:   \(firstDifference < actualLines.count ? actualLines[firstDifference] : "<end of file>")
                If the change is intended, run `make golden` and review the diff.
                """)
        }
    }

    @Test(arguments: cases) func renderingIsDeterministicAndConfigsRoundTrip(_ name: String) throws {
        let first = try Self.translate(name)
        let second = try Self.translate(name)
        #expect(TranslationReport.text(first) == TranslationReport.text(second))
        for gateway in first.gateways {
            guard let config = gateway.config, let text = gateway.configJSON else { continue }
            // config.json decodes back to the same config, with exactly the mounted secrets.
            let mounted = SecretMount.pathsAndDirectories(gateway.secretMounts)
            let decoded = try ProxyConfigDecoder(fileExists: { mounted.contains($0) }).decode(text)
            #expect(decoded == config)
            #expect(text.hasSuffix("}\n"))
            #expect(ProxyConfigEncoder.text(decoded) == text)
        }
    }

    @Test func everyProblemBelongsToAResourceThatHasAFalseCondition() throws {
        for name in Self.cases {
            let translation = try Self.translate(name)
            for problem in translation.problems {
                let status = translation.statuses.first { $0.id == problem.resource }
                let condition = status?.conditions.first { $0.type == problem.condition }
                #expect(condition?.status == false, "\(name): \(problem) is not reflected in a False condition")
                #expect(condition?.message.contains(problem.message) == true, "\(name): \(problem) is not in the condition message")
            }
            for warning in translation.warnings {
                let status = translation.statuses.first { $0.id == warning.resource }
                #expect(status?.conditions.contains { $0.type == ConditionType.notYetTranslated && $0.message.contains(warning.message) } == true,
                        "\(name): \(warning) is not in a NotYetTranslated condition")
            }
        }
    }
}
