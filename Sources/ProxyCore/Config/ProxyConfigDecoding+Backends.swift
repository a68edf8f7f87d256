/// `backends[i]`.
extension ProxyConfigDecoding {
    static let backendKeys = ["name", "provider", "baseURL", "credentials", "models", "timeouts", "tls", "maxConcurrentRequests", "queue",
                              "circuitBreaker", "latencyShift", "warmup", "contextWindow",
                              "defaultMaxTokens", "prices", "azure", "modelInfo"]

    /// Decodes one backend; its name is remembered (for split references and duplicates) even
    /// when other fields are wrong, so one typo does not cascade into "unknown backend".
    mutating func decodeBackend(_ value: JSONValue, at path: String, names: inout [(name: String, path: String)]) -> BackendConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: Self.backendKeys, issues: &issues) else { return nil }
        let before = issues.count
        let name = self.name(object["name"], at: object.path("name"))
        if let name { checkUnique(name, kind: "backend", at: object.path("name"), owner: path, names: &names) }
        let provider: ProviderKind? = oneOf(object["provider"], at: object.path("provider"), required: true)
        let baseURL = backendURL(object["baseURL"], at: object.path("baseURL"))
        var credentials: CredentialsConfig? = nil
        if let value = object["credentials"] {
            credentials = decodeCredentials(value, at: object.path("credentials"), provider: provider ?? .openai)
        }
        let models = object["models"].flatMap { modelMap($0, at: object.path("models")) } ?? [:]
        let timeouts = object["timeouts"].flatMap { decodeTimeouts($0, at: object.path("timeouts")) } ?? TimeoutOverrides()
        var tls: TLSConfig? = nil
        if let value = object["tls"] {
            tls = decodeTLS(value, at: object.path("tls"), baseURL: baseURL)
        }
        let maxConcurrent = integer(object["maxConcurrentRequests"], at: object.path("maxConcurrentRequests"),
                                    in: 1...1_000_000, expected: "a positive integer", required: false)
        let queue = object["queue"].map {
            decodeQueue($0, at: object.path("queue"), hasLimit: object.has("maxConcurrentRequests"))
        } ?? QueueConfig.none
        let breaker = object["circuitBreaker"].flatMap { decodeCircuitBreaker($0, at: object.path("circuitBreaker")) }
        let latencyShift = object["latencyShift"].flatMap { decodeLatencyShift($0, at: object.path("latencyShift")) }
        let warmup = object["warmup"].flatMap { decodeWarmup($0, at: object.path("warmup")) }
        let contextWindow = integer(object["contextWindow"], at: object.path("contextWindow"), in: 1...BackendConfig.maxContextWindow,
                                    expected: "a positive integer", required: false)
        let prices = object["prices"].flatMap { decodePrices($0, at: object.path("prices")) } ?? [:]
        let defaultMaxTokens = integer(object["defaultMaxTokens"], at: object.path("defaultMaxTokens"),
                                       in: 1...BackendConfig.maxDefaultMaxTokens, expected: "a positive integer", required: false)
        if defaultMaxTokens != nil, let provider, provider != .anthropic {
            report(object.path("defaultMaxTokens"), "applies to anthropic backends only (the max_tokens of a translated request)")
        }
        var azure: AzureConfig? = nil
        if let value = object["azure"] {
            azure = decodeAzure(value, at: object.path("azure"))
            if let provider, provider != .azureOpenAI {
                report(object.path("azure"), "applies to azure-openai backends only, found provider \(ConfigIssue.quoted(provider.rawValue))")
            }
        }
        let modelInfo = object["modelInfo"].flatMap { decodeModelInfo($0, at: object.path("modelInfo")) } ?? [:]
        guard issues.count == before, let name, let provider, let baseURL, let queue else { return nil }
        return BackendConfig(name: name, provider: provider, baseURL: baseURL, credentials: credentials, models: models,
                             timeouts: timeouts, tls: tls, maxConcurrentRequests: maxConcurrent, queue: queue,
                             circuitBreaker: breaker, latencyShift: latencyShift, warmup: warmup,
                             contextWindow: contextWindow, prices: prices, defaultMaxTokens: defaultMaxTokens,
                             azure: azure, modelInfo: modelInfo)
    }

    /// An `http(s)` URL without user info, query or fragment: a backend's base URL, a moderation hook's URL.
    mutating func backendURL(_ value: JSONValue?, at path: String) -> BackendURL? {
        guard let text = string(value, at: path, required: true) else { return nil }
        switch BackendURL.parse(text) {
        case .success(let url):
            return url
        case .failure(.userInfo):
            report(path, "\(ConfigIssue.quoted(text)) must not contain user info; put the key in a file and name it in \"credentials\"")
        case .failure(.queryOrFragment):
            report(path, "\(ConfigIssue.quoted(text)) must not have a query or fragment")
        case .failure(.unsafePath):
            report(path, "\(ConfigIssue.quoted(text)) must not have \".\" or \"..\" segments, %2F, %5C or a broken % escape in its path: request paths are appended to it and must stay under it")
        case .failure(.malformed):
            report(path, "\(ConfigIssue.quoted(text)) is not an http or https URL with a host, such as \"https://api.openai.com/v1\"")
        }
        return nil
    }

    private mutating func decodeCredentials(_ value: JSONValue, at path: String, provider: ProviderKind) -> CredentialsConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["file", "files", "header", "cooldown"], issues: &issues) else {
            return nil
        }
        let before = issues.count
        var files: [String] = []
        switch (object["file"], object["files"]) {
        case (_?, _?):
            report(path, "expected exactly one of \"file\", \"files\", found both")
        case (let file?, nil):
            if let file = secretFile(file, at: object.path("file"), required: true) { files = [file] }
        case (nil, let list?):
            guard case .array(let items) = list else {
                report(object.path("files"), "expected an array of key files, found \(ConfigIssue.found(list))")
                break
            }
            guard (1...CredentialsConfig.maxFiles).contains(items.count) else {
                report(object.path("files"), "expected 1 to \(CredentialsConfig.maxFiles) key files, found \(items.count)")
                break
            }
            for (index, item) in items.enumerated() {
                if let file = secretFile(item, at: JSONPath.element(object.path("files"), index), required: true) { files.append(file) }
            }
            if Set(files).count != files.count { report(object.path("files"), "names a key file twice") }
        case (nil, nil):
            report(path, "expected exactly one of \"file\", \"files\"")
        }
        let header: CredentialHeader? = object.has("header")
            ? oneOf(object["header"], at: object.path("header"), required: true)
            : provider.defaultCredentialHeader
        let cooldown = duration(object["cooldown"], at: object.path("cooldown")) ?? CredentialsConfig.defaultCooldown
        guard issues.count == before, let header else { return nil }
        return CredentialsConfig(files: files, header: header, cooldown: cooldown)
    }

    private mutating func decodeAzure(_ value: JSONValue, at path: String) -> AzureConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["apiVersion", "deployments"], issues: &issues) else { return nil }
        let before = issues.count
        let apiVersion = string(object["apiVersion"], at: object.path("apiVersion"), required: true)
        if let apiVersion, !AzureConfig.isURLSafeName(apiVersion) {
            report(object.path("apiVersion"), "\(ConfigIssue.quoted(apiVersion)) is not an API version; expected letters, digits, '.', '_' and '-' such as \"2024-10-21\"")
        }
        let deployments = object["deployments"].flatMap { modelMap($0, at: object.path("deployments")) } ?? [:]
        for (model, deployment) in deployments.sorted(by: { $0.key < $1.key }) where !AzureConfig.isURLSafeName(deployment) {
            report(JSONPath.member(object.path("deployments"), model),
                   "\(ConfigIssue.quoted(deployment)) is not a deployment name; expected letters, digits, '.', '_' and '-'")
        }
        guard issues.count == before, let apiVersion else { return nil }
        return AzureConfig(apiVersion: apiVersion, deployments: deployments)
    }

    private mutating func modelMap(_ value: JSONValue, at path: String) -> [String: String]? {
        guard case .object(let object) = value else {
            report(path, "expected an object, found \(ConfigIssue.found(value))")
            return nil
        }
        var map: [String: String] = [:]
        for (key, target) in object.members {
            let memberPath = JSONPath.member(path, key)
            if key.isEmpty { report(memberPath, "expected a non-empty model name as the key") }
            if let upstream = string(target, at: memberPath, required: true), !key.isEmpty { map[key] = upstream }
        }
        return map
    }

    private mutating func decodeTLS(_ value: JSONValue, at path: String, baseURL: BackendURL?) -> TLSConfig? {
        guard let object = ConfigObjectReader(value, at: path, allowed: ["caFile", "insecureSkipVerify"], issues: &issues) else { return nil }
        let before = issues.count
        let caFile = secretFile(object["caFile"], at: object.path("caFile"), required: false)
        let insecure = bool(object["insecureSkipVerify"], at: object.path("insecureSkipVerify")) ?? false
        if object.has("caFile") && insecure {
            report(path, "\"caFile\" and \"insecureSkipVerify\": true contradict each other; keep one")
        }
        if let baseURL, baseURL.scheme != .https {
            report(path, "TLS settings need an https baseURL, found \(ConfigIssue.quoted(baseURL.description))")
        }
        guard issues.count == before else { return nil }
        return TLSConfig(caFile: caFile, insecureSkipVerify: insecure)
    }
}
