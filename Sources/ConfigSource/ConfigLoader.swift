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
        var credentials: [String: String] = [:]
        var caFiles: [String: String] = [:]
        var problems: [String] = []
        for (index, backend) in config.backends.enumerated() {
            if let file = backend.credentials?.file, checkSecrets {
                let path = secrets + "/" + file
                guard let secret = FileBytes.read(path, maxBytes: 64 * 1024) else {
                    problems.append("\(displayName): backends[\(index)].credentials.file: \(path) cannot be read")
                    continue
                }
                hash.combine(secret)
                let value = Self.trimmed(secret)
                if value.isEmpty {
                    problems.append("\(displayName): backends[\(index)].credentials.file: \(path) is empty")
                }
                credentials[backend.name] = value
            }
            if let caFile = backend.tls?.caFile {
                caFiles[backend.name] = secrets + "/" + caFile
                if checkSecrets, let ca = FileBytes.read(secrets + "/" + caFile) { hash.combine(ca) }
            }
        }
        var consumerKeys: [[KeyDigest]] = []
        for (index, consumer) in config.consumers.enumerated() {
            consumerKeys.append(checkSecrets ? readKeys(of: consumer, at: "\(displayName): consumers[\(index)].keysDirectory",
                                                        hash: &hash, problems: &problems) : [])
        }
        if !problems.isEmpty { return .failure(ConfigLoadError(problems: problems)) }
        return .success(LoadedConfig(config: config, credentials: credentials, caFiles: caFiles, consumerKeys: consumerKeys,
                                     contentHash: hash.value, source: bytes))
    }

    /// The digests of a consumer's keys: one per file in its directory (names starting with `.`
    /// skipped, subdirectories too). Only digests leave this function; the content hash takes
    /// each file's name and bytes, so adding, changing or removing a key makes a new snapshot.
    private func readKeys(of consumer: ConsumerConfig, at location: String, hash: inout FNV1a64,
                          problems: inout [String]) -> [KeyDigest] {
        let directory = secretsDirectory + "/" + consumer.keysDirectory
        var digests: [KeyDigest] = []
        for name in FileBytes.visibleNames(in: directory).sorted() {
            let path = directory + "/" + name
            // A dangling link is a removed key: kubelet swaps `..data` before it deletes the links.
            guard access(path, F_OK) == 0, !FileBytes.isDirectory(path) else { continue }
            guard let secret = FileBytes.read(path, maxBytes: 64 * 1024) else {
                problems.append("\(location): \(path) cannot be read")
                continue
            }
            hash.combine(Array(name.utf8))
            hash.combine(secret)
            let key = Self.trimmed(secret)
            guard !key.isEmpty else {
                problems.append("\(location): \(path) is empty")
                continue
            }
            digests.append(SHA256.digest(key.utf8))
        }
        return digests
    }

    /// Secrets mounted from Kubernetes often end in a newline; a key never does.
    private static func trimmed(_ bytes: [UInt8]) -> String {
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 || bytes[start] == 0x0A || bytes[start] == 0x0D { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
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
