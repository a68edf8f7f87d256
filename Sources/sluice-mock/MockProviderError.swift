import ProxyCore

/// Error bodies in each provider's own shape, as real clients receive them.
enum MockProviderError {
    static func body(status: Int, anthropic: Bool, message: String) -> [UInt8] {
        var out: [UInt8] = []
        if anthropic {
            // https://docs.anthropic.com/en/api/errors
            let type = switch status {
            case 400: "invalid_request_error"
            case 401: "authentication_error"
            case 403: "permission_error"
            case 404: "not_found_error"
            case 413: "request_too_large"
            case 429: "rate_limit_error"
            case 529: "overloaded_error"
            default: "api_error"
            }
            out += #"{"type":"error","error":{"type":"\#(type)","message":"#.utf8
            JSONWriter.appendString(message, to: &out)
            out += "}}".utf8
            return out
        }
        let code: String = switch status {
        case 401: "invalid_api_key"
        case 404: "model_not_found"
        case 429: "rate_limit_exceeded"
        case 500, 502, 503: "server_error"
        default: "invalid_request"
        }
        return ProxyErrorBody.json(message: message, type: ProxyErrorBody.type(forStatus: status), code: code)
    }

    static func headers(status: Int, behavior: MockBehavior) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.append(name: "content-type", value: "application/json")
        if let seconds = behavior.retryAfterSeconds { headers.append(name: "retry-after", value: String(seconds)) }
        if let millis = behavior.retryAfterMilliseconds { headers.append(name: "retry-after-ms", value: String(millis)) }
        if status == 429 {
            let reset = behavior.retryAfterMilliseconds.map { "\($0)ms" } ?? "\(behavior.retryAfterSeconds ?? 1)s"
            headers.append(name: "x-ratelimit-limit-requests", value: "60")
            headers.append(name: "x-ratelimit-remaining-requests", value: "0")
            headers.append(name: "x-ratelimit-reset-requests", value: reset)
        }
        return headers
    }
}
