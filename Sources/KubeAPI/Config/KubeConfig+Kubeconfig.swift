import KubeYAML
import ProxyCore
import ProxyIO

extension KubeConfig {
    /// Reads a kubeconfig file (see `load(from:context:baseDirectory:)`); relative paths
    /// inside it are resolved against the file's directory, as kubectl does.
    package static func load(file path: String, context: String? = nil) throws(KubeConfigError) -> KubeConfig {
        guard let bytes = FileBytes.read(path, maxBytes: 16 << 20) else { throw KubeConfigError("cannot read kubeconfig \(path)") }
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        do {
            return try load(from: String(decoding: bytes, as: UTF8.self), context: context,
                            baseDirectory: directory.isEmpty ? "/" : directory)
        } catch {
            throw KubeConfigError("\(path): \(error.message)")
        }
    }

    /// Builds a configuration from kubeconfig text: JSON (as `kubectl config view --raw -o
    /// json` prints it) or YAML (its first document, read by `YAMLReader`).
    ///
    /// Uses `context` or else `current-context`; from its cluster `server`,
    /// `certificate-authority(-data)`, `insecure-skip-tls-verify`; from its user `token`,
    /// `tokenFile`, `client-certificate(-data)`, `client-key(-data)`. Exec and auth-provider
    /// plugins and basic auth are rejected with a clear error rather than ignored.
    package static func load(from text: String, context: String? = nil,
                             baseDirectory: String = ".") throws(KubeConfigError) -> KubeConfig {
        let document: JSONValue
        if text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) == UInt8(ascii: "{") {
            do { document = try JSONParser.parse(text) } catch { throw KubeConfigError("kubeconfig is not valid JSON: \(error)") }
        } else {
            do { document = try YAMLReader.readDocuments(text).first ?? .object(JSONObject()) } catch {
                throw KubeConfigError("kubeconfig is not valid YAML: \(error)")
            }
        }
        let reader = KubeconfigReader(document: document, baseDirectory: baseDirectory)
        return try reader.config(context: context)
    }
}

/// Walks a parsed kubeconfig document. Internal to `KubeConfig.load`.
private struct KubeconfigReader {
    var document: JSONValue
    var baseDirectory: String

    func config(context wanted: String?) throws(KubeConfigError) -> KubeConfig {
        guard let contextName = wanted ?? document.member("current-context")?.stringValue, !contextName.isEmpty else {
            throw KubeConfigError("kubeconfig has no current-context")
        }
        let context = try named("contexts", contextName, field: "context")
        guard let clusterName = context.member("cluster")?.stringValue else { throw KubeConfigError("context \"\(contextName)\" names no cluster") }
        let cluster = try named("clusters", clusterName, field: "cluster")
        guard let server = cluster.member("server")?.stringValue, !server.isEmpty else {
            throw KubeConfigError("cluster \"\(clusterName)\" has no server")
        }
        var config = KubeConfig(server: server, namespace: context.member("namespace")?.stringValue ?? "default")
        config.certificateAuthority = try material(cluster, "certificate-authority", in: "cluster \"\(clusterName)\"")
        config.insecureSkipTLSVerify = flag(cluster.member("insecure-skip-tls-verify"))

        if let userName = context.member("user")?.stringValue, !userName.isEmpty {
            let user = try named("users", userName, field: "user")
            let place = "user \"\(userName)\""
            for unsupported in ["exec", "auth-provider", "username", "password"] where user.member(unsupported) != nil {
                throw KubeConfigError("\(place) uses \(unsupported), which is not supported: use a token, tokenFile or client certificate")
            }
            if let token = user.member("token")?.stringValue, !token.isEmpty {
                config.token = BearerTokenSource(token: token)
            } else if let file = user.member("tokenFile")?.stringValue, !file.isEmpty {
                config.token = BearerTokenSource(file: resolve(file))
            }
            config.clientCertificate = try material(user, "client-certificate", in: place)
            config.clientKey = try material(user, "client-key", in: place)
            if (config.clientCertificate == nil) != (config.clientKey == nil) {
                throw KubeConfigError("\(place) needs both client-certificate and client-key, or neither")
            }
        }
        return config
    }

    /// The `field` object of the entry named `name` in the list `list`.
    private func named(_ list: String, _ name: String, field: String) throws(KubeConfigError) -> JSONValue {
        guard case .array(let entries)? = document.member(list) else { throw KubeConfigError("kubeconfig has no \(list)") }
        guard let entry = entries.first(where: { $0.member("name")?.stringValue == name }) else {
            throw KubeConfigError("kubeconfig \(list) has no entry named \"\(name)\"")
        }
        return entry.member(field) ?? .object(JSONObject())
    }

    /// `<key>-data` (base64 PEM) wins over `<key>` (a path), as in client-go.
    private func material(_ object: JSONValue, _ key: String, in place: String) throws(KubeConfigError) -> TLSMaterial? {
        if let data = object.member(key + "-data")?.stringValue, !data.isEmpty {
            guard let bytes = Base64.decode(data) else { throw KubeConfigError("\(place): \(key)-data is not valid base64") }
            return .pem(bytes)
        }
        if let path = object.member(key)?.stringValue, !path.isEmpty { return .file(resolve(path)) }
        return nil
    }

    private func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    /// A YAML reader may give `true` as a bool or, from a quoted scalar, a string.
    private func flag(_ value: JSONValue?) -> Bool {
        switch value {
        case .bool(let flag)?: flag
        case .string(let text)?: text == "true"
        default: false
        }
    }
}
