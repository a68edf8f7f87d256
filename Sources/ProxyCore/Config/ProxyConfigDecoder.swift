/// Turns config bytes into a `ProxyConfig`, or reports every problem at once.
///
/// Pure: the only outside knowledge it needs, whether a file exists in the secrets
/// directory, comes through `fileExists`. Run it off the request path (at load and on every
/// change); `sluice validate` runs the same code. Strict: unknown fields, duplicate keys,
/// wrong types and broken cross-references are all errors (see `docs/config.md`).
package struct ProxyConfigDecoder {
    /// Whether a path relative to the secrets directory names an existing file. Called once
    /// per `credentials.file` and `tls.caFile`, with paths already checked to stay inside it.
    package var fileExists: (String) -> Bool

    /// A decoder that checks secrets files with `fileExists` (relative to the secrets directory).
    package init(fileExists: @escaping (String) -> Bool) {
        self.fileExists = fileExists
    }

    /// Decodes a whole config document (UTF-8 JSON).
    package func decode(_ bytes: some Collection<UInt8>) throws(ProxyConfigError) -> ProxyConfig {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, options: .init(maxDepth: 32, rejectDuplicateKeys: true))
        } catch {
            throw ProxyConfigError(issues: [ConfigIssue(path: "", message: "invalid JSON: \(error.description)")])
        }
        return try decode(value)
    }

    /// Decodes a config document given as text.
    package func decode(_ text: String) throws(ProxyConfigError) -> ProxyConfig {
        try decode(text.utf8)
    }

    /// Decodes an already parsed document (the controller builds one; tests too).
    package func decode(_ value: JSONValue) throws(ProxyConfigError) -> ProxyConfig {
        var decoding = ProxyConfigDecoding(fileExists: fileExists)
        let config = decoding.decodeDocument(value)
        guard let config, decoding.issues.isEmpty else {
            throw ProxyConfigError(issues: decoding.issues)
        }
        return config
    }

    /// Every issue in a config built in code: it is encoded and decoded again, so exactly the
    /// rules of a config file apply. Empty when the config is valid.
    package func validate(_ config: ProxyConfig) -> [ConfigIssue] {
        do {
            _ = try decode(ProxyConfigEncoder.json(config))
            return []
        } catch {
            return error.issues
        }
    }
}
