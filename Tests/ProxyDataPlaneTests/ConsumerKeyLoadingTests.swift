import ConfigSource
import Foundation
import ProxyCore
import Testing

/// How `ConfigLoader` reads a consumer's key directory: one key per visible file, digests only.
@Suite struct ConsumerKeyLoadingTests {
    static let config = Configs.twoBackends(extra: #", "consumers": [{"name": "search", "keysDirectory": "consumers/search"}]"#)

    static func load(_ prepare: (URL) throws -> Void) throws -> Result<LoadedConfig, ConfigLoadError> {
        let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-keys-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: secrets) }
        let keys = secrets.appendingPathComponent("consumers/search")
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true)
        try prepare(keys)
        return ConfigLoader(configDirectory: "/nonexistent", secretsDirectory: secrets.path)
            .load(bytes: Array(config.utf8), displayName: "test.json")
    }

    @Test func eachVisibleFileIsOneKeyAndHiddenEntriesDanglingLinksAndDirectoriesAreSkipped() throws {
        let loaded = try Self.load { keys in
            try Data("sk-1\n".utf8).write(to: keys.appendingPathComponent("current"))
            try Data("sk-2".utf8).write(to: keys.appendingPathComponent("next"))
            try Data("sk-hidden".utf8).write(to: keys.appendingPathComponent(".hidden"))
            try FileManager.default.createDirectory(at: keys.appendingPathComponent("..2026_01_01"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: keys.appendingPathComponent("nested"), withIntermediateDirectories: true)
            // kubelet swaps `..data` first and deletes a removed key's link after: meanwhile it dangles.
            try FileManager.default.createSymbolicLink(atPath: keys.appendingPathComponent("removed").path, withDestinationPath: "..data/removed")
        }.get()
        #expect(loaded.consumerKeys.count == 1)
        let hexes = Set(loaded.consumerKeys[0].map(\.hex))
        #expect(hexes == [SHA256.digest("sk-1".utf8).hex, SHA256.digest("sk-2".utf8).hex])
    }

    @Test func anEmptyKeyFileRejectsTheLoadNamingIt() throws {
        let result = try Self.load { keys in try Data("\n".utf8).write(to: keys.appendingPathComponent("current")) }
        guard case .failure(let error) = result else { Issue.record("loaded"); return }
        #expect(error.description.contains("consumers[0].keysDirectory:"))
        #expect(error.description.hasSuffix("consumers/search/current is empty"))
    }

    @Test func removingAKeyFileChangesTheContentHash() throws {
        let both = try Self.load { keys in
            try Data("sk-1".utf8).write(to: keys.appendingPathComponent("current"))
            try Data("sk-2".utf8).write(to: keys.appendingPathComponent("next"))
        }.get()
        let one = try Self.load { keys in try Data("sk-2".utf8).write(to: keys.appendingPathComponent("next")) }.get()
        #expect(both.contentHash != one.contentHash)
    }
}
