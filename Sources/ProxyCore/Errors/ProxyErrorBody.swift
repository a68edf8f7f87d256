/// Error bodies the sidecar produces itself, in OpenAI's shape
/// `{"error":{"message":…,"type":…,"param":null,"code":…}}`, so SDKs surface them as
/// they surface a provider's errors. The `code`s are stable and listed in `docs/errors.md`.
package enum ProxyErrorBody {
    /// The JSON bytes of one error.
    package static func json(message: String, type: String, code: String, param: String? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + message.utf8.count)
        out.append(contentsOf: #"{"error":{"message":"#.utf8)
        JSONWriter.appendString(message, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONWriter.appendString(type, to: &out)
        out.append(contentsOf: #","param":"#.utf8)
        if let param { JSONWriter.appendString(param, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","code":"#.utf8)
        JSONWriter.appendString(code, to: &out)
        out.append(contentsOf: "}}".utf8)
        return out
    }

    /// OpenAI's error `type` for a status: what SDKs use to pick an exception class.
    package static func type(forStatus status: Int) -> String {
        switch status {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 408, 504: "timeout_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }
}
