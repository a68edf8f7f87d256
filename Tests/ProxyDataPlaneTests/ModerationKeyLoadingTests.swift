import ConfigSource
import Foundation
import ProxyCore
import Testing

/// How `ConfigLoader` reads a guard's moderation key (`moderation.credentials.file`): like a
/// backend's key — trimmed, printable ASCII, part of the content hash, a bad file refuses the load.
@Suite struct ModerationKeyLoadingTests {
    static let config = Configs.twoBackends(extra: #", "guards": [{"name": "g", "rules": [{"name": "m", "moderation": {"url": "http://127.0.0.1:9/v1/moderations", "credentials": {"file": "moderation/key"}}, "action": "block"}]}]"#)

    static func load(key: String?) throws -> Result<LoadedConfig, ConfigLoadError> {
        let secrets = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-moderation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: secrets) }
        try FileManager.default.createDirectory(at: secrets.appendingPathComponent("moderation"), withIntermediateDirectories: true)
        if let key { try Data(key.utf8).write(to: secrets.appendingPathComponent("moderation/key")) }
        return ConfigLoader(configDirectory: "/nonexistent", secretsDirectory: secrets.path)
            .load(bytes: Array(config.utf8), displayName: "test.json")
    }

    @Test func theKeyIsReadTrimmedForItsGuard() throws {
        let loaded = try Self.load(key: "sk-mod-1\n").get()
        #expect(loaded.moderationKeys == [0: "sk-mod-1"])
    }

    @Test func aRotatedKeyChangesTheContentHash() throws {
        #expect(try Self.load(key: "sk-mod-1").get().contentHash != Self.load(key: "sk-mod-2").get().contentHash)
    }

    @Test func aMissingOrBrokenKeyFileRefusesTheLoadNamingTheFieldAndNeverTheKey() throws {
        guard case .failure(let missing) = try Self.load(key: nil) else { Issue.record("loaded without its key"); return }
        #expect(missing.description.contains(#"guards[0].rules[0].moderation.credentials.file: "moderation/key" does not exist in the secrets directory"#))
        guard case .failure(let broken) = try Self.load(key: "sk-mod\r\nx-injected: yes") else { Issue.record("loaded a two-line key"); return }
        #expect(broken.description.contains("guards[0].rules[0].moderation.credentials.file:"))
        #expect(broken.description.contains("holds a control character"))
        #expect(!broken.description.contains("sk-mod"))
    }
}
