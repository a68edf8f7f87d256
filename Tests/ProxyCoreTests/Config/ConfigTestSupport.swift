@testable import ProxyCore

/// Secrets files that "exist" for the decoder in table tests.
let configTestSecrets: Set<String> = ["openai-key", "deepseek-key", "ca.pem", "dir/nested-key"]

/// A decoder whose secrets directory holds `configTestSecrets`.
var configTestDecoder: ProxyConfigDecoder { ProxyConfigDecoder(fileExists: { configTestSecrets.contains($0) }) }

/// Two valid backends, OpenAI and DeepSeek.
let configTestBackends = """
    {"name": "openai", "provider": "openai", "baseURL": "https://api.openai.com/v1",
     "credentials": {"file": "openai-key"}, "models": {"gpt-4o": "gpt-4o-2024-08-06"}},
    {"name": "deepseek", "provider": "deepseek", "baseURL": "https://api.deepseek.com",
     "credentials": {"file": "deepseek-key"}}
    """

/// One catch-all route to OpenAI.
let configTestRoutes = #"{"name": "default", "split": [{"backend": "openai", "weight": 1}]}"#

/// A config document with the given parts; `extra` is inserted as root members before `backends`.
func configText(extra: String = "", backends: String = configTestBackends, routes: String = configTestRoutes) -> String {
    """
    {"apiVersion": "sluice.dev/v1alpha1", "kind": "ProxyConfig", \(extra.isEmpty ? "" : extra + ",")
     "backends": [\(backends)],
     "routes": [\(routes)]}
    """
}

/// The issues `text` produces, as `path: message` lines (empty when it decodes).
func configIssues(_ text: String, decoder: ProxyConfigDecoder = configTestDecoder) -> [String] {
    do {
        _ = try decoder.decode(text)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

/// Decodes a config that must be valid.
func decodeValidConfig(_ text: String, decoder: ProxyConfigDecoder = configTestDecoder) throws -> ProxyConfig {
    try decoder.decode(text)
}
