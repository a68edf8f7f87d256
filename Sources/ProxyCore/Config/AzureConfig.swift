/// Azure OpenAI's addressing for an `azure-openai` backend: requests go to
/// `{baseURL}/openai/deployments/{deployment}/{endpoint}?api-version={apiVersion}`.
package struct AzureConfig: Hashable, Sendable {
    /// The `api-version` query parameter, e.g. `2024-10-21` or `2025-01-01-preview`.
    package let apiVersion: String
    /// Upstream model → deployment name; a model not named here is its own deployment name.
    package let deployments: [String: String]

    package init(apiVersion: String, deployments: [String: String] = [:]) {
        self.apiVersion = apiVersion
        self.deployments = deployments
    }

    /// The deployment `model` is sent to: its mapped name, else the model itself with every byte
    /// outside letters, digits, `.`, `_` and `-` percent-encoded (the model comes from the
    /// client's body and must stay one path segment).
    package func deployment(for model: String) -> String {
        if let named = deployments[model] { return named }
        if Self.isURLSafeName(model) { return model }
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in model.utf8 {
            if Self.isURLSafeName(String(decoding: [byte], as: UTF8.self)) {
                bytes.append(byte)
            } else {
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `name` may be an API version or a deployment name: letters, digits, `.`, `_`,
    /// `-` (what Azure allows), so either goes into the URL as it is.
    package static func isURLSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
    }
}
