import ConfigSource
import ProxyCore
import ProxyUpstream

/// A backend as the request path uses it: everything resolved once per snapshot
/// (URL prefix, credential header, timeouts, TLS), so an attempt only assembles strings.
struct BackendRuntime: Sendable {
    let name: String
    let provider: ProviderKind
    /// The base URL without a trailing slash; the client's path after `/v1` is appended.
    let urlPrefix: String
    /// The header that carries the provider key and, per key, its full value and the masker
    /// that hides it in what comes back (nil for a very short key); no keys: a keyless backend.
    let credentialName: String
    let keys: [(value: String, masker: SecretMasker?)]
    /// Several keys are used in turn, a refused one set aside for `keyCooldown`; nil with one key or none.
    let keyRing: KeyRing?
    let keyCooldown: ProxyDuration
    let models: [String: String]
    let timeouts: UpstreamTimeouts
    /// `timeouts.firstToken`: enforced by the session (a transfer knows nothing of tokens).
    let firstTokenTimeout: ProxyDuration?
    let tls: UpstreamTLS
    /// Prices per upstream model, for `sluice_cost_total`.
    let costs: CostCalculator
    /// Whether the provider speaks OpenAI's `stream_options.include_usage` (Anthropic reports
    /// usage in its own stream events instead).
    let acceptsIncludeUsage: Bool
    /// `max_tokens` for a translated request to an Anthropic backend that names none
    /// (Anthropic requires it).
    let defaultMaxTokens: Int
    /// Azure OpenAI's deployment addressing; nil: the base URL as for any backend.
    let azure: AzureConfig?

    /// `keyRing`: the ring to keep using (its set-aside keys with it), from a snapshot whose
    /// keys for this backend were the same; nil: a fresh one.
    init(_ backend: BackendConfig, config: ProxyConfig, loaded: LoadedConfig, keyRing carried: KeyRing? = nil) {
        name = backend.name
        provider = backend.provider
        var prefix = backend.baseURL.description
        while prefix.hasSuffix("/") { prefix.removeLast() }
        urlPrefix = prefix
        let secrets = backend.credentials == nil ? [] : loaded.credentials[backend.name] ?? []
        credentialName = backend.credentials?.header.fieldName ?? ""
        keys = secrets.map { ((backend.credentials?.header.valuePrefix ?? "") + $0, SecretMasker(secret: $0)) }
        keyRing = keys.count > 1 ? carried ?? KeyRing(count: keys.count) : nil
        keyCooldown = backend.credentials?.cooldown ?? CredentialsConfig.defaultCooldown
        models = backend.models
        let resolved = config.timeouts(for: backend)
        var timeouts = UpstreamTimeouts()
        timeouts.connect = resolved.connect
        timeouts.firstByte = resolved.firstByte
        timeouts.idle = resolved.idle
        timeouts.total = resolved.total
        self.timeouts = timeouts
        firstTokenTimeout = resolved.firstToken
        costs = CostCalculator(prices: backend.prices.compactMapValues {
            ModelPrice(input: $0.input, cachedInput: $0.cachedInput, cacheWriteInput: $0.cacheWriteInput, output: $0.output,
                       currency: $0.currency)
        })
        acceptsIncludeUsage = backend.provider != .anthropic
        defaultMaxTokens = backend.defaultMaxTokens ?? BackendConfig.standardDefaultMaxTokens
        azure = backend.azure
        tls = UpstreamTLS(caFile: loaded.caFiles[backend.name], insecureSkipVerify: backend.tls?.insecureSkipVerify ?? false)
    }

    /// Appends key `index`'s header (nothing for a keyless backend).
    func appendCredential(_ index: Int, to headers: inout HTTPHeaders) {
        guard keys.indices.contains(index) else { return }
        headers.append(name: credentialName, value: keys[index].value)
    }

    /// The attempt that sends `head`'s request here: to the path that was routed (never the raw
    /// target), or for a request `translated` to another API, to that API's path (without the
    /// client's query, which belongs to the client's API); with the backend's TLS settings and key masker.
    func request(for head: HTTPRequestHead, translated: ChatAPI? = nil, model: String?, key: Int, headers: HTTPHeaders,
                 body: [UInt8], timeouts: UpstreamTimeouts) -> UpstreamRequest {
        let target = translated.map { self.url(path: $0.path, query: nil, model: model) }
            ?? self.url(path: head.path, query: head.query, model: model)
        return UpstreamRequest(method: head.method, url: target, headers: headers, body: body, timeouts: timeouts, tls: tls,
                               secretMasker: keys.indices.contains(key) ? keys[key].masker : nil)
    }

    /// The upstream URL for a routed path (which starts with `/` and holds no dot segments,
    /// `RequestPath`) and query. The result always lies under the base URL's path. On Azure
    /// OpenAI, under the deployment of `model` (`…/openai` without one), with the `api-version`
    /// first in the query.
    func url(path: Substring, query: Substring?, model: String? = nil) -> String {
        // Clients use `…/v1` as their base URL, and so do the backends' base URLs:
        // the client's `/v1` is replaced by the backend's whole base.
        var path = path
        var query = query
        return path.withUTF8 { path in
            let rest = path.count >= 3 && path[0] == UInt8(ascii: "/") && path[1] == UInt8(ascii: "v")
                && path[2] == UInt8(ascii: "1") && (path.count == 3 || path[3] == UInt8(ascii: "/"))
                ? UnsafeBufferPointer(rebasing: path[3...]) : path
            guard let azure else { return plainURL(rest: rest, query: &query) }
            return azureURL(azure, rest: String(decoding: rest, as: UTF8.self), query: query, model: model)
        }
    }

    /// `urlPrefix + rest [+ "?" + query]`, written as bytes into one string.
    private func plainURL(rest: UnsafeBufferPointer<UInt8>, query: inout Substring?) -> String {
        var prefix = urlPrefix
        let queryCount = query.map { $0.utf8.count + 1 } ?? 0
        return prefix.withUTF8 { prefix in
            String(unsafeUninitializedCapacity: prefix.count + rest.count + queryCount) { out in
                var end = Self.copy(prefix, into: out, at: 0)
                end = Self.copy(rest, into: out, at: end)
                if query != nil {
                    out[end] = UInt8(ascii: "?")
                    end = query!.withUTF8 { Self.copy($0, into: out, at: end + 1) }
                }
                return end
            }
        }
    }

    /// Copies `bytes` into `out` at `offset`; returns the offset after them.
    private static func copy(_ bytes: UnsafeBufferPointer<UInt8>, into out: UnsafeMutableBufferPointer<UInt8>, at offset: Int) -> Int {
        if let source = bytes.baseAddress, !bytes.isEmpty { (out.baseAddress! + offset).initialize(from: source, count: bytes.count) }
        return offset + bytes.count
    }

    /// The Azure OpenAI form: under the deployment of `model`, the `api-version` first in the query.
    private func azureURL(_ azure: AzureConfig, rest: String, query: Substring?, model: String?) -> String {
        var url = urlPrefix
        if let model {
            url += "/openai/deployments/"
            url += azure.deployment(for: model)
        } else {
            url += "/openai"
        }
        url += rest
        url += "?api-version="
        url += azure.apiVersion
        if let query {
            url += "&"
            url += query
        }
        return url
    }
}
