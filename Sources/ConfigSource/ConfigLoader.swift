import Glibc
import ProxyCore
import ProxyIO

/// Reads `config.json` from the config directory and the secrets it references from the
/// secrets directory, validating everything (off the request path).
package struct ConfigLoader: Sendable {
    package static let fileName = "config.json"
    package let configDirectory: String
    package let secretsDirectory: String

    package init(configDirectory: String, secretsDirectory: String) {
        self.configDirectory = configDirectory
        self.secretsDirectory = secretsDirectory
    }

    package var configPath: String { configDirectory + "/" + Self.fileName }

    package func load() -> Result<LoadedConfig, ConfigLoadError> {
        guard let bytes = FileBytes.read(configPath) else {
            return .failure(ConfigLoadError(problems: ["\(configPath): cannot be read (\(String(cString: strerror(errno))))"]))
        }
        return load(bytes: bytes, displayName: configPath)
    }

    /// Validates `bytes` as if they were the config file (used by `sluice validate` too).
    package func load(bytes: [UInt8], displayName: String, checkSecrets: Bool = true) -> Result<LoadedConfig, ConfigLoadError> {
        let secrets = secretsDirectory
        let decoder = ProxyConfigDecoder(fileExists: { relative in
            !checkSecrets || access(secrets + "/" + relative, R_OK) == 0
        })
        let config: ProxyConfig
        do {
            config = try decoder.decode(bytes)
        } catch {
            return .failure(ConfigLoadError(problems: error.issues.map { "\(displayName): \($0)" }))
        }
        var hash = FNV1a64()
        hash.combine(bytes)
        var credentials: [String: [String]] = [:]
        var caFiles: [String: String] = [:]
        var problems: [String] = []
        let directory = SecretsDirectory(secrets)
        // The real path of a file named at `field`, or nil after recording why it cannot be used.
        func resolve(_ relative: String, at field: String) -> String? {
            switch directory.resolve(relative) {
            case .inside(let real):
                return real
            case .outside(let real):
                problems.append("\(displayName): \(field): \(secrets)/\(relative) resolves to \(real), outside the secrets directory \(secrets)")
            case .missing:
                problems.append("\(displayName): \(field): \(secrets)/\(relative) cannot be read")
            }
            return nil
        }
        // The key in the file named at `field` (inside the secrets directory, printable ASCII),
        // or nil after recording why there is none. Its bytes go into the content hash.
        func readKey(_ relative: String, at field: String) -> String? {
            guard let real = resolve(relative, at: field) else { return nil }
            guard let bytes = FileBytes.read(real, maxBytes: 64 * 1024) else {
                problems.append("\(displayName): \(field): \(secrets)/\(relative) cannot be read")
                return nil
            }
            hash.combine(bytes)
            switch CredentialKey.parse(bytes) {
            case .success(let key):
                return key
            case .failure(let problem):
                problems.append("\(displayName): \(field): \(secrets)/\(relative) \(problem)")
                return nil
            }
        }
        for (index, backend) in config.backends.enumerated() {
            if let files = backend.credentials?.files, checkSecrets {
                var keys: [String] = []
                for (fileIndex, file) in files.enumerated() {
                    // One file is spelled `file` (a one-element `files` list is reported the same way).
                    let field = files.count == 1 ? "backends[\(index)].credentials.file" : "backends[\(index)].credentials.files[\(fileIndex)]"
                    if let key = readKey(file, at: field) { keys.append(key) }
                }
                credentials[backend.name] = keys
            }
            if let caFile = backend.tls?.caFile {
                // libcurl reads it by this path (through `..data`, so a swap is followed) once it
                // is known to lie inside.
                caFiles[backend.name] = secrets + "/" + caFile
                if checkSecrets, let real = resolve(caFile, at: "backends[\(index)].tls.caFile"),
                   let ca = FileBytes.read(real) {
                    hash.combine(ca)
                }
            }
        }
        var consumerKeys: [[KeyDigest]] = []
        for (index, consumer) in config.consumers.enumerated() {
            consumerKeys.append(checkSecrets ? readKeys(of: consumer, at: "\(displayName): consumers[\(index)].keysDirectory",
                                                        in: directory, hash: &hash, problems: &problems) : [])
        }
        var redisPassword: String?
        if let file = config.redis?.passwordFile, checkSecrets { redisPassword = readKey(file, at: "redis.passwordFile") }
        var redisCAFile: String?
        if let caFile = config.redis?.tls?.caFile {
            redisCAFile = secrets + "/" + caFile
            if checkSecrets, let real = resolve(caFile, at: "redis.tls.caFile"), let ca = FileBytes.read(real) { hash.combine(ca) }
        }
        var moderationKeys: [Int: String] = [:]
        for (index, guardConfig) in config.guards.enumerated() where checkSecrets {
            for (ruleIndex, rule) in guardConfig.rules.enumerated() {
                guard let file = rule.moderation?.credentials?.file else { continue }
                moderationKeys[index] = readKey(file, at: "guards[\(index)].rules[\(ruleIndex)].moderation.credentials.file")
            }
        }
        if !problems.isEmpty { return .failure(ConfigLoadError(problems: problems)) }
        var loaded = LoadedConfig(config: config, credentials: credentials, caFiles: caFiles, consumerKeys: consumerKeys,
                                  contentHash: hash.value, source: bytes)
        loaded.redisPassword = redisPassword
        loaded.redisCAFile = redisCAFile
        loaded.moderationKeys = moderationKeys
        return .success(loaded)
    }

    /// The digests of a consumer's keys: one per file in its directory (names starting with `.`
    /// skipped, subdirectories too). Only digests leave this function; the content hash takes
    /// each file's name and bytes, so adding, changing or removing a key makes a new snapshot.
    private func readKeys(of consumer: ConsumerConfig, at location: String, in directory: SecretsDirectory,
                          hash: inout FNV1a64, problems: inout [String]) -> [KeyDigest] {
        let keys = secretsDirectory + "/" + consumer.keysDirectory
        var digests: [KeyDigest] = []
        for name in FileBytes.visibleNames(in: keys).sorted() {
            let relative = consumer.keysDirectory + "/" + name
            // A dangling link is a removed key: kubelet swaps `..data` before it deletes the links.
            guard access(keys + "/" + name, F_OK) == 0, !FileBytes.isDirectory(keys + "/" + name) else { continue }
            // The same rules as a provider key: inside the secrets directory, printable ASCII.
            let real: String
            switch directory.resolve(relative) {
            case .inside(let path): real = path
            case .outside(let path):
                problems.append("\(location): \(keys)/\(name) resolves to \(path), outside the secrets directory \(secretsDirectory)")
                continue
            case .missing: continue
            }
            guard let secret = FileBytes.read(real, maxBytes: 64 * 1024) else {
                problems.append("\(location): \(keys)/\(name) cannot be read")
                continue
            }
            hash.combine(Array(name.utf8))
            hash.combine(secret)
            switch CredentialKey.parse(secret) {
            case .success(let key): digests.append(SHA256.digest(key.utf8))
            case .failure(let problem): problems.append("\(location): \(keys)/\(name) \(problem)")
            }
        }
        return digests
    }
}

/// FNV-1a, 64 bits: a fast content fingerprint for change detection (not for security).
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ bytes: [UInt8]) {
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        // Separate inputs, so moving bytes from one file to the next changes the hash.
        value = (value ^ 0xff) &* 0x100_0000_01b3
    }
}
